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

// TestRbindRacesWalk: /a/s has a mount S on it, and another task binds
// /a at /b with its submounts (mount --rbind) and lazily unmounts /b
// again, in a loop, while walkers look up /b/s/f. copy_tree builds the
// copies of /a and of S detached, and attach_recursive_mnt makes the
// whole copy reachable in one lock_mount_hash() section, so a walk that
// reaches /b/s through the bind finds the copy of S on it: S's f, never
// the f of the directory S covers.
//
// The binder counts what it finished: 4n before the n-th rbind, 4n+1
// after it, 4n+2 before the umount, 4n+3 after it. A walker reads the
// count, looks, and reads it again: if the count did not change and
// is 4n, 4n+1 or 4n+3, no umount ran during the look (at most an
// rbind, whole or in part), and if it found a file it must be S's.
func TestRbindRacesWalk(t *testing.T) {
	if runtime.GOARCH == "wasm" {
		t.Skip("tasks do not run in parallel under wasm: no walk runs inside an rbind")
	}
	rounds := 3000
	if testing.Short() {
		rounds = 600
	}
	for _, c := range mountRaceLooks {
		t.Run(c.name, func(t *testing.T) {
			e := vt.New(t)
			r := e.Root
			e.Must(r.Mkdir("/a", 0o755))
			e.Must(r.Mkdir("/a/s", 0o755))
			e.Must(r.Mkdir("/b", 0o755))
			e.WriteFile("/a/s/f", "under S", 0o644)
			under := e.Stat("/a/s/f")
			e.Must(r.Mount("S", "/a/s", "tmpfs", 0, ""))
			e.WriteFile("/a/s/f", "in S", 0o644)
			want := e.Stat("/a/s/f")

			var done atomic.Bool
			var count atomic.Int64
			var wg sync.WaitGroup
			binderErr := make(chan error, 1)
			binder := r.Fork("binder")
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer binder.Exit()
				defer done.Store(true)
				for i := 0; i < rounds; i++ {
					if err := binder.Mount("/a", "/b", "", MS_BIND|MS_REC, ""); err != nil {
						binderErr <- fmt.Errorf("rbind %d: %v", i, err)
						return
					}
					count.Add(2) // 4i+1, then 4i+2: the umount may start
					if err := binder.Umount2("/b", MNT_DETACH); err != nil {
						binderErr <- fmt.Errorf("umount %d: %v", i, err)
						return
					}
					count.Add(2) // 4i+3, then 4(i+1)
				}
			}()
			walkers := runtime.GOMAXPROCS(0) - 1
			if walkers < 1 {
				walkers = 1
			}
			var bad, looks atomic.Int64
			var first atomic.Pointer[string]
			for w := 0; w < walkers; w++ {
				tk := r.Fork("walker")
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer tk.Exit()
					for !done.Load() {
						c1 := count.Load()
						st, err := c.look(tk, "/b/s/f")
						if c1%4 == 2 || count.Load() != c1 {
							continue // an umount may have run: no claim
						}
						looks.Add(1)
						if err != nil || st.Dev == want.Dev && st.Ino == want.Ino {
							continue
						}
						bad.Add(1)
						msg := fmt.Sprintf("count %d: /b/s/f is dev %d ino %d (the directory under S: dev %d ino %d); S's f is dev %d ino %d",
							c1, st.Dev, st.Ino, under.Dev, under.Ino, want.Dev, want.Ino)
						first.CompareAndSwap(nil, &msg)
					}
				}()
			}
			wg.Wait()
			select {
			case err := <-binderErr:
				t.Fatal(err)
			default:
			}
			if n := bad.Load(); n > 0 {
				t.Fatalf("%d of %d walks found the directory under the copy of S; first: %s", n, looks.Load(), *first.Load())
			}
		})
	}
}

// TestRbindFailsWithCopyUnseen: an rbind whose graft fails after the
// copy was built (graft_tree's ENOTDIR, lock_mount's ENOENT) drops the
// copy, none of which was ever attached: the mount table is what it
// was, and the source's submount is not held by a copy (a plain umount
// of it succeeds).
func TestRbindFailsWithCopyUnseen(t *testing.T) {
	cases := []struct {
		name, target string
		want         error
	}{
		{"onto a file", "/file", ENOTDIR},
		{"onto a missing name", "/none", ENOENT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := vt.New(t)
			r := e.Root
			e.Must(r.Mkdir("/a", 0o755))
			e.Must(r.Mkdir("/a/s", 0o755))
			e.Must(r.Mount("S", "/a/s", "tmpfs", 0, ""))
			e.Must(r.Mkdir("/a/s/t", 0o755))
			e.Must(r.Mount("T", "/a/s/t", "tmpfs", 0, ""))
			e.WriteFile("/file", "", 0o644)
			before := fmt.Sprint(r.MountTable())
			if err := r.Mount("/a", c.target, "", MS_BIND|MS_REC, ""); err != c.want {
				t.Fatalf("rbind /a on %s: %v, want %v", c.target, err, c.want)
			}
			if after := fmt.Sprint(r.MountTable()); after != before {
				t.Fatalf("mount table after a failed rbind:\n%s\nbefore:\n%s", after, before)
			}
			e.Must(r.Umount2("/a/s/t", 0))
			e.Must(r.Umount2("/a/s", 0))
		})
	}
}
