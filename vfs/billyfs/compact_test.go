package billyfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs/faultstore"
)

// TestCompactSyncsBeforeRename: on a store whose records are not
// rewritten in place, a directory's compacted log is flushed before it
// is renamed over the log, so that a power cut cannot leave the rename
// without the data (an empty directory). A flush that fails leaves the
// long log: no rename, and the names are all there after a remount.
func TestCompactSyncsBeforeRename(t *testing.T) {
	for _, tc := range []struct {
		name       string
		failSync   bool
		wantRename bool
	}{
		{"flush succeeds", false, true},
		{"flush fails", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, s := faultEnvSeq(t)
			r := e.Root
			e.Must(r.Mkdir("/mnt/d", 0o755))
			e.WriteFile("/mnt/d/keep", "k", 0o644)
			if tc.failSync {
				s.Add(faultstore.Rule{Op: faultstore.OpSync, Path: "d/*.new", Err: vfs.EIO})
			}
			renames := s.CallsMatching(faultstore.OpRename, "d/*.new")
			// 2 records per round: the log outgrows its one live entry
			// (2*1 + 64 records) and is compacted.
			for i := 0; i < 40; i++ {
				e.WriteFile("/mnt/d/tmp", "", 0o644)
				e.Must(r.Unlink("/mnt/d/tmp"))
			}
			if got := s.CallsMatching(faultstore.OpSync, "d/*.new"); got == 0 {
				t.Fatal("the compacted log was not flushed")
			}
			if got := s.CallsMatching(faultstore.OpRename, "d/*.new") > renames; got != tc.wantRename {
				t.Fatalf("compacted log renamed: %v, want %v", got, tc.wantRename)
			}
			s.Clear()
			e.remount("")
			names, err := e.Names("/mnt/d")
			e.Must(err)
			if len(names) != 1 || names[0] != "keep" {
				t.Fatalf("names after a remount: %q, want [keep]", names)
			}
		})
	}
}

// TestReserveInosSyncsBeforeRename: the superblock record that reserves
// inode numbers (written at every mount and every inoBatch inodes) is
// flushed before it replaces the last one, so that a power cut cannot
// leave an empty superblock, which would not mount. A flush that fails
// fails the mount and leaves the last record: the store mounts once the
// fault is gone, with its files.
func TestReserveInosSyncsBeforeRename(t *testing.T) {
	e, s := faultEnvSeq(t)
	e.WriteFile("/mnt/keep", "k", 0o644)
	e.umount()

	syncs := s.CallsMatching(faultstore.OpSync, "super.new")
	e.mount("")
	if got := s.CallsMatching(faultstore.OpSync, "super.new"); got == syncs {
		t.Fatal("the mount's superblock record was not flushed before its rename")
	}
	e.umount()

	s.Add(faultstore.Rule{Op: faultstore.OpSync, Path: "super.new", Err: vfs.EIO})
	renames := s.CallsMatching(faultstore.OpRename, "super.new")
	if err := e.Root.Mount("none", "/mnt", "billyfs", 0, "store="+e.store); err != vfs.EIO {
		t.Fatalf("mount with the superblock's flush failing: %v, want EIO", err)
	}
	if got := s.CallsMatching(faultstore.OpRename, "super.new"); got != renames {
		t.Fatal("the unflushed superblock record was renamed over the last one")
	}
	s.Clear()
	e.mount("")
	names, err := e.Names("/mnt")
	e.Must(err)
	if len(names) != 1 || names[0] != "keep" {
		t.Fatalf("names after the failed mount: %q, want [keep]", names)
	}
}
