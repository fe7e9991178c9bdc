package vfs_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
	"github.com/vfscope/vfscope/vfs/trace"
)

// umountTreeSources are the sources of the three nested mounts a row
// builds, outermost first.
var umountTreeSources = []string{"ut-a", "ut-b", "ut-c"}

// mountNestedTree mounts three tmpfs at dir, dir/u and dir/u/w, each
// on the one before (dir exists).
func mountNestedTree(r *Task, dir string) error {
	for i, p := range []string{dir, dir + "/u", dir + "/u/w"} {
		if i > 0 {
			if err := r.Mkdir(p, 0o755); err != nil {
				return err
			}
		}
		if err := r.Mount(umountTreeSources[i], p, "tmpfs", 0, ""); err != nil {
			return err
		}
	}
	return nil
}

// treeMountsListed counts the tree's mounts in the mount list.
func treeMountsListed(v *VFS) int {
	n := 0
	for _, m := range v.Mounts() {
		if strings.HasPrefix(m.DevName(), "ut-") {
			n++
		}
	}
	return n
}

// umountTreeRows take a tree of three nested mounts off in one
// umount_tree: build mounts the tree (and whatever keeps it in use),
// take detaches it.
var umountTreeRows = []struct {
	name  string
	build func(r *Task) (take func() error, err error)
}{
	{"umount -l of the top", func(r *Task) (func() error, error) {
		return func() error { return r.Umount2("/t", MNT_DETACH) }, mountNestedTree(r, "/t")
	}},
	{"umount -l with a file open in the innermost", func(r *Task) (func() error, error) {
		if err := mountNestedTree(r, "/t"); err != nil {
			return nil, err
		}
		fd, err := r.Open("/t/u/w/f", O_CREAT|O_RDWR, 0o644)
		if err != nil {
			return nil, err
		}
		return func() error {
			err := r.Umount2("/t", MNT_DETACH)
			if cerr := r.Close(fd); err == nil {
				err = cerr
			}
			return err
		}, nil
	}},
	{"d_invalidate of the /proc/<pid> it hangs below", func(r *Task) (func() error, error) {
		c := r.Fork("c")
		dir := "/proc/" + fmt.Sprint(c.PID()) + "/fd"
		if err := mountNestedTree(r, dir); err != nil {
			c.Exit()
			return nil, err
		}
		return func() error {
			c.Exit()
			var st Stat
			if err := r.Stat(dir, &st); err != ENOENT {
				return fmt.Errorf("stat %s after its task ended: %v, want ENOENT", dir, err)
			}
			return nil
		}, nil
	}},
}

// TestUmountTreeOneTable: umount_tree unhashes every mount of the tree
// in one lock_mount_hash() section, so the mount table a reader loads
// without mountLock's sequence (the mount list, a snapshot's mounts)
// has all three of the tree's mounts or none of them, never one or two.
// Detaching them one table at a time let a reader see the tree half
// gone.
//
// The unmounter counts what it finished: 2n before the n-th tree is
// taken off, 2n+1 once it is gone and while the next is built. A reader
// that reads the count, the list, and the count again, and finds 2n
// both times, looked while only the umount ran.
func TestUmountTreeOneTable(t *testing.T) {
	if runtime.GOARCH == "wasm" {
		t.Skip("tasks do not run in parallel under wasm: no reader runs inside an umount")
	}
	rounds := 600
	if testing.Short() {
		rounds = 150
	}
	for _, row := range umountTreeRows {
		t.Run(row.name, func(t *testing.T) {
			e := vt.New(t)
			r := e.Root
			e.Must(r.Mkdir("/t", 0o755))
			var done atomic.Bool
			var count atomic.Int64
			count.Store(1)
			var wg sync.WaitGroup
			errc := make(chan error, 1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer done.Store(true)
				for i := 0; i < rounds; i++ {
					take, err := row.build(r)
					if err != nil {
						errc <- fmt.Errorf("build %d: %v", i, err)
						return
					}
					if n := treeMountsListed(e.V); n != 3 {
						errc <- fmt.Errorf("build %d: %d of the tree's mounts listed, want 3", i, n)
						return
					}
					count.Add(1) // 2i+2: the tree is whole and goes
					if err := take(); err != nil {
						errc <- fmt.Errorf("take %d: %v", i, err)
						return
					}
					count.Add(1)
					if n := treeMountsListed(e.V); n != 0 {
						errc <- fmt.Errorf("take %d: %d of the tree's mounts still listed", i, n)
						return
					}
				}
			}()
			readers := runtime.GOMAXPROCS(0) - 1
			if readers < 1 {
				readers = 1
			}
			var bad, looks atomic.Int64
			var first atomic.Pointer[string]
			for range readers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for !done.Load() {
						c1 := count.Load()
						n := treeMountsListed(e.V)
						if c1%2 == 1 || count.Load() != c1 {
							continue // a build may have run: no claim
						}
						looks.Add(1)
						if n == 0 || n == 3 {
							continue
						}
						bad.Add(1)
						msg := fmt.Sprintf("count %d: %d of the tree's 3 mounts listed", c1, n)
						first.CompareAndSwap(nil, &msg)
					}
				}()
			}
			wg.Wait()
			select {
			case err := <-errc:
				t.Fatal(err)
			default:
			}
			if n := bad.Load(); n > 0 {
				t.Fatalf("%d of %d looks during an umount found part of the tree; first: %s", n, looks.Load(), *first.Load())
			}
		})
	}
}

// TestUmountTreeEvents: the tree leaves in one table, but its events
// keep umount_tree's order, deepest mount first: each mount's umount
// event, then DCACHE_MOUNTED cleared on its mount point
// (put_mountpoint), and a snapshot taken after lists none of them.
func TestUmountTreeEvents(t *testing.T) {
	want := []string{
		"umount ut-c", "clear w",
		"umount ut-b", "clear u",
		"umount ut-a", "clear t",
	}
	for _, row := range umountTreeRows[:2] {
		t.Run(row.name, func(t *testing.T) {
			e := vt.New(t)
			r := e.Root
			e.Must(r.Mkdir("/t", 0o755))
			take, err := row.build(r)
			e.Must(err)
			l := e.V.Subscribe(1 << 12)
			defer l.Close()
			e.Must(take())
			var got []string
			var last uint64
			for _, ev := range drain(l) {
				switch {
				case ev.Kind == trace.Lost:
					t.Fatal("events lost")
				case ev.Kind == trace.Umount:
					got = append(got, fmt.Sprintf("%s %s", ev.Kind, ev.Name))
					last = ev.Seq
				case ev.Kind == trace.DentryMounted:
					got = append(got, ev.Op+" "+ev.Name)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("events:\n\t%v\nwant\n\t%v", got, want)
			}
			s := e.V.Snapshot()
			if s.Seq < last {
				t.Fatalf("snapshot %d numbered before the last umount event %d", s.Seq, last)
			}
			for _, m := range s.Mounts {
				if strings.HasPrefix(m.Source, "ut-") {
					t.Fatalf("snapshot after the umount lists %+v", m)
				}
			}
		})
	}
}
