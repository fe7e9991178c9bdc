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

// TestSnapshotRenamedSubtree: a directory with children that a task
// keeps moving between two parents while snapshots are taken. A walk
// that visits the parents at different times could see the directory
// under neither (it leaves the unvisited parent for the visited one),
// and its subtree would never come back: dentry.move brings back the
// directory only. The walk restarts when rename_lock's sequence moved
// (d_walk), so every snapshot plus the events after it converges on
// the final state.
func TestSnapshotRenamedSubtree(t *testing.T) {
	if runtime.GOARCH == "wasm" {
		// One thread, and a walk that never yields: the rename can only
		// run between two snapshots, never during one.
		t.Skip("needs a second thread to rename during the walk")
	}
	for _, tc := range []struct {
		name     string
		from, to string // the two names of the moving directory
		exchange bool   // RENAME_EXCHANGE with a second directory instead
	}{
		{"siblings' children", "/tmp/a/d", "/tmp/b/d", false},
		{"different depths", "/tmp/a/d", "/tmp/b/c/e/d", false},
		{"exchange", "/tmp/a/d", "/tmp/b/d", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, err := boot.New(vfs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			// Many siblings between the parents (a walk visits the
			// newest first: b, the siblings, then a), so that it takes a
			// while between visiting one and the other.
			if err := tk.Mkdir("/tmp/a", 0o755); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 300; i++ {
				if err := tk.Mkdir(fmt.Sprintf("/tmp/s%03d", i), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			dirs := []string{"/tmp/b", "/tmp/b/c", "/tmp/b/c/e", tc.from}
			if tc.exchange {
				dirs = append(dirs, tc.to)
			}
			for _, d := range dirs {
				if err := tk.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range []string{tc.from + "/x", tc.from + "/y", tc.from + "/sub", tc.from + "/sub/z"} {
				if f == tc.from+"/sub" {
					if err := tk.Mkdir(f, 0o755); err != nil {
						t.Fatal(err)
					}
					continue
				}
				fd, err := tk.Open(f, vfs.O_CREAT|vfs.O_RDWR, 0o644)
				if err != nil {
					t.Fatal(err)
				}
				tk.Close(fd)
			}
			l := v.Subscribe(1 << 22)
			var stop atomic.Bool
			var wg sync.WaitGroup
			c := tk.Fork("mover")
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Exit()
				for i := 0; !stop.Load(); i++ {
					from, to := tc.from, tc.to
					if i%2 == 1 {
						from, to = to, from
					}
					var err error
					if tc.exchange {
						err = c.Renameat2(vfs.AT_FDCWD, from, vfs.AT_FDCWD, to, vfs.RENAME_EXCHANGE)
					} else {
						err = c.Rename(from, to)
					}
					if err != nil {
						t.Errorf("rename %s %s: %v", from, to, err)
						return
					}
					runtime.Gosched()
				}
			}()
			var snaps []trace.Snapshot
			for k := 0; k < 60; k++ {
				snaps = append(snaps, v.Snapshot())
			}
			stop.Store(true)
			wg.Wait()
			final := v.Snapshot()
			events := drain(l)
			l.Close()
			bad := 0
			for i, s := range snaps {
				m := newViewModel(s)
				m.noHistory = true
				for _, e := range events {
					if e.Kind == trace.Lost {
						t.Fatal("the listener lost events")
					}
					if e.Seq > s.Seq && e.Seq <= final.Seq {
						m.apply(e)
					}
				}
				if d := m.diff(final); len(d) > 0 {
					bad++
					if bad == 1 {
						t.Errorf("snapshot %d (seq %d) + events != final: %v", i, s.Seq, d)
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d snapshots did not converge", bad, len(snaps))
			}
		})
	}
}
