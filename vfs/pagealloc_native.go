//go:build !(js || wasip1)

package vfs

// Natively a large file's pages come from its chunks (huge pages, one
// TLB entry per 2 MiB, prefetch hints), and an empty pool gives one new
// page at a time: a refill block would keep 64 KiB of Go's heap for as
// long as any one of its pages lives.
const (
	largeFileChunks = true
	poolRefill      = 1
)

// newFolio returns a zeroed Folio from Go's heap.
func newFolio() *Folio { return &Folio{} }

// newMovedQStr returns a zeroed movedQStr from Go's heap.
func newMovedQStr() *movedQStr { return &movedQStr{} }
