package vfs

import (
	"runtime"
	"sync"
	"testing"
)

// lruCounts reads the list counters without draining (MemStat drains).
func lruCounts(v *VFS) (active, inactive int64) {
	return v.pc.nrActive.Load(), v.pc.nrInactive.Load()
}

// lruListed reports whether f is linked on the list its PG_active says.
func lruListed(v *VFS, f *Folio) bool {
	l := &v.pc.inactive
	if f.flags.Load()&PG_active != 0 {
		l = &v.pc.active
	}
	for g := l.head; g != nil; g = g.lruNext {
		if g == f {
			return true
		}
	}
	return false
}

// addFolios grabs n new folios at indices 0..n-1 of m, uptodate and
// unlocked, and returns them with the caller's reference dropped.
func addFolios(t *testing.T, tk *Task, m *AddressSpace, n int) []*Folio {
	t.Helper()
	var out []*Folio
	for i := range n {
		f, err := FilemapGrabFolio(tk, m, int64(i), FGP_CREAT|FGP_LOCK)
		if err != nil {
			t.Fatal(err)
		}
		FolioMarkUptodate(f)
		FolioUnlock(tk, f)
		FolioPut(f)
		out = append(out, f)
	}
	return out
}

// TestLRUAddBatch: folio_add_lru queues new folios in the task's batch
// (PG_lru clear, uncounted, one reference each) and moves a full batch
// onto the inactive list at once; every drain point puts the rest there.
func TestLRUAddBatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		// drain empties the batch (nil: none).
		drain func(v *VFS, tk *Task)
		// wantListed is how many of the n are on the list after drain.
		wantListed int
	}{
		{"partial batch waits", lruBatchSize - 1, nil, 0},
		{"full batch moves", lruBatchSize, nil, lruBatchSize},
		{"full batch and one", lruBatchSize + 1, nil, lruBatchSize},
		{"lru_add_drain", 5, func(v *VFS, tk *Task) { lruAddDrain(tk) }, 5},
		{"MemStat drains all", 5, func(v *VFS, tk *Task) { v.MemStat() }, 5},
		{"drop_caches drains all", 5, func(v *VFS, tk *Task) {
			if err := v.DropCaches(tk, 2); err != nil {
				t.Fatal(err)
			}
			v.lruAddDrainAll() // mode 2 drops no pages: drain explicitly
		}, 5},
		{"snapshot drains all", 5, func(v *VFS, tk *Task) { v.Snapshot() }, 5},
		{"reclaim drains its own", 5, func(v *VFS, tk *Task) { v.shrinkInactiveList(tk, &scanControl{nrToReclaim: 1}, 1) }, 5},
		{"task exit drains", 5, func(v *VFS, tk *Task) { tk.Exit() }, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, sb := pcEnv(t)
			m := pcInode(tk, sb).Mapping()
			m.SetFlags(AS_SWAPBACKED) // reclaim keeps them
			fs := addFolios(t, tk, m, tc.n)
			if tc.drain != nil {
				tc.drain(v, tk)
			}
			listed := 0
			for i, f := range fs {
				on := f.Flags()&PG_lru != 0
				if on != lruListed(v, f) {
					t.Fatalf("folio %d: PG_lru %v but listed %v", i, on, !on)
				}
				// The cache's reference, and the batch's until drained.
				want := int32(1)
				if !on {
					want = 2
				}
				if f.Refcount() != want {
					t.Fatalf("folio %d (lru %v): %d references, want %d", i, on, f.Refcount(), want)
				}
				if on {
					listed++
				}
			}
			if listed != tc.wantListed {
				t.Fatalf("%d folios on the list, want %d", listed, tc.wantListed)
			}
			if a, in := lruCounts(v); a != 0 || in != int64(listed) {
				t.Fatalf("counters active %d inactive %d, want 0 %d", a, in, listed)
			}
			if st := v.MemStat(); st.Inactive != int64(tc.n) || st.FilePages != int64(tc.n) {
				t.Fatalf("after MemStat's drain: %+v, want %d inactive", st, tc.n)
			}
			pcNoReports(t, v)
		})
	}
}

// TestLRUAddBatchRemoved: a folio truncated while it waits in a batch is
// left off the lists by the drain, which drops the batch's reference; a
// folio accessed twice while it waits goes to the active list.
func TestLRUAddBatchRemoved(t *testing.T) {
	for _, tc := range []struct {
		name       string
		remove     bool // truncate folio 1 before the drain
		access     int  // folio_mark_accessed calls on folio 2 before the drain
		wantActive int64
	}{
		{"removed in batch", true, 0, 0},
		{"one access", false, 1, 0},
		{"two accesses activate", false, 2, 1},
		{"removed and activated", true, 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, sb := pcEnv(t)
			in := pcInode(tk, sb)
			m := in.Mapping()
			fs := addFolios(t, tk, m, 3)
			want := int64(3)
			if tc.remove {
				f := fs[1]
				folioGet(f) // kept to look at it afterwards
				FolioLock(tk, f)
				filemapRemoveFolio(tk, m, f)
				FolioUnlock(tk, f)
				if f.Refcount() != 2 || f.Mapping() != nil {
					t.Fatalf("removed in batch: %d references, mapping %p", f.Refcount(), f.Mapping())
				}
				want--
			}
			for range tc.access {
				FolioMarkAccessed(tk, fs[2])
			}
			lruAddDrain(tk)
			if tc.remove {
				f := fs[1]
				if f.Flags()&(PG_lru|PG_active) != 0 || lruListed(v, f) || f.Refcount() != 1 {
					t.Fatalf("removed folio after the drain: flags %v, %d references", FolioFlagNames(f.Flags()), f.Refcount())
				}
				FolioPut(f)
			}
			if got := fs[2].Flags()&PG_active != 0; got != (tc.wantActive == 1) || !lruListed(v, fs[2]) {
				t.Fatalf("accessed folio: flags %v", FolioFlagNames(fs[2].Flags()))
			}
			st := v.MemStat()
			if st.Active != tc.wantActive || st.Active+st.Inactive != want || st.FilePages != want {
				t.Fatalf("%+v: want %d active of %d", st, tc.wantActive, want)
			}
			TruncateInodePagesFinal(tk, m)
			if st := v.MemStat(); st.Active+st.Inactive+st.FilePages != 0 {
				t.Fatalf("after truncation: %+v", st)
			}
			pcNoReports(t, v)
		})
	}
}

// TestLRUAddBatchRace: tasks adding and truncating folios while others
// drain every batch and read the counters; at the end the lists hold
// exactly the cached folios.
func TestLRUAddBatchRace(t *testing.T) {
	v, tk, sb := pcEnv(t)
	const workers, rounds = 3, 60
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wt := v.NewTask("adder", RootCred)
			m := pcInode(wt, sb).Mapping()
			for r := range rounds {
				for i := range 7 {
					f, err := FilemapGrabFolio(wt, m, int64(i), FGP_CREAT|FGP_LOCK)
					if err != nil {
						t.Error(err)
						return
					}
					FolioMarkUptodate(f)
					FolioUnlock(wt, f)
					FolioMarkAccessed(wt, f)
					FolioMarkAccessed(wt, f)
					FolioPut(f)
				}
				if (r+w)%3 == 0 {
					m.InvalidateLock(wt)
					TruncateInodePages(wt, m, 3*PAGE_SIZE)
					m.InvalidateUnlock(wt)
				}
				runtime.Gosched()
			}
			if w == 0 {
				wt.Exit()
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range rounds {
			v.MemStat()
			runtime.Gosched()
		}
	}()
	wg.Wait()
	<-done
	st := v.MemStat()
	if st.Active+st.Inactive != st.FilePages {
		t.Fatalf("lists hold %d folios, cache %d: %+v", st.Active+st.Inactive, st.FilePages, st)
	}
	if n := v.pc.active.n + v.pc.inactive.n; n != st.FilePages {
		t.Fatalf("lists link %d folios, cache %d", n, st.FilePages)
	}
	_ = tk
	pcNoReports(t, v)
}
