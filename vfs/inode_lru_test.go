package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestInodeLRUReferenced: an inode's last iput puts it on the inode LRU
// unreferenced; I_REFERENCED marks only an inode that was used again
// while still on the LRU (Linux 6.18's iput_final: __inode_add_lru(inode,
// true) sets it only when list_lru_add finds the inode already there).
// IgetLocked leaves a reused inode on the LRU, and the shrinker
// (inode_lru_isolate) takes it off if it finds it in use. So the
// shrinker evicts an inode used once on its first pass and gives one
// used again a second; one in use when scanned leaves the list and
// comes back unreferenced when unused again.
func TestInodeLRUReferenced(t *testing.T) {
	for _, tc := range []struct {
		name      string
		uses      int  // IgetLocked+Iput cycles after the first
		heldScan  bool // the inode is held by IgetLocked while a scan runs
		wantRef   bool // I_REFERENCED after the last iput
		wantScans int  // single-inode scans until it is evicted
	}{
		{"used once", 0, false, false, 1},
		{"used again", 1, false, true, 2},
		{"used three times", 2, false, true, 2},
		{"in use when scanned", 1, true, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var evicts int
			sops := &vfs.SuperOperations{
				EvictInode: func(t *vfs.Task, in *vfs.Inode) {
					evicts++
					vfs.TruncateInodePagesFinal(t, in.Mapping())
				},
			}
			v, tk, sb := mountInodeFS(t, "inodelru", sops)
			free0 := v.InodeState().NrFreeInodes
			in, isNew := vfs.IgetLocked(tk, sb, 500)
			if !isNew {
				t.Fatal("set-up: not new")
			}
			in.SetModeType(vfs.S_IFREG | 0o644)
			vfs.UnlockNewInode(tk, in)
			vfs.Iput(tk, in)
			if in.State()&vfs.I_REFERENCED != 0 {
				t.Fatal("I_REFERENCED after the first iput")
			}
			for k := range tc.uses {
				again, isNew := vfs.IgetLocked(tk, sb, 500)
				if isNew || again != in {
					t.Fatalf("use %d: not the cached inode", k+2)
				}
				// Still counted on the LRU until the shrinker finds it
				// in use (nr_unused, /proc/sys/fs/inode-nr).
				if n := v.InodeState().NrFreeInodes - free0; n != 1 {
					t.Fatalf("use %d: %d inodes on the LRU, want 1", k+2, n)
				}
				// A snapshot shows it used, as the inode.count "used"
				// event said: the views of the LRU show unused inodes.
				for _, is := range v.Snapshot().Inodes {
					if is.Ino == 500 && is.OnLRU {
						t.Fatalf("use %d: the snapshot shows an inode in use on the LRU", k+2)
					}
				}
				if tc.heldScan && k == tc.uses-1 {
					if n := vfs.PruneIcacheScan(tk, sb, 1); n != 0 || evicts != 0 {
						t.Fatalf("a scan evicted an inode in use")
					}
					if n := v.InodeState().NrFreeInodes - free0; n != 0 {
						t.Fatalf("an inode in use stays on the LRU after a scan")
					}
				}
				vfs.Iput(tk, again)
			}
			if got := in.State()&vfs.I_REFERENCED != 0; got != tc.wantRef {
				t.Fatalf("I_REFERENCED %v after the last iput, want %v", got, tc.wantRef)
			}
			if n := v.InodeState().NrFreeInodes - free0; n != 1 {
				t.Fatalf("%d inodes on the LRU after the last iput, want 1", n)
			}
			for s := 1; s <= tc.wantScans; s++ {
				vfs.PruneIcacheScan(tk, sb, 1)
				if gone := evicts == 1; gone != (s == tc.wantScans) {
					t.Fatalf("after scan %d: evicted %v, want after scan %d", s, gone, tc.wantScans)
				}
			}
			if r := v.Validator().Reports(); len(r) != 0 {
				t.Fatalf("validator reports:\n%v", r)
			}
		})
	}
}
