//go:build js || wasip1

package vfs

import "github.com/vfscope/vfscope/vfs/lock"

// Under WebAssembly a large file takes its pages from the pool like a
// small one, and an empty pool is refilled sixteen pages at a time.
// Chunks are for the TLB (huge pages) and the prefetcher, which
// WebAssembly has neither of; what remained of them was their cost: each
// large file allocated and zeroed its chunks anew (2 to 32 MiB at a
// time), while the pages of the last deleted one waited for the
// collector. Appending 64 MiB in 64 KiB writes in node, rounds 2 to 4 of
// a file written and deleted again: 56-63 ms with chunks, 27-31 ms from
// the pool. A linear memory never shrinks, so a refill block that one
// live page keeps costs nothing the pool's pages did not already take.
const (
	largeFileChunks = false
	poolRefill      = 16
)

// folioSlab hands out new Folios folioSlabLen at a time: a Folio from
// Go's heap is five Go calls (the allocation's), one from the slab none.
// The slab is never reused by hand: a slab goes to the collector once
// none of its folios is referenced, as each Folio did alone, so a
// lock-free lookup still holding a removed folio reads that folio and no
// other. The pages are not in it: a folio's page goes back to the pool
// when its last reference is dropped.
var folioSlab struct {
	// mu serialises refills (newFolioSlab); a leaf outside the lock
	// model.
	mu lock.LeafMutex
	// slab is the current slab and next the index of its first Folio
	// not handed out. Written with no call between the test and the
	// store (newFolio), or under mu (newFolioSlab).
	slab []Folio
	next int
}

// folioSlabLen Folios per slab: about 2 KiB.
const folioSlabLen = 16

// newFolio returns a zeroed Folio, from the slab.
func newFolio() *Folio { return newFolioFast(newFolioSlab) }

// newFolioFast is newFolio with the refill a parameter, which the
// inliner charges less than a call, so that allocFolio's call inlines
// it (as the lock package's fast paths do).
func newFolioFast(refill func() *Folio) *Folio {
	// One goroutine runs at a time and switches only inside calls
	// (lock.LeafMutex): with no call from the test to the take, the
	// slot is this caller's. Only an empty slab needs the mutex, which
	// its refill holds across the allocation (it may yield).
	if i := folioSlab.next; i < len(folioSlab.slab) {
		folioSlab.next = i + 1
		return &folioSlab.slab[i]
	}
	return refill()
}

// newFolioSlab is newFolio with the slab used up: it makes a new one,
// unless another goroutine did while this one waited for mu.
func newFolioSlab() *Folio {
	folioSlab.mu.Lock()
	if folioSlab.next == len(folioSlab.slab) {
		s := make([]Folio, folioSlabLen)
		folioSlab.slab, folioSlab.next = s, 0
	}
	f := &folioSlab.slab[folioSlab.next]
	folioSlab.next++
	folioSlab.mu.Unlock()
	return f
}

// movedQStrSlab hands out the names a rename moves to a dentry
// (movedName) movedQStrSlabLen at a time, as folioSlab does Folios: a
// rename to a short name is then one Go heap allocation (the negative
// dentry of the new name), not two. A movedQStr points only into
// itself, so a slab kept by one live name keeps no more than its own
// 3 KiB; a slab goes to the collector once none of its names is used.
var movedQStrSlab struct {
	// mu protects free; a leaf outside the lock model.
	mu   lock.LeafMutex
	free []movedQStr
}

// movedQStrSlabLen movedQStrs per slab: about 3 KiB.
const movedQStrSlabLen = 64

// newMovedQStr returns a zeroed movedQStr, from the slab.
func newMovedQStr() *movedQStr {
	movedQStrSlab.mu.Lock()
	if len(movedQStrSlab.free) == 0 {
		movedQStrSlab.free = make([]movedQStr, movedQStrSlabLen)
	}
	m := &movedQStrSlab.free[0]
	movedQStrSlab.free = movedQStrSlab.free[1:]
	movedQStrSlab.mu.Unlock()
	return m
}
