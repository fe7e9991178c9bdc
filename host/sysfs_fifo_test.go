package host

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"

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
