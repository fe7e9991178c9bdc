package billyfs

import (
	"errors"
	"io"
	"io/fs"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

// Errno maps an error of a backing store (go-billy, the os package, the
// fault store) to the Linux errno billyfs returns. It is the one place
// where that happens. In order:
//
//	error                                   errno
//	nil                                     nil
//	a vfs.Errno (in any wrapping)           itself (the fault store's EIO,
//	                                          ENOSPC; os errors on linux,
//	                                          mapped by errno_os.go)
//	fs.ErrNotExist                          ENOENT
//	fs.ErrExist                             EEXIST
//	fs.ErrPermission                        EACCES
//	fs.ErrInvalid                           EINVAL
//	fs.ErrClosed                            EBADF
//	io.ErrShortWrite                        EIO (a short write that a
//	                                          retry could not finish)
//	billy.ErrReadOnly                       EROFS
//	billy.ErrNotSupported,                  EOPNOTSUPP
//	  errors.ErrUnsupported
//	billy.ErrCrossedBoundary                EXDEV
//	anything else                           EIO
//
// TestErrno checks every row.
func Errno(err error) error {
	if err == nil {
		return nil
	}
	var e vfs.Errno
	if errors.As(err, &e) {
		return e
	}
	if le, ok := fromOS(err); ok {
		return le
	}
	switch {
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
	case errors.Is(err, io.ErrShortWrite):
		return vfs.EIO
	case errors.Is(err, billy.ErrReadOnly):
		return vfs.EROFS
	case errors.Is(err, billy.ErrNotSupported), errors.Is(err, errors.ErrUnsupported):
		return vfs.EOPNOTSUPP
	case errors.Is(err, billy.ErrCrossedBoundary):
		return vfs.EXDEV
	}
	return vfs.EIO
}
