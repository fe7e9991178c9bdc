package vfs

import (
	"unsafe"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// Page allocation for the page cache. Linux takes each page from the
// buddy allocator; in Go a page per allocation costs the allocator and
// the collector per object, and random reads of a large file pay a TLB
// miss per page. So a mapping of pageChunkMin pages or more takes its
// new pages from a chunk, one run of pages allocated at once for it, and
// the chunks grow with the file: 16 pages (64 KiB) while the file is
// small, then hugeChunkPages (2 MiB) from hugeChunkMin pages, then as
// many pages as the file already has (rounded down to a power of two),
// up to maxChunkPages (32 MiB). On Linux
// every 2 MiB-aligned 2 MiB of a chunk is madvise(MADV_HUGEPAGE)d before
// its first touch (pagealloc_linux.go), so the kernel backs it with one
// huge page and one TLB entry; elsewhere (js, wasip1) chunks are plain
// memory. See RATIONALE.md, "Why are a large file's pages allocated in
// chunks that grow with it?".
//
// Accounting: the pages of a chunk not yet handed to a folio are memory
// the VFS holds, so they are charged against the budget (pageCache.
// nrChunkSpare, part of memUsed: MemFree counts them as used, Cached does
// not) until a folio takes them or the mapping lets go of its chunk
// (when its last page leaves the cache). They are charged as the chunk
// is made, which fits in the free memory (chunkPages) and is made only
// if its spare pages still fit then (reserveChunkSpare); otherwise the
// page is allocated alone. A page that leaves the cache
// while others of its chunk stay cached keeps its memory until the
// whole chunk is free, when it goes to the pool of recycled chunks
// (pagechunk_pool.go) or, for a small chunk, to the collector; that
// memory is not charged (the slack the rationale describes).

// pageChunk is a run of pages allocated at once, with a Folio for each,
// handed out in order to the new folios of one mapping (AddressSpace.
// chunk): slot i is folios[i] with pages[i]. The pages stay in use while
// any of them is (then they are recycled, pagechunk_pool.go); the folios
// while any of them is referenced.
type pageChunk struct {
	pages  []([PAGE_SIZE]byte) // immutable
	folios []Folio             // immutable slice; each Folio is its folio's
	// next is the number of slots handed out (or claimed back by
	// releaseChunk); atomic. Indexes at or past len(pages) mean "used up".
	next atomic.Int32
	// ref is the chunk's entry in the index of recyclable chunks
	// (pagechunk_pool.go), which counts its pages in use; nil for a chunk
	// too small to be recycled. Set before any slot is handed out.
	ref *chunkRef
	// recycled: the pages came from chunkPool and hold an old file's
	// data, so chunkSlot zeroes each as it hands it out; immutable.
	recycled bool
	// hints says where the mapping's last few chunks (this one first)
	// put the pages of which file index, had their slots been handed out
	// in file order (chunkGuess); immutable. Addresses, not pointers: a
	// hint never keeps an old chunk in memory and is never read through.
	hints []chunkHint
}

// chunkHint is a chunk's prefetch hint: the file index its first slot
// went to, its size, and where its pages and folios lie.
type chunkHint struct {
	first, n      int64
	pages, folios uintptr
}

// maxChunkHints bounds the hints a chunk carries: the largest and newest
// chunks of a file, which hold most of its pages.
const maxChunkHints = 8

const (
	// pageChunkMin: mappings with fewer pages allocate page by page, so
	// small files never hold a chunk.
	pageChunkMin = 64
	// smallChunkPages is the chunk size below hugeChunkMin pages.
	smallChunkPages = 16
	// hugeChunkPages is a huge page's worth of pages (2 MiB), the chunk
	// size from hugeChunkMin pages on.
	hugeChunkPages = hugePageSize / PAGE_SIZE
	hugeChunkMin   = 512
	// maxChunkPages bounds the chunk size (32 MiB).
	maxChunkPages = 16 * hugeChunkPages
	// chunkBudgetShare: a chunk is at most 1/chunkBudgetShare of the
	// VFS's budget, so that a small budget never holds much memory in
	// spare pages.
	chunkBudgetShare = 16
	// hugePageSize is the size of an x86-64 (and arm64 4K-granule)
	// transparent huge page.
	hugePageSize = 2 << 20
)

// chunkPages returns the size, in pages, of the next chunk of a mapping
// that holds nrpages pages, in a VFS of the given budget with free bytes
// of it free: 0 when the mapping should allocate page by page. The chunk
// fits in the free memory as well as in a sixteenth of the budget: its
// spare pages are charged at once, and they must not take the budget
// past its end (a chunk that does not fit is halved, as for the budget).
func chunkPages(nrpages, budget, free int64) int64 {
	var n int64
	switch {
	case !largeFileChunks || nrpages < pageChunkMin:
		return 0
	case nrpages < hugeChunkMin:
		n = smallChunkPages
	default:
		n = hugeChunkPages
		for n*2 <= nrpages && n*2 <= maxChunkPages {
			n *= 2
		}
	}
	for n*PAGE_SIZE > min(budget/chunkBudgetShare, free) {
		if n <= smallChunkPages {
			return 0
		}
		if n <= hugeChunkPages {
			n = smallChunkPages
		} else {
			n /= 2
		}
	}
	return n
}

// newPageChunk makes a chunk of n pages and their folios, whose first
// slot goes to file index first, after prev (nil if none). Its pages
// come from chunkPool if it has n, else new, with huge pages asked for
// their aligned 2 MiB ranges (before anything touches them, so that the
// first fault brings in a huge page).
func newPageChunk(n, first int64, prev *pageChunk) *pageChunk {
	c := &pageChunk{folios: make([]Folio, n)}
	if chunkRecyclable(n) {
		c.pages = chunkPoolTake(n)
		c.recycled = c.pages != nil
	}
	if c.pages == nil {
		c.pages = make([]([PAGE_SIZE]byte), n)
		if n >= hugeChunkPages {
			adviseHuge(unsafe.Pointer(&c.pages[0]), uintptr(n)*PAGE_SIZE)
		}
	}
	c.hints = append(c.hints, chunkHint{first: first, n: n,
		pages: uintptr(unsafe.Pointer(&c.pages[0])), folios: uintptr(unsafe.Pointer(&c.folios[0]))})
	if prev != nil {
		c.hints = append(c.hints, prev.hints[:min(len(prev.hints), maxChunkHints-1)]...)
	}
	return c
}

// chunkGuess returns where the page and the Folio of file index idx
// would be if the mapping's recent chunks had been handed out in file
// order (as a file written or read in order has them): 0s when no
// recent chunk covers idx. Lock-free; a hint, for prefetching only.
func (m *AddressSpace) chunkGuess(idx int64) (data, folio uintptr) {
	c := m.chunk.Load()
	if c == nil {
		return 0, 0
	}
	for i := range c.hints {
		h := &c.hints[i]
		if k := idx - h.first; uint64(k) < uint64(h.n) {
			return h.pages + uintptr(k)*PAGE_SIZE, h.folios + uintptr(k)*unsafe.Sizeof(Folio{})
		}
	}
	return 0, 0
}

// hugeRanges calls fn with the offset from start of each
// hugePageSize-aligned range of hugePageSize bytes inside
// [start, start+size).
func hugeRanges(start, size uintptr, fn func(off uintptr)) {
	a := (start + hugePageSize - 1) &^ (hugePageSize - 1)
	for off := a - start; off+hugePageSize <= size; off += hugePageSize {
		fn(off)
	}
}

// allocPage gives f, a new folio of m not yet in m and seen by nobody
// else, a zeroed page: from m's chunk once m is large (chunkPages), else
// a page of its own (getPage).
func (m *AddressSpace) allocPage(f *Folio) {
	if s := m.chunkSlotIfLarge(m.nrpages.Load(), -1, true); s != nil {
		f.setChunkPage(s)
		return
	}
	f.setPoolPage(getPage())
}

// chunkSlotIfLarge is chunkSlot where chunks exist at all: where they do
// not (largeFileChunks false, under WebAssembly), the compiler drops the
// call.
func (m *AddressSpace) chunkSlotIfLarge(nr, idx int64, zero bool) *Folio {
	if !largeFileChunks || nr < pageChunkMin {
		return nil
	}
	return m.chunkSlot(nr, idx, zero)
}

// allocFolio is filemap_alloc_folio(): a new folio for file index idx
// of m, with one reference (the caller's) and no flags. Once m is large
// (chunkPages) folio and page come from m's chunk (the page zeroed
// unless nodata: FGP_NODATA's caller fills it all); otherwise the folio
// is allocated alone, with a zeroed page of its own unless nodata (the
// caller then fills the page with folioFillPage).
func (m *AddressSpace) allocFolio(idx int64, nodata bool) *Folio {
	f := m.chunkSlotIfLarge(m.nrpages.Load(), idx, !nodata)
	if f == nil {
		f = newFolio()
		if !nodata {
			f.setPoolPage(getPage())
		}
	}
	f.refcount.Store(1)
	return f
}

// chunkSlot hands out the next slot of m's chunk, for a mapping that
// held nr pages, making a new chunk when the last is used up (its first
// slot for file index idx; -1 when the caller does not know it): the
// slot's Folio, nobody else's yet, its data set to the slot's page,
// zeroed if zero (a recycled chunk's page holds old data otherwise).
// Nil when m is too small for chunks (chunkPages), or when a new chunk's
// spare pages would not fit in the budget (reserveChunkSpare): the
// caller then allocates the page alone, the one page it reserved
// (reserveFolio).
func (m *AddressSpace) chunkSlot(nr, idx int64, zero bool) *Folio {
	if nr < pageChunkMin {
		return nil
	}
	pc := &m.vfs().pc
	for {
		c := m.chunk.Load()
		if c != nil {
			if i := int64(c.next.Add(1)) - 1; i < int64(len(c.pages)) {
				pc.nrChunkSpare.Add(-1)
				return c.slot(i, zero)
			}
		}
		v := m.vfs()
		n := chunkPages(nr, v.rc.budget, v.memFree())
		if n == 0 {
			return nil
		}
		if !v.reserveChunkSpare(n - 1) {
			return nil // page by page: the caller reserved its page
		}
		first := idx
		if first < 0 {
			first = nr
		}
		nc := newPageChunk(n, first, c)
		nc.next.Store(1)
		// Indexed before it is published: a slot another allocation
		// takes from it may be freed at once.
		if chunkRecyclable(n) {
			chunkIndexAdd(nc)
		}
		if m.chunk.CompareAndSwap(c, nc) {
			return nc.slot(0, zero)
		}
		// A racing allocation installed a chunk first: use that one
		// (this one's spare pages are uncharged; its pages go to the
		// pool).
		pc.nrChunkSpare.Add(-(n - 1))
		if nc.ref != nil {
			nc.ref.pagesGone(int32(n), nil)
		}
	}
}

// slot returns slot i of c, just handed out: its Folio with its page,
// zeroed if zero. The Folio is marked folioChunkPage (with a plain
// store: nobody else sees it yet) if c is recyclable.
func (c *pageChunk) slot(i int64, zero bool) *Folio {
	f := &c.folios[i]
	f.data = &c.pages[i]
	if c.recycled && zero {
		clear(f.data[:])
	}
	if c.ref != nil {
		initU32(&f.flags, folioChunkPage)
	}
	return f
}

// base returns the address of c's first page.
func (c *pageChunk) base() uintptr { return uintptr(unsafe.Pointer(&c.pages[0])) }

// chunkHasSlot tells whether m's next new page comes from a slot of its
// chunk, a spare page charged already: m is large enough for chunks
// (chunkSlotIfLarge) and its chunk is not used up. False for a nil m. A
// hint for reserveFolio; a racing allocation may take the slot first.
func (m *AddressSpace) chunkHasSlot() bool {
	if !largeFileChunks || m == nil || m.nrpages.Load() < pageChunkMin {
		return false
	}
	c := m.chunk.Load()
	return c != nil && int64(c.next.Load()) < int64(len(c.pages))
}

// releaseChunk lets go of m's chunk and uncharges the pages it had not
// handed out: called as the mapping's last page leaves the cache.
func (m *AddressSpace) releaseChunk() {
	c := m.chunk.Swap(nil)
	if c == nil {
		return
	}
	// Claim the rest: allocations that come after this see the chunk
	// used up (and, finding m.chunk changed, start a new one).
	n := int64(len(c.pages))
	if handed := int64(c.next.Swap(1 << 30)); handed < n {
		m.vfs().pc.nrChunkSpare.Add(-(n - handed))
		if c.ref != nil {
			c.ref.pagesGone(int32(n-handed), nil)
		}
	}
}

// ChunkSparePages returns the pages the VFS's mappings hold in chunks
// without a folio yet (charged against the budget, not in Cached).
func (v *VFS) ChunkSparePages() int64 { return v.pc.nrChunkSpare.Load() }
