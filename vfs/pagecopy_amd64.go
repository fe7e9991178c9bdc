//go:build amd64 && !race

package vfs

// haveStreamCopy: copyPageStream uses non-temporal stores (SSE2's
// MOVNTDQ, which every amd64 CPU has). Not under the race detector,
// which cannot see what assembly writes.
const haveStreamCopy = true

// copyPageStream copies the PAGE_SIZE bytes at src to the page at dst
// with non-temporal stores, then fences them (SFENCE), so that a store
// after the call (the folio's unlock, PG_uptodate) is seen after the data
// by every CPU. dst is 16-byte aligned (a page of the cache is
// page-aligned; writeStreams's callers check).
//
//go:noescape
func copyPageStream(dst *[PAGE_SIZE]byte, src *byte)
