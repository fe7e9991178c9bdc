package vfsbilly_test

import (
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/vfscope/vfscope/host/vfsbilly"
	"github.com/vfscope/vfscope/vfs"
)

// waitFor waits up to 20 s for a result: a filesystem that holds one
// call behind another asleep fails the test instead of hanging it.
func waitFor[T any](t *testing.T, what string, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("%s never returned: held behind a call asleep in the VFS", what)
		var zero T
		return zero
	}
}

// TestFifoThroughOneFilesystem: goroutines using one filesystem talk
// through a FIFO. The reader's open waits for a writer and its read for
// data, each asleep in the VFS on a task of its own, while the writer's
// open and write run on others; then a Close of the reading file while
// its read sleeps again returns at once, and the read goes on until the
// writer's close ends it, as with threads on Linux.
func TestFifoThroughOneFilesystem(t *testing.T) {
	v, tk := newVFS(t)
	defer v.Shutdown()
	must(t, tk.Mkdir("/w", 0o755))
	must(t, tk.Mknod("/w/fifo", vfs.S_IFIFO|0o644, 0))
	bfs := vfsbilly.New(tk, "/w")
	type result struct {
		data string
		err  error
	}
	opened := make(chan result, 1)
	got := make(chan result, 2)
	rf := make(chan interface {
		io.ReadCloser
	}, 1)
	go func() {
		r, err := bfs.OpenFile("fifo", os.O_RDONLY, 0)
		opened <- result{err: err}
		if err != nil {
			return
		}
		rf <- r
		for range 2 {
			buf := make([]byte, 8)
			n, err := r.Read(buf)
			got <- result{string(buf[:n]), err}
		}
	}()
	wrote := make(chan error, 1)
	var w interface{ io.WriteCloser }
	go func() {
		f, err := bfs.OpenFile("fifo", os.O_WRONLY, 0)
		if err == nil {
			w = f
			_, err = f.Write([]byte("hello"))
		}
		wrote <- err
	}()
	if r := waitFor(t, "the reader's open", opened); r.err != nil {
		t.Fatal(r.err)
	}
	must(t, waitFor(t, "the writer's open and write", wrote))
	if r := waitFor(t, "the read", got); r.err != nil || r.data != "hello" {
		t.Fatalf("read: %q, %v; want \"hello\"", r.data, r.err)
	}
	r := <-rf
	time.Sleep(50 * time.Millisecond) // the second read most often sleeps by now
	closed := make(chan error, 1)
	go func() { closed <- r.Close() }()
	must(t, waitFor(t, "Close of the file a read sleeps on", closed))
	must(t, w.Close())
	// io.EOF if the read slept through the Close; os.ErrClosed in the
	// rare run where it came after.
	if r := waitFor(t, "the read after the writer's close", got); r.err != io.EOF && !errors.Is(r.err, os.ErrClosed) {
		t.Errorf("read after the writer's close: %q, %v; want io.EOF", r.data, r.err)
	}
}
