//go:build !linux

package hostfs

import (
	"syscall"

	"github.com/vfscope/vfscope/vfs"
)

// sysErrnos maps the host's errno values, whose numbers differ from
// Linux's off linux, by name.
var sysErrnos = map[syscall.Errno]vfs.Errno{
	syscall.EPERM:        vfs.EPERM,
	syscall.ENOENT:       vfs.ENOENT,
	syscall.EINTR:        vfs.EINTR,
	syscall.EIO:          vfs.EIO,
	syscall.ENXIO:        vfs.ENXIO,
	syscall.EBADF:        vfs.EBADF,
	syscall.EAGAIN:       vfs.EAGAIN,
	syscall.ENOMEM:       vfs.ENOMEM,
	syscall.EACCES:       vfs.EACCES,
	syscall.EBUSY:        vfs.EBUSY,
	syscall.EEXIST:       vfs.EEXIST,
	syscall.EXDEV:        vfs.EXDEV,
	syscall.ENOTDIR:      vfs.ENOTDIR,
	syscall.EISDIR:       vfs.EISDIR,
	syscall.EINVAL:       vfs.EINVAL,
	syscall.EMFILE:       vfs.EMFILE,
	syscall.EFBIG:        vfs.EFBIG,
	syscall.ENOSPC:       vfs.ENOSPC,
	syscall.EROFS:        vfs.EROFS,
	syscall.EMLINK:       vfs.EMLINK,
	syscall.ENAMETOOLONG: vfs.ENAMETOOLONG,
	syscall.ENOTEMPTY:    vfs.ENOTEMPTY,
	syscall.ELOOP:        vfs.ELOOP,
	syscall.ENOSYS:       vfs.ENOSYS,
}

func fromSyscall(e syscall.Errno) (vfs.Errno, bool) {
	le, ok := sysErrnos[e]
	return le, ok
}
