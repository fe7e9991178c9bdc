package vfs

import "unsafe"

// Test-only access to page allocation (pagealloc.go).

// ChunkPagesFor is chunkPages.
func ChunkPagesFor(nrpages, budget int64) int64 { return chunkPages(nrpages, budget) }

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
