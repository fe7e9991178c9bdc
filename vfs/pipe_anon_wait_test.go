package vfs_test

import (
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestPipeWaits: a read of an empty pipe sleeps until data comes or the
// last writer goes (EOF); a write to a full one until room is made or
// the last reader goes (EPIPE, or the count moved so far); a signal ends
// either (EINTR if nothing moved).
func TestPipeWaits(t *testing.T) {
	const capacity = 65536
	tests := []struct {
		name string
		// reader: the waiting call is a read of 100 bytes; else a
		// write of wlen bytes (after fill bytes already written).
		reader     bool
		fill, wlen int
		// wake: "write", "read", "close-writer", "close-reader",
		// "signal".
		wake string
		want string
	}{
		{"read waits for data", true, 0, 0, "write", `2 "hi"`},
		{"read waits, writer goes: EOF", true, 0, 0, "close-writer", "0"},
		{"read interrupted", true, 0, 0, "signal", "EINTR"},
		{"write to a full pipe waits for room", false, capacity, 10, "read", "10"},
		{"large write waits for room for the rest", false, 0, capacity + 5000, "read", fmt.Sprint(capacity + 5000)},
		{"write waits, reader goes: EPIPE", false, capacity, 10, "close-reader", "EPIPE"},
		{"large write, reader goes: the count so far", false, 0, capacity + 1, "close-reader", fmt.Sprint(capacity)},
		{"write interrupted", false, capacity, 10, "signal", "EINTR"},
		{"large write interrupted: the count so far", false, 0, capacity + 1, "signal", fmt.Sprint(capacity)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := vt.New(t)
			p, err := e.Root.Pipe2(0)
			e.Must(err)
			if tc.fill > 0 {
				n, err := e.Root.Write(p[1], make([]byte, tc.fill))
				if err != nil || n != tc.fill {
					t.Fatalf("fill: %d %v", n, err)
				}
			}
			// The child keeps only the end it waits on, so that the
			// parent's close of the other is the last.
			child := e.Root.Fork("child")
			defer child.Exit()
			mine, other := p[1], p[0]
			if tc.reader {
				mine, other = p[0], p[1]
			}
			e.Must(child.Close(other))
			done := make(chan pipeResult, 1)
			go func() {
				if tc.reader {
					b := make([]byte, 100)
					n, err := child.Read(mine, b)
					done <- pipeResult{n: n, data: string(b[:max(n, 0)]), err: err}
					return
				}
				n, err := child.Write(mine, make([]byte, tc.wlen))
				done <- pipeResult{n: n, err: err}
			}()
			vt.WaitFor(t, "the call to sleep", func() bool { return vfs.FdPipeSleepers(e.Root, p[0]) == 1 })
			notDone(t, done, "the call")
			switch tc.wake {
			case "write":
				_, err := e.Root.Write(p[1], []byte("hi"))
				e.Must(err)
			case "read":
				// Drain, without waiting, until the writer is done.
				_, err := e.Root.Fcntl(p[0], vfs.F_SETFL, vfs.O_NONBLOCK)
				e.Must(err)
				b := make([]byte, capacity)
				vt.WaitFor(t, "the write to end", func() bool {
					if _, err := e.Root.Read(p[0], b); err != nil && err != vfs.EAGAIN {
						t.Fatal(err)
					}
					return len(done) > 0
				})
			case "close-writer":
				e.Must(e.Root.Close(p[1]))
			case "close-reader":
				e.Must(e.Root.Close(p[0]))
			case "signal":
				e.V.Interrupt()
			}
			r := waitRes(t, done)
			e.V.ClearInterrupt()
			if got := r.String(); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
