package vfs_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestWalkRacesLazyUmount: walks into (and out of) a mount while another
// task mounts and lazily unmounts it over and over. A walk may find the
// mount just as umount -l drops the tree's reference, the last one. The
// oracle is fs/namespace.c: __legitimize_mnt takes a count on what the
// lock-free walk found and, when mount_lock's sequence moved and the
// mount is MNT_DOOMED (its last reference is gone), only gives it back
// with mnt_add_count(mnt, -1), never a second final mntput; lookup_mnt
// loops while !legitimize_mnt. Before the fix the count went 0->1->0 and
// the release ran twice ("dput of an unreferenced dentry").
func TestWalkRacesLazyUmount(t *testing.T) {
	var st Stat
	cases := []struct {
		name string
		walk func(w *Task)
	}{
		{"chdir into the mount", func(w *Task) {
			if w.Chdir("/mnt/m/sub") == nil {
				w.Chdir("/")
			}
		}},
		{"stat below the mount", func(w *Task) { w.Stat("/mnt/m/sub", &st) }},
		{"dotdot out of the mount", func(w *Task) { w.Stat("/mnt/m/sub/../..", &st) }},
		{"cwd inside, dotdot across the root", func(w *Task) {
			if w.Chdir("/mnt/m/sub") == nil {
				w.Stat("../../m", &st)
				w.Chdir("/")
			}
		}},
	}
	d := 1500 * time.Millisecond
	if testing.Short() || runtime.GOARCH == "wasm" {
		d = 300 * time.Millisecond
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := vt.New(t)
			e.Must(e.Root.Mkdir("/mnt", 0o755))
			e.Must(e.Root.Mkdir("/mnt/m", 0o755))
			m := e.Root.Fork("mounter")
			w := e.Root.Fork("walker")
			var stop atomic.Bool
			var cycles atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, 1)
			wg.Add(2)
			go func() {
				defer wg.Done()
				defer m.Exit()
				for !stop.Load() {
					if err := m.Mount("tmpfs", "/mnt/m", "tmpfs", 0, ""); err != nil {
						errs <- err
						return
					}
					m.Mkdir("/mnt/m/sub", 0o755)
					if err := m.Umount2("/mnt/m", MNT_DETACH); err != nil {
						errs <- err
						return
					}
					cycles.Add(1)
					runtime.Gosched()
				}
			}()
			go func() {
				defer wg.Done()
				defer w.Exit()
				for !stop.Load() {
					c.walk(w)
					runtime.Gosched()
				}
			}()
			time.Sleep(d)
			stop.Store(true)
			wg.Wait()
			select {
			case err := <-errs:
				t.Fatalf("mount cycle: %v", err)
			default:
			}
			if cycles.Load() == 0 {
				t.Fatal("no mount cycle ran")
			}
			// Nothing is left mounted on /mnt/m, and the walk still works.
			e.Must(e.Root.Stat("/mnt/m", &st))
			if err := e.Root.Stat("/mnt/m/sub", &st); ErrnoOf(err) != ENOENT {
				t.Fatalf("stat /mnt/m/sub after the last umount: %v, want ENOENT", err)
			}
		})
	}
}
