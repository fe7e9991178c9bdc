package vfs

import (
	"testing"
	"unsafe"
)

// Test-only access to page allocation (pagealloc.go).

// ChunkPagesFor is chunkPages.
func ChunkPagesFor(nrpages, budget, free int64) int64 { return chunkPages(nrpages, budget, free) }

// HugeRangeOffsets lists hugeRanges' offsets for [start, start+size).
func HugeRangeOffsets(start, size uintptr) []uintptr {
	var out []uintptr
	hugeRanges(start, size, func(off uintptr) { out = append(out, off) })
	return out
}

// FolioPageAddr returns the address of the page of the folio at index of
// m (0 if none).
func FolioPageAddr(m *AddressSpace, index int64) uintptr {
	f := FilemapGetFolio(m, index)
	if f == nil {
		return 0
	}
	defer FolioPut(f)
	return uintptr(unsafe.Pointer(f.data))
}

// HugePageSize is hugePageSize.
const HugePageSize = hugePageSize

// LargeFileChunks is largeFileChunks: false under WebAssembly, where
// every page comes from the pool.
const LargeFileChunks = largeFileChunks

// SetChunkPool empties the pool of recycled chunks and sets its bounds
// (bytes, and collections a chunk may sit through) until the test ends.
func SetChunkPool(t testing.TB, max int64, maxAge int) {
	set := func(max int64, maxAge int, gc bool) {
		chunkPool.mu.Lock()
		chunkPool.free, chunkPool.bytes = nil, 0
		chunkPoolMax, chunkPoolMaxAge, chunkPoolGCAging = max, maxAge, gc
		chunkPool.mu.Unlock()
	}
	chunkPool.mu.Lock()
	oldMax, oldAge, oldGC := chunkPoolMax, chunkPoolMaxAge, chunkPoolGCAging
	chunkPool.mu.Unlock()
	set(max, maxAge, false)
	t.Cleanup(func() { set(oldMax, oldAge, oldGC) })
}

// AgeChunkPool runs the pool's aging pass, as after a collection (the
// collections' own passes are off while SetChunkPool's bounds hold).
func AgeChunkPool() { chunkPoolAge() }

// LRUAddDrain is lru_add_drain(): t's batch of new folios goes onto the
// lists and drops its references.
func LRUAddDrain(t *Task) { lruAddDrain(t) }
