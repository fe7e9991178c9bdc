//go:build linux

package hostfs

import (
	"syscall"

	"github.com/vfscope/vfscope/vfs"
)

// fromSyscall: on linux the host's errno is Linux's.
func fromSyscall(e syscall.Errno) (vfs.Errno, bool) {
	if e == 0 {
		return 0, false
	}
	return vfs.Errno(e), true
}
