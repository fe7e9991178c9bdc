package vfs

import "testing"

// TestDentryFlagBits checks that every d_flags bit has one meaning: the
// pinned bit once shared bit 27 with DCACHE_FASTPERM, so that unpinning
// a dentry cleared its fast-permission bit and any dentry with it looked
// pinned.
func TestDentryFlagBits(t *testing.T) {
	flags := []struct {
		name string
		bits uint32
	}{
		{"DCACHE_OP_HASH", DCACHE_OP_HASH},
		{"DCACHE_OP_COMPARE", DCACHE_OP_COMPARE},
		{"DCACHE_OP_REVALIDATE", DCACHE_OP_REVALIDATE},
		{"DCACHE_OP_DELETE", DCACHE_OP_DELETE},
		{"DCACHE_OP_PRUNE", DCACHE_OP_PRUNE},
		{"DCACHE_DISCONNECTED", DCACHE_DISCONNECTED},
		{"DCACHE_REFERENCED", DCACHE_REFERENCED},
		{"DCACHE_DONTCACHE", DCACHE_DONTCACHE},
		{"DCACHE_CANT_MOUNT", DCACHE_CANT_MOUNT},
		{"DCACHE_SHRINK_LIST", DCACHE_SHRINK_LIST},
		{"DCACHE_OP_WEAK_REVALIDATE", DCACHE_OP_WEAK_REVALIDATE},
		{"DCACHE_NFSFS_RENAMED", DCACHE_NFSFS_RENAMED},
		{"DCACHE_MOUNTED", DCACHE_MOUNTED},
		{"DCACHE_NEED_AUTOMOUNT", DCACHE_NEED_AUTOMOUNT},
		{"DCACHE_MANAGE_TRANSIT", DCACHE_MANAGE_TRANSIT},
		{"DCACHE_LRU_LIST", DCACHE_LRU_LIST},
		{"DCACHE_ENTRY_TYPE", DCACHE_ENTRY_TYPE},
		{"DCACHE_PAR_LOOKUP", DCACHE_PAR_LOOKUP},
		{"DCACHE_FASTPERM", DCACHE_FASTPERM},
		{"DCACHE_HASHED", DCACHE_HASHED},
		{"DCACHE_DEAD", DCACHE_DEAD},
		{"dcachePinned", dcachePinned},
	}
	var seen uint32
	for _, f := range flags {
		if f.bits == 0 {
			t.Errorf("%s is 0", f.name)
		}
		if f.bits&seen != 0 {
			for _, g := range flags {
				if g.name != f.name && g.bits&f.bits != 0 {
					t.Errorf("%s (%#x) shares bits with %s (%#x)", f.name, f.bits, g.name, g.bits)
					break
				}
			}
		}
		seen |= f.bits
	}
}
