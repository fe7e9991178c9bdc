package billyfs_test

import (
	"fmt"
	"testing"

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
