package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
)

// TestDropCachesKeepsInodesWithPages: drop_caches=2 (and the inode
// shrinker it runs) never frees page cache: an unused inode whose
// mapping still has pages is not evicted (inode_lru_isolate; Linux 6.18
// on the host keeps an 8 MiB file resident after `echo 2`, drops it
// after `echo 1`). Once page reclaim has taken its pages (mode 1, or 3
// which drops the pages first), mode 2 evicts it.
func TestDropCachesKeepsInodesWithPages(t *testing.T) {
	cases := []struct {
		name       string
		modes      []int64
		wantPages  bool // the file's 8 pages stay cached
		wantInodes bool // the file's inode stays
	}{
		{"2", []int64{2}, true, true},
		{"2 twice", []int64{2, 2}, true, true},
		{"1", []int64{1}, false, true},
		{"1 then 2", []int64{1, 2}, false, false},
		{"3", []int64{3}, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newRCEnv(t, 0)
			v := e.V
			fd := e.open("x")
			e.pwrite(fd, make([]byte, 8*PAGE_SIZE), 0)
			e.pread(fd, 8*PAGE_SIZE, 0)
			e.Must(e.Root.Close(fd))
			e.Root.Sync()
			before, inodes := v.MemStat(), v.InodeState().NrInodes
			if before.FilePages < 8 {
				t.Fatalf("set-up: %d pages cached, want the file's 8", before.FilePages)
			}
			for _, mode := range c.modes {
				e.Must(v.DropCaches(e.Root, mode))
			}
			after := v.MemStat()
			if kept := after.FilePages == before.FilePages; kept != c.wantPages {
				t.Errorf("pages %d -> %d: kept %v, want %v", before.FilePages, after.FilePages, kept, c.wantPages)
			}
			if kept := v.InodeState().NrInodes == inodes; kept != c.wantInodes {
				t.Errorf("inodes %d -> %d: kept %v, want %v", inodes, v.InodeState().NrInodes, kept, c.wantInodes)
			}
		})
	}
}
