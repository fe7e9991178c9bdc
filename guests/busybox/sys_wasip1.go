//go:build wasip1

package main

import (
	"io/fs"
	"syscall"
	"time"
)

// sysinfo extracts the stat fields that fs.FileInfo leaves out from the
// WASI filestat os already fetched. WASI preview1 has no mode bits, owners,
// block counts or device numbers of special files: those stay zero and the
// callers derive what coreutils would show.
func sysinfo(fi fs.FileInfo) sysStat {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return sysStat{}
	}
	return sysStat{
		ok:    true,
		dev:   st.Dev,
		ino:   st.Ino,
		nlink: st.Nlink,
		atime: time.Unix(0, int64(st.Atime)),
		ctime: time.Unix(0, int64(st.Ctime)),
	}
}
