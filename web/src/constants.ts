// Linux's values (the Go core's vfs/mode.go, vfs/mount.go, vfs/readdir.go).

export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_ACCMODE = 0o3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_SYNC = 0o4010000;
export const O_PATH = 0o10000000;
export const O_TMPFILE = 0o20000000 | O_DIRECTORY;

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;

export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;

export const F_OK = 0;
export const X_OK = 1;
export const W_OK = 2;
export const R_OK = 4;

export const AT_SYMLINK_NOFOLLOW = 0x100;

export const RENAME_NOREPLACE = 1 << 0;
export const RENAME_EXCHANGE = 1 << 1;
export const RENAME_WHITEOUT = 1 << 2;

export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MS_NOEXEC = 8;
export const MS_SYNCHRONOUS = 16;
export const MS_REMOUNT = 32;
export const MS_DIRSYNC = 128;
export const MS_NOATIME = 1024;
export const MS_NODIRATIME = 2048;
export const MS_BIND = 4096;
export const MS_MOVE = 8192;
export const MS_REC = 16384;
export const MS_RELATIME = 1 << 21;
export const MS_STRICTATIME = 1 << 24;

export const MNT_FORCE = 1;
export const MNT_DETACH = 2;
export const MNT_EXPIRE = 4;
export const UMOUNT_NOFOLLOW = 8;

export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;

/** utimes: leave this time as it is. */
export const UTIME_OMIT = "omit";
/** utimes: set this time to the VFS clock's now. */
export const UTIME_NOW = "now";

/**
 * Node-style open flag strings and their O_* values: every string of
 * Node's fs (lib/internal/fs/utils.js stringToFlags), "s" meaning O_SYNC
 * and "x" O_EXCL in either order.
 */
export const openFlagStrings: Readonly<Record<string, number>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, number>, {
    r: O_RDONLY,
    rs: O_RDONLY | O_SYNC,
    sr: O_RDONLY | O_SYNC,
    "r+": O_RDWR,
    "rs+": O_RDWR | O_SYNC,
    "sr+": O_RDWR | O_SYNC,
    w: O_WRONLY | O_CREAT | O_TRUNC,
    wx: O_WRONLY | O_CREAT | O_TRUNC | O_EXCL,
    xw: O_WRONLY | O_CREAT | O_TRUNC | O_EXCL,
    "w+": O_RDWR | O_CREAT | O_TRUNC,
    "wx+": O_RDWR | O_CREAT | O_TRUNC | O_EXCL,
    "xw+": O_RDWR | O_CREAT | O_TRUNC | O_EXCL,
    a: O_WRONLY | O_CREAT | O_APPEND,
    ax: O_WRONLY | O_CREAT | O_APPEND | O_EXCL,
    xa: O_WRONLY | O_CREAT | O_APPEND | O_EXCL,
    as: O_WRONLY | O_CREAT | O_APPEND | O_SYNC,
    sa: O_WRONLY | O_CREAT | O_APPEND | O_SYNC,
    "a+": O_RDWR | O_CREAT | O_APPEND,
    "ax+": O_RDWR | O_CREAT | O_APPEND | O_EXCL,
    "xa+": O_RDWR | O_CREAT | O_APPEND | O_EXCL,
    "as+": O_RDWR | O_CREAT | O_APPEND | O_SYNC,
    "sa+": O_RDWR | O_CREAT | O_APPEND | O_SYNC,
  }),
);
