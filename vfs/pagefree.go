package vfs

import (
	"unsafe"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
)

// The free pages: Linux returns a page whose last reference is dropped
// to the page allocator (free_unref_folio: the per-CPU lists, then the
// buddy free lists), and the next allocation takes it from there. Here
// a folio's page goes back to freePages when its reference count falls
// to zero (FolioPut), and new folios take their page from there before
// asking Go's allocator for one. In Go a 4 KiB allocation costs a span
// refill every second page (the 4096-byte size class holds two objects
// per span), its zeroing, and its share of the collections its bytes
// bring on; under GOOS=js, where the collector runs on the one thread,
// a page from Go's heap costs 1 to 2 µs against about 0.1 µs from the
// pool. The pool is the process's, as Linux's allocator is the
// machine's: every VFS of the process returns and takes pages there.
// It holds at most freePagesMax pages; a page freed beyond that goes to
// the collector.
//
// Safety is Linux's rule: nobody touches a folio's page without holding
// a reference or the folio lock on a folio still in its mapping (a
// lookup that locks a folio without a reference finds its mapping gone
// and retries, never reading the page). A page in the pool is reused,
// so a path that broke the rule would see another file's data, where
// with the collector it saw stale data of its own; the hammer tests
// compare every byte against a model.
var freePages struct {
	// mu protects list. A leaf lock outside the lock model (zone->lock:
	// FolioPut runs in any context and takes nothing under it).
	mu   lock.LeafMutex
	list []*[PAGE_SIZE]byte
	// n is len(list), written under mu and read without it, so that an
	// allocation finding the pool empty takes no lock.
	n atomic.Int32
	// next is the address of the page the next poolPage will take, as
	// the last one saw it: a prefetch hint (poolPrefetchRest), which a
	// page taken or freed since makes stale, and a stale hint costs one
	// wasted fetch. Written after mu is released.
	next atomic.Uint64
}

// freePagesMax bounds the pool: 64 MiB. Under freePages.mu (a variable
// for the tests).
var freePagesMax = 16384

// poolPage takes a page from the pool, nil if it is empty. The page holds
// what its last folio left there.
func poolPage() *[PAGE_SIZE]byte {
	if freePages.n.Load() == 0 {
		return nil
	}
	freePages.mu.Lock()
	n := len(freePages.list)
	if n == 0 {
		freePages.mu.Unlock()
		return nil
	}
	p := freePages.list[n-1]
	freePages.list[n-1] = nil
	freePages.list = freePages.list[:n-1]
	freePages.n.Store(int32(n - 1))
	var next uintptr
	if havePrefetch && n >= 2 {
		next = uintptr(unsafe.Pointer(freePages.list[n-2]))
	}
	freePages.mu.Unlock()
	if next != 0 {
		// The page the next allocation will take is fetched into the
		// caches while this one is filled and the rest of its
		// operation runs: a pool page is memory freed a while ago,
		// and writing its 64 lines cold made each store wait for its
		// line (a third of a small file's create and write). Half
		// now, half when this page is filled (poolPrefetchRest): a
		// core has about a dozen line fill buffers, and 64 prefetches
		// at once stalled it until most of them were back.
		prefetchRead(next, 0, next, PAGE_SIZE/2/64)
		freePages.next.Store(uint64(next))
	}
	return p
}

// poolPrefetchRest asks for the second half of the page poolPage
// prefetched half of. Called once the page poolPage returned is filled.
func poolPrefetchRest() {
	if p := uintptr(freePages.next.Load()); havePrefetch && p != 0 {
		p += PAGE_SIZE / 2
		prefetchRead(p, 0, p, PAGE_SIZE/2/64)
	}
}

// getPage returns a zeroed page: from the pool, or new from Go's heap.
func getPage() *[PAGE_SIZE]byte {
	if p := poolPage(); p != nil {
		clear(p[:])
		poolPrefetchRest()
		return p
	}
	return newPages()
}

// newPages returns a new zeroed page from Go's heap, after putting
// poolRefill-1 more allocated with it in the pool (pagealloc_wasm.go).
func newPages() *[PAGE_SIZE]byte {
	if poolRefill == 1 {
		return new([PAGE_SIZE]byte)
	}
	b := make([][PAGE_SIZE]byte, poolRefill)
	freePages.mu.Lock()
	for i := 1; i < poolRefill && len(freePages.list) < freePagesMax; i++ {
		freePages.list = append(freePages.list, &b[i])
	}
	freePages.n.Store(int32(len(freePages.list)))
	freePages.mu.Unlock()
	return &b[0]
}

// newPageCopy returns a page holding a copy of src's first PAGE_SIZE bytes:
// from the pool, or new from Go's heap without zeroing it first (the
// compiler skips the zeroing of a slice made for a copy).
func newPageCopy(src []byte) *[PAGE_SIZE]byte {
	src = src[:PAGE_SIZE]
	p := poolPage()
	if p == nil && poolRefill > 1 {
		p = newPages()
	}
	if p == nil {
		b := make([]byte, len(src))
		copy(b, src)
		return (*[PAGE_SIZE]byte)(b)
	}
	copy(p[:], src)
	return p
}

// putPage gives a page nobody references any more back to the pool.
func putPage(p *[PAGE_SIZE]byte) {
	freePages.mu.Lock()
	if n := len(freePages.list); n < freePagesMax {
		freePages.list = append(freePages.list, p)
		freePages.n.Store(int32(n + 1))
	}
	freePages.mu.Unlock()
}

// FreePages returns the number of pages in the process's pool of free
// pages.
func FreePages() int { return int(freePages.n.Load()) }
