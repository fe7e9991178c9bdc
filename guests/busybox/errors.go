package main

import (
	"errors"
	"strings"
	"syscall"
)

// strerrors are glibc's strerror texts, which coreutils prints. Go's own
// texts differ by platform (Linux's are lower case; wasip1's say "Cross-device
// link" and "Too many symbolic links"), so the guest prints these instead.
// Only the errno values are taken from syscall: no system call is made.
var strerrors = map[syscall.Errno]string{
	syscall.EPERM:        "Operation not permitted",
	syscall.ENOENT:       "No such file or directory",
	syscall.EIO:          "Input/output error",
	syscall.EBADF:        "Bad file descriptor",
	syscall.EAGAIN:       "Resource temporarily unavailable",
	syscall.ENOMEM:       "Cannot allocate memory",
	syscall.EACCES:       "Permission denied",
	syscall.EBUSY:        "Device or resource busy",
	syscall.EEXIST:       "File exists",
	syscall.EXDEV:        "Invalid cross-device link",
	syscall.ENODEV:       "No such device",
	syscall.ENOTDIR:      "Not a directory",
	syscall.EISDIR:       "Is a directory",
	syscall.EINVAL:       "Invalid argument",
	syscall.ENFILE:       "Too many open files in system",
	syscall.EMFILE:       "Too many open files",
	syscall.ETXTBSY:      "Text file busy",
	syscall.EFBIG:        "File too large",
	syscall.ENOSPC:       "No space left on device",
	syscall.ESPIPE:       "Illegal seek",
	syscall.EROFS:        "Read-only file system",
	syscall.EMLINK:       "Too many links",
	syscall.EPIPE:        "Broken pipe",
	syscall.ERANGE:       "Numerical result out of range",
	syscall.ENAMETOOLONG: "File name too long",
	syscall.ENOSYS:       "Function not implemented",
	syscall.ENOTEMPTY:    "Directory not empty",
	syscall.ELOOP:        "Too many levels of symbolic links",
	syscall.EOVERFLOW:    "Value too large for defined data type",
	syscall.ENOTSUP:      "Operation not supported",
	syscall.EDQUOT:       "Disk quota exceeded",
	syscall.ESTALE:       "Stale file handle",
	syscall.EDEADLK:      "Resource deadlock avoided",
	syscall.ENOLCK:       "No locks available",
}

// strerror returns the C library's text for the errno inside err, or the
// error's own text with its first letter capitalised.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if s, ok := strerrors[errno]; ok {
			return s
		}
	}
	for {
		u := errors.Unwrap(err)
		if u == nil {
			break
		}
		err = u
	}
	s := err.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// isErrno reports whether err carries errno e.
func isErrno(err error, e syscall.Errno) bool {
	return errors.Is(err, e)
}
