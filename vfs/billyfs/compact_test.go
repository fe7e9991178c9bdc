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
