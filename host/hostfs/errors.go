package hostfs

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

// errno maps an error of the backing store to the Linux errno the VFS
// returns; it is the one place where that happens. In order:
//
//	error                                   errno
//	nil                                     nil
//	a vfs.Errno                             itself
//	syscall.Errno (inside *os.PathError,    the same errno (errno_linux.go:
//	  *os.LinkError, *os.SyscallError...)     the numbers are Linux's; elsewhere
//	                                          by name, errno_other.go)
//	os.Root's "path escapes from parent"    EXDEV (what openat2's
//	                                          RESOLVE_BENEATH gives)
//	fs.ErrNotExist                          ENOENT
//	fs.ErrExist                             EEXIST
//	fs.ErrPermission                        EACCES
//	fs.ErrInvalid                           EINVAL
//	fs.ErrClosed                            EBADF
//	billy.ErrReadOnly                       EROFS
//	billy.ErrNotSupported,                  EOPNOTSUPP
//	  errors.ErrUnsupported
//	billy.ErrCrossedBoundary,               EXDEV
//	  osfs's ErrBaseDirCannotBe*            EBUSY (the mount root)
//	anything else                           EIO
//
// TestErrno checks every row.
func errno(err error) error {
	if err == nil {
		return nil
	}
	var e vfs.Errno
	if errors.As(err, &e) {
		return e
	}
	var se syscall.Errno
	if errors.As(err, &se) {
		if le, ok := fromSyscall(se); ok {
			return le
		}
	}
	switch {
	case strings.Contains(err.Error(), "path escapes from parent"):
		return vfs.EXDEV
	case errors.Is(err, fs.ErrNotExist):
		return vfs.ENOENT
	case errors.Is(err, fs.ErrExist):
		return vfs.EEXIST
	case errors.Is(err, fs.ErrPermission):
		return vfs.EACCES
	case errors.Is(err, fs.ErrInvalid):
		return vfs.EINVAL
	case errors.Is(err, fs.ErrClosed):
		return vfs.EBADF
	case errors.Is(err, billy.ErrReadOnly):
		return vfs.EROFS
	case errors.Is(err, billy.ErrNotSupported), errors.Is(err, errors.ErrUnsupported):
		return vfs.EOPNOTSUPP
	case errors.Is(err, billy.ErrCrossedBoundary):
		return vfs.EXDEV
	case isBaseDirErr(err):
		return vfs.EBUSY
	}
	return vfs.EIO
}

func isBaseDirErr(err error) bool {
	return strings.HasPrefix(err.Error(), "base dir cannot be")
}
