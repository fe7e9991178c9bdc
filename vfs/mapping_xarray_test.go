package vfs

import (
	"math/rand"
	"testing"
	"unsafe"
)

// TestXaRunHints: store records where a run's folios and pages would be
// if they lay in a row; loadPrefetch returns, besides the folio load
// would, the leaf and the page the hint gives.
func TestXaRunHints(t *testing.T) {
	const n = xaRunPages * 4
	pagesInRow := new([n][PAGE_SIZE]byte)
	foliosInRow := make([]Folio, n)
	foliosApart := make([]Folio, 2*n)
	last := func(idx int64) bool { return idx%xaRunPages == xaRunPages-1 }
	all := func(int64) bool { return true }
	none := func(int64) bool { return false }
	for _, tc := range []struct {
		name string
		// folio returns the folio to store at idx (its data may be
		// nil: an FGP_NODATA folio).
		folio func(idx int64) *Folio
		// folioRight and pageRight tell at which indices loadPrefetch's
		// guesses for the folio and the page are right after the
		// stores, in index order.
		folioRight, pageRight func(idx int64) bool
	}{
		{"folios and pages in a row", func(idx int64) *Folio {
			f := &foliosInRow[idx]
			f.data = &pagesInRow[idx]
			return f
		}, all, all},
		{"pages in a row, folios apart", func(idx int64) *Folio {
			f := &foliosApart[2*idx]
			f.data = &pagesInRow[idx]
			return f
		}, last, all}, // each store re-anchors the folio hint on itself
		{"no pages yet", func(idx int64) *Folio {
			f := &foliosInRow[idx]
			f.data = nil
			return f
		}, all, none},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var xa xarray
			var fs []*Folio
			// Index 0 first (single), then the rest: the move into the
			// tree keeps every folio findable.
			for i := range int64(n) {
				f := tc.folio(i)
				f.index = i
				fs = append(fs, f)
				xa.store(i, f)
			}
			for i, f := range fs {
				idx := int64(i)
				got, leaf, guess := xa.loadPrefetch(idx, 0, 1, 0, 0)
				if got != f || got != xa.load(idx) {
					t.Fatalf("loadPrefetch(%d) = %p, want %p", idx, got, f)
				}
				if leaf == nil {
					t.Fatalf("loadPrefetch(%d): no leaf", idx)
				}
				_, fg := leaf.runGuess(int(idx) & xaChunkMask)
				if got := fg == uintptr(unsafe.Pointer(f)); got != tc.folioRight(idx) {
					t.Errorf("folio guess at %d: %#x for %p: right=%v", idx, fg, f, got)
				}
				if got := f.data != nil && guess == uintptr(unsafe.Pointer(f.data)); got != tc.pageRight(idx) {
					t.Errorf("page guess at %d: %#x for %p: right=%v", idx, guess, f.data, got)
				}
			}
		})
	}
}

// TestXaFixRun: the data hint a reader writes back, slot by slot.
func TestXaFixRun(t *testing.T) {
	pages := new([2 * xaRunPages][PAGE_SIZE]byte)
	scattered := func() *[PAGE_SIZE]byte { return new([PAGE_SIZE]byte) }
	for _, tc := range []struct {
		name   string
		hint   *[PAGE_SIZE]byte // the run's page 0 per the hint (nil: none)
		idx    int64            // the slot read
		page   *[PAGE_SIZE]byte // where the slot's page really is
		fixed  bool             // the hint then gives page for idx
		remain bool             // the hint is unchanged
	}{
		{"no hint, middle slot", nil, 5, &pages[5], true, false},
		{"right hint", &pages[0], 7, &pages[7], true, true},
		{"wrong hint, middle slot", &pages[0], 7, scattered(), false, true},
		{"wrong hint, first slot", &pages[xaRunPages], 0, scattered(), true, false},
		{"wrong hint, second run's first slot", &pages[0], xaRunPages, &pages[xaRunPages+3], true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := &xaNode{}
			off := int(tc.idx) & xaChunkMask
			if tc.hint != nil {
				n.runs[off/xaRunPages].data.Store(uint64(uintptr(unsafe.Pointer(tc.hint))))
			}
			before := n.runs[off/xaRunPages].data.Load()
			guess, _ := n.runGuess(off)
			f := &Folio{index: tc.idx, data: tc.page}
			n.fixRun(tc.idx, f, guess)
			after, _ := n.runGuess(off)
			if got := after == uintptr(unsafe.Pointer(tc.page)); got != tc.fixed {
				t.Errorf("after fixRun the hint gives %#x for %p: right=%v, want %v", after, tc.page, got, tc.fixed)
			}
			if got := n.runs[off/xaRunPages].data.Load() == before; got != tc.remain {
				t.Errorf("hint unchanged=%v, want %v", got, tc.remain)
			}
		})
	}
}

// TestXaLoadPrefetchAgrees: under random stores and erases, loadPrefetch
// finds what load finds, at every index.
func TestXaLoadPrefetchAgrees(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var xa xarray
	model := map[int64]*Folio{}
	const span = 3 * 4096
	for step := range 20000 {
		idx := rng.Int63n(span)
		if step%3 == 2 && rng.Intn(4) == 0 {
			idx = 0 // exercise single and its move into the tree
		}
		if model[idx] != nil {
			xa.erase(idx)
			delete(model, idx)
		} else {
			f := &Folio{index: idx}
			if rng.Intn(2) == 0 {
				f.data = new([PAGE_SIZE]byte)
			}
			xa.store(idx, f)
			model[idx] = f
		}
		q := rng.Int63n(span)
		got, leaf, _ := xa.loadPrefetch(q, int(q%PAGE_SIZE), rng.Intn(65), 0, 0)
		if got != model[q] || got != xa.load(q) {
			t.Fatalf("step %d: loadPrefetch(%d) = %p, load %p, want %p", step, q, got, xa.load(q), model[q])
		}
		if got != nil && leaf != nil && leaf.load(int(q)&xaChunkMask) != unsafe.Pointer(got) {
			t.Fatalf("step %d: leaf of %d does not hold the folio", step, q)
		}
	}
}

// TestPrefetchReadAnyAddress: a prefetch is only a hint, so no address
// faults: zero, unmapped, the top of the address space, a freed page.
func TestPrefetchReadAnyAddress(t *testing.T) {
	var slot unsafe.Pointer
	live := new([PAGE_SIZE]byte)
	freed := uintptr(unsafe.Pointer(new([PAGE_SIZE]byte)))
	for _, tc := range []struct {
		name        string
		folio, page uintptr
		lines       int
	}{
		{"nothing", 0, 0, 0},
		{"a live page", uintptr(unsafe.Pointer(live)), uintptr(unsafe.Pointer(live)), PAGE_SIZE / 64},
		{"unmapped low addresses", 1, 4096, 8},
		{"top of the address space", ^uintptr(0) &^ 63, ^uintptr(0) - 64*8, 8},
		{"a page the collector may have freed", freed, freed, PAGE_SIZE / 64},
		{"negative line count", 0, uintptr(unsafe.Pointer(live)), -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prefetchRead(uintptr(unsafe.Pointer(&slot)), tc.folio, tc.page, tc.lines)
		})
	}
}
