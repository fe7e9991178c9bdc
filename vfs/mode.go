package vfs

import "io/fs"

// File type and permission bits of st_mode, as include/uapi/linux/stat.h.
const (
	S_IFMT    = 0o170000
	S_IFSOCK  = 0o140000
	S_IFLNK   = 0o120000
	S_IFREG   = 0o100000
	S_IFBLK   = 0o060000
	S_IFDIR   = 0o040000
	S_IFCHR   = 0o020000
	S_IFIFO   = 0o010000
	S_ISUID   = 0o4000
	S_ISGID   = 0o2000
	S_ISVTX   = 0o1000
	S_IRWXU   = 0o700
	S_IRWXG   = 0o070
	S_IRWXO   = 0o007
	S_IXGRP   = 0o010
	S_IALLUGO = S_ISUID | S_ISGID | S_ISVTX | 0o777
)

// IsDir and friends test a mode's file type.
func IsDir(mode uint32) bool  { return mode&S_IFMT == S_IFDIR }
func IsReg(mode uint32) bool  { return mode&S_IFMT == S_IFREG }
func IsLnk(mode uint32) bool  { return mode&S_IFMT == S_IFLNK }
func IsChr(mode uint32) bool  { return mode&S_IFMT == S_IFCHR }
func IsBlk(mode uint32) bool  { return mode&S_IFMT == S_IFBLK }
func IsFifo(mode uint32) bool { return mode&S_IFMT == S_IFIFO }
func IsSock(mode uint32) bool { return mode&S_IFMT == S_IFSOCK }

// Open flags, with Linux's generic values (include/uapi/asm-generic/fcntl.h).
const (
	O_ACCMODE   = 0o3
	O_RDONLY    = 0o0
	O_WRONLY    = 0o1
	O_RDWR      = 0o2
	O_CREAT     = 0o100
	O_EXCL      = 0o200
	O_NOCTTY    = 0o400
	O_TRUNC     = 0o1000
	O_APPEND    = 0o2000
	O_NONBLOCK  = 0o4000
	O_DSYNC     = 0o10000
	O_DIRECT    = 0o40000
	O_LARGEFILE = 0o100000
	O_DIRECTORY = 0o200000
	O_NOFOLLOW  = 0o400000
	O_NOATIME   = 0o1000000
	O_CLOEXEC   = 0o2000000
	O_SYNC      = 0o4010000
	O_PATH      = 0o10000000
	O_TMPFILE   = 0o20000000 | O_DIRECTORY
)

// *at flags.
const (
	AT_FDCWD            = -100
	AT_SYMLINK_NOFOLLOW = 0x100
	AT_REMOVEDIR        = 0x200
	AT_SYMLINK_FOLLOW   = 0x400
	AT_EACCESS          = 0x200
	AT_EMPTY_PATH       = 0x1000
)

// renameat2 flags.
const (
	RENAME_NOREPLACE = 1 << 0
	RENAME_EXCHANGE  = 1 << 1
	RENAME_WHITEOUT  = 1 << 2
)

// Access modes for permission checks (MAY_* of include/linux/fs.h).
const (
	MAY_EXEC      = 0x1
	MAY_WRITE     = 0x2
	MAY_READ      = 0x4
	MAY_APPEND    = 0x8
	MAY_ACCESS    = 0x10
	MAY_OPEN      = 0x20
	MAY_CHDIR     = 0x40
	MAY_NOT_BLOCK = 0x80
)

// Access(2) modes.
const (
	F_OK = 0
	X_OK = 1
	W_OK = 2
	R_OK = 4
)

// Seek whences.
const (
	SEEK_SET  = 0
	SEEK_CUR  = 1
	SEEK_END  = 2
	SEEK_DATA = 3
	SEEK_HOLE = 4
)

// Limits of path names (include/uapi/linux/limits.h).
const (
	NAME_MAX    = 255
	PATH_MAX    = 4096
	MAXSYMLINKS = 40
)

// UTIME_NOW and UTIME_OMIT are the special nanosecond values of utimensat.
const (
	UTIME_NOW  = (1 << 30) - 1
	UTIME_OMIT = (1 << 30) - 2
)

// xattr flags.
const (
	XATTR_CREATE   = 1
	XATTR_REPLACE  = 2
	XATTR_NAME_MAX = 255
	XATTR_SIZE_MAX = 65536
	XATTR_LIST_MAX = 65536 // the longest name list listxattr returns
)

// FileMode is st_mode as an io/fs.FileMode, as Go's os package builds it
// on Linux (fillFileStatFromSys): permission bits, set-user-ID,
// set-group-ID and sticky, and the file type (none for a regular file).
func FileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & S_IFMT {
	case S_IFDIR:
		mode |= fs.ModeDir
	case S_IFLNK:
		mode |= fs.ModeSymlink
	case S_IFIFO:
		mode |= fs.ModeNamedPipe
	case S_IFSOCK:
		mode |= fs.ModeSocket
	case S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case S_IFBLK:
		mode |= fs.ModeDevice
	}
	if m&S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

// StMode is the st_mode of an io/fs.FileMode: its file type (S_IFREG
// when it names none), permission bits and special bits. Callers that
// want only the permission and special bits mask with S_IALLUGO.
func StMode(m fs.FileMode) uint32 {
	var typ uint32
	switch {
	case m&fs.ModeDir != 0:
		typ = S_IFDIR
	case m&fs.ModeSymlink != 0:
		typ = S_IFLNK
	case m&fs.ModeNamedPipe != 0:
		typ = S_IFIFO
	case m&fs.ModeSocket != 0:
		typ = S_IFSOCK
	case m&fs.ModeCharDevice != 0:
		typ = S_IFCHR
	case m&fs.ModeDevice != 0:
		typ = S_IFBLK
	default:
		typ = S_IFREG
	}
	p := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		p |= S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		p |= S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		p |= S_ISVTX
	}
	return typ | p
}
