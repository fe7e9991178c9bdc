package vfs

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestChunkIndexedBeforePublished: two allocations race to make the
// first chunk of a mapping; the one that loses takes a slot of the
// winner's chunk and frees it at once (as an insert that loses with
// EEXIST does). The chunk must be in the index by then, or freePage
// panics finding no chunk for the page.
func TestChunkIndexedBeforePublished(t *testing.T) {
	if !largeFileChunks {
		t.Skip("no chunks under WebAssembly (pagealloc_wasm.go)")
	}
	_, tk, sb := pcEnv(t)
	deadline := time.Now().Add(time.Second)
	for runs := 0; time.Now().Before(deadline); runs++ {
		m := pcInode(tk, sb).Mapping()
		start := make(chan struct{})
		res := make(chan any, 2)
		for g := range 2 {
			go func() {
				defer func() { res <- recover() }()
				<-start
				f := m.chunkSlot(600, int64(g), true)
				f.refcount.Store(1)
				FolioPut(f)
			}()
		}
		close(start)
		for range 2 {
			if r := <-res; r != nil {
				t.Fatalf("run %d: %v", runs, r)
			}
		}
		m.releaseChunk()
	}
}

// TestChunkPoolTakeLeavesNothing: taking a chunk from the middle of the
// pool leaves no copy of an entry past its length, so that chunks the
// pool ages out are not kept by its backing array.
func TestChunkPoolTakeLeavesNothing(t *testing.T) {
	SetChunkPool(t, 1<<40, 1<<30)
	chunkPoolPut(make([]([PAGE_SIZE]byte), 512))
	chunkPoolPut(make([]([PAGE_SIZE]byte), 1024))
	chunkPoolPut(make([]([PAGE_SIZE]byte), 2048))
	if chunkPoolTake(1024) == nil {
		t.Fatal("no 1024-page chunk in the pool")
	}
	chunkPool.mu.Lock()
	chunkPoolMaxAge = 1
	chunkPool.mu.Unlock()
	chunkPoolAge()
	chunkPool.mu.Lock()
	defer chunkPool.mu.Unlock()
	for i, c := range chunkPool.free[:cap(chunkPool.free)] {
		if c.pages != nil {
			t.Errorf("slot %d of the pool's array (length %d) still holds %d pages", i, len(chunkPool.free), len(c.pages))
		}
	}
}

// TestChunkIndexForgetsDroppedVFS: a VFS dropped with a large file still
// cached (never unmounted, its pages never freed) is collected with its
// chunks, and their entries leave the index. Only this test's entries are
// watched: chunks that earlier tests left to the collector may leave the
// index at the same time.
func TestChunkIndexForgetsDroppedVFS(t *testing.T) {
	if !largeFileChunks {
		t.Skip("no chunks under WebAssembly (pagealloc_wasm.go)")
	}
	before := chunkIndexLoad()
	func() {
		_, tk, sb := pcEnv(t)
		in := pcInode(tk, sb)
		m := in.Mapping()
		for i := int64(0); i < 4096; i++ { // 16 MiB: chunks of 2, 4 and 8 MiB
			f, err := FilemapGrabFolio(tk, m, i, FGP_CREAT)
			if err != nil {
				t.Fatal(err)
			}
			FolioPut(f)
		}
	}()
	// A chunkRef holds its pages weakly, so keeping the entries here
	// keeps nothing of the VFS alive.
	var ours []*chunkRef
	for _, r := range chunkIndexLoad() {
		if !slices.Contains(before, r) {
			ours = append(ours, r)
		}
	}
	if len(ours) == 0 {
		t.Fatalf("the index gained no chunk with a 16 MiB file cached (%d entries)", len(before))
	}
	left := func() (n int) {
		idx := chunkIndexLoad()
		for _, r := range ours {
			if slices.Contains(idx, r) {
				n++
			}
		}
		return n
	}
	for range 50 {
		runtime.GC()
		if left() == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond) // cleanups run on their own goroutine
	}
	t.Fatalf("%d of the %d chunks of the dropped VFS are still indexed", left(), len(ours))
}
