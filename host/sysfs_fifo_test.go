package host

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"

	"github.com/vfscope/vfscope/host/internal/taskpool"
	"github.com/vfscope/vfscope/vfs"
)

// TestSysFSFifoBetweenModules: two modules sharing one SysFS talk through
// a FIFO. The reader's open waits for a writer and its read for data,
// each asleep in the VFS; the writer's calls, meanwhile, run on another
// of the SysFS's tasks. With one task for every call, the reader held
// it asleep and the writer waited for it forever. Then the table is the
// two modules' one: Close of the SysFS, with the reader's File still
// open, leaves the FIFO with no reader.
func TestSysFSFifoBetweenModules(t *testing.T) {
	_, task, s := newFixtureFS(t)
	must(t, task.Mknod("/srv/fifo", vfs.S_IFIFO|0o644, 0))
	type result struct {
		data  string
		errno experimentalsys.Errno
	}
	got := make(chan result, 1)
	go func() {
		f, errno := s.OpenFile("fifo", experimentalsys.O_RDONLY, 0)
		if errno != 0 {
			got <- result{errno: errno}
			return
		}
		buf := make([]byte, 16)
		n, errno := f.Read(buf)
		got <- result{string(buf[:n]), errno}
	}()
	// The writer's open may come first or second: either way the two
	// opens meet, and neither waits for the other's task. The writer
	// runs in a goroutine too, so that a SysFS that holds its calls
	// fails the test instead of hanging it.
	wrote := make(chan error, 1)
	var w experimentalsys.File
	go func() {
		var errno experimentalsys.Errno
		if w, errno = s.OpenFile("fifo", experimentalsys.O_WRONLY, 0); errno != 0 {
			wrote <- errno
			return
		}
		// Let the reader go to sleep in its read before the data
		// comes (not needed for the result, only to exercise that
		// order).
		for i := 0; i < 20; i++ {
			runtime.Gosched()
		}
		if n, errno := w.Write([]byte("hello")); n != 5 || errno != 0 {
			wrote <- fmt.Errorf("write: %d, %v", n, errno)
			return
		}
		wrote <- nil
	}()
	timeout := time.After(20 * time.Second)
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatal(err)
		}
	case <-timeout:
		// Wake whichever open or read sleeps, from outside the SysFS
		// (a reader and writer with data), so that the SysFS's Close
		// at cleanup does not wait for it too.
		if fd, err := task.Open("/srv/fifo", vfs.O_RDWR|vfs.O_NONBLOCK, 0); err == nil {
			task.Write(fd, []byte("wake"))
			t.Cleanup(func() { task.Close(fd) })
		}
		t.Fatal("the writer never got through: the other module's sleep holds its calls")
	}
	select {
	case r := <-got:
		if r.errno != 0 || r.data != "hello" {
			t.Fatalf("reader: %q, %v", r.data, r.errno)
		}
	case <-timeout:
		t.Fatal("the reader never got the data")
	}
	requireErrno(t, 0, w.Close(), "close")
}

// TestSysFSCloseWithFilesOpen: Close with a guest's File still open
// closes its descriptor (the last of the SysFS's tasks to exit closes
// the table), and the File then says EBADF.
func TestSysFSCloseWithFilesOpen(t *testing.T) {
	_, task, s := newFixtureFS(t)
	must(t, task.Mknod("/srv/fifo", vfs.S_IFIFO|0o644, 0))
	rfd, err := task.Open("/srv/fifo", vfs.O_RDONLY|vfs.O_NONBLOCK, 0)
	must(t, err)
	defer task.Close(rfd)
	w, errno := s.OpenFile("fifo", experimentalsys.O_WRONLY, 0)
	requireErrno(t, 0, errno, "open for writing")
	if _, errno := w.Write([]byte("x")); errno != 0 {
		t.Fatalf("write: %v", errno)
	}
	must(t, s.Close())
	buf := make([]byte, 4)
	if n, err := task.Read(rfd, buf); n != 1 || err != nil {
		t.Fatalf("read: %d, %v", n, err)
	}
	if n, err := task.Read(rfd, buf); n != 0 || err != nil {
		t.Fatalf("read after Close: %d, %v; want end of file (no writer left)", n, err)
	}
	if _, errno := w.Write([]byte("x")); errno != experimentalsys.EBADF {
		t.Errorf("write through a File of a closed SysFS: %v, want EBADF", errno)
	}
	requireErrno(t, 0, w.Close(), "close after the SysFS's Close")
}

// waitErrno waits up to 20 s for a call's result: a SysFS that holds one
// call behind another asleep fails the test instead of hanging it.
func waitErrno(t *testing.T, what string, c <-chan experimentalsys.Errno) experimentalsys.Errno {
	t.Helper()
	select {
	case e := <-c:
		return e
	case <-time.After(20 * time.Second):
		t.Fatalf("%s never returned: held behind a call asleep in the VFS", what)
		return 0
	}
}

// TestSysFSSameFileWhileReadSleeps: a FIFO opened O_RDWR through one
// File, a read asleep on it: a write through the same File goes through
// and wakes it, and Close returns at once, as on Linux with two threads
// of a process on one descriptor. The read ends with the data.
func TestSysFSSameFileWhileReadSleeps(t *testing.T) {
	_, task, s := newFixtureFS(t)
	must(t, task.Mknod("/srv/fifo", vfs.S_IFIFO|0o644, 0))
	f, errno := s.OpenFile("fifo", experimentalsys.O_RDWR, 0)
	requireErrno(t, 0, errno, "open O_RDWR")
	type result struct {
		data  string
		errno experimentalsys.Errno
	}
	got := make(chan result, 1)
	go func() {
		buf := make([]byte, 8)
		n, errno := f.Read(buf)
		got <- result{string(buf[:n]), errno}
	}()
	time.Sleep(50 * time.Millisecond) // most often the read sleeps by now
	wrote := make(chan experimentalsys.Errno, 1)
	go func() {
		_, errno := f.Write([]byte("hi"))
		wrote <- errno
	}()
	requireErrno(t, 0, waitErrno(t, "write through the File a read sleeps on", wrote), "write")
	select {
	case r := <-got:
		if r.errno != 0 || r.data != "hi" {
			t.Fatalf("read: %q, %v; want \"hi\"", r.data, r.errno)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the read never got the data")
	}
	// And Close with a read asleep again.
	go func() {
		buf := make([]byte, 8)
		n, errno := f.Read(buf)
		got <- result{string(buf[:n]), errno}
	}()
	time.Sleep(50 * time.Millisecond)
	closed := make(chan experimentalsys.Errno, 1)
	go func() { closed <- f.Close() }()
	requireErrno(t, 0, waitErrno(t, "Close of the File a read sleeps on", closed), "close")
	if _, errno := f.Write([]byte("x")); errno != experimentalsys.EBADF {
		t.Errorf("write after Close: %v, want EBADF", errno)
	}
	// The read, if it slept, still holds the description, reader and
	// writer both, as after a close(2) on Linux: wake it from outside.
	fd, err := task.Open("/srv/fifo", vfs.O_WRONLY|vfs.O_NONBLOCK, 0)
	if err == nil {
		task.Write(fd, []byte("w"))
		task.Close(fd)
	}
	select {
	case r := <-got:
		if r.errno != 0 && r.errno != experimentalsys.EBADF {
			t.Errorf("read after Close: %q, %v", r.data, r.errno)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the read never ended")
	}
}

// TestSysFSCloseWhileReadSleeps: Close of the SysFS while a read sleeps
// in a FIFO whose writer is another File of the SysFS: Close closes the
// writer's descriptor too, so the read sees end of file; the Files then
// say EBADF.
func TestSysFSCloseWhileReadSleeps(t *testing.T) {
	_, task, s := newFixtureFS(t)
	must(t, task.Mknod("/srv/fifo", vfs.S_IFIFO|0o644, 0))
	r, errno := s.OpenFile("fifo", experimentalsys.O_RDONLY|experimentalsys.O_NONBLOCK, 0)
	requireErrno(t, 0, errno, "open for reading")
	w, errno := s.OpenFile("fifo", experimentalsys.O_WRONLY, 0)
	requireErrno(t, 0, errno, "open for writing")
	requireErrno(t, 0, r.(*File).SetNonblock(false), "SetNonblock(false)")
	read := make(chan experimentalsys.Errno, 1)
	go func() {
		buf := make([]byte, 8)
		n, errno := r.Read(buf)
		if errno == 0 && n != 0 {
			errno = experimentalsys.EIO // data nobody wrote
		}
		read <- errno
	}()
	time.Sleep(50 * time.Millisecond)
	must(t, s.Close())
	if errno := waitErrno(t, "the read after the SysFS's Close", read); errno != 0 && errno != experimentalsys.EBADF {
		t.Errorf("read: %v, want end of file (or EBADF if it came after Close)", errno)
	}
	requireErrno(t, 0, w.Close(), "close of the writer after the SysFS's Close")
	if _, errno := r.Read(make([]byte, 1)); errno != experimentalsys.EBADF {
		t.Errorf("read after the SysFS's Close: %v, want EBADF", errno)
	}
}

// TestSysFSIdleTasks: after many calls asleep at once, the SysFS keeps
// at most taskpool.MaxIdle tasks for later calls; the others exit.
func TestSysFSIdleTasks(t *testing.T) {
	v, task, s := newFixtureFS(t)
	must(t, task.Mknod("/srv/fifo", vfs.S_IFIFO|0o644, 0))
	before := len(v.Tasks())
	const sleepers = taskpool.MaxIdle + 4
	opened := make(chan experimentalsys.File, sleepers)
	for i := 0; i < sleepers; i++ {
		go func() {
			f, errno := s.OpenFile("fifo", experimentalsys.O_RDONLY, 0)
			if errno != 0 {
				f = nil
			}
			opened <- f
		}()
	}
	time.Sleep(50 * time.Millisecond)
	fd, err := task.Open("/srv/fifo", vfs.O_WRONLY, 0)
	must(t, err)
	defer task.Close(fd)
	for i := 0; i < sleepers; i++ {
		select {
		case f := <-opened:
			if f == nil {
				t.Fatal("an open for reading failed")
			}
			requireErrno(t, 0, f.Close(), "close")
		case <-time.After(20 * time.Second):
			t.Fatal("the opens never returned")
		}
	}
	if n := len(v.Tasks()) - before; n > taskpool.MaxIdle {
		t.Errorf("%d tasks left after the calls, want at most %d", n, taskpool.MaxIdle)
	}
}

// TestSysFSCloseWhileReadSleepsReportsWriteError: Close of a File whose
// read sleeps in a FIFO does at once what close(2) by another thread
// does on Linux (filp_flush): it reports the write error its description
// has not seen, while the read goes on with the description until data
// comes.
func TestSysFSCloseWhileReadSleepsReportsWriteError(t *testing.T) {
	_, task, s := newFixtureFS(t)
	must(t, task.Mknod("/srv/fifo", vfs.S_IFIFO|0o644, 0))
	r, errno := s.OpenFile("fifo", experimentalsys.O_RDWR, 0) // its own writer: no wait
	requireErrno(t, 0, errno, "open for reading and writing")
	ff, err := task.OpenFile(vfs.AT_FDCWD, "/srv/fifo", vfs.O_RDONLY|vfs.O_NONBLOCK, 0)
	must(t, err)
	vfs.MappingSetError(ff.Inode().Mapping(), vfs.EIO) // after r's open: news to it
	read := make(chan experimentalsys.Errno, 1)
	go func() {
		buf := make([]byte, 8)
		n, errno := r.Read(buf)
		if errno == 0 && string(buf[:n]) != "x" {
			errno = experimentalsys.EIO
		}
		read <- errno
	}()
	time.Sleep(50 * time.Millisecond) // the read most often sleeps by now
	if errno := r.Close(); errno != experimentalsys.EIO {
		t.Errorf("Close while a read sleeps: %v, want the write error EIO", errno)
	}
	wfd, err := task.Open("/srv/fifo", vfs.O_WRONLY|vfs.O_NONBLOCK, 0)
	must(t, err)
	_, err = task.Write(wfd, []byte("x"))
	must(t, err)
	// A report at close marks nothing seen (no fsync did): a writer
	// opened since is told too.
	if err := task.Close(wfd); err != vfs.EIO {
		t.Errorf("close of a writer opened after the report: %v, want EIO", err)
	}
	if errno := waitErrno(t, "the read after data came", read); errno != 0 && errno != experimentalsys.EBADF {
		t.Errorf("read: %v, want \"x\" (or EBADF if it came after Close)", errno)
	}
}
