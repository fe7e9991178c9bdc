package vfs_test

import (
	"fmt"
	"runtime"
	"strings"
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
// oneTableRace says which looks count: those made while only the
// umount ran.
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
			oneTableRace(t, rounds, "umount", func(int) (oneTableRound, error) {
				take, err := row.build(r)
				return oneTableRound{func() int { return treeMountsListed(e.V) }, 3, take}, err
			})
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
