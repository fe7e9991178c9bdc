package vfs_test

import (
	"bytes"
	"encoding/binary"
	"errors"
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

// TestMmapForkCOWRace: after fork, parent and child store to and load
// from the private copies they share copy-on-write, at once, while a
// third task truncates and regrows the file (zapping the copies past
// EOF); each sees only its own stores, or zeros where a truncate took
// the page away.
func TestMmapForkCOWRace(t *testing.T) {
	v, tk, _ := mmEnv(t)
	const pages = 4
	fd := mmFile(t, tk, "/pm/cow", make([]byte, pages*P), vfs.O_RDWR)
	pr, err := tk.Mmap(fd, 0, pages*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_PRIVATE|vfs.MAP_POPULATE)
	mustT(t, "mmap", err)
	rounds := 2000
	if testing.Short() || runtime.GOARCH == "wasm" {
		rounds = 300
	}
	var wg sync.WaitGroup
	run := func(tk *vfs.Task, vma *vfs.Mapping, tag byte, forks bool) {
		defer wg.Done()
		var w [8]byte
		for i := 0; i < rounds; i++ {
			off := int64(i%pages)*P + int64(i%64)*8
			for j := range w {
				w[j] = tag
			}
			if _, err := vma.Store(off, w[:]); err != nil {
				if !errors.Is(err, vfs.SIGBUS) {
					t.Errorf("task %c: store: %v", tag, err)
					return
				}
				continue
			}
			got := make([]byte, P)
			n, err := vma.Load(int64(i%pages)*P, got)
			if err != nil && !errors.Is(err, vfs.SIGBUS) {
				t.Errorf("task %c: load: %v", tag, err)
				return
			}
			for _, b := range got[:n] {
				if b != 0 && b != tag {
					t.Errorf("task %c reads %q in its private copy", tag, b)
					return
				}
			}
			if forks && i%200 == 0 {
				c := tk.Fork("grandchild")
				c.Exit()
			}
			runtime.Gosched()
		}
	}
	child := tk.Fork("child")
	cpr := child.Mappings()[0]
	tr := v.NewTask("truncater", vfs.RootCred)
	tfd, err := tr.Open("/pm/cow", vfs.O_RDWR, 0)
	mustT(t, "open", err)
	var stop atomic.Bool
	var twg sync.WaitGroup
	wg.Add(2)
	twg.Add(1)
	go run(tk, pr, 'p', true)
	go run(child, cpr, 'c', false)
	go func() {
		defer twg.Done()
		for i := 0; !stop.Load(); i++ {
			sz := int64(pages*P) - int64(i%3)*P
			if err := tr.Ftruncate(tfd, sz); err != nil {
				t.Errorf("ftruncate: %v", err)
				return
			}
			runtime.Gosched()
		}
	}()
	wg.Wait()
	stop.Store(true)
	twg.Wait()
	if pr.Stats().CowCopies.Load() == 0 || cpr.Stats().CowCopies.Load() == 0 {
		t.Errorf("no copy-on-write: parent %d copies, child %d", pr.Stats().CowCopies.Load(), cpr.Stats().CowCopies.Load())
	}
	child.Exit()
	mustT(t, "close", tr.Close(tfd))
	mustT(t, "munmap", tk.Munmap(pr))
	mustT(t, "close", tk.Close(fd))
	pcCheck(t, v)
}
