//go:build linux

package main

import (
	"io/fs"
	"syscall"
	"time"
)

// sysinfo extracts the stat fields that fs.FileInfo leaves out from the
// value os already filled in (no system call).
func sysinfo(fi fs.FileInfo) sysStat {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return sysStat{}
	}
	as, an := st.Atim.Unix()
	cs, cn := st.Ctim.Unix()
	return sysStat{
		ok:      true,
		dev:     uint64(st.Dev),
		rdev:    uint64(st.Rdev),
		ino:     uint64(st.Ino),
		nlink:   uint64(st.Nlink),
		uid:     st.Uid,
		gid:     st.Gid,
		mode:    uint32(st.Mode),
		blocks:  int64(st.Blocks),
		blksize: int64(st.Blksize),
		atime:   time.Unix(as, an),
		ctime:   time.Unix(cs, cn),
	}
}
