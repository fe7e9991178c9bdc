package vfs

import "testing"

// TestTruncateInodePagesFinal: eviction's truncation empties the mapping
// and the counters whatever the pages' indices (the one-page fast path
// and the batched rest), and takes invalidate_lock exactly for a
// mapping with ->invalidate_folio (checked by the locking rules).
func TestTruncateInodePagesFinal(t *testing.T) {
	for _, tc := range []struct {
		name       string
		idx        []int64
		invalidate bool
		dirty      bool
	}{
		{"no page", nil, false, false},
		{"one page at 0", []int64{0}, false, true},
		{"one page at 5", []int64{5}, false, false},
		{"two pages", []int64{0, 9}, false, true},
		{"one page, invalidate_folio", []int64{0}, true, true},
		{"pages, invalidate_folio", []int64{0, 1, 40}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, sb := pcEnv(t)
			m := pcInode(tk, sb).Mapping()
			invalidated := 0
			m.AOps = &AddressSpaceOperations{DirtyFolio: FilemapDirtyFolio}
			if tc.invalidate {
				m.AOps.InvalidateFolio = func(t *Task, f *Folio, off, n int) {
					invalidated++
					FolioDetachPrivate(f)
				}
			}
			for _, idx := range tc.idx {
				f, err := FilemapGrabFolio(tk, m, idx, FGP_CREAT|FGP_LOCK)
				if err != nil {
					t.Fatal(err)
				}
				FolioMarkUptodate(f)
				if tc.invalidate {
					FolioAttachPrivate(f, idx)
				}
				if tc.dirty {
					FolioMarkDirty(tk, f)
				}
				FolioUnlock(tk, f)
				FolioPut(f)
			}
			if tc.invalidate {
				lruAddDrain(tk) // half on the lists, half in the batch: both are handled
			}
			TruncateInodePagesFinal(tk, m)
			if m.NrPages() != 0 || m.Tagged(PAGECACHE_TAG_DIRTY) {
				t.Fatalf("after truncation: %d pages, dirty tag %v", m.NrPages(), m.Tagged(PAGECACHE_TAG_DIRTY))
			}
			if tc.invalidate && invalidated != len(tc.idx) {
				t.Fatalf("->invalidate_folio called %d times, want %d", invalidated, len(tc.idx))
			}
			if st := v.MemStat(); st != (MemStat{}) {
				t.Fatalf("counters after truncation: %+v", st)
			}
			pcNoReports(t, v)
		})
	}
}
