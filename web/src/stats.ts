import { DT_BLK, DT_CHR, DT_DIR, DT_FIFO, DT_LNK, DT_REG, DT_SOCK, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from "./constants.js";
import type { Reader } from "./runtime.js";

/** What stat(2) returns (struct statx's fields the VFS fills). */
export class Stats {
  dev = 0;
  ino = 0;
  /** File type and permission bits (S_IF* | mode). */
  mode = 0;
  nlink = 0;
  uid = 0;
  gid = 0;
  rdev = 0;
  size = 0;
  blksize = 0;
  /** 512-byte blocks allocated. */
  blocks = 0;
  /** Times in nanoseconds since the epoch, exact. */
  atimeNs = 0n;
  mtimeNs = 0n;
  ctimeNs = 0n;
  birthtimeNs = 0n;
  /** The mount's id, as in /proc/self/mountinfo. */
  mntId = 0;

  get atimeMs(): number {
    return Number(this.atimeNs) / 1e6;
  }
  get mtimeMs(): number {
    return Number(this.mtimeNs) / 1e6;
  }
  get ctimeMs(): number {
    return Number(this.ctimeNs) / 1e6;
  }
  get birthtimeMs(): number {
    return Number(this.birthtimeNs) / 1e6;
  }
  get atime(): Date {
    return new Date(this.atimeMs);
  }
  get mtime(): Date {
    return new Date(this.mtimeMs);
  }
  get ctime(): Date {
    return new Date(this.ctimeMs);
  }
  get birthtime(): Date {
    return new Date(this.birthtimeMs);
  }

  isFile(): boolean {
    return (this.mode & S_IFMT) === S_IFREG;
  }
  isDirectory(): boolean {
    return (this.mode & S_IFMT) === S_IFDIR;
  }
  isSymbolicLink(): boolean {
    return (this.mode & S_IFMT) === S_IFLNK;
  }
  isCharacterDevice(): boolean {
    return (this.mode & S_IFMT) === S_IFCHR;
  }
  isBlockDevice(): boolean {
    return (this.mode & S_IFMT) === S_IFBLK;
  }
  isFIFO(): boolean {
    return (this.mode & S_IFMT) === S_IFIFO;
  }
  isSocket(): boolean {
    return (this.mode & S_IFMT) === S_IFSOCK;
  }

  /** @internal Decodes the bridge's stat result. */
  static read(r: Reader): Stats {
    const s = new Stats();
    s.dev = r.num();
    s.ino = r.num();
    s.mode = r.num();
    s.nlink = r.num();
    s.uid = r.num();
    s.gid = r.num();
    s.rdev = r.num();
    s.size = r.num();
    s.blksize = r.num();
    s.blocks = r.num();
    s.atimeNs = r.i64();
    s.mtimeNs = r.i64();
    s.ctimeNs = r.i64();
    s.birthtimeNs = r.i64();
    s.mntId = r.num();
    return s;
  }
}

/** One directory entry (getdents64's linux_dirent64). */
export class DirEntry {
  constructor(
    readonly name: string,
    readonly ino: number,
    /** DT_* */
    readonly type: number,
  ) {}
  isFile(): boolean {
    return this.type === DT_REG;
  }
  isDirectory(): boolean {
    return this.type === DT_DIR;
  }
  isSymbolicLink(): boolean {
    return this.type === DT_LNK;
  }
  isCharacterDevice(): boolean {
    return this.type === DT_CHR;
  }
  isBlockDevice(): boolean {
    return this.type === DT_BLK;
  }
  isFIFO(): boolean {
    return this.type === DT_FIFO;
  }
  isSocket(): boolean {
    return this.type === DT_SOCK;
  }
}
