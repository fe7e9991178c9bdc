//go:build js || wasip1

package vfs

import (
	"runtime"
	"sync"
	"testing"
	"unsafe"
)

// TestNewFolioSlab takes Folios from the slab in several goroutines,
// which switch at every Gosched and inside the refills' allocations:
// every Folio handed out is zeroed and nobody else's, across many slabs.
func TestNewFolioSlab(t *testing.T) {
	const workers, each = 4, 5*folioSlabLen + 3
	var mu sync.Mutex
	seen := map[*Folio]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				f := newFolio()
				b := unsafe.Slice((*byte)(unsafe.Pointer(f)), unsafe.Sizeof(*f))
				for _, c := range b {
					if c != 0 {
						t.Errorf("worker %d: folio %d is not zeroed", w, i)
						break
					}
				}
				f.index = int64(w*each + i) // dirty it, as a user would
				mu.Lock()
				if prev, ok := seen[f]; ok {
					t.Errorf("worker %d: folio %p handed out twice (first as %d)", w, f, prev)
				}
				seen[f] = w*each + i
				mu.Unlock()
				if i%3 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Fatalf("%d distinct folios, want %d", len(seen), workers*each)
	}
}
