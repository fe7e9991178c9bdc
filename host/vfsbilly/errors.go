package vfsbilly

import (
	"errors"
	"os"
	"syscall"

	"github.com/vfscope/vfscope/vfs"
)

// errnoTable is the one mapping from Linux errno (what every vfs.Task
// method returns) to the error value a go-billy caller receives inside
// *os.PathError or *os.LinkError. The values are the host platform's
// syscall.Errno of the same name, because os.IsNotExist, os.IsExist and
// os.IsPermission look only at a syscall.Errno (errors.Is(err,
// fs.ErrNotExist) works with it as well). The numbers differ between
// platforms; the names, and so the meaning, do not.
//
// Two Linux errnos have no syscall name on every platform we build for
// (ENODATA is missing on wasip1 and the BSDs, ETXTBSY on js): they, and
// any errno vfs may add later, become an Errno, which keeps the Linux
// number. Neither belongs to fs.ErrNotExist, fs.ErrExist or
// fs.ErrPermission, so no os.IsXxx answer is lost.
//
// What the os package then answers, by row (the rest answer false to
// all four):
//
//	vfs errno     error value          errors.Is / os.IsXxx
//	ENOENT        syscall.ENOENT       fs.ErrNotExist
//	EEXIST        syscall.EEXIST       fs.ErrExist
//	ENOTEMPTY     syscall.ENOTEMPTY    fs.ErrExist (as Go's syscall.Errno says)
//	EACCES        syscall.EACCES       fs.ErrPermission
//	EPERM         syscall.EPERM        fs.ErrPermission
//	ENOSYS        syscall.ENOSYS       errors.ErrUnsupported
//	EOPNOTSUPP    syscall.EOPNOTSUPP   errors.ErrUnsupported (not on wasip1,
//	                                   whose syscall.Errno says so for ENOSYS only)
//	ENODATA       Errno(61)            none
//	ETXTBSY       Errno(26)            none
//
// TestErrnoTable checks every row for every errno vfs defines.
var errnoTable = map[vfs.Errno]syscall.Errno{
	vfs.EPERM:        syscall.EPERM,
	vfs.ESRCH:        syscall.ESRCH,
	vfs.ENOENT:       syscall.ENOENT,
	vfs.EINTR:        syscall.EINTR,
	vfs.EIO:          syscall.EIO,
	vfs.ENXIO:        syscall.ENXIO,
	vfs.E2BIG:        syscall.E2BIG,
	vfs.EBADF:        syscall.EBADF,
	vfs.EAGAIN:       syscall.EAGAIN,
	vfs.ENOMEM:       syscall.ENOMEM,
	vfs.EACCES:       syscall.EACCES,
	vfs.EFAULT:       syscall.EFAULT,
	vfs.EBUSY:        syscall.EBUSY,
	vfs.EEXIST:       syscall.EEXIST,
	vfs.EXDEV:        syscall.EXDEV,
	vfs.ENODEV:       syscall.ENODEV,
	vfs.ENOTDIR:      syscall.ENOTDIR,
	vfs.EISDIR:       syscall.EISDIR,
	vfs.EINVAL:       syscall.EINVAL,
	vfs.ENFILE:       syscall.ENFILE,
	vfs.EMFILE:       syscall.EMFILE,
	vfs.ENOTTY:       syscall.ENOTTY,
	vfs.EFBIG:        syscall.EFBIG,
	vfs.ENOSPC:       syscall.ENOSPC,
	vfs.ESPIPE:       syscall.ESPIPE,
	vfs.EROFS:        syscall.EROFS,
	vfs.EMLINK:       syscall.EMLINK,
	vfs.EPIPE:        syscall.EPIPE,
	vfs.ERANGE:       syscall.ERANGE,
	vfs.EDEADLK:      syscall.EDEADLK,
	vfs.ENAMETOOLONG: syscall.ENAMETOOLONG,
	vfs.ENOLCK:       syscall.ENOLCK,
	vfs.ENOSYS:       syscall.ENOSYS,
	vfs.ENOTEMPTY:    syscall.ENOTEMPTY,
	vfs.ELOOP:        syscall.ELOOP,
	vfs.EOVERFLOW:    syscall.EOVERFLOW,
	vfs.EOPNOTSUPP:   syscall.EOPNOTSUPP,
	vfs.ESTALE:       syscall.ESTALE,
	vfs.EDQUOT:       syscall.EDQUOT,
}

// reverseTable maps back, for ErrnoOf.
var reverseTable = func() map[syscall.Errno]vfs.Errno {
	m := make(map[syscall.Errno]vfs.Errno, len(errnoTable))
	for e, s := range errnoTable {
		m[s] = e
	}
	return m
}()

// Errno is the error value of a Linux errno that the platform's syscall
// package has no name for (see errnoTable). It unwraps to the vfs.Errno.
type Errno vfs.Errno

// Error returns the strerror text, as vfs.Errno does.
func (e Errno) Error() string { return vfs.Errno(e).Error() }

// Unwrap returns the vfs.Errno.
func (e Errno) Unwrap() error { return vfs.Errno(e) }

// Is answers for the fs.ErrXxx classes as syscall.Errno does on Linux.
// No errno that reaches this type belongs to one, so this only keeps
// the answer right should the table ever shrink.
func (e Errno) Is(target error) bool {
	switch target {
	case os.ErrNotExist:
		return vfs.Errno(e) == vfs.ENOENT
	case os.ErrExist:
		return vfs.Errno(e) == vfs.EEXIST || vfs.Errno(e) == vfs.ENOTEMPTY
	case os.ErrPermission:
		return vfs.Errno(e) == vfs.EACCES || vfs.Errno(e) == vfs.EPERM
	case errors.ErrUnsupported:
		return vfs.Errno(e) == vfs.ENOSYS || vfs.Errno(e) == vfs.EOPNOTSUPP
	}
	return false
}

// mapErr is the edge: a vfs.Errno becomes its table value; nil and any
// other error pass unchanged.
func mapErr(err error) error {
	e, ok := err.(vfs.Errno)
	if !ok {
		return err
	}
	if s, ok := errnoTable[e]; ok {
		return s
	}
	return Errno(e)
}

// ErrnoOf returns the Linux errno behind an error this package returned
// (0 for nil, EIO for an error that carries none, such as
// billy.ErrCrossedBoundary).
func ErrnoOf(err error) vfs.Errno {
	if err == nil {
		return 0
	}
	var s syscall.Errno
	if errors.As(err, &s) {
		if e, ok := reverseTable[s]; ok {
			return e
		}
		return vfs.EIO
	}
	var e Errno
	if errors.As(err, &e) {
		return vfs.Errno(e)
	}
	var v vfs.Errno
	if errors.As(err, &v) {
		return v
	}
	return vfs.EIO
}

// pathErr wraps a vfs error for a call on one path; nil stays nil.
func pathErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*os.PathError); ok {
		return err
	}
	return &os.PathError{Op: op, Path: name, Err: mapErr(err)}
}

// linkErr wraps a vfs error for a call on two paths (rename, symlink),
// as the os package does.
func linkErr(op, oldname, newname string, err error) error {
	if err == nil {
		return nil
	}
	// An error binding the filesystem (FS.lock) comes as the parent's
	// MkdirAll returned it, already wrapped and mapped: keep its errno
	// only, so that os.IsXxx, which look one level deep, still see it.
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	return &os.LinkError{Op: op, Old: oldname, New: newname, Err: mapErr(err)}
}
