package vfsbilly

import (
	"errors"
	"io"
	"os"
	"path"
	"runtime"
	"sync"

	"github.com/go-git/go-billy/v5"
	"github.com/vfscope/vfscope/host/internal/taskpool"
	"github.com/vfscope/vfscope/vfs"
)

// file is a billy.File over a descriptor of the table of one of its
// filesystem's groups. A call on it runs on a task of that group and
// holds no lock across the call, so that a call asleep in the VFS (a
// FIFO's read, a flock wait) does not hold up the others, the file's
// own Close among them, as os.File's methods may be called at once.
type file struct {
	fs   *FS // keeps the filesystem, and so its session, alive
	name string
	// g is the group fd is open in: the session's when the file was
	// opened (the session may have moved to another since, if the root
	// was removed). Immutable.
	g *group
	// mu protects fd, closed, calls and closing. A leaf: never held
	// across a call into the VFS, nor with the session's mu.
	mu sync.Mutex
	// fd is the descriptor; closed says Close was called (the number
	// may since belong to another file). fd does not change while calls
	// is above zero.
	fd     int
	closed bool
	// calls counts the calls running with fd; closing says Close came
	// while some ran, and the last of them closes fd, so that the
	// number is not reused under a call about to look it up.
	calls   int
	closing bool
	// cleanup closes fd if the file is dropped without Close.
	cleanup runtime.Cleanup
}

// leaked is what a file's cleanup needs to close its descriptor; it
// must not point to the file.
type leaked struct {
	s  *session
	g  *group
	fd int
}

// newFile makes the billy.File of descriptor fd of g, a group of f's
// session. A file dropped without Close has its descriptor closed once
// the collector finds it unreachable, as the os package closes a
// dropped *os.File: its filesystem's descriptor table is not filled by
// files nobody can use any more. The cleanup runs on a goroutine of its
// own.
func newFile(f *FS, g *group, fd int, name string) *file {
	fl := &file{fs: f, g: g, fd: fd, name: name}
	fl.cleanup = runtime.AddCleanup(fl, closeLeaked, leaked{s: f.s, g: g, fd: fd})
	return fl
}

// closeLeaked closes the descriptor of a file dropped without Close,
// unless its group exited already (the filesystem was collected
// first). A write error the close reports has nobody left to be told.
func closeLeaked(l leaked) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if !l.s.liveLocked(l.g) {
		return
	}
	closeIn(l.s, l.g, l.fd)
}

// closeIn closes fd of g's table and lets a retired g exit with its
// last file. Precondition: s.mu held.
func closeIn(s *session, g *group, fd int) error {
	t := g.Take()
	err := t.Close(fd)
	g.Give(t)
	g.files--
	s.closedLocked(g)
	return err
}

var (
	_ billy.File  = (*file)(nil)
	_ io.WriterAt = (*file)(nil)
)

// begin counts a call on the file and returns a task of its group for
// it, or os.ErrClosed; end gives the task back.
func (f *file) begin(op string) (*vfs.Task, error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, &os.PathError{Op: op, Path: f.name, Err: os.ErrClosed}
	}
	f.calls++
	f.mu.Unlock()
	s := f.fs.s
	s.mu.Lock()
	t := f.g.Take()
	s.mu.Unlock()
	return t, nil
}

// end gives back the task of a call; the last call running after a
// Close closes the descriptor.
func (f *file) end(t *vfs.Task) {
	s := f.fs.s
	s.mu.Lock()
	f.g.Give(t)
	s.closedLocked(f.g)
	s.mu.Unlock()
	f.mu.Lock()
	f.calls--
	last := f.closing && f.calls == 0
	if last {
		f.closing = false
	}
	f.mu.Unlock()
	if last {
		s.mu.Lock()
		closeIn(s, f.g, f.fd)
		s.mu.Unlock()
	}
}

// Name returns the name given to Open, cleaned and without a leading
// slash.
func (f *file) Name() string { return f.name }

// Read is read(2); io.EOF at the end of the file.
func (f *file) Read(p []byte) (int, error) {
	t, err := f.begin("read")
	if err != nil {
		return 0, err
	}
	defer f.end(t)
	if len(p) == 0 {
		return 0, nil
	}
	n, err := t.Read(f.fd, p)
	if err != nil {
		return 0, pathErr("read", f.name, err)
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// ReadAt is pread(2) until p is full; io.EOF if the file ends first. As
// os.File.ReadAt: a negative off fails before any call, with Op
// "readat" (a failed pread is Op "read"); an empty p makes no call.
func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &os.PathError{Op: "readat", Path: f.name, Err: errNegativeOffset}
	}
	return f.repeat("read", p, io.EOF, func(t *vfs.Task, b []byte, done int) (int, error) {
		return t.Pread(f.fd, b, off+int64(done))
	})
}

// Write is write(2), repeated until p is written. An empty p is one
// write(2) of nothing, as os.File.Write makes it: EBADF on a file not
// open for writing, which vfs_write checks before the count.
func (f *file) Write(p []byte) (int, error) {
	if len(p) == 0 {
		t, err := f.begin("write")
		if err != nil {
			return 0, err
		}
		defer f.end(t)
		_, err = t.Write(f.fd, p)
		return 0, pathErr("write", f.name, err)
	}
	return f.repeat("write", p, io.ErrShortWrite, func(t *vfs.Task, b []byte, done int) (int, error) {
		return t.Write(f.fd, b)
	})
}

// WriteAt is pwrite(2), repeated until p is written. As on Linux, a file
// opened with O_APPEND appends whatever off says. As os.File.WriteAt: a
// negative off fails before any call, with Op "writeat" (a failed
// pwrite is Op "write"); an empty p makes no call.
func (f *file) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &os.PathError{Op: "writeat", Path: f.name, Err: errNegativeOffset}
	}
	return f.repeat("write", p, io.ErrShortWrite, func(t *vfs.Task, b []byte, done int) (int, error) {
		return t.Pwrite(f.fd, b, off+int64(done))
	})
}

// errNegativeOffset is the error os.File.ReadAt and WriteAt give a
// negative offset, in an *os.PathError of Op "readat" or "writeat".
var errNegativeOffset = errors.New("negative offset")

// repeat calls op, a read or a write of b (what of p is left, done bytes
// in), until p is done: a zero count ends it with zero (io.EOF for a
// read, io.ErrShortWrite for a write), an error with that error as a
// *PathError of op name; either way with the bytes done so far.
func (f *file) repeat(name string, p []byte, zero error, op func(t *vfs.Task, b []byte, done int) (int, error)) (int, error) {
	t, err := f.begin(name)
	if err != nil {
		return 0, err
	}
	defer f.end(t)
	done := 0
	for done < len(p) {
		n, err := op(t, p[done:], done)
		if err != nil {
			return done, pathErr(name, f.name, err)
		}
		if n == 0 {
			return done, zero
		}
		done += n
	}
	return done, nil
}

// Seek is lseek(2); io.SeekStart, io.SeekCurrent and io.SeekEnd are
// SEEK_SET, SEEK_CUR and SEEK_END.
func (f *file) Seek(offset int64, whence int) (int64, error) {
	t, err := f.begin("seek")
	if err != nil {
		return 0, err
	}
	defer f.end(t)
	off, err := t.Seek(f.fd, offset, whence)
	if err != nil {
		return 0, pathErr("seek", f.name, err)
	}
	return off, nil
}

// Truncate is ftruncate(2).
func (f *file) Truncate(size int64) error {
	t, err := f.begin("truncate")
	if err != nil {
		return err
	}
	defer f.end(t)
	return pathErr("truncate", f.name, t.Ftruncate(f.fd, size))
}

// Stat is fstat(2), as memfs's and os's files offer.
func (f *file) Stat() (os.FileInfo, error) {
	t, err := f.begin("stat")
	if err != nil {
		return nil, err
	}
	defer f.end(t)
	fi := &FileInfo{name: path.Base(f.name)}
	if err := t.Fstat(f.fd, &fi.st); err != nil {
		return nil, pathErr("stat", f.name, err)
	}
	return fi, nil
}

// Sync is fsync(2).
func (f *file) Sync() error {
	t, err := f.begin("sync")
	if err != nil {
		return err
	}
	defer f.end(t)
	return pathErr("sync", f.name, t.Fsync(f.fd))
}

// Close is close(2); os.ErrClosed the second time. A call still running
// on the file (a read asleep in a FIFO, a Lock waiting) goes on, as on
// Linux when another thread closes the descriptor (not as os.File's
// Close, which wakes a Read asleep in a FIFO: see the package doc): what
// close(2) does at once (filp_flush: ->flush, the release of the POSIX
// locks, the report of a write-back error) is done now, by closing a
// duplicate of the descriptor, and Close returns its error; the
// descriptor itself is closed when the last call returns.
func (f *file) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return &os.PathError{Op: "close", Path: f.name, Err: os.ErrClosed}
	}
	f.closed = true
	f.cleanup.Stop()
	if f.calls > 0 {
		f.closing = true
		f.calls++ // the flush is a call too: the descriptor stays until it ends
		f.mu.Unlock()
		s := f.fs.s
		s.mu.Lock()
		t := f.g.Take()
		s.mu.Unlock()
		defer f.end(t)
		return pathErr("close", f.name, taskpool.CloseEarly(t, f.fd))
	}
	f.mu.Unlock()
	s := f.fs.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return pathErr("close", f.name, closeIn(s, f.g, f.fd))
}

// Lock is flock(LOCK_EX) on the file's open file description, as osfs's
// Lock is on Linux: it waits while another description (another
// billy.File, even of the same filesystem) holds a lock on the file.
// The wait happens on the call's own task, as every call's, so the
// filesystem's other files stay usable meanwhile (among them the one
// whose Unlock ends the wait).
func (f *file) Lock() error {
	t, err := f.begin("lock")
	if err != nil {
		return err
	}
	defer f.end(t)
	return pathErr("lock", f.name, t.Flock(f.fd, vfs.LOCK_EX))
}

// Unlock is flock(LOCK_UN).
func (f *file) Unlock() error {
	t, err := f.begin("unlock")
	if err != nil {
		return err
	}
	defer f.end(t)
	return pathErr("unlock", f.name, t.Flock(f.fd, vfs.LOCK_UN))
}
