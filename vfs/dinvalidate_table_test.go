package vfs_test

import (
	"fmt"
	"runtime"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
	"github.com/vfscope/vfscope/vfs/trace"
)

// dinvalVictim is one mount a row hangs below /proc/<pid>: label names
// it in the events, mount makes it (dir is /proc/<pid>).
type dinvalVictim struct {
	label string
	mount func(r *Task, dir string) error
}

func dinvalTmpfs(label, at string) dinvalVictim {
	return dinvalVictim{label, func(r *Task, dir string) error {
		return r.Mount(label, dir+at, "tmpfs", 0, "")
	}}
}

func dinvalBind(label, src, at string) dinvalVictim {
	return dinvalVictim{label, func(r *Task, dir string) error {
		from := src
		if from == "" {
			from = dir // the /proc/<pid> directory itself
		}
		return r.Mount(from, dir+at, "", MS_BIND, "")
	}}
}

// dinvalRows hang several mounts below one /proc/<pid>, which
// d_invalidate detaches together once the task has ended. want is the
// umount events and DCACHE_MOUNTED clears in the order umount_tree
// makes them: victim by victim in mount order, deepest first within
// each victim's tree.
var dinvalRows = []struct {
	name    string
	victims []dinvalVictim
	want    []string
}{
	{"three separate mounts: two directories and a file",
		[]dinvalVictim{dinvalTmpfs("di-a", "/fd"), dinvalTmpfs("di-b", "/fdinfo"), dinvalBind("di-c", "/f", "/status")},
		[]string{"umount di-a", "clear fd", "umount di-b", "clear fdinfo", "umount di-c", "clear status"}},
	{"a victim inside another victim's tree goes once, with it",
		// di-y hangs on /proc/<pid>/fd as seen through the bind
		// di-x of /proc/<pid> onto its own fd: both are victims,
		// and di-y is in di-x's tree.
		[]dinvalVictim{dinvalTmpfs("di-w", "/fdinfo"), dinvalBind("di-x", "", "/fd"), dinvalTmpfs("di-y", "/fd/fd")},
		[]string{"umount di-w", "clear fdinfo", "umount di-y", "umount di-x", "clear fd"}},
}

// dinvalSetup forks a task, hangs the row's victims below its
// /proc/<pid> and returns the new mounts (by id, labelled), the
// directory and the task.
func dinvalSetup(e *vt.Env, victims []dinvalVictim) (map[int32]string, string, *Task, error) {
	r := e.Root
	c := r.Fork("c")
	dir := "/proc/" + fmt.Sprint(c.PID())
	before := map[int32]bool{}
	for _, m := range e.V.Mounts() {
		before[m.ID()] = true
	}
	ids := map[int32]string{}
	for _, vm := range victims {
		if err := vm.mount(r, dir); err != nil {
			c.Exit()
			return nil, "", nil, fmt.Errorf("mount %s: %v", vm.label, err)
		}
		for _, m := range e.V.Mounts() {
			if !before[m.ID()] {
				before[m.ID()] = true
				ids[m.ID()] = vm.label
			}
		}
	}
	if len(ids) != len(victims) {
		c.Exit()
		return nil, "", nil, fmt.Errorf("%d new mounts, want %d", len(ids), len(victims))
	}
	return ids, dir, c, nil
}

// dinvalInvalidate ends c and looks dir up, which finds /proc/<pid>
// stale and d_invalidates it.
func dinvalInvalidate(r, c *Task, dir string) error {
	c.Exit()
	var st Stat
	if err := r.Stat(dir+"/fdinfo", &st); err != ENOENT {
		return fmt.Errorf("stat %s/fdinfo after its task ended: %v, want ENOENT", dir, err)
	}
	return nil
}

// dinvalListed counts the mounts of ids in the mount list.
func dinvalListed(v *VFS, ids map[int32]string) int {
	n := 0
	for _, m := range v.Mounts() {
		if _, ok := ids[m.ID()]; ok {
			n++
		}
	}
	return n
}

// TestDInvalidateOneTable: d_invalidate's mount half detaches every
// victim below the invalidated dentry in one mountLock section, so the
// mount table a reader loads without mountLock's sequence (the mount
// list, a snapshot's mounts, mountpointOnSB) has all of the victims or
// none of them. Publishing a table per victim let a reader see one
// victim gone and another still there. (Linux's d_invalidate runs
// detach_mounts once per mountpoint, each in its own lock_mount_hash()
// section, so its readers may see fewer than all; a state with all or
// none is one Linux may show too.)
//
// oneTableRace says which looks count: those made while only the
// invalidation ran.
func TestDInvalidateOneTable(t *testing.T) {
	if runtime.GOARCH == "wasm" {
		t.Skip("tasks do not run in parallel under wasm: no reader runs inside a d_invalidate")
	}
	rounds := 400
	if testing.Short() {
		rounds = 100
	}
	for _, row := range dinvalRows {
		t.Run(row.name, func(t *testing.T) {
			e := vt.New(t)
			r := e.Root
			fd, err := r.Open("/f", O_CREAT|O_RDWR, 0o644)
			e.Must(err)
			e.Must(r.Close(fd))
			oneTableRace(t, rounds, "d_invalidate", func(int) (oneTableRound, error) {
				ids, dir, c, err := dinvalSetup(e, row.victims)
				return oneTableRound{
					listed: func() int { return dinvalListed(e.V, ids) },
					whole:  len(ids),
					remove: func() error { return dinvalInvalidate(r, c, dir) },
				}, err
			})
		})
	}
}

// TestDInvalidateEvents: the victims leave in one table, but their
// events keep detach_mounts' order (victim by victim, each tree deepest
// first: its umount event, then DCACHE_MOUNTED cleared on its mount
// point when its last mount goes), a victim inside another's tree is
// reported once, and a snapshot taken after lists none of them.
func TestDInvalidateEvents(t *testing.T) {
	for _, row := range dinvalRows {
		t.Run(row.name, func(t *testing.T) {
			e := vt.New(t)
			r := e.Root
			fd, err := r.Open("/f", O_CREAT|O_RDWR, 0o644)
			e.Must(err)
			e.Must(r.Close(fd))
			ids, dir, c, err := dinvalSetup(e, row.victims)
			e.Must(err)
			l := e.V.Subscribe(1 << 14)
			defer l.Close()
			e.Must(dinvalInvalidate(r, c, dir))
			var got []string
			var last uint64
			for _, ev := range drain(l) {
				switch {
				case ev.Kind == trace.Lost:
					t.Fatal("events lost")
				case ev.Kind == trace.Umount:
					label, ok := ids[ev.Mount]
					if !ok {
						t.Fatalf("umount of mount %d (%s), not a victim", ev.Mount, ev.Name)
					}
					got = append(got, "umount "+label)
					last = ev.Seq
				case ev.Kind == trace.DentryMounted:
					got = append(got, ev.Op+" "+ev.Name)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(row.want) {
				t.Fatalf("events:\n\t%v\nwant\n\t%v", got, row.want)
			}
			s := e.V.Snapshot()
			if s.Seq < last {
				t.Fatalf("snapshot %d numbered before the last umount event %d", s.Seq, last)
			}
			for _, m := range s.Mounts {
				if _, ok := ids[m.ID]; ok {
					t.Fatalf("snapshot after the invalidation lists %+v", m)
				}
			}
		})
	}
}
