package vfs_test

import (
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/trace"
)

// TestTraceSlowListener: a listener that does not read while the VFS
// works never holds the VFS up; it loses the events that did not fit,
// counted, is told so by a lost event, and resynchronises from a
// snapshot whose Seq covers what it lost.
func TestTraceSlowListener(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	const ring = 16
	slow := v.Subscribe(ring)
	defer slow.Close()
	fast := v.Subscribe(1 << 16)
	defer fast.Close()
	for i := 0; i < 200; i++ {
		name := fmt.Sprintf("/f%d", i)
		fd, err := tk.Creat(name, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		tk.Close(fd)
		if err := tk.Unlink(name); err != nil {
			t.Fatal(err)
		}
	}
	all := drain(fast)
	if fast.Lost() != 0 || len(all) < 1000 {
		t.Fatalf("the keeping-up listener got %d events, lost %d", len(all), fast.Lost())
	}
	if want := uint64(len(all) - ring); slow.Lost() != want {
		t.Errorf("slow listener lost %d, want %d (all %d but the %d its ring held)", slow.Lost(), want, len(all), ring)
	}
	got := drain(slow)
	if len(got) != ring+1 {
		t.Fatalf("slow listener read %d events, want its ring's %d and a lost event", len(got), ring)
	}
	for i := 0; i < ring; i++ {
		if got[i].Seq != all[i].Seq {
			t.Errorf("slow listener's event %d has seq %d, want %d", i, got[i].Seq, all[i].Seq)
		}
	}
	lost := got[ring]
	if lost.Kind != trace.Lost || lost.Lost != slow.Lost() || lost.Seq != all[len(all)-1].Seq {
		t.Errorf("last event %+v, want lost %d at seq %d", lost, slow.Lost(), all[len(all)-1].Seq)
	}
	// Resynchronise: the snapshot covers every event emitted so far.
	s := v.Snapshot()
	if s.Seq < lost.Seq {
		t.Errorf("snapshot seq %d before the lost events' last %d", s.Seq, lost.Seq)
	}
	for _, d := range s.Dentries {
		if d.Name == "f0" || d.Name == "f199" {
			t.Errorf("snapshot still has %s", d.Name)
		}
	}
	// Back in step: the next events arrive.
	if err := tk.Mkdir("/after", 0o755); err != nil {
		t.Fatal(err)
	}
	next := drain(slow)
	if len(next) == 0 || next[0].Kind != trace.SyscallEnter || next[0].Seq <= s.Seq {
		t.Errorf("after resync: %d events, first %+v", len(next), next)
	}
}
