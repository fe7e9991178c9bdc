package vfs_test

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// mountRaceLooks are the ways the mount race tests' walkers resolve a
// path: a stat, and an open and fstat. look returns what the walker
// found.
var mountRaceLooks = []struct {
	name string
	look func(tk *Task, path string) (Stat, error)
}{
	{"stat", func(tk *Task, path string) (Stat, error) {
		var st Stat
		return st, tk.Stat(path, &st)
	}},
	{"open", func(tk *Task, path string) (Stat, error) {
		var st Stat
		fd, err := tk.Open(path, O_RDONLY, 0)
		if err != nil {
			return st, err
		}
		defer tk.Close(fd)
		return st, tk.Fstat(fd, &st)
	}},
}

// TestMoveMountRacesWalk: a mount moved back and forth between /a and
// /b (mount --move) while walkers look up f inside it. do_move_mount
// takes the mount off its old place and hangs it on the new one in one
// lock_mount_hash() section (attach_recursive_mnt with moving set), so
// a walk sees it in one place or the other, never in neither: no ENOENT
// and no f of the directory underneath, which /a and /b each have.
//
// The mover counts the moves it finished, so that the mount was at /a
// after an even count and at /b after an odd one. A walker reads the
// count, looks at the place it names, then at the other one (where the
// move in progress, if any, puts the mount), and reads the count again:
// if it did not change, at most one move took effect in between and one
// of the two lookups must have found the mount's f.
func TestMoveMountRacesWalk(t *testing.T) {
	if runtime.GOARCH == "wasm" {
		t.Skip("tasks do not run in parallel under wasm: no walk runs between the halves of a move")
	}
	moves := 5000
	if testing.Short() {
		moves = 1000
	}
	for _, c := range mountRaceLooks {
		t.Run(c.name, func(t *testing.T) {
			e := vt.New(t)
			r := e.Root
			e.Must(r.Mkdir("/a", 0o755))
			e.Must(r.Mkdir("/b", 0o755))
			e.WriteFile("/a/f", "under a", 0o644)
			e.WriteFile("/b/f", "under b", 0o644)
			e.Must(r.Mount("M", "/a", "tmpfs", 0, ""))
			e.WriteFile("/a/f", "in M", 0o644)
			want := e.Stat("/a/f")
			places := [2]string{"/a/f", "/b/f"}

			var done atomic.Bool
			var count atomic.Int64
			var wg sync.WaitGroup
			moverErr := make(chan error, 1)
			mover := r.Fork("mover")
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer mover.Exit()
				defer done.Store(true)
				for i := 0; i < moves; i++ {
					from, to := "/a", "/b"
					if i%2 == 1 {
						from, to = to, from
					}
					if err := mover.Mount(from, to, "", MS_MOVE, ""); err != nil {
						moverErr <- fmt.Errorf("move %d %s to %s: %v", i, from, to, err)
						return
					}
					count.Add(1)
				}
			}()
			walkers := runtime.GOMAXPROCS(0) - 1
			if walkers < 1 {
				walkers = 1
			}
			var bad atomic.Int64
			var first atomic.Pointer[string]
			for w := 0; w < walkers; w++ {
				tk := r.Fork("walker")
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer tk.Exit()
					for !done.Load() {
						c1 := count.Load()
						here, there := places[c1%2], places[1-c1%2]
						st1, err1 := c.look(tk, here)
						if err1 == nil && st1.Dev == want.Dev && st1.Ino == want.Ino {
							continue
						}
						st2, err2 := c.look(tk, there)
						if err2 == nil && st2.Dev == want.Dev && st2.Ino == want.Ino {
							continue
						}
						if count.Load() != c1 {
							continue // a move finished in between: no claim
						}
						bad.Add(1)
						msg := fmt.Sprintf("after %d moves, %s: %v (dev %d ino %d), %s: %v (dev %d ino %d); the mount is dev %d ino %d",
							c1, here, err1, st1.Dev, st1.Ino, there, err2, st2.Dev, st2.Ino, want.Dev, want.Ino)
						first.CompareAndSwap(nil, &msg)
					}
				}()
			}
			wg.Wait()
			select {
			case err := <-moverErr:
				t.Fatal(err)
			default:
			}
			if n := bad.Load(); n > 0 {
				t.Fatalf("%d walks found the mount in neither place; first: %s", n, *first.Load())
			}
		})
	}
}
