package vfs

import (
	"math/bits"
	"unsafe"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// The page index of an address_space: a radix tree of 64-slot nodes, like
// Linux's xarray (lib/xarray.c), holding *Folio at the leaves. Readers
// take no lock: every slot is an atomic pointer and a node, once made, is
// never reused for another range, so a reader that raced a removal finds
// nil or a folio whose mapping it then checks (filemapGetFolio). Writers
// hold the mapping's xa_lock.
//
// Each node keeps, per mark (the page cache's DIRTY, WRITEBACK and
// TOWRITE tags), a 64-bit word with a bit per slot; an interior node's
// bit is set when the child below has any bit of that mark, so tagged
// lookups skip untagged subtrees (xas_find_marked).
//
// A mapping holding only page 0 (most small files) has no node: the
// folio sits in single, as Linux stores an entry at index 0 in xa_head.
// seq, bumped by writers around the move between single and the tree,
// lets readers notice that move.
//
// A leaf also keeps prefetch hints (xaRun): where the folios and pages of
// each run of 16 slots would be if they lay in a row, so that a reader
// can ask for the folio and the page before it has the slot's pointer
// (loadPrefetch; RATIONALE.md, "Why does a read prefetch from addresses
// it only guessed?").

// Page cache tags (PAGECACHE_TAG_*, xarray marks 0..2).
const (
	PAGECACHE_TAG_DIRTY     = 0
	PAGECACHE_TAG_WRITEBACK = 1
	PAGECACHE_TAG_TOWRITE   = 2
	xaMarks                 = 3
)

const (
	xaChunkShift = 6
	xaChunkSize  = 1 << xaChunkShift
	xaChunkMask  = xaChunkSize - 1
)

// xaNode is struct xa_node. shift is immutable; the rest is written under
// xa_lock; slots and marks are also read without it.
type xaNode struct {
	shift  uint8 // 0 for a leaf (slots hold folios), else children hold nodes
	offset uint8 // slot in parent
	count  uint8 // non-nil slots
	parent *xaNode
	marks  [xaMarks]atomic.Uint64
	slots  [xaChunkSize]unsafe.Pointer // *xaNode or, in a leaf, *Folio; atomic
	// runs holds, in a leaf, where the pages and folios of each run of
	// xaRunPages slots probably are (see xaRun): atomic hints, written
	// by store under xa_lock and by readers holding only a folio lock.
	runs [xaChunkSize / xaRunPages]xaRun
}

func (n *xaNode) load(off int) unsafe.Pointer { return atomic.LoadPointer(&n.slots[off]) }

// xarray is struct xarray for the page cache.
type xarray struct {
	seq         atomic.Uint32 // odd while single and head are changing
	singleMarks atomic.Uint32 // the marks of single, bit per mark
	single      atomic.Pointer[Folio]
	head        atomic.Pointer[xaNode]
}

// maxIndex returns the highest index n can hold.
func (n *xaNode) maxIndex() int64 {
	s := uint(n.shift) + xaChunkShift
	if s >= 63 {
		return 1<<63 - 1
	}
	return 1<<s - 1
}

// load is xa_load(): the folio at idx, or nil. Lock-free.
func (xa *xarray) load(idx int64) *Folio {
	for {
		s := xa.seq.Load()
		if s&1 != 0 {
			continue
		}
		var f *Folio
		if n := xa.head.Load(); n != nil {
			f = xaWalk(n, idx)
		} else if idx == 0 {
			f = xa.single.Load()
		}
		if xa.seq.Load() == s {
			return f
		}
	}
}

// xaRunPages is the number of slots one xaRun describes: the smallest
// chunk of pages (smallChunkPages; larger chunks hold whole runs), so
// that a file written in order has each run's pages side by side.
const xaRunPages = smallChunkPages

// xaRun is a prefetch hint for a run of xaRunPages slots of a leaf: the
// address the run's first page and first folio would have if its pages,
// and its folios, lay one after another in memory, as they do for a file
// written in order (pages from one chunk, folios allocated in turn). A
// reader that knows the index computes from it where page and folio
// probably are and asks the CPU for both before it reaches the leaf's
// slot, so that the misses on the slot, the folio and the page overlap
// instead of following one another. Nothing is read through a hint: a
// wrong one costs a wasted fetch. store sets them; a reader that finds
// the page elsewhere corrects the data hint (xaNode.fixRun).
type xaRun struct {
	data  atomic.Uint64 // address of slot 0's page, were the run's pages in a row
	folio atomic.Uint64 // address of slot 0's Folio, likewise
}

// runGuess returns the page and Folio addresses the run hint gives for
// slot off (0s when unknown).
func (n *xaNode) runGuess(off int) (data, folio uintptr) {
	r := &n.runs[off/xaRunPages]
	k := uintptr(off % xaRunPages)
	if d := uintptr(r.data.Load()); d != 0 {
		data = d + k*PAGE_SIZE
	}
	if f := uintptr(r.folio.Load()); f != 0 {
		folio = f + k*unsafe.Sizeof(Folio{})
	}
	return data, folio
}

// setRunData makes the run hint of slot off agree with page d.
func (n *xaNode) setRunData(off int, d *[PAGE_SIZE]byte) {
	k := uintptr(off % xaRunPages)
	n.runs[off/xaRunPages].data.Store(uint64(uintptr(unsafe.Pointer(d)) - k*PAGE_SIZE))
}

// setRunFolio makes the run hint of slot off agree with folio f.
func (n *xaNode) setRunFolio(off int, f *Folio) {
	k := uintptr(off % xaRunPages)
	n.runs[off/xaRunPages].folio.Store(uint64(uintptr(unsafe.Pointer(f)) - k*unsafe.Sizeof(Folio{})))
}

// loadPrefetch is load for a reader about to lock the folio and copy
// lines cache lines of its page from byte po: on the way down it asks
// the CPU for the leaf's slot and for the folio and the page, so that
// their misses overlap. gd and gf are the page and Folio addresses the
// caller guessed (AddressSpace.chunkGuess) and prefetched already; when
// it has none (0s), the leaf's run hint gives them. It returns the leaf (nil for single, and
// when the caller guessed) and the page address the run hint gave, for
// fixRun. Lock-free.
func (xa *xarray) loadPrefetch(idx int64, po, lines int, gd, gf uintptr) (*Folio, *xaNode, uintptr) {
	for {
		s := xa.seq.Load()
		if s&1 != 0 {
			continue
		}
		var f *Folio
		var leaf *xaNode
		var guess uintptr
		if n := xa.head.Load(); n != nil {
			if leaf = xaLeaf(n, idx); leaf != nil {
				off := int(idx) & xaChunkMask
				// The slot's load first: it does not wait for the
				// hint, and the prefetches do not wait for it.
				f = (*Folio)(leaf.load(off))
				if gd != 0 || gf != 0 {
					// The caller prefetched what it guessed, and
					// there is no run hint to fix.
					leaf = nil
				} else {
					d, fo := leaf.runGuess(off)
					guess = d
					if d != 0 {
						d += uintptr(po)
					}
					prefetchRead(uintptr(unsafe.Pointer(&leaf.slots[off])), fo, d, lines)
				}
			}
		} else if idx == 0 {
			f = xa.single.Load()
		}
		if xa.seq.Load() == s {
			return f, leaf, guess
		}
	}
}

// fixRun corrects the data hint of idx's run when the reader, holding
// f's lock, found f's page somewhere other than guess said: always when
// there was no hint, otherwise only from the run's first slot, so that
// the pages of a file laid out at random cost a store to the leaf on one
// read in xaRunPages rather than on every read.
func (n *xaNode) fixRun(idx int64, f *Folio, guess uintptr) {
	d := uintptr(unsafe.Pointer(f.data))
	if d == guess || d == 0 || (guess != 0 && idx%xaRunPages != 0) {
		return
	}
	n.setRunData(int(idx)&xaChunkMask, f.data)
}

func xaWalk(n *xaNode, idx int64) *Folio {
	if idx > n.maxIndex() {
		return nil
	}
	for n.shift > 0 {
		n = (*xaNode)(n.load(int(idx>>n.shift) & xaChunkMask))
		if n == nil {
			return nil
		}
	}
	return (*Folio)(n.load(int(idx) & xaChunkMask))
}

// leaf returns the leaf node covering idx, or nil. Lock-free; for
// callers that read consecutive slots of one leaf.
func (xa *xarray) leaf(idx int64) *xaNode {
	return xaLeaf(xa.head.Load(), idx)
}

func xaLeaf(n *xaNode, idx int64) *xaNode {
	if n == nil || idx > n.maxIndex() {
		return nil
	}
	// Descend by the root's height, so that the leaf itself is first
	// touched at the slot the caller wants (not at its header).
	for sh := uint(n.shift); sh > 0; sh -= xaChunkShift {
		n = (*xaNode)(n.load(int(idx>>sh) & xaChunkMask))
		if n == nil {
			return nil
		}
	}
	return n
}

// store puts f at idx, which must be empty. xa_lock held.
func (xa *xarray) store(idx int64, f *Folio) {
	root := xa.head.Load()
	if root == nil {
		if idx == 0 && xa.single.Load() == nil {
			xa.single.Store(f)
			return
		}
		// Move single (if any) into a new leaf, then store.
		root = &xaNode{}
		xa.seq.Add(1)
		if s := xa.single.Load(); s != nil {
			atomic.StorePointer(&root.slots[0], unsafe.Pointer(s))
			root.count = 1
			sm := xa.singleMarks.Load()
			for m := range xaMarks {
				if sm&(1<<m) != 0 {
					root.marks[m].Store(1)
				}
			}
		}
		xa.head.Store(root)
		xa.single.Store(nil)
		xa.singleMarks.Store(0)
		xa.seq.Add(1)
	}
	for idx > root.maxIndex() {
		// Grow: a new root with the old one at slot 0.
		nr := &xaNode{shift: root.shift + xaChunkShift}
		if root.count > 0 {
			atomic.StorePointer(&nr.slots[0], unsafe.Pointer(root))
			nr.count = 1
			root.parent = nr
			root.offset = 0
			for m := range xaMarks {
				if root.marks[m].Load() != 0 {
					nr.marks[m].Store(1)
				}
			}
		}
		xa.head.Store(nr)
		root = nr
	}
	n := root
	for n.shift > 0 {
		off := int(idx>>n.shift) & xaChunkMask
		c := (*xaNode)(n.load(off))
		if c == nil {
			c = &xaNode{shift: n.shift - xaChunkShift, parent: n, offset: uint8(off)}
			atomic.StorePointer(&n.slots[off], unsafe.Pointer(c))
			n.count++
		}
		n = c
	}
	off := int(idx) & xaChunkMask
	if n.load(off) != nil {
		panic("vfs: xarray store over an entry")
	}
	n.setRunFolio(off, f)
	if f.data != nil {
		n.setRunData(off, f.data)
	}
	atomic.StorePointer(&n.slots[off], unsafe.Pointer(f))
	n.count++
}

// erase removes the entry at idx, freeing nodes left empty, and clears its
// marks. xa_lock held.
func (xa *xarray) erase(idx int64) {
	root := xa.head.Load()
	if root == nil {
		if idx == 0 {
			xa.single.Store(nil)
			xa.singleMarks.Store(0)
		}
		return
	}
	n := xa.leafLocked(idx)
	if n == nil {
		return
	}
	off := int(idx) & xaChunkMask
	if n.load(off) == nil {
		return
	}
	for m := range xaMarks {
		xa.clearNodeMark(n, off, m)
	}
	atomic.StorePointer(&n.slots[off], nil)
	n.count--
	for n.count == 0 {
		p := n.parent
		if p == nil {
			xa.head.Store(nil)
			return
		}
		atomic.StorePointer(&p.slots[n.offset], nil)
		p.count--
		n = p
	}
}

func (xa *xarray) leafLocked(idx int64) *xaNode { return xa.leaf(idx) }

// setMark sets mark m on the entry at idx, and on every ancestor. xa_lock
// held; the entry exists.
func (xa *xarray) setMark(idx int64, m int) {
	n := xa.leafLocked(idx)
	if n == nil {
		if idx == 0 && xa.head.Load() == nil {
			xa.singleMarks.Or(1 << m)
		}
		return
	}
	off := int(idx) & xaChunkMask
	for n != nil {
		bit := uint64(1) << off
		if n.marks[m].Load()&bit != 0 {
			return
		}
		n.marks[m].Or(bit)
		off = int(n.offset)
		n = n.parent
	}
}

// clearMark clears mark m on the entry at idx, and on ancestors left
// without any. xa_lock held.
func (xa *xarray) clearMark(idx int64, m int) {
	n := xa.leafLocked(idx)
	if n == nil {
		if idx == 0 && xa.head.Load() == nil {
			xa.singleMarks.And(^uint32(1 << m))
		}
		return
	}
	xa.clearNodeMark(n, int(idx)&xaChunkMask, m)
}

func (xa *xarray) clearNodeMark(n *xaNode, off, m int) {
	for n != nil {
		bit := uint64(1) << off
		if n.marks[m].Load()&bit == 0 {
			return
		}
		if n.marks[m].And(^bit)&^bit != 0 {
			return // other slots of n keep the mark: ancestors stay set
		}
		off = int(n.offset)
		n = n.parent
	}
}

// getMark reports whether the entry at idx has mark m.
func (xa *xarray) getMark(idx int64, m int) bool {
	n := xa.leaf(idx)
	if n == nil {
		return idx == 0 && xa.head.Load() == nil && xa.singleMarks.Load()&(1<<m) != 0
	}
	return n.marks[m].Load()&(1<<(idx&xaChunkMask)) != 0
}

// anyMark reports whether some entry has mark m (mapping_tagged).
func (xa *xarray) anyMark(m int) bool {
	if n := xa.head.Load(); n != nil {
		return n.marks[m].Load() != 0
	}
	return xa.singleMarks.Load()&(1<<m) != 0
}

// find calls fn for each entry with index in [start, end] in order,
// with mark m (m < 0: every entry), until fn returns false. Subtrees
// without the mark are skipped. Lock-free: entries may be stale, as for
// xas_find under RCU; callers check what they get.
func (xa *xarray) find(start, end int64, m int, fn func(idx int64, f *Folio) bool) {
	if start > end {
		return
	}
	root := xa.head.Load()
	if root == nil {
		if start == 0 {
			if f := xa.single.Load(); f != nil && (m < 0 || xa.singleMarks.Load()&(1<<m) != 0) {
				// Re-check: single may have moved into a new tree.
				if xa.head.Load() == nil {
					fn(0, f)
					return
				}
				xa.find(start, end, m, fn)
			}
		}
		return
	}
	if end > root.maxIndex() {
		end = root.maxIndex()
	}
	xaFindNode(root, 0, start, end, m, fn)
}

// xaFindNode visits n, which covers indices from base; reports false if
// fn asked to stop.
func xaFindNode(n *xaNode, base, start, end int64, m int, fn func(int64, *Folio) bool) bool {
	shift := uint(n.shift)
	first := 0
	if start > base {
		first = int((start - base) >> shift)
	}
	last := int((end - base) >> shift)
	if last > xaChunkMask {
		last = xaChunkMask
	}
	for off := first; off <= last; off++ {
		if m >= 0 {
			// Jump to the next marked slot.
			w := n.marks[m].Load() >> off
			if w == 0 {
				return true
			}
			off += bits.TrailingZeros64(w)
			if off > last {
				return true
			}
		}
		p := n.load(off)
		if p == nil {
			continue
		}
		idx := base + int64(off)<<shift
		if shift == 0 {
			if !fn(idx, (*Folio)(p)) {
				return false
			}
			continue
		}
		if !xaFindNode((*xaNode)(p), idx, max(start, idx), end, m, fn) {
			return false
		}
	}
	return true
}

// nextHole returns the first index in [start, end] with no entry, or
// end+1. Lock-free. Full leaves are skipped by their count.
func (xa *xarray) nextHole(start, end int64) int64 {
	idx := start
	for idx <= end {
		if xa.head.Load() == nil {
			if idx == 0 && xa.single.Load() != nil {
				idx = 1
				continue
			}
			return idx
		}
		n := xa.leaf(idx)
		if n == nil {
			return idx
		}
		for off := int(idx) & xaChunkMask; off < xaChunkSize && idx <= end; off++ {
			if n.load(off) == nil {
				return idx
			}
			idx++
		}
	}
	return end + 1
}

// nodeCount returns the number of nodes of the tree (for the cost test).
func (xa *xarray) nodeCount() int {
	var walk func(n *xaNode) int
	walk = func(n *xaNode) int {
		c := 1
		if n.shift > 0 {
			for off := range xaChunkSize {
				if p := n.load(off); p != nil {
					c += walk((*xaNode)(p))
				}
			}
		}
		return c
	}
	if n := xa.head.Load(); n != nil {
		return walk(n)
	}
	return 0
}
