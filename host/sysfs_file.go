package host

import (
	"io"
	"sync"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"

	"github.com/vfscope/vfscope/host/internal/taskpool"
	"github.com/vfscope/vfscope/vfs"
)

// File is wazero's experimental/sys.File over one descriptor of a SysFS's
// task: an open file description of the VFS, with its own position,
// O_APPEND and O_NONBLOCK, as the guest's open made it.
//
// Each method runs its call on a task of the SysFS's (SysFS.task), and
// holds no lock of the File's while it is in the VFS: a call asleep
// there (a FIFO's read) does not hold up another call on the same File
// (another thread of the guest's, a write that would wake it, Close),
// as in Linux, where threads share the description. Only the methods
// whose state spans their calls (Readdir, Seek, SetAppend, SetNonblock)
// are serialised, by opMu; none of them sleeps.
type File struct {
	seekMethod[int64]

	fs *SysFS
	// path is the name the file was opened by, for String (immutable).
	path string

	// opMu serialises Readdir, Seek, SetAppend and SetNonblock, and
	// protects dirents and dirPos. Held across their calls into the
	// VFS, so outside every lock of the VFS; taken before mu.
	opMu sync.Mutex
	// dirents are entries getdents64 returned that Readdir has not
	// returned yet (a directory's readahead, as libc's DIR buffer).
	dirents []vfs.Dirent
	// dirPos is the d_off of the last entry Readdir returned (0 at the
	// start): the directory's stable position, which Seek reports and
	// accepts as a cookie.
	dirPos int64

	// mu protects the fields below. A leaf: never held across a call
	// into the VFS, nor with SysFS.mu.
	mu sync.Mutex
	// fd is the descriptor in the table of fs's tasks; -1 once closed.
	// It does not change while calls is above zero.
	fd int
	// calls counts the calls running with fd; closing says Close came
	// while some ran, and the last of them closes fd, so that the number
	// is not reused under a call about to look it up.
	calls   int
	closing bool
	// append and nonblock mirror the description's O_APPEND and
	// O_NONBLOCK (changed only through SetAppend and SetNonblock).
	append, nonblock bool
	// statCached says dev, ino and isDir hold fstat's answer; they never
	// change while the file is open.
	statCached bool
	dev, ino   uint64
	isDir      bool
}

var _ experimentalsys.File = (*File)(nil)

// Pflag is the set of events File.Poll waits for; the values are
// wazero's (internal/fsapi.Pflag), which other modules cannot name.
type Pflag uint32

// Poll events.
const (
	POLLIN Pflag = 1 << iota
	POLLOUT
)

// String returns the path the file was opened by.
func (f *File) String() string { return f.path }

// lock counts a call on the file and takes a task of the SysFS's for
// it, or returns EBADF if the file is closed (or being closed), or the
// SysFS's error. unlock gives both back. Between the two, f.fd stays
// what it is.
func (f *File) lock() (*vfs.Task, experimentalsys.Errno) {
	f.mu.Lock()
	if f.fd < 0 || f.closing {
		f.mu.Unlock()
		return nil, experimentalsys.EBADF
	}
	f.calls++
	f.mu.Unlock()
	t, errno := f.fs.task()
	if errno != 0 {
		f.endCall()
		return nil, errno
	}
	return t, 0
}

func (f *File) unlock(t *vfs.Task) {
	f.fs.done(t)
	f.endCall()
}

// endCall ends a call lock counted; the last call after a Close closes
// the descriptor (Close reported what close(2) has to: taskpool.CloseEarly).
func (f *File) endCall() {
	f.mu.Lock()
	f.calls--
	if !f.closing || f.calls > 0 {
		f.mu.Unlock()
		return
	}
	fd := f.fd
	f.fd, f.closing = -1, false
	f.mu.Unlock()
	if t, errno := f.fs.task(); errno == 0 {
		t.Close(fd)
		f.fs.done(t)
	}
}

// cacheStat fills dev, ino and isDir with fstat(2) the first time, and
// returns them.
//
// Preconditions: t is the call's task (lock).
func (f *File) cacheStat(t *vfs.Task) (dev, ino uint64, isDir bool, errno experimentalsys.Errno) {
	f.mu.Lock()
	if f.statCached {
		dev, ino, isDir = f.dev, f.ino, f.isDir
		f.mu.Unlock()
		return dev, ino, isDir, 0
	}
	f.mu.Unlock()
	var st vfs.Stat
	if err := t.Fstat(f.fd, &st); err != nil {
		return 0, 0, false, sysErr(err)
	}
	f.setStat(&st)
	return st.Dev, st.Ino, vfs.IsDir(st.Mode), 0
}

// setStat caches what of st never changes while the file is open.
func (f *File) setStat(st *vfs.Stat) {
	f.mu.Lock()
	f.dev, f.ino, f.isDir, f.statCached = st.Dev, st.Ino, vfs.IsDir(st.Mode), true
	f.mu.Unlock()
}

// Dev implements sys.File.Dev: st_dev, cached.
//
// # Errors
//
// EBADF: the file was closed.
func (f *File) Dev() (uint64, experimentalsys.Errno) {
	t, errno := f.lock()
	if errno != 0 {
		return 0, errno
	}
	defer f.unlock(t)
	dev, _, _, errno := f.cacheStat(t)
	return dev, errno
}

// Ino implements sys.File.Ino: st_ino, cached; never 0.
//
// # Errors
//
// EBADF: the file was closed.
func (f *File) Ino() (sys.Inode, experimentalsys.Errno) {
	t, errno := f.lock()
	if errno != 0 {
		return 0, errno
	}
	defer f.unlock(t)
	_, ino, _, errno := f.cacheStat(t)
	return ino, errno
}

// IsDir implements sys.File.IsDir, cached.
//
// # Errors
//
// EBADF: the file was closed.
func (f *File) IsDir() (bool, experimentalsys.Errno) {
	t, errno := f.lock()
	if errno != 0 {
		return false, errno
	}
	defer f.unlock(t)
	_, _, isDir, errno := f.cacheStat(t)
	return isDir, errno
}

// IsAppend implements sys.File.IsAppend: the description's O_APPEND.
func (f *File) IsAppend() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.append
}

// SetAppend implements sys.File.SetAppend: fcntl(F_SETFL) with O_APPEND
// set or cleared; no reopen is needed, unlike on a host file.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EBADF: the file was closed.
//   - EPERM: clearing O_APPEND on an append-only inode.
func (f *File) SetAppend(enable bool) experimentalsys.Errno {
	t, errno := f.lock()
	if errno != 0 {
		return errno
	}
	defer f.unlock(t)
	f.opMu.Lock()
	defer f.opMu.Unlock()
	if errno := f.setfl(t, vfs.O_APPEND, enable); errno != 0 {
		return errno
	}
	f.mu.Lock()
	f.append = enable
	f.mu.Unlock()
	return 0
}

// IsNonblock is wazero's fsapi.File.IsNonblock: the description's
// O_NONBLOCK. (wazero does not call it on a File: see SysFS.)
func (f *File) IsNonblock() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nonblock
}

// SetNonblock is wazero's fsapi.File.SetNonblock: fcntl(F_SETFL) with
// O_NONBLOCK set or cleared on the description: a fifo's reads and
// writes then return EAGAIN instead of waiting, as pipe_read and
// pipe_write do; regular files never wait, so it changes none of theirs.
//
// wazero does not call it: its fd_fdstat_set_flags reaches a File
// through its own wrapper, which answers ENOSYS (see SysFS).
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EBADF: the file was closed.
func (f *File) SetNonblock(enable bool) experimentalsys.Errno {
	t, errno := f.lock()
	if errno != 0 {
		return errno
	}
	defer f.unlock(t)
	f.opMu.Lock()
	defer f.opMu.Unlock()
	if errno := f.setfl(t, vfs.O_NONBLOCK, enable); errno != 0 {
		return errno
	}
	f.mu.Lock()
	f.nonblock = enable
	f.mu.Unlock()
	return 0
}

// setfl sets or clears one F_SETFL flag of the description.
//
// Preconditions: opMu is held and t is the call's task (lock).
func (f *File) setfl(t *vfs.Task, bit int, enable bool) experimentalsys.Errno {
	fl, err := t.Fcntl(f.fd, vfs.F_GETFL, 0)
	if err != nil {
		return sysErr(err)
	}
	if enable {
		fl |= bit
	} else {
		fl &^= bit
	}
	_, err = t.Fcntl(f.fd, vfs.F_SETFL, fl)
	return sysErr(err)
}

// Poll is wazero's fsapi.File.Poll: files of the VFS are always ready
// for reading and writing, as regular files are for poll(2), so it
// returns at once, ready for any of POLLIN and POLLOUT asked.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EBADF: the file was closed.
//   - ENOTSUP: `flag` holds a bit other than POLLIN and POLLOUT.
func (f *File) Poll(flag Pflag, timeoutMillis int32) (ready bool, errno experimentalsys.Errno) {
	t, errno := f.lock()
	if errno != 0 {
		return false, errno
	}
	f.unlock(t)
	if flag&^(POLLIN|POLLOUT) != 0 {
		return false, experimentalsys.ENOTSUP
	}
	return flag != 0, 0
}

// Stat implements sys.File.Stat: fstat(2).
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EBADF: the file was closed.
func (f *File) Stat() (sys.Stat_t, experimentalsys.Errno) {
	t, errno := f.lock()
	if errno != 0 {
		return sys.Stat_t{}, errno
	}
	defer f.unlock(t)
	var st vfs.Stat
	if err := t.Fstat(f.fd, &st); err != nil {
		return sys.Stat_t{}, sysErr(err)
	}
	f.setStat(&st)
	return toStat(&st), 0
}

// dirErr turns an error of a data operation into EISDIR when the
// file is a directory, as wazero's File documents for Read, Pread,
// Pwrite and Truncate (Linux gives EISDIR for reads, EBADF or EINVAL for
// the others). The check runs only on the error path.
//
// Preconditions: t is the call's task (lock).
func (f *File) dirErr(t *vfs.Task, err error) experimentalsys.Errno {
	if err == nil {
		return 0
	}
	if _, _, isDir, errno := f.cacheStat(t); errno == 0 && isDir {
		return experimentalsys.EISDIR
	}
	return sysErr(err)
}

// Read implements sys.File.Read: read(2) from the file position.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EBADF: the file was closed or not opened for reading.
//   - EISDIR: the file is a directory.
func (f *File) Read(buf []byte) (int, experimentalsys.Errno) {
	t, errno := f.lock()
	if errno != 0 {
		return 0, errno
	}
	defer f.unlock(t)
	n, err := t.Read(f.fd, buf)
	return n, f.dirErr(t, err)
}

// Pread implements sys.File.Pread: pread64(2), the position unchanged.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EBADF: the file was closed or not opened for reading.
//   - EINVAL: `off` is negative.
//   - EISDIR: the file is a directory.
func (f *File) Pread(buf []byte, off int64) (int, experimentalsys.Errno) {
	t, errno := f.lock()
	if errno != 0 {
		return 0, errno
	}
	defer f.unlock(t)
	n, err := t.Pread(f.fd, buf, off)
	return n, f.dirErr(t, err)
}

// Write implements sys.File.Write: write(2) at the file position, or at
// the end with O_APPEND.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EBADF: the file was closed, not opened for writing, or a directory.
//   - EINVAL: the write would pass the maximum file size (Linux EFBIG).
//   - EIO: the filesystem is full (Linux ENOSPC).
func (f *File) Write(buf []byte) (int, experimentalsys.Errno) {
	t, errno := f.lock()
	if errno != 0 {
		return 0, errno
	}
	defer f.unlock(t)
	n, err := t.Write(f.fd, buf)
	return n, sysErr(err)
}

// Pwrite implements sys.File.Pwrite: pwrite64(2), the position
// unchanged; with O_APPEND the data goes to the end anyway, as on Linux.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EBADF: the file was closed or not opened for writing.
//   - EINVAL: `off` is negative, or the write would pass the maximum file
//     size (Linux EFBIG).
//   - EISDIR: the file is a directory.
//   - EIO: the filesystem is full (Linux ENOSPC).
func (f *File) Pwrite(buf []byte, off int64) (int, experimentalsys.Errno) {
	t, errno := f.lock()
	if errno != 0 {
		return 0, errno
	}
	defer f.unlock(t)
	n, err := t.Pwrite(f.fd, buf, off)
	return n, f.dirErr(t, err)
}

// Seek implements sys.File.Seek: lseek(2). On a directory, io.SeekStart
// takes 0 (rewind) or any position Seek(0, io.SeekCurrent) reported, and
// Readdir continues after the entry it was taken at even if entries were
// added or removed meanwhile (tmpfs keeps directory offsets stable).
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EBADF: the file was closed.
//   - EINVAL: the resulting offset is negative, or `whence` is unknown.
//   - EIO: whence SEEK_DATA or SEEK_HOLE (3, 4) at or past the end
//     (Linux ENXIO).
func (s seekMethod[Off]) Seek(offset Off, whence int) (Off, experimentalsys.Errno) {
	off, errno := s.f.seek(int64(offset), whence)
	return Off(off), errno
}

// seekMethod gives File its Seek method. go vet's stdmethods check wants
// io.Seeker's signature, (int64, error), for every method declared as
// Seek(int64, int), while sys.File needs (int64, sys.Errno), as wazero's
// own files declare it. The check compares the declared parameter types
// as written, so declaring the offset as a type parameter, instantiated
// only with int64, passes it; the promoted method is exactly sys.File's.
type seekMethod[Off ~int64] struct{ f *File }

// seek is Seek (seekMethod).
func (f *File) seek(offset int64, whence int) (int64, experimentalsys.Errno) {
	t, errno := f.lock()
	if errno != 0 {
		return 0, errno
	}
	defer f.unlock(t)
	_, _, isDir, errno := f.cacheStat(t)
	if errno != 0 {
		return 0, errno
	}
	if !isDir {
		off, err := t.Seek(f.fd, offset, whence)
		return off, sysErr(err)
	}
	// A directory: the position is dirPos, not the descriptor's (which
	// is past what Readdir holds in dirents).
	f.opMu.Lock()
	defer f.opMu.Unlock()
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		if offset == 0 {
			return f.dirPos, 0
		}
		offset += f.dirPos
	default:
		off, err := t.Seek(f.fd, offset, whence)
		if err != nil {
			return 0, sysErr(err)
		}
		f.dirents, f.dirPos = f.dirents[:0], off
		return off, 0
	}
	if offset < 0 {
		return 0, experimentalsys.EINVAL
	}
	if offset == f.dirPos && len(f.dirents) == 0 {
		return offset, 0
	}
	off, err := t.Seek(f.fd, offset, io.SeekStart)
	if err != nil {
		return 0, sysErr(err)
	}
	f.dirents, f.dirPos = f.dirents[:0], off
	return off, 0
}

// direntBufSize is the getdents64 buffer Readdir asks for: 8 KiB, as
// much as a few hundred short names.
const direntBufSize = 8 << 10

// Readdir implements sys.File.Readdir: getdents64(2) from the
// directory's position, without "." and ".." (wazero adds its own).
// Positions are the filesystem's d_off values, so a listing continued
// after entries were added or removed neither repeats nor skips the
// entries that stayed; entries already read ahead are returned even if
// removed meanwhile, as from libc's readdir buffer.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EBADF: the file was closed or is not a directory.
//   - ENOENT: the directory was removed.
func (f *File) Readdir(n int) ([]experimentalsys.Dirent, experimentalsys.Errno) {
	t, errno := f.lock()
	if errno != 0 {
		return nil, errno
	}
	defer f.unlock(t)
	f.opMu.Lock()
	defer f.opMu.Unlock()
	var out []experimentalsys.Dirent
	if n > 0 {
		out = make([]experimentalsys.Dirent, 0, n)
	}
	for n <= 0 || len(out) < n {
		if len(f.dirents) == 0 {
			ents, err := t.Getdents(f.fd, direntBufSize)
			if err != nil {
				if len(out) > 0 {
					break // the error comes back on the next call
				}
				if e := vfs.ErrnoOf(err); e == vfs.ENOTDIR || e == vfs.EINVAL {
					return nil, experimentalsys.EBADF
				}
				return nil, sysErr(err)
			}
			if len(ents) == 0 {
				break
			}
			f.dirents = ents
		}
		e := f.dirents[0]
		f.dirents = f.dirents[1:]
		f.dirPos = e.Off
		if e.Name == "." || e.Name == ".." {
			continue
		}
		out = append(out, experimentalsys.Dirent{Ino: e.Ino, Name: e.Name, Type: dtFileType(e.Type)})
	}
	return out, 0
}

// Truncate implements sys.File.Truncate: ftruncate(2).
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EBADF: the file was closed.
//   - EINVAL: `size` is negative or past the maximum file size (Linux
//     EFBIG), or the file is not open for writing.
//   - EISDIR: the file is a directory.
func (f *File) Truncate(size int64) experimentalsys.Errno {
	t, errno := f.lock()
	if errno != 0 {
		return errno
	}
	defer f.unlock(t)
	if size < 0 {
		return experimentalsys.EINVAL
	}
	return f.dirErr(t, t.Ftruncate(f.fd, size))
}

// Sync implements sys.File.Sync: fsync(2), writing the inode and its
// dirty pages back.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EBADF: the file was closed.
//   - EIO: writeback failed (reported once per description).
func (f *File) Sync() experimentalsys.Errno {
	t, errno := f.lock()
	if errno != 0 {
		return errno
	}
	defer f.unlock(t)
	return sysErr(t.Fsync(f.fd))
}

// Datasync implements sys.File.Datasync: fdatasync(2).
//
// # Errors
//
// As Sync.
func (f *File) Datasync() experimentalsys.Errno {
	t, errno := f.lock()
	if errno != 0 {
		return errno
	}
	defer f.unlock(t)
	return sysErr(t.Fdatasync(f.fd))
}

// Utimens implements sys.File.Utimens: futimens(2); sys.UTIME_OMIT
// keeps a time.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EBADF: the file was closed.
//   - EPERM: explicit times, and the task does not own the file.
//   - EACCES: times of "now" need write permission the task lacks.
//   - EROFS: the file is on a read-only mount.
func (f *File) Utimens(atim, mtim int64) experimentalsys.Errno {
	t, errno := f.lock()
	if errno != 0 {
		return errno
	}
	defer f.unlock(t)
	times := [2]vfs.Timespec{toTimespec(atim), toTimespec(mtim)}
	return sysErr(t.Utimensat(f.fd, "", &times, 0))
}

// Close implements sys.File.Close: close(2). Closing twice returns zero.
// A call still running on the file (a read asleep in a FIFO) goes on, as
// a read does on Linux when another thread closes its descriptor: what
// close(2) does at once (filp_flush: ->flush, the release of the POSIX
// locks, the report of a write-back error) is done now, by closing a
// duplicate of the descriptor, and Close returns its error; the
// descriptor itself is closed when the last call returns.
func (f *File) Close() experimentalsys.Errno {
	f.mu.Lock()
	if f.fd < 0 || f.closing {
		f.mu.Unlock()
		return 0
	}
	if f.calls > 0 {
		f.closing = true
		f.calls++ // the flush is a call too: fd stays until it ends
		f.mu.Unlock()
		t, errno := f.fs.task()
		if errno != 0 {
			f.endCall()
			return 0 // the SysFS was closed, and the descriptor with it
		}
		defer f.endCall()
		defer f.fs.done(t)
		return sysErr(taskpool.CloseEarly(t, f.fd))
	}
	fd := f.fd
	f.fd = -1
	f.mu.Unlock()
	t, errno := f.fs.task()
	if errno != 0 {
		return 0 // the SysFS was closed, and the descriptor with it
	}
	defer f.fs.done(t)
	return sysErr(t.Close(fd))
}
