package vfs

import "strconv"

// Errno is a Linux error number. Every operation of this package returns
// either nil or an Errno; front ends map it once, at their edge, to what
// their callers understand (WASI errno, JavaScript error names, os errors).
//
// The numbers are Linux's generic ones (include/uapi/asm-generic/errno*.h),
// the same on every architecture the project builds for, so that a test may
// compare them with what the host kernel returns.
type Errno uint16

// Linux error numbers used by the VFS.
const (
	EPERM        Errno = 1
	ENOENT       Errno = 2
	ESRCH        Errno = 3
	EINTR        Errno = 4
	EIO          Errno = 5
	ENXIO        Errno = 6
	E2BIG        Errno = 7
	EBADF        Errno = 9
	EAGAIN       Errno = 11
	ENOMEM       Errno = 12
	EACCES       Errno = 13
	EFAULT       Errno = 14
	EBUSY        Errno = 16
	EEXIST       Errno = 17
	EXDEV        Errno = 18
	ENODEV       Errno = 19
	ENOTDIR      Errno = 20
	EISDIR       Errno = 21
	EINVAL       Errno = 22
	ENFILE       Errno = 23
	EMFILE       Errno = 24
	ENOTTY       Errno = 25
	ETXTBSY      Errno = 26
	EFBIG        Errno = 27
	ENOSPC       Errno = 28
	ESPIPE       Errno = 29
	EROFS        Errno = 30
	EMLINK       Errno = 31
	EPIPE        Errno = 32
	ERANGE       Errno = 34
	EDEADLK      Errno = 35
	ENAMETOOLONG Errno = 36
	ENOLCK       Errno = 37
	ENOSYS       Errno = 38
	ENOTEMPTY    Errno = 39
	ELOOP        Errno = 40
	ENODATA      Errno = 61
	EOVERFLOW    Errno = 75
	EOPNOTSUPP   Errno = 95
	EDQUOT       Errno = 122
	ESTALE       Errno = 116
)

type errnoInfo struct{ name, text string }

// errnoTable holds the names and glibc strerror texts, so messages read as
// coreutils prints them ("mkdir: cannot create directory 'a': File exists").
var errnoTable = map[Errno]errnoInfo{
	EPERM:        {"EPERM", "Operation not permitted"},
	ENOENT:       {"ENOENT", "No such file or directory"},
	ESRCH:        {"ESRCH", "No such process"},
	EINTR:        {"EINTR", "Interrupted system call"},
	EIO:          {"EIO", "Input/output error"},
	ENXIO:        {"ENXIO", "No such device or address"},
	E2BIG:        {"E2BIG", "Argument list too long"},
	EBADF:        {"EBADF", "Bad file descriptor"},
	EAGAIN:       {"EAGAIN", "Resource temporarily unavailable"},
	ENOMEM:       {"ENOMEM", "Cannot allocate memory"},
	EACCES:       {"EACCES", "Permission denied"},
	EFAULT:       {"EFAULT", "Bad address"},
	EBUSY:        {"EBUSY", "Device or resource busy"},
	EEXIST:       {"EEXIST", "File exists"},
	EXDEV:        {"EXDEV", "Invalid cross-device link"},
	ENODEV:       {"ENODEV", "No such device"},
	ENOTDIR:      {"ENOTDIR", "Not a directory"},
	EISDIR:       {"EISDIR", "Is a directory"},
	EINVAL:       {"EINVAL", "Invalid argument"},
	ENFILE:       {"ENFILE", "Too many open files in system"},
	EMFILE:       {"EMFILE", "Too many open files"},
	ENOTTY:       {"ENOTTY", "Inappropriate ioctl for device"},
	ETXTBSY:      {"ETXTBSY", "Text file busy"},
	EFBIG:        {"EFBIG", "File too large"},
	ENOSPC:       {"ENOSPC", "No space left on device"},
	ESPIPE:       {"ESPIPE", "Illegal seek"},
	EROFS:        {"EROFS", "Read-only file system"},
	EMLINK:       {"EMLINK", "Too many links"},
	EPIPE:        {"EPIPE", "Broken pipe"},
	ERANGE:       {"ERANGE", "Numerical result out of range"},
	EDEADLK:      {"EDEADLK", "Resource deadlock avoided"},
	ENAMETOOLONG: {"ENAMETOOLONG", "File name too long"},
	ENOLCK:       {"ENOLCK", "No locks available"},
	ENOSYS:       {"ENOSYS", "Function not implemented"},
	ENOTEMPTY:    {"ENOTEMPTY", "Directory not empty"},
	ELOOP:        {"ELOOP", "Too many levels of symbolic links"},
	ENODATA:      {"ENODATA", "No data available"},
	EOVERFLOW:    {"EOVERFLOW", "Value too large for defined data type"},
	EOPNOTSUPP:   {"EOPNOTSUPP", "Operation not supported"},
	EDQUOT:       {"EDQUOT", "Disk quota exceeded"},
	ESTALE:       {"ESTALE", "Stale file handle"},
}

// Error returns the strerror text.
func (e Errno) Error() string {
	if i, ok := errnoTable[e]; ok {
		return i.text
	}
	return "Unknown error " + itoa(int64(e))
}

// Name returns the symbolic name, such as "ENOENT".
func (e Errno) Name() string {
	if i, ok := errnoTable[e]; ok {
		return i.name
	}
	return "E" + itoa(int64(e))
}

// Errnos lists every Errno this package defines, in numeric order, for
// front ends that keep a mapping table and test it row by row.
func Errnos() []Errno {
	out := make([]Errno, 0, len(errnoTable))
	for e := range errnoTable {
		out = append(out, e)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// ErrnoOf returns the Errno carried by err (EIO for any other non-nil error,
// 0 for nil). Filesystem methods return Errno values; this is the one place
// that decides what a foreign error becomes.
func ErrnoOf(err error) Errno {
	if err == nil {
		return 0
	}
	if e, ok := err.(Errno); ok {
		return e
	}
	return EIO
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
