package billyfs_test

import (
	"fmt"
	"testing"

	"github.com/go-git/go-billy/v5/util"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/billyfs/faultstore"
)

// crash cuts the mount off its store, unmounts, lifts the faults and
// mounts again: the mount finds the store not cleanly unmounted.
func (e *env) crash(s *faultstore.Store, opts string) {
	e.TB.Helper()
	e.Must(billyfs.Shutdown(e.store))
	e.umount()
	s.Clear()
	e.mount(opts)
}

// TestFsckTwoNames: a rename whose old name's removal (and its undo)
// failed leaves two names on the store; the check after the crash
// counts both, so removing one keeps the file.
func TestFsckTwoNames(t *testing.T) {
	e, s := faultEnv(t)
	r := e.Root
	e.Must(r.Mkdir("/mnt/a", 0o755))
	e.Must(r.Mkdir("/mnt/b", 0o755))
	e.writeAt("/mnt/a/f", pattern(1, 9000), 0, 0)
	r.Sync()
	s.Add(faultstore.Rule{Op: faultstore.OpWrite, Path: "d/*", Nth: 2, Always: true, Err: vfs.EIO})
	if err := r.Rename("/mnt/a/f", "/mnt/b/g"); err != vfs.EIO {
		t.Fatalf("rename: %v, want EIO", err)
	}
	e.crash(s, "")
	a, b := e.Stat("/mnt/a/f"), e.Stat("/mnt/b/g")
	if a.Ino != b.Ino || a.Nlink != 2 {
		t.Fatalf("after the check: inodes %d and %d, links %d; want one inode with 2", a.Ino, b.Ino, a.Nlink)
	}
	e.Must(r.Unlink("/mnt/a/f"))
	e.remount("")
	if got := e.content("/mnt/b/g"); string(got) != string(pattern(1, 9000)) {
		t.Fatal("the other name lost the data")
	}
}

// TestFsckUnattached: a create whose directory entry never reached the
// store (and whose record could not be freed) leaves an inode no name
// reaches; the check frees it.
func TestFsckUnattached(t *testing.T) {
	e, s := faultEnv(t)
	e.umount()
	e.mount("nr_inodes=10")
	r := e.Root
	s.Add(faultstore.Rule{Op: faultstore.OpWrite, Path: "d/*", Err: vfs.ENOSPC})
	s.Add(faultstore.Rule{Op: faultstore.OpRemove, Err: vfs.EIO})
	if err := r.Mkdir("/mnt/x", 0o755); err != vfs.ENOSPC {
		t.Fatalf("mkdir: %v, want ENOSPC", err)
	}
	e.crash(s, "nr_inodes=10")
	if st := e.statfs(); st.Ffree != 10-1 {
		t.Fatalf("after the check %d inodes free, want 9 (only the root in use)", st.Ffree)
	}
}

// TestFsckDangling: an entry whose inode record is gone is removed.
func TestFsckDangling(t *testing.T) {
	e, s := faultEnv(t)
	r := e.Root
	e.WriteFile("/mnt/keep", "k", 0o644)
	e.WriteFile("/mnt/gone", "g", 0o644)
	ino := e.Stat("/mnt/gone").Ino
	e.Must(billyfs.Shutdown(e.store))
	e.umount()
	if err := s.Remove(fmt.Sprintf("i/%x", ino)); err != nil {
		t.Fatal(err)
	}
	e.mount("")
	names, err := e.Names("/mnt")
	e.Must(err)
	if fmt.Sprint(names) != "[keep]" {
		t.Fatalf("names after the check: %v, want [keep]", names)
	}
	e.Must(r.Mkdir("/mnt/gone", 0o755))
}

// TestOrphanBadRecord: an orphan whose record a clean mount cannot read
// or decode keeps its mark, and the filesystem is marked with errors, so
// that the next mount runs the check (as ext4_orphan_cleanup leaves a bad
// orphan inode to e2fsck): that frees a damaged orphan's record and
// data, and takes a readable, named one off the list. Dropping the mark
// would leave the record and the data on a store no check ever looks at.
func TestOrphanBadRecord(t *testing.T) {
	for _, tc := range []struct {
		name    string
		damage  bool // garbage in the record, else a failed read
		survive bool // /mnt/x after the check
	}{
		{"damaged record", true, false},
		{"unreadable record", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, s := faultEnv(t)
			e.remount("nr_inodes=10")
			e.writeAt("/mnt/x", pattern(1, 3*4096), 0, 0)
			ino := e.Stat("/mnt/x").Ino
			e.umount() // clean: the next mount runs no check
			rec, mark, data := fmt.Sprintf("i/%x", ino), fmt.Sprintf("orphan/%x", ino), fmt.Sprintf("f/%x", ino)
			e.Must(util.WriteFile(s, mark, nil, 0o644))
			if tc.damage {
				e.Must(util.WriteFile(s, rec, []byte("not a record"), 0o644))
			} else {
				s.Add(faultstore.Rule{Op: faultstore.OpRead, Path: rec, Err: vfs.EIO})
			}
			e.mount("nr_inodes=10")
			s.Clear()
			if _, err := s.Stat(mark); err != nil {
				t.Fatalf("the orphan mark went at mount: %v", err)
			}
			e.remount("nr_inodes=10")
			var st vfs.Stat
			err := e.Root.Stat("/mnt/x", &st)
			_, recErr := s.Stat(rec)
			_, dataErr := s.Stat(data)
			if _, err := s.Stat(mark); err == nil {
				t.Error("the orphan mark is still there after the check")
			}
			if tc.survive {
				if err != nil || recErr != nil || dataErr != nil {
					t.Fatalf("/mnt/x: %v, record: %v, data: %v; want all there", err, recErr, dataErr)
				}
				return
			}
			if err != vfs.ENOENT || recErr == nil || dataErr == nil {
				t.Fatalf("/mnt/x: %v, record: %v, data: %v; want all gone", err, recErr, dataErr)
			}
			if free := e.statfs().Ffree; free != 10-1 {
				t.Fatalf("%d inodes free after the check, want 9 (only the root in use)", free)
			}
		})
	}
}
