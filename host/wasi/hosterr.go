package wasi

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/vfscope/vfscope/vfs"
)

// hostToWASI maps the host's errno, as the os package reports it for a
// read or write of one of the guest's stdio streams (a terminal, a pipe,
// a file, a socket), to the WASI errno of the same name. It is keyed by
// name, not number: the numbers are Linux's on linux, WASI's on wasip1,
// and others elsewhere (darwin, windows, js), and syscall's names are
// the same on every one of them. These are the errors read(2) and
// write(2) give on such a descriptor; an errno without a row is EIO.
var hostToWASI = map[syscall.Errno]Errno{
	syscall.EPIPE:      EPIPE,      // write to a pipe or socket whose reader is gone
	syscall.EAGAIN:     EAGAIN,     // O_NONBLOCK stream with nothing to read or no room (EWOULDBLOCK)
	syscall.EBADF:      EBADF,      // the host's descriptor is closed, or not open that way
	syscall.EINTR:      EINTR,      // a signal interrupted the wait
	syscall.EIO:        EIO,        // a terminal read by a background process group, a device error
	syscall.ENOSPC:     ENOSPC,     // stdout redirected to a file on a full filesystem
	syscall.EDQUOT:     EDQUOT,     // ... over its quota
	syscall.EFBIG:      EFBIG,      // ... past RLIMIT_FSIZE or the largest file
	syscall.EROFS:      EROFS,      // ... on a filesystem remounted read-only
	syscall.EINVAL:     EINVAL,     // a descriptor that cannot be read or written that way
	syscall.EISDIR:     EISDIR,     // stdin is a directory
	syscall.EACCES:     EACCES,     // refused by a security module
	syscall.EPERM:      EPERM,      // ... or by a seal (F_SEAL_WRITE)
	syscall.ENOMEM:     ENOMEM,     // the kernel could not allocate
	syscall.ENXIO:      ENXIO,      // a device that went away
	syscall.ENOBUFS:    ENOBUFS,    // a socket without buffer space
	syscall.ECONNRESET: ECONNRESET, // a socket reset by its peer
	syscall.ENOTCONN:   ENOTCONN,   // a socket not connected
	syscall.ETIMEDOUT:  ETIMEDOUT,  // a socket's connection timed out
}

// streamErrno maps the error of a read or write of a host stream (the
// io.Reader and io.Writers of Config: fds 0, 1 and 2) to the WASI errno
// the guest sees, once, in this order:
//
//	error                                    errno
//	nil                                      ESUCCESS
//	a vfs.Errno (a stream over the VFS)      FromVFS's (linuxToWASI)
//	a syscall.Errno (inside *os.PathError,   hostToWASI's, EIO without a row
//	  *os.SyscallError, ...)
//	io.ErrClosedPipe (an io.Pipe whose       EPIPE, as a pipe whose reader
//	  other end is closed)                     is gone
//	fs.ErrClosed (os.ErrClosed: the host     EBADF, as a closed descriptor
//	  file is closed)
//	os.ErrDeadlineExceeded (a deadline       EAGAIN, what Linux's
//	  passed)                                  SO_RCVTIMEO/SO_SNDTIMEO give
//	anything else                            EIO
//
// io.EOF is not an error here: the caller makes it a read of 0.
// TestStreamErrno checks every row.
func streamErrno(err error) Errno {
	if err == nil {
		return ESUCCESS
	}
	var ve vfs.Errno
	if errors.As(err, &ve) {
		return FromVFS(ve)
	}
	var se syscall.Errno
	if errors.As(err, &se) {
		if e, ok := hostToWASI[se]; ok {
			return e
		}
		return EIO
	}
	switch {
	case errors.Is(err, io.ErrClosedPipe):
		return EPIPE
	case errors.Is(err, fs.ErrClosed):
		return EBADF
	case errors.Is(err, os.ErrDeadlineExceeded):
		return EAGAIN
	}
	return EIO
}
