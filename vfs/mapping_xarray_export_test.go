package vfs

import (
	"math/rand"
	"unsafe"
)

// Test-only access to the page index's prefetch hints.

// ScrambleReadHints points every run hint of in's page index somewhere
// wrong (other pages of the file, zero, wild addresses), as a reader
// could find them while pages move: reads must stay right. It reports
// the number of leaves changed.
func ScrambleReadHints(in *Inode, seed int64) int {
	rng := rand.New(rand.NewSource(seed))
	xa := &in.data.i_pages
	var pages []uintptr
	xa.find(0, 1<<62, -1, func(idx int64, f *Folio) bool {
		if f.data != nil {
			pages = append(pages, uintptr(unsafe.Pointer(f.data)))
		}
		return true
	})
	wrong := func() uint64 {
		switch rng.Intn(4) {
		case 0:
			return 0
		case 1:
			return uint64(rng.Int63())
		default:
			if len(pages) == 0 {
				return 0
			}
			return uint64(pages[rng.Intn(len(pages))] + uintptr(rng.Intn(64))*PAGE_SIZE)
		}
	}
	leaves := 0
	var walk func(n *xaNode)
	walk = func(n *xaNode) {
		if n.shift > 0 {
			for off := range xaChunkSize {
				if c := n.load(off); c != nil {
					walk((*xaNode)(c))
				}
			}
			return
		}
		leaves++
		for i := range n.runs {
			n.runs[i].data.Store(wrong())
			n.runs[i].folio.Store(wrong())
		}
	}
	if n := xa.head.Load(); n != nil {
		walk(n)
	}
	return leaves
}
