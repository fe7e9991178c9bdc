package wasi

import (
	"strconv"

	"github.com/vfscope/vfscope/vfs"
)

// Errno is a WASI preview1 error number (the `errno` enum of
// wasi_snapshot_preview1.witx). Zero is success.
type Errno uint16

// The WASI preview1 error numbers, in the order of the witx enum.
const (
	ESUCCESS Errno = iota
	E2BIG
	EACCES
	EADDRINUSE
	EADDRNOTAVAIL
	EAFNOSUPPORT
	EAGAIN
	EALREADY
	EBADF
	EBADMSG
	EBUSY
	ECANCELED
	ECHILD
	ECONNABORTED
	ECONNREFUSED
	ECONNRESET
	EDEADLK
	EDESTADDRREQ
	EDOM
	EDQUOT
	EEXIST
	EFAULT
	EFBIG
	EHOSTUNREACH
	EIDRM
	EILSEQ
	EINPROGRESS
	EINTR
	EINVAL
	EIO
	EISCONN
	EISDIR
	ELOOP
	EMFILE
	EMLINK
	EMSGSIZE
	EMULTIHOP
	ENAMETOOLONG
	ENETDOWN
	ENETRESET
	ENETUNREACH
	ENFILE
	ENOBUFS
	ENODEV
	ENOENT
	ENOEXEC
	ENOLCK
	ENOLINK
	ENOMEM
	ENOMSG
	ENOPROTOOPT
	ENOSPC
	ENOSYS
	ENOTCONN
	ENOTDIR
	ENOTEMPTY
	ENOTRECOVERABLE
	ENOTSOCK
	ENOTSUP
	ENOTTY
	ENXIO
	EOVERFLOW
	EOWNERDEAD
	EPERM
	EPIPE
	EPROTO
	EPROTONOSUPPORT
	EPROTOTYPE
	ERANGE
	EROFS
	ESPIPE
	ESRCH
	ESTALE
	ETIMEDOUT
	ETXTBSY
	EXDEV
	ENOTCAPABLE
)

var errnoNames = [...]string{
	"ESUCCESS", "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT",
	"EAGAIN", "EALREADY", "EBADF", "EBADMSG", "EBUSY", "ECANCELED", "ECHILD",
	"ECONNABORTED", "ECONNREFUSED", "ECONNRESET", "EDEADLK", "EDESTADDRREQ",
	"EDOM", "EDQUOT", "EEXIST", "EFAULT", "EFBIG", "EHOSTUNREACH", "EIDRM",
	"EILSEQ", "EINPROGRESS", "EINTR", "EINVAL", "EIO", "EISCONN", "EISDIR",
	"ELOOP", "EMFILE", "EMLINK", "EMSGSIZE", "EMULTIHOP", "ENAMETOOLONG",
	"ENETDOWN", "ENETRESET", "ENETUNREACH", "ENFILE", "ENOBUFS", "ENODEV",
	"ENOENT", "ENOEXEC", "ENOLCK", "ENOLINK", "ENOMEM", "ENOMSG",
	"ENOPROTOOPT", "ENOSPC", "ENOSYS", "ENOTCONN", "ENOTDIR", "ENOTEMPTY",
	"ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP", "ENOTTY", "ENXIO", "EOVERFLOW",
	"EOWNERDEAD", "EPERM", "EPIPE", "EPROTO", "EPROTONOSUPPORT", "EPROTOTYPE",
	"ERANGE", "EROFS", "ESPIPE", "ESRCH", "ESTALE", "ETIMEDOUT", "ETXTBSY",
	"EXDEV", "ENOTCAPABLE",
}

// Name returns the symbolic name, such as "EXDEV".
func (e Errno) Name() string {
	if int(e) < len(errnoNames) {
		return errnoNames[e]
	}
	return "errno(" + strconv.FormatInt(int64(e), 10) + ")"
}

// Error makes an Errno usable as an error (its name).
func (e Errno) Error() string { return e.Name() }

// linuxToWASI is THE mapping from Linux errno numbers (vfs.Errno) to WASI
// errno numbers, one row per Linux error that has a WASI counterpart. WASI
// preview1 took its errno set from POSIX, so every row is an identity of
// meaning: EXDEV stays EXDEV, EBUSY stays EBUSY, and so on. A Linux errno
// without a row (ENODATA, ENOTBLK, ETIME, ...: none has a WASI counterpart)
// becomes EIO; TestErrnoTable checks that every errno the VFS defines, except
// the ones listed in noCounterpart, has a row.
var linuxToWASI = map[vfs.Errno]Errno{
	1:   EPERM,           // EPERM
	2:   ENOENT,          // ENOENT
	3:   ESRCH,           // ESRCH
	4:   EINTR,           // EINTR
	5:   EIO,             // EIO
	6:   ENXIO,           // ENXIO
	7:   E2BIG,           // E2BIG
	8:   ENOEXEC,         // ENOEXEC
	9:   EBADF,           // EBADF
	10:  ECHILD,          // ECHILD
	11:  EAGAIN,          // EAGAIN (EWOULDBLOCK)
	12:  ENOMEM,          // ENOMEM
	13:  EACCES,          // EACCES
	14:  EFAULT,          // EFAULT
	16:  EBUSY,           // EBUSY
	17:  EEXIST,          // EEXIST
	18:  EXDEV,           // EXDEV
	19:  ENODEV,          // ENODEV
	20:  ENOTDIR,         // ENOTDIR
	21:  EISDIR,          // EISDIR
	22:  EINVAL,          // EINVAL
	23:  ENFILE,          // ENFILE
	24:  EMFILE,          // EMFILE
	25:  ENOTTY,          // ENOTTY
	26:  ETXTBSY,         // ETXTBSY
	27:  EFBIG,           // EFBIG
	28:  ENOSPC,          // ENOSPC
	29:  ESPIPE,          // ESPIPE
	30:  EROFS,           // EROFS
	31:  EMLINK,          // EMLINK
	32:  EPIPE,           // EPIPE
	33:  EDOM,            // EDOM
	34:  ERANGE,          // ERANGE
	35:  EDEADLK,         // EDEADLK (EDEADLOCK)
	36:  ENAMETOOLONG,    // ENAMETOOLONG
	37:  ENOLCK,          // ENOLCK
	38:  ENOSYS,          // ENOSYS
	39:  ENOTEMPTY,       // ENOTEMPTY
	40:  ELOOP,           // ELOOP
	42:  ENOMSG,          // ENOMSG
	43:  EIDRM,           // EIDRM
	67:  ENOLINK,         // ENOLINK
	71:  EPROTO,          // EPROTO
	72:  EMULTIHOP,       // EMULTIHOP
	74:  EBADMSG,         // EBADMSG
	75:  EOVERFLOW,       // EOVERFLOW
	84:  EILSEQ,          // EILSEQ
	88:  ENOTSOCK,        // ENOTSOCK
	89:  EDESTADDRREQ,    // EDESTADDRREQ
	90:  EMSGSIZE,        // EMSGSIZE
	91:  EPROTOTYPE,      // EPROTOTYPE
	92:  ENOPROTOOPT,     // ENOPROTOOPT
	93:  EPROTONOSUPPORT, // EPROTONOSUPPORT
	95:  ENOTSUP,         // EOPNOTSUPP (ENOTSUP)
	97:  EAFNOSUPPORT,    // EAFNOSUPPORT
	98:  EADDRINUSE,      // EADDRINUSE
	99:  EADDRNOTAVAIL,   // EADDRNOTAVAIL
	100: ENETDOWN,        // ENETDOWN
	101: ENETUNREACH,     // ENETUNREACH
	102: ENETRESET,       // ENETRESET
	103: ECONNABORTED,    // ECONNABORTED
	104: ECONNRESET,      // ECONNRESET
	105: ENOBUFS,         // ENOBUFS
	106: EISCONN,         // EISCONN
	107: ENOTCONN,        // ENOTCONN
	110: ETIMEDOUT,       // ETIMEDOUT
	111: ECONNREFUSED,    // ECONNREFUSED
	113: EHOSTUNREACH,    // EHOSTUNREACH
	114: EALREADY,        // EALREADY
	115: EINPROGRESS,     // EINPROGRESS
	116: ESTALE,          // ESTALE
	122: EDQUOT,          // EDQUOT
	125: ECANCELED,       // ECANCELED
	130: EOWNERDEAD,      // EOWNERDEAD
	131: ENOTRECOVERABLE, // ENOTRECOVERABLE
}

// noCounterpart lists the Linux errnos of package vfs that WASI preview1
// cannot express; they reach the guest as EIO.
var noCounterpart = map[vfs.Errno]bool{
	vfs.ENODATA: true, // no ENODATA (nor ENOATTR) in WASI; preview1 has no xattr calls that would return it
}

// linuxTable is linuxToWASI as an array, for the per-call lookup.
var linuxTable = func() (t [256]Errno) {
	for i := range t {
		t[i] = EIO
	}
	t[0] = ESUCCESS
	for l, w := range linuxToWASI {
		t[l] = w
	}
	return t
}()

// FromVFS maps a Linux errno to the WASI one (see linuxToWASI).
func FromVFS(e vfs.Errno) Errno {
	if int(e) < len(linuxTable) {
		return linuxTable[e]
	}
	return EIO
}

// errnoOf maps any error a vfs call returned: nil is success, a vfs.Errno
// goes through the table, anything else is EIO (as vfs.ErrnoOf decides).
func errnoOf(err error) Errno {
	if err == nil {
		return ESUCCESS
	}
	return FromVFS(vfs.ErrnoOf(err))
}
