package vfs_test

import (
	"bytes"
	"encoding/binary"
	"math/rand"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestMmapStoreRacesWriteback: one task stores through a shared mapping
// while another writes the file back in a loop (fsync, WB_SYNC_ALL, and
// filemap_flush, WB_SYNC_NONE). Each writeback write-protects the pages it
// cleans, so a store after it faults through ->page_mkwrite and dirties
// the page again: after a final msync(MS_SYNC) every stored byte is in
// the backing store.
func TestMmapStoreRacesWriteback(t *testing.T) {
	v, tk, p := mmEnv(t)
	const pages = 8
	fd := mmFile(t, tk, "/pm/race", make([]byte, pages*P), vfs.O_RDWR)
	in := vfs.FdInode(tk, fd)
	vma, err := tk.Mmap(fd, 0, pages*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	wb := v.NewTask("writeback", vfs.RootCred)
	wfd, err := wb.Open("/pm/race", vfs.O_RDWR, 0)
	mustT(t, "open", err)

	iters := 20000
	if testing.Short() || runtime.GOARCH == "wasm" {
		iters = 3000 // one thread: the race is taken at every yield
	}
	var stop atomic.Bool
	var passes atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			var err error
			if i%2 == 0 {
				err = wb.Fsync(wfd)
			} else {
				err = vfs.FilemapFlush(wb, in.Mapping())
			}
			if err != nil {
				t.Errorf("writeback: %v", err)
				return
			}
			passes.Add(1)
			runtime.Gosched()
		}
	}()
	model := make([]byte, pages*P)
	r := rand.New(rand.NewSource(1))
	var w [8]byte
	for i := 0; i < iters; i++ {
		off := int64(r.Intn(pages*P/8)) * 8
		binary.LittleEndian.PutUint64(w[:], uint64(i+1))
		store(t, vma, off, w[:])
		copy(model[off:], w[:])
		if i%64 == 0 {
			runtime.Gosched()
		}
	}
	stop.Store(true)
	wg.Wait()
	mustT(t, "msync", tk.Msync(vma, 0, pages*P, vfs.MS_SYNC))
	if got := p.storeBytes(in.Ino()); !bytes.Equal(got, model) {
		lost := 0
		for j := 0; j+8 <= len(model); j += 8 {
			if !bytes.Equal(got[j:j+8], model[j:j+8]) {
				lost++
			}
		}
		t.Errorf("%d stored words missing from the file after msync", lost)
	}
	st := vma.Stats()
	t.Logf("%d stores, %d writeback passes, %d page_mkwrite, %d PTEs write-protected",
		iters, passes.Load(), st.Mkwrites.Load(), st.Writeprots.Load())
	if passes.Load() == 0 || st.Writeprots.Load() == 0 || st.Mkwrites.Load() <= pages {
		t.Errorf("the stores did not race writeback (passes %d, write-protections %d, page_mkwrite %d)",
			passes.Load(), st.Writeprots.Load(), st.Mkwrites.Load())
	}
	mustT(t, "munmap", tk.Munmap(vma))
	mustT(t, "close", tk.Close(fd))
	mustT(t, "close", wb.Close(wfd))
	pcCheck(t, v)
}
