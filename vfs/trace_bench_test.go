package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/trace"
)

// The cost of the trace layer on two operations: a warm stat (no state
// change: syscall and lock events only) and a create+unlink (dentry and
// inode events too), with tracing off (Options{}), on with nobody
// listening (Options.Trace, no subscriber), and listening (a subscriber
// drained every 256 operations). Lock validation is off in all three
// unless VFSCOPE_LOCKDEP=1.

func benchTrace(b *testing.B, opts vfs.Options, listen bool, op func(tk *vfs.Task) error) {
	v, tk, err := boot.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := tk.Mkdir("/a", 0o755); err != nil {
		b.Fatal(err)
	}
	if err := tk.Mkdir("/a/b", 0o755); err != nil {
		b.Fatal(err)
	}
	var l *trace.Listener
	buf := make([]trace.Event, 4096)
	if listen {
		l = v.Subscribe(1 << 16)
		defer l.Close()
	}
	i := 0
	for b.Loop() {
		if err := op(tk); err != nil {
			b.Fatal(err)
		}
		if i++; l != nil && i&255 == 0 {
			for l.Read(buf) > 0 {
			}
		}
	}
	if l != nil {
		if n := l.Lost(); n > 0 {
			b.Fatalf("listener lost %d events", n)
		}
	}
}

func statOp(tk *vfs.Task) error {
	var st vfs.Stat
	return tk.Stat("/a/b", &st)
}

func createOp(tk *vfs.Task) error {
	fd, err := tk.Creat("/a/b/f", 0o644)
	if err != nil {
		return err
	}
	tk.Close(fd)
	return tk.Unlink("/a/b/f")
}

func BenchmarkTraceStatOff(b *testing.B)  { benchTrace(b, vfs.Options{}, false, statOp) }
func BenchmarkTraceStatIdle(b *testing.B) { benchTrace(b, vfs.Options{Trace: true}, false, statOp) }
func BenchmarkTraceStatListening(b *testing.B) {
	benchTrace(b, vfs.Options{Trace: true}, true, statOp)
}
func BenchmarkTraceCreateOff(b *testing.B)  { benchTrace(b, vfs.Options{}, false, createOp) }
func BenchmarkTraceCreateIdle(b *testing.B) { benchTrace(b, vfs.Options{Trace: true}, false, createOp) }
func BenchmarkTraceCreateListening(b *testing.B) {
	benchTrace(b, vfs.Options{Trace: true}, true, createOp)
}

// BenchmarkTraceObjectsListening: Options{} (no syscall, method or lock
// events) with a listener: the object events alone.
func BenchmarkTraceCreateObjectsListening(b *testing.B) {
	benchTrace(b, vfs.Options{}, true, createOp)
}
