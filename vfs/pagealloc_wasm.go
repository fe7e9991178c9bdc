//go:build js || wasip1

package vfs

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
