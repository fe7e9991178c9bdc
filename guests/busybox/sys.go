package main

import (
	"io/fs"
	"time"
)

// sysStat holds what stat(2) returns beyond fs.FileInfo. ok is false when
// the platform gave nothing; mode is the raw st_mode when known (0 under
// WASI, which has no permission bits); blocks is 0 when unknown.
type sysStat struct {
	ok           bool
	dev, rdev    uint64
	ino, nlink   uint64
	uid, gid     uint32
	mode         uint32
	blocks       int64 // 512-byte units
	blksize      int64
	atime, ctime time.Time
}

// statFull is a FileInfo with the sysStat fields filled in, defaults
// included: nlink 1, blocks from the size in whole 4 KiB pages (tmpfs's
// rule), blksize 4096, atime and ctime the mtime.
type statFull struct {
	fs.FileInfo
	sysStat
}

func fullStat(fi fs.FileInfo) statFull {
	s := statFull{FileInfo: fi, sysStat: sysinfo(fi)}
	if s.nlink == 0 {
		s.nlink = 1
	}
	if !s.ok || (s.blocks == 0 && s.blksize == 0) {
		s.blocks = (fi.Size() + 4095) / 4096 * 8
	}
	if s.blksize == 0 {
		s.blksize = 4096
	}
	if s.atime.IsZero() {
		s.atime = fi.ModTime()
	}
	if s.ctime.IsZero() {
		s.ctime = fi.ModTime()
	}
	return s
}

// major and minor split a Linux dev_t (new_decode_dev).
func major(dev uint64) uint64 { return (dev>>8)&0xfff | (dev>>32)&^uint64(0xfff) }
func minor(dev uint64) uint64 { return dev&0xff | (dev>>12)&^uint64(0xff) }
