//go:build !linux

package billyfs

import (
	"errors"
	"syscall"

	"github.com/vfscope/vfscope/vfs"
)

// osErrnos maps the host's errno values, whose numbers differ from Linux's
// off linux, by name: those an os: store and host/hostfs's host directories
// report.
var osErrnos = map[syscall.Errno]vfs.Errno{
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

// fromOS maps the host's errno inside an *os.PathError or similar.
func fromOS(err error) (vfs.Errno, bool) {
	var se syscall.Errno
	if errors.As(err, &se) {
		le, ok := osErrnos[se]
		return le, ok
	}
	return 0, false
}
