package vfs

import (
	"runtime"
	"unsafe"

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
// a chunk carries folioChunkPage, and freePage finds the chunk by the
// page's address in chunkIndex, the recyclable chunks with pages in use,
// sorted by address.
//
// Safety is the rule of the pool of free pages (pagefree.go): a page is
// freed when the last reference to its folio goes, and nobody touches it
// after that. A chunk is recycled once all its pages are (pageChunk.live
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
// collections a chunk may sit through in the pool. Variables for the
// tests, under chunkPool.mu.
var (
	chunkPoolMax    int64 = 8 * maxChunkPages * PAGE_SIZE
	chunkPoolMaxAge       = 2
)

var chunkPool struct {
	// mu protects free, bytes and the writers of index. A leaf lock
	// outside the lock model, like freePages.mu: freePage runs wherever a
	// folio's last reference goes, and nothing is taken under it.
	mu lock.LeafMutex
	// free holds the chunks' pages waiting for reuse, oldest first.
	free []pooledChunk
	// bytes is the size of free's pages.
	bytes int64
	// index is chunkIndex: an immutable slice, replaced under mu, read
	// without it.
	index atomic.Pointer[[]*pageChunk]
	// aging: a collection-driven aging pass is armed (chunkPoolArm).
	aging bool
}

// pooledChunk is a chunk's pages in the pool, and the collections they
// have sat there through.
type pooledChunk struct {
	pages []([PAGE_SIZE]byte)
	age   int
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
			chunkPool.free = append(chunkPool.free[:i], chunkPool.free[i+1:]...)
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
	runtime.AddCleanup(&gcTick{}, func(struct{}) { chunkPoolAge() }, struct{}{})
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

// chunkIndexAdd enters a recyclable chunk in the index.
func chunkIndexAdd(c *pageChunk) {
	chunkPool.mu.Lock()
	defer chunkPool.mu.Unlock()
	var old []*pageChunk
	if p := chunkPool.index.Load(); p != nil {
		old = *p
	}
	base := c.base()
	i := chunkSearch(old, base)
	idx := make([]*pageChunk, 0, len(old)+1)
	idx = append(append(append(idx, old[:i]...), c), old[i:]...)
	chunkPool.index.Store(&idx)
}

// chunkSearch returns the position of the first chunk of idx whose pages
// start after addr.
func chunkSearch(idx []*pageChunk, addr uintptr) int {
	lo, hi := 0, len(idx)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if idx[mid].base() <= addr {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// chunkOf returns the indexed chunk holding page p.
func chunkOf(p *[PAGE_SIZE]byte) *pageChunk {
	a := uintptr(unsafe.Pointer(p))
	if ip := chunkPool.index.Load(); ip != nil {
		idx := *ip
		if i := chunkSearch(idx, a) - 1; i >= 0 {
			if c := idx[i]; a-c.base() < uintptr(len(c.pages))*PAGE_SIZE {
				return c
			}
		}
	}
	panic("vfs: a chunk page belongs to no indexed chunk")
}

// pagesGone takes k slots of c off its live count: pages freed, or
// slots releaseChunk claimed back unused. The last one takes c out of
// the index and gives its pages to the pool.
func (c *pageChunk) pagesGone(k int32) {
	if k == 0 || c.live.Add(-k) != 0 {
		return
	}
	chunkPool.mu.Lock()
	defer chunkPool.mu.Unlock()
	old := *chunkPool.index.Load()
	i := chunkSearch(old, c.base()) - 1
	if i < 0 || old[i] != c {
		panic("vfs: a recycled chunk is not in the index")
	}
	idx := make([]*pageChunk, 0, len(old)-1)
	idx = append(append(idx, old[:i]...), old[i+1:]...)
	chunkPool.index.Store(&idx)
	chunkPoolPutLocked(c.pages)
}

// chunkPageFreed is freePage's part for a page from a recyclable chunk.
func chunkPageFreed(p *[PAGE_SIZE]byte) { chunkOf(p).pagesGone(1) }
