package vfs_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// pipeResult is what a blocked call gave once it ended.
type pipeResult struct {
	n    int
	data string
	err  error
}

func (r pipeResult) String() string {
	if r.err != nil {
		return errWord(r.err)
	}
	if r.data != "" {
		return fmt.Sprintf("%d %q", r.n, r.data)
	}
	return fmt.Sprint(r.n)
}

// waitRes waits for a call run in a goroutine (it must end).
func waitRes(t *testing.T, ch <-chan pipeResult) pipeResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("the blocked call never ended")
		return pipeResult{}
	}
}

// notDone checks that the call has not ended.
func notDone(t *testing.T, ch <-chan pipeResult, what string) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("%s ended (%v) while it should wait", what, r)
	default:
	}
}

// TestFifoOpenWaits: a FIFO's O_RDONLY open sleeps until a writer opens
// it, an O_WRONLY one until a reader does (fifo_open's
// wait_for_partner); a signal ends the wait with EINTR, and the pipe the
// open made goes with it.
func TestFifoOpenWaits(t *testing.T) {
	tests := []struct {
		name      string
		waiter    int // flags of the open that waits
		partner   int // flags of the open that ends the wait; -1: signal
		want      string
		hasPipeAt string // after both are closed: "no" once the pipe is freed
	}{
		{"reader waits for a writer", vfs.O_RDONLY, vfs.O_WRONLY, "ok", "no"},
		{"writer waits for a reader", vfs.O_WRONLY, vfs.O_RDONLY, "ok", "no"},
		{"writer waits for an O_RDONLY|O_NONBLOCK reader", vfs.O_WRONLY, vfs.O_RDONLY | vfs.O_NONBLOCK, "ok", "no"},
		{"reader waits for an O_RDWR opener", vfs.O_RDONLY, vfs.O_RDWR, "ok", "no"},
		{"reader's wait interrupted", vfs.O_RDONLY, -1, "EINTR", "no"},
		{"writer's wait interrupted", vfs.O_WRONLY, -1, "EINTR", "no"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := vt.New(t)
			e.Must(e.Root.Mknod("/p", vfs.S_IFIFO|0o666, 0))
			waiter := e.Root.Fork("waiter")
			defer waiter.Exit()
			done := make(chan pipeResult, 1)
			go func() {
				fd, err := waiter.Open("/p", tc.waiter, 0)
				done <- pipeResult{n: fd, err: err}
			}()
			vt.WaitFor(t, "the open to sleep", func() bool {
				_, n := vfs.FifoPipe(e.Root, "/p")
				return n == 1
			})
			notDone(t, done, "the open")
			pfd := -1
			if tc.partner < 0 {
				e.V.Interrupt()
			} else {
				fd, err := e.Root.Open("/p", tc.partner, 0)
				e.Must(err)
				pfd = fd
			}
			r := waitRes(t, done)
			e.V.ClearInterrupt()
			if got := errWord(r.err); got != tc.want {
				t.Errorf("open: %s, want %s", got, tc.want)
			}
			if r.err == nil {
				e.Must(waiter.Close(r.n))
			}
			if pfd >= 0 {
				e.Must(e.Root.Close(pfd))
			}
			if has, _ := vfs.FifoPipe(e.Root, "/p"); has {
				t.Errorf("the pipe outlived its last file")
			}
		})
	}
}
