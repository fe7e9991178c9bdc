package vfs_test

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/trace"
)

// TestTraceSnapshotsMidStream: snapshots taken while other tasks create,
// write, truncate, unlink, look up missing names, mount and unmount are
// each, with the events numbered after them, the final state: an event
// is emitted once what it reports is done (a dentry.kill once the dentry
// is off its parent's children, an umount once the mount is off the
// table), so no snapshot numbered after it still lists the object.
func TestTraceSnapshotsMidStream(t *testing.T) {
	rounds, snapsPerRound := 4, 30
	if testing.Short() || runtime.GOARCH == "wasm" {
		rounds, snapsPerRound = 1, 10
	}
	for round := 0; round < rounds; round++ {
		v, tk, err := boot.New(vfs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{"/mnt", "/mnt2"} {
			if err := tk.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		l := v.Subscribe(1 << 21)
		var stop atomic.Bool
		var wg sync.WaitGroup
		for w := 0; w < 3; w++ {
			c := tk.Fork(fmt.Sprintf("w%d", w))
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Exit()
				buf := make([]byte, 5000)
				for i := 0; !stop.Load(); i++ {
					if w == 2 {
						c.Mount("none", "/mnt", "tmpfs", 0, "")
						c.Mkdir("/mnt/x", 0o755)
						c.Mount("/mnt/x", "/mnt2", "", vfs.MS_BIND, "")
						c.Umount2("/mnt2", 0)
						c.Umount2("/mnt", vfs.MNT_DETACH)
						runtime.Gosched()
						continue
					}
					p := fmt.Sprintf("/tmp/f%d_%d", w, i%7)
					if fd, err := c.Open(p, vfs.O_CREAT|vfs.O_RDWR, 0o644); err == nil {
						c.Pwrite(fd, buf, int64(i%3)*4096)
						c.Ftruncate(fd, int64(i%5)*1000)
						c.Close(fd)
					}
					var st vfs.Stat
					c.Stat(fmt.Sprintf("/tmp/neg%d_%d", w, i%11), &st)
					c.Unlink(p)
					runtime.Gosched()
				}
			}()
		}
		var snaps []trace.Snapshot
		for k := 0; k < snapsPerRound; k++ {
			runtime.Gosched()
			snaps = append(snaps, v.Snapshot())
		}
		stop.Store(true)
		wg.Wait()
		final := v.Snapshot()
		events := drain(l)
		l.Close()
		v.Shutdown()
		for i, s := range snaps {
			m := newViewModel(s)
			for _, e := range events {
				if e.Kind == trace.Lost {
					t.Fatalf("round %d: events lost", round)
				}
				if e.Seq <= final.Seq {
					m.apply(e)
				}
			}
			if d := m.diff(final); len(d) > 0 {
				t.Fatalf("round %d: snapshot %d (seq %d) and the events after it differ from the final snapshot (seq %d):\n\t%v",
					round, i, s.Seq, final.Seq, d)
			}
		}
	}
}
