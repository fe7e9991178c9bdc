package vfs

import (
	"runtime"
	"slices"
	"unsafe"
	"weak"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
)

// Recycled chunks. Linux gives a freed page back to its page allocator,
// and the next allocation takes it, still warm, from there. A chunk of
// pages (pagealloc.go) used to go to the collector once its pages were
// all gone, so a large file written, deleted and written again took each
// new chunk from memory the collector had just swept: zeroed again in
// one pass that evicted it from the caches, often faulted in anew (a
// huge page cleared by the kernel first), with the heap growing by a
// file at a time and collections to match. Now a chunk of hugeChunkPages
// pages or more whose every page has been freed gives its pages to
// chunkPool, and newPageChunk takes pages of the size it wants from
// there first. A recycled chunk's pages hold what the old file left, so
// chunkSlot zeroes each page as it hands it out, just before the writer
// fills it, rather than the whole chunk at once.
//
// Which chunk a freed page belongs to: a folio whose page came from such
// a chunk carries folioChunkPage, and freePage finds the chunk's entry
// (chunkRef) by the page's address in chunkPool.index, the recyclable
// chunks with pages in use, sorted by address. An entry holds its pages
// weakly: a chunk whose folios become garbage without being freed (a VFS
// dropped without unmounting it) is collected as before, and a cleanup
// takes its entry out of the index.
//
// Safety is the rule of the pool of free pages (pagefree.go): a page is
// freed when the last reference to its folio goes, and nobody touches it
// after that. A chunk is recycled once all its pages are (chunkRef.live
// counts the rest); its Folios are not recycled, only its pages, so a
// lock-free lookup still holding an old *Folio finds it out of its
// mapping, as it always did.
//
// The pool is the process's, as freePages is, and bounded: at most
// chunkPoolMax bytes, and a chunk that sits there through two garbage
// collections goes back to the collector, so that memory a process has
// stopped using for files returns to Go's heap (and from there to the
// OS) about as it did without the pool.

// chunkPoolMax bounds the bytes in the pool: eight of the largest
// chunks, a 256 MiB file's worth. chunkPoolMaxAge is how many
// collections a chunk may sit through in the pool. chunkPoolGCAging
// false leaves the aging to chunkPoolAge's direct calls: a test that
// counts the passes turns the collections' off, since a collection can
// run at any moment. Variables for the tests, under chunkPool.mu.
var (
	chunkPoolMax     int64 = 8 * maxChunkPages * PAGE_SIZE
	chunkPoolMaxAge        = 2
	chunkPoolGCAging       = true
)

var chunkPool struct {
	// mu protects free, bytes, aging, chunkPoolMax, chunkPoolMaxAge and
	// chunkPoolGCAging,
	// and serialises the writers of index. A leaf lock outside the lock
	// model, like freePages.mu: freePage runs wherever a folio's last
	// reference goes, and nothing is taken under it.
	mu lock.LeafMutex
	// free holds the chunks' pages waiting for reuse, oldest first.
	free []pooledChunk
	// bytes is the size of free's pages.
	bytes int64
	// index holds the entries of the recyclable chunks with pages in
	// use, sorted by address: an immutable slice, replaced under mu, read
	// without it.
	index atomic.Pointer[[]*chunkRef]
	// aging: a collection-driven aging pass is armed (chunkPoolArm).
	aging bool
}

// pooledChunk is a chunk's pages in the pool, and the collections they
// have sat there through.
type pooledChunk struct {
	pages []([PAGE_SIZE]byte)
	age   int
}

// chunkRef is a recyclable chunk's entry in the index. It refers to the
// pages weakly, so the index never keeps a chunk alive.
type chunkRef struct {
	// base and n say where the pages lie; immutable.
	base uintptr
	n    int64
	// live counts the slots whose page is not yet free: all of them at
	// first; each page freed (chunkPageFreed) and the slots releaseChunk
	// claims back unused take theirs off, and the last gives the pages to
	// the pool.
	live atomic.Int32
	// pages is the chunk's first page, weakly; immutable.
	pages weak.Pointer[[PAGE_SIZE]byte]
	// cleanup takes the entry out of the index once the pages are
	// garbage; set under chunkPool.mu before the entry is published.
	cleanup runtime.Cleanup
}

// chunkRecyclable tells whether a chunk of n pages takes part in
// recycling: the huge-page sized ones and up, which hold almost all of a
// large file's pages (the 16-page chunks of mid-sized files would make
// the index long for little memory).
func chunkRecyclable(n int64) bool { return n >= hugeChunkPages }

// chunkPoolTake returns pages of n slots from the pool, nil if it has
// none of that size.
func chunkPoolTake(n int64) []([PAGE_SIZE]byte) {
	chunkPool.mu.Lock()
	defer chunkPool.mu.Unlock()
	for i := len(chunkPool.free) - 1; i >= 0; i-- {
		if p := chunkPool.free[i].pages; int64(len(p)) == n {
			chunkPool.free = slices.Delete(chunkPool.free, i, i+1) // zeroes the tail
			chunkPool.bytes -= n * PAGE_SIZE
			return p
		}
	}
	return nil
}

// chunkPoolPut gives pages back to the pool, to the collector if it is
// full.
func chunkPoolPut(p []([PAGE_SIZE]byte)) {
	chunkPool.mu.Lock()
	defer chunkPool.mu.Unlock()
	chunkPoolPutLocked(p)
}

func chunkPoolPutLocked(p []([PAGE_SIZE]byte)) {
	size := int64(len(p)) * PAGE_SIZE
	if chunkPool.bytes+size > chunkPoolMax {
		return
	}
	chunkPool.free = append(chunkPool.free, pooledChunk{pages: p})
	chunkPool.bytes += size
	if !chunkPool.aging {
		chunkPool.aging = true
		chunkPoolArm()
	}
}

// gcTick is an object whose collection tells chunkPoolAge that a
// garbage collection has run (it holds a pointer, so it is never one
// of the tiny allocations that share a block).
type gcTick struct{ _ *gcTick }

// chunkPoolArm asks to run chunkPoolAge after the next collection.
// Under chunkPool.mu.
func chunkPoolArm() {
	runtime.AddCleanup(&gcTick{}, func(struct{}) { chunkPoolGCAge() }, struct{}{})
}

// chunkPoolGCAge is the aging pass a collection runs: chunkPoolAge, or
// while chunkPoolGCAging is off only the arming for the next collection.
func chunkPoolGCAge() {
	chunkPool.mu.Lock()
	gc := chunkPoolGCAging
	if !gc {
		chunkPoolArm()
	}
	chunkPool.mu.Unlock()
	if gc {
		chunkPoolAge()
	}
}

// chunkPoolAge runs once per collection while the pool holds pages: it
// gives the collector back the chunks that sat in the pool through two
// collections, and stops once the pool is empty.
func chunkPoolAge() {
	chunkPool.mu.Lock()
	defer chunkPool.mu.Unlock()
	kept := chunkPool.free[:0]
	for _, c := range chunkPool.free {
		if c.age++; c.age < chunkPoolMaxAge {
			kept = append(kept, c)
		} else {
			chunkPool.bytes -= int64(len(c.pages)) * PAGE_SIZE
		}
	}
	clear(chunkPool.free[len(kept):])
	chunkPool.free = kept
	if chunkPool.aging = len(kept) > 0; chunkPool.aging {
		chunkPoolArm()
	}
}

// ChunkPoolBytes returns the bytes of recycled chunk pages in the
// process's pool.
func ChunkPoolBytes() int64 {
	chunkPool.mu.Lock()
	defer chunkPool.mu.Unlock()
	return chunkPool.bytes
}

// chunkIndexAdd makes c's entry and enters it in the index, before any
// of c's slots can be handed out (and so freed). An entry whose range
// overlaps c's is stale: its pages were collected and their memory
// reused, its cleanup not yet run; it goes.
func chunkIndexAdd(c *pageChunk) {
	r := &chunkRef{base: c.base(), n: int64(len(c.pages)), pages: weak.Make(&c.pages[0])}
	r.live.Store(int32(r.n))
	c.ref = r
	chunkPool.mu.Lock()
	defer chunkPool.mu.Unlock()
	r.cleanup = runtime.AddCleanup(&c.pages[0], chunkIndexDrop, r)
	end := r.base + uintptr(r.n)*PAGE_SIZE
	idx := slices.DeleteFunc(slices.Clone(chunkIndexLoad()), func(e *chunkRef) bool {
		return e.base < end && r.base < e.base+uintptr(e.n)*PAGE_SIZE
	})
	idx = slices.Insert(idx, chunkSearch(idx, r.base), r)
	chunkPool.index.Store(&idx)
}

// chunkIndexLoad returns the index.
func chunkIndexLoad() []*chunkRef {
	if p := chunkPool.index.Load(); p != nil {
		return *p
	}
	return nil
}

// chunkIndexRemove takes r out of the index if it is there. Under
// chunkPool.mu.
func chunkIndexRemove(r *chunkRef) {
	old := chunkIndexLoad()
	i := slices.Index(old, r)
	if i < 0 {
		return
	}
	idx := slices.Delete(slices.Clone(old), i, i+1)
	chunkPool.index.Store(&idx)
}

// chunkIndexDrop is the cleanup of a chunk whose pages became garbage
// before all were freed (their VFS was dropped): its entry goes.
func chunkIndexDrop(r *chunkRef) {
	chunkPool.mu.Lock()
	chunkIndexRemove(r)
	chunkPool.mu.Unlock()
}

// chunkSearch returns the position of the first entry of idx whose pages
// start after addr.
func chunkSearch(idx []*chunkRef, addr uintptr) int {
	lo, hi := 0, len(idx)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if idx[mid].base <= addr {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// chunkOf returns the index entry of the chunk holding page p.
func chunkOf(p *[PAGE_SIZE]byte) *chunkRef {
	a := uintptr(unsafe.Pointer(p))
	idx := chunkIndexLoad()
	if i := chunkSearch(idx, a) - 1; i >= 0 {
		if r := idx[i]; a-r.base < uintptr(r.n)*PAGE_SIZE {
			return r
		}
	}
	panic("vfs: a chunk page belongs to no indexed chunk")
}

// pagesGone takes k slots of r's chunk off its live count: pages freed,
// or slots releaseChunk claimed back unused. The last one takes the
// entry out of the index and gives the pages to the pool; p, a page of
// the chunk or nil, keeps them reachable meanwhile.
func (r *chunkRef) pagesGone(k int32, p *[PAGE_SIZE]byte) {
	if k == 0 || r.live.Add(-k) != 0 {
		return
	}
	chunkPool.mu.Lock()
	defer chunkPool.mu.Unlock()
	chunkIndexRemove(r)
	r.cleanup.Stop()
	if first := r.pages.Value(); first != nil {
		chunkPoolPutLocked(unsafe.Slice(first, r.n))
	}
	runtime.KeepAlive(p)
}

// chunkPageFreed is freePage's part for a page from a recyclable chunk.
func chunkPageFreed(p *[PAGE_SIZE]byte) { chunkOf(p).pagesGone(1, p) }
