package host

import (
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"

	"github.com/vfscope/vfscope/vfs"
)

// ErrnoRow is one row of the mapping from a Linux errno (vfs.Errno) to
// wazero's experimental sys.Errno, the set wazero's own WASI layer can
// report to a guest.
type ErrnoRow struct {
	// Linux is the errno the VFS returned.
	Linux vfs.Errno
	// Sys is what SysFS returns to wazero in its place.
	Sys experimentalsys.Errno
	// Exact is true when Sys means the same thing as Linux; false rows
	// lose information, and Why says what the guest no longer learns.
	Exact bool
	// Why is the reason for the row: where the VFS returns Linux, and
	// why Sys is the closest thing wazero has.
	Why string
}

// ErrnoTable is THE mapping from vfs.Errno to wazero's sys.Errno: every
// errno the VFS defines (vfs.Errnos) has exactly one row, in numeric
// order. wazero's set has 20 values, so the rows marked inexact lose
// information; vfscope's own preview1 ABI (`vfscope run` without
// --sysfs) reports every one of them as itself. README.md "WASI errno
// mapping" prints this table, and a test keeps the two equal.
//
// Where wazero lacks a value, the row maps to the value a guest is most
// likely to handle correctly, and otherwise to EIO, which is what
// wazero's own sysfs.DirFS reports for any host errno it lacks
// (experimental/sys/syscall_errno.go).
var ErrnoTable = []ErrnoRow{
	{vfs.EPERM, experimentalsys.EPERM, true, "same meaning"},
	{vfs.ENOENT, experimentalsys.ENOENT, true, "same meaning"},
	{vfs.ESRCH, experimentalsys.ENOENT, false,
		"reading /proc/<pid> files of a task that has exited; wazero has no ESRCH, and ENOENT (the process's files are gone) is the nearest meaning"},
	{vfs.EINTR, experimentalsys.EINTR, true, "same meaning"},
	{vfs.EIO, experimentalsys.EIO, true, "same meaning"},
	{vfs.ENXIO, experimentalsys.EIO, false,
		"opening a device node or socket (no driver stands behind them), a fifo for writing with O_NONBLOCK and no reader, and lseek SEEK_DATA/SEEK_HOLE past the end; wazero has no ENXIO and no nearer meaning"},
	{vfs.E2BIG, experimentalsys.EINVAL, false,
		"setxattr with a value larger than XATTR_SIZE_MAX; not reachable through sys.FS; an argument too large is an invalid argument, and wazero has no E2BIG"},
	{vfs.EBADF, experimentalsys.EBADF, true, "same meaning"},
	{vfs.EAGAIN, experimentalsys.EAGAIN, true, "same meaning"},
	{vfs.ENOMEM, experimentalsys.EIO, false,
		"the VFS memory budget is exhausted; wazero has no ENOMEM"},
	{vfs.EACCES, experimentalsys.EACCES, true, "same meaning"},
	{vfs.EFAULT, experimentalsys.EFAULT, true, "same meaning"},
	{vfs.EBUSY, experimentalsys.EIO, false,
		"rmdir or rename of a mount point, umount of a busy mount; wazero has no EBUSY, and EAGAIN would invite a retry that cannot succeed"},
	{vfs.EEXIST, experimentalsys.EEXIST, true, "same meaning"},
	{vfs.EXDEV, experimentalsys.EIO, false,
		"rename or link across mounts (for example into /proc); wazero has no EXDEV, so a guest's mv cannot fall back to copy-and-delete"},
	{vfs.ENODEV, experimentalsys.EIO, false,
		"mount of an unknown filesystem type; not reachable through sys.FS; wazero has no ENODEV"},
	{vfs.ENOTDIR, experimentalsys.ENOTDIR, true, "same meaning"},
	{vfs.EISDIR, experimentalsys.EISDIR, true, "same meaning"},
	{vfs.EINVAL, experimentalsys.EINVAL, true, "same meaning"},
	{vfs.ENFILE, experimentalsys.EBADF, false,
		"the system-wide file table is full; wazero has no ENFILE and itself reports EBADF when its descriptor table is full (internal/sys FSContext.OpenFile)"},
	{vfs.EMFILE, experimentalsys.EBADF, false,
		"the SysFS task holds RLIMIT_NOFILE (1024) descriptors; wazero has no EMFILE and itself reports EBADF when its descriptor table is full"},
	{vfs.ENOTTY, experimentalsys.ENOTSUP, false,
		"an ioctl the object does not support; not reachable through sys.FS; ENOTSUP is the nearest meaning"},
	{vfs.ETXTBSY, experimentalsys.EIO, false,
		"writing to a file being executed; the VFS does not execute, so never returned; wazero has no ETXTBSY"},
	{vfs.EFBIG, experimentalsys.EINVAL, false,
		"write or truncate beyond the filesystem's maximum file size; POSIX ftruncate allows EINVAL for exactly this, and wazero has no EFBIG"},
	{vfs.ENOSPC, experimentalsys.EIO, false,
		"tmpfs is full (size= or nr_inodes=); wazero has no ENOSPC"},
	{vfs.ESPIPE, experimentalsys.EINVAL, false,
		"pread, pwrite or lseek on a descriptor that cannot seek; wazero has no ESPIPE, and EINVAL (a seek that cannot be applied) is the nearest meaning"},
	{vfs.EROFS, experimentalsys.EROFS, true, "same meaning"},
	{vfs.EMLINK, experimentalsys.EIO, false,
		"the link count would pass the filesystem's maximum (link, mkdir, rename of a directory); wazero has no EMLINK"},
	{vfs.EPIPE, experimentalsys.EIO, false,
		"a write to a fifo whose readers have all closed it (the VFS sends no SIGPIPE); wazero has no EPIPE"},
	{vfs.ERANGE, experimentalsys.ERANGE, true, "same meaning"},
	{vfs.EDEADLK, experimentalsys.EIO, false,
		"a POSIX lock wait would deadlock; not reachable through sys.FS; wazero has no EDEADLK"},
	{vfs.ENAMETOOLONG, experimentalsys.ENAMETOOLONG, true, "same meaning"},
	{vfs.ENOLCK, experimentalsys.EIO, false,
		"no lock records left; not reachable through sys.FS; wazero has no ENOLCK"},
	{vfs.ENOSYS, experimentalsys.ENOSYS, true, "same meaning"},
	{vfs.ENOTEMPTY, experimentalsys.ENOTEMPTY, true, "same meaning"},
	{vfs.ELOOP, experimentalsys.ELOOP, true, "same meaning"},
	{vfs.ENODATA, experimentalsys.ENOENT, false,
		"no such extended attribute; not reachable through sys.FS; ENOENT (the named thing does not exist) is the nearest meaning"},
	{vfs.EOVERFLOW, experimentalsys.ERANGE, false,
		"a value does not fit the caller's type; ERANGE (result too large) is the nearest meaning"},
	{vfs.EOPNOTSUPP, experimentalsys.ENOTSUP, true,
		"same meaning: EOPNOTSUPP and ENOTSUP are one number (95) on Linux"},
	{vfs.ESTALE, experimentalsys.EIO, false,
		"a filesystem's weak revalidation found the dentry gone; wazero has no ESTALE"},
	{vfs.EDQUOT, experimentalsys.EIO, false,
		"a quota is exhausted, like ENOSPC; wazero has no EDQUOT"},
}

// toSys is ErrnoTable indexed by Linux number, derived once.
var toSys = func() (m [256]experimentalsys.Errno) {
	for _, r := range ErrnoTable {
		m[r.Linux] = r.Sys
	}
	return m
}()

// ToSysErrno maps a Linux errno to wazero's set through ErrnoTable: zero
// stays zero, and a number without a row (none the VFS returns) becomes
// EIO, as wazero's DirFS does for a host errno it lacks.
func ToSysErrno(e vfs.Errno) experimentalsys.Errno {
	if e == 0 {
		return 0
	}
	if int(e) < len(toSys) {
		if s := toSys[e]; s != 0 {
			return s
		}
	}
	return experimentalsys.EIO
}

// sysErr maps an error returned by the VFS (nil, a vfs.Errno, or any
// other error, which vfs.ErrnoOf counts as EIO).
func sysErr(err error) experimentalsys.Errno {
	if err == nil {
		return 0
	}
	return ToSysErrno(vfs.ErrnoOf(err))
}
