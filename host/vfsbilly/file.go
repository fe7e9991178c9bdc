package vfsbilly

import (
	"errors"
	"io"
	"os"
	"path"
	"runtime"

	"github.com/go-git/go-billy/v5"
	"github.com/vfscope/vfscope/vfs"
)

// file is a billy.File over a descriptor of a task of its filesystem's
// session. Every method takes the session mutex.
type file struct {
	fs   *FS // keeps the filesystem, and so its session, alive
	name string
	// t is the task fd is open in: the session's task when the file
	// was opened (the session may have moved to another since, if the
	// root was removed). Immutable.
	t *vfs.Task
	// fd is the descriptor; closed says it was closed (the number may
	// since belong to another file). Protected by fs.s.mu.
	fd     int
	closed bool
	// cleanup closes fd if the file is dropped without Close.
	cleanup runtime.Cleanup
}

// leaked is what a file's cleanup needs to close its descriptor; it
// must not point to the file.
type leaked struct {
	s  *session
	t  *vfs.Task
	fd int
}

// newFile makes the billy.File of descriptor fd of t, a task of f's
// session. A file dropped without Close has its descriptor closed once
// the collector finds it unreachable, as the os package closes a
// dropped *os.File: its filesystem's descriptor table is not filled by
// files nobody can use any more. The cleanup runs on a goroutine of its
// own, so it takes the session mutex like every other call.
func newFile(f *FS, t *vfs.Task, fd int, name string) *file {
	fl := &file{fs: f, t: t, fd: fd, name: name}
	fl.cleanup = runtime.AddCleanup(fl, closeLeaked, leaked{s: f.s, t: t, fd: fd})
	return fl
}

// closeLeaked closes the descriptor of a file dropped without Close,
// unless its task exited already (the filesystem was collected first).
// A write error the close reports has nobody left to be told.
func closeLeaked(l leaked) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if !l.s.liveLocked(l.t) {
		return
	}
	l.t.Close(l.fd)
	l.s.closedLocked(l.t)
}

var (
	_ billy.File  = (*file)(nil)
	_ io.WriterAt = (*file)(nil)
)

// begin takes the session and returns the task, or os.ErrClosed.
func (f *file) begin(op string) (*vfs.Task, error) {
	f.fs.s.mu.Lock()
	if f.closed {
		f.fs.s.mu.Unlock()
		return nil, &os.PathError{Op: op, Path: f.name, Err: os.ErrClosed}
	}
	return f.t, nil
}

func (f *file) end() { f.fs.s.mu.Unlock() }

// Name returns the name given to Open, cleaned and without a leading
// slash.
func (f *file) Name() string { return f.name }

// Read is read(2); io.EOF at the end of the file.
func (f *file) Read(p []byte) (int, error) {
	t, err := f.begin("read")
	if err != nil {
		return 0, err
	}
	defer f.end()
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
		defer f.end()
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
	defer f.end()
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
	defer f.end()
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
	defer f.end()
	return pathErr("truncate", f.name, t.Ftruncate(f.fd, size))
}

// Stat is fstat(2), as memfs's and os's files offer.
func (f *file) Stat() (os.FileInfo, error) {
	t, err := f.begin("stat")
	if err != nil {
		return nil, err
	}
	defer f.end()
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
	defer f.end()
	return pathErr("sync", f.name, t.Fsync(f.fd))
}

// Close is close(2); os.ErrClosed the second time.
func (f *file) Close() error {
	t, err := f.begin("close")
	if err != nil {
		return err
	}
	defer f.end()
	f.closed = true
	f.cleanup.Stop()
	err = t.Close(f.fd)
	f.fs.s.closedLocked(t)
	return pathErr("close", f.name, err)
}

// Lock is flock(LOCK_EX) on the file's open file description, as osfs's
// Lock is on Linux: it waits while another description (another
// billy.File, even of the same filesystem) holds a lock on the file. The
// wait happens on a fork of the filesystem's task, which shares the
// description, so that the session stays free for the other files
// (among them the one whose Unlock ends the wait). The fork keeps only
// this file's descriptor: one holding the others would keep their
// descriptions open while it waits, so that their Close would not be
// the last close and would leave their flock locks behind (flock(2):
// the lock goes with the description's last close).
func (f *file) Lock() error {
	t, err := f.begin("lock")
	if err != nil {
		return err
	}
	if err := t.Flock(f.fd, vfs.LOCK_EX|vfs.LOCK_NB); err != vfs.EWOULDBLOCK {
		f.end()
		return pathErr("lock", f.name, err)
	}
	w := t.Fork("vfsbilly lock")
	closeAllBut(w, f.fd)
	f.end()
	defer w.Exit()
	return pathErr("lock", f.name, w.Flock(f.fd, vfs.LOCK_EX))
}

// closeAllBut drops every description of t's descriptors but keep's.
// Each other descriptor gets keep's description by dup2, which closes
// the old one as close(2) does except that no write error is reported:
// a close would report (and so consume) a pending write error of a
// description the filesystem's files still share, which their Sync or
// Close must report.
func closeAllBut(t *vfs.Task, keep int) {
	for _, fd := range t.FDs() {
		if fd != keep {
			t.Dup2(keep, fd)
		}
	}
}

// Unlock is flock(LOCK_UN).
func (f *file) Unlock() error {
	t, err := f.begin("unlock")
	if err != nil {
		return err
	}
	defer f.end()
	return pathErr("unlock", f.name, t.Flock(f.fd, vfs.LOCK_UN))
}
