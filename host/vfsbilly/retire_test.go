package vfsbilly_test

import (
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/host/vfsbilly"
	"github.com/vfscope/vfscope/vfs"
)

// countComm counts the VFS's tasks named comm ("vfsbilly" for a
// binding's own task, "vfsbilly-call" for those its calls run on).
func countComm(v *vfs.VFS, comm string) int {
	n := 0
	for _, x := range v.Tasks() {
		if x.Comm() == comm {
			n++
		}
	}
	return n
}

// TestOpenAcrossRootRemoval: an open asleep (in a FIFO's open) when the
// filesystem's root is removed and another call rebinds it still gets a
// file of the binding it started in: the retired binding waits for the
// call, and the file reads what a writer from elsewhere writes.
func TestOpenAcrossRootRemoval(t *testing.T) {
	v, tk := newVFS(t)
	defer v.Shutdown()
	must(t, tk.Mkdir("/r", 0o755))
	must(t, tk.Mkdir("/other", 0o755))
	must(t, tk.Mknod("/r/fifo", vfs.S_IFIFO|0o666, 0))
	must(t, tk.Link("/r/fifo", "/other/fifo"))
	bfs := vfsbilly.New(tk, "/r")
	_, _ = bfs.Stat(".") // bind
	type result struct {
		f interface {
			Read([]byte) (int, error)
			Close() error
		}
		err error
	}
	c := make(chan result, 1)
	go func() {
		f, err := bfs.OpenFile("fifo", os.O_RDONLY, 0)
		c <- result{f, err}
	}()
	time.Sleep(100 * time.Millisecond) // the open most often sleeps by now
	must(t, tk.Unlink("/r/fifo"))
	must(t, tk.Rmdir("/r"))
	if _, err := bfs.Stat("x"); err == nil { // retires the binding
		t.Fatal("stat in a removed root succeeded")
	}
	wfd, err := tk.Open("/other/fifo", vfs.O_WRONLY, 0)
	must(t, err)
	defer tk.Close(wfd)
	_, err = tk.Write(wfd, []byte("hi"))
	must(t, err)
	var r result
	select {
	case r = <-c:
	case <-time.After(20 * time.Second):
		t.Fatal("the open never returned")
	}
	must(t, r.err)
	b := make([]byte, 8)
	if n, err := r.f.Read(b); err != nil || string(b[:n]) != "hi" {
		t.Errorf("read of the file opened across the removal: %q, %v; want \"hi\"", b[:n], err)
	}
	if err := r.f.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

// TestRetiredBindingsExit: bindings retired while a ReadDir holds a
// descriptor in them exit when it returns, and once the filesystem is
// collected none of its tasks is left.
func TestRetiredBindingsExit(t *testing.T) {
	v, tk := newVFS(t)
	defer v.Shutdown()
	must(t, tk.Mkdir("/r", 0o755))
	bfs := vfsbilly.New(tk, "/r")
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stop.Load() {
			_, _ = bfs.ReadDir("/")
		}
	}()
	for range 200 {
		must(t, tk.Rmdir("/r"))
		_, _ = bfs.Stat("x") // retires the binding
		must(t, tk.Mkdir("/r", 0o755))
		_, _ = bfs.Stat("x") // binds again
	}
	stop.Store(true)
	<-done
	_, _ = bfs.Stat("x")
	// New's task and the current binding's.
	if n := countComm(v, "vfsbilly"); n != 2 {
		t.Errorf("%d binding tasks with no file open and no call running, want 2", n)
	}
	bfs = nil
	deadline := time.Now().Add(10 * time.Second)
	for countComm(v, "vfsbilly")+countComm(v, "vfsbilly-call") > 0 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n, m := countComm(v, "vfsbilly"), countComm(v, "vfsbilly-call"); n+m != 0 {
		t.Errorf("after the filesystem was collected: %d binding tasks and %d call tasks left", n, m)
	}
}
