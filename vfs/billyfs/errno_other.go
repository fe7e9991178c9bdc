//go:build !linux

package billyfs

import (
	"errors"
	"syscall"

	"github.com/vfscope/vfscope/vfs"
)

// osErrnos maps the host errno values that billyfs's stores report,
// whose numbers differ from Linux's off linux, by name.
var osErrnos = map[syscall.Errno]vfs.Errno{
	syscall.ENOENT:  vfs.ENOENT,
	syscall.EIO:     vfs.EIO,
	syscall.EACCES:  vfs.EACCES,
	syscall.EEXIST:  vfs.EEXIST,
	syscall.ENOTDIR: vfs.ENOTDIR,
	syscall.EISDIR:  vfs.EISDIR,
	syscall.EINVAL:  vfs.EINVAL,
	syscall.ENOSPC:  vfs.ENOSPC,
	syscall.EROFS:   vfs.EROFS,
	syscall.EPERM:   vfs.EPERM,
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
