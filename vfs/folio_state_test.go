package vfs

import "testing"

// TestFolioRotateReclaimable: a folio whose writeback reclaim asked for
// (PG_reclaim) goes to the tail of the inactive list as its writeback
// ends, the next to be scanned, losing PG_active if it had it
// (folio_end_writeback's folio_rotate_reclaimable, lru_move_tail);
// PG_reclaim is cleared in every case. A folio that was redirtied, is
// locked, or never had PG_reclaim stays where it was.
func TestFolioRotateReclaimable(t *testing.T) {
	cases := []struct {
		name      string
		reclaim   bool
		activate  bool
		dirty     bool
		locked    bool
		wantTail  bool
		wantFlags uint32 // of PG_active and PG_reclaim after the end
	}{
		{"reclaim", true, false, false, false, true, 0},
		{"reclaim, active", true, true, false, false, true, 0},
		{"no reclaim", false, false, false, false, false, 0},
		{"no reclaim, active", false, true, false, false, false, PG_active},
		{"reclaim, redirtied", true, false, true, false, false, 0},
		{"reclaim, locked", true, false, false, true, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, sb := pcEnv(t)
			m := pcInode(tk, sb).Mapping()
			fs := addFolios(t, tk, m, 3)
			lruAddDrain(tk)
			f := fs[2] // the newest: the head of the inactive list
			if c.activate {
				FolioMarkAccessed(tk, f)
				FolioMarkAccessed(tk, f)
			}
			FolioLock(tk, f)
			FolioStartWriteback(tk, f)
			if c.reclaim {
				folioSetReclaim(tk, f)
			}
			if c.dirty {
				f.flags.Or(PG_dirty)
			}
			if !c.locked {
				FolioUnlock(tk, f)
			}
			FolioEndWriteback(tk, f)
			if c.locked {
				FolioUnlock(tk, f)
			}
			if c.dirty {
				f.flags.And(^uint32(PG_dirty))
			}
			if got := f.flags.Load() & (PG_active | PG_reclaim); got != c.wantFlags {
				t.Errorf("flags %#x of PG_active|PG_reclaim, want %#x", got, c.wantFlags)
			}
			if tail := v.pc.inactive.tail == f; tail != c.wantTail {
				t.Errorf("at the inactive tail: %v, want %v", tail, c.wantTail)
			}
			if !lruListed(v, f) {
				t.Errorf("not on the list its PG_active names")
			}
			a, in := lruCounts(v)
			if wantA := int64(c.wantFlags&PG_active) / PG_active; a != wantA || in != 3-wantA {
				t.Errorf("counters active %d inactive %d, want %d %d", a, in, wantA, 3-wantA)
			}
			pcNoReports(t, v)
		})
	}
}
