package vfs_test

import (
	"bytes"
	"errors"
	"math/rand"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// The races of page faults and fork with truncation, each made to happen
// in its window (the hooks of mmap_export_test.go): the truncation runs
// to its end there, or, if it waits for a lock the faulting task holds,
// is left waiting there while the fault goes on.

// truncateIn starts tr's ftruncate of fd to size and waits until it
// returns or, with patience above 0, for that long at most (it may wait
// for a lock the caller holds); wait then waits for it to return.
func truncateIn(t *testing.T, tr *vfs.Task, fd int, size int64, patience time.Duration) (wait func()) {
	var fin atomic.Bool
	var err error
	ch := make(chan struct{})
	go func() {
		err = tr.Ftruncate(fd, size)
		fin.Store(true)
		close(ch)
	}()
	deadline := time.Now().Add(patience)
	for !fin.Load() && (patience == 0 || time.Now().Before(deadline)) {
		runtime.Gosched()
	}
	return func() {
		<-ch
		if err != nil {
			t.Errorf("ftruncate: %v", err)
		}
	}
}

// mmRaceFiles are the filesystems the races are run on: one with
// ->read_folio (pcmfs) and a memory-only one (tmpfs).
var mmRaceFiles = []struct{ name, path string }{
	{"pcmfs", "/pm/race"},
	{"tmpfs", "/race"},
}

// TestMmapCowFaultRacesTruncate: a store to a page of a MAP_PRIVATE
// mapping not mapped yet (do_cow_fault) races ftruncate removing that
// page. The truncation waits for the fault's lock on the file's page
// until the private copy is mapped, and its second unmap
// (truncate_pagecache: unmap_mapping_range with even_cows, truncate, and
// unmap again) zaps the copy: a load there afterwards is SIGBUS, as on
// Linux, whose do_cow_fault keeps vmf->page locked through finish_fault
// (mm/memory.c).
func TestMmapCowFaultRacesTruncate(t *testing.T) {
	for _, c := range mmRaceFiles {
		t.Run(c.name, func(t *testing.T) {
			v, tk, _ := mmEnv(t)
			fd := mmFile(t, tk, c.path, bytes.Repeat([]byte("A"), 2*P), vfs.O_RDWR)
			tr := tk.Fork("truncater")
			vma, err := tk.Mmap(fd, 0, 2*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_PRIVATE)
			mustT(t, "mmap", err)
			var wait func()
			// The truncation waits for the fault's lock on the
			// page: given 50ms to get there, or past it.
			defer vfs.SetCowCopiedHookForTest(func() {
				if wait == nil {
					wait = truncateIn(t, tr, fd, P, 50*time.Millisecond)
				}
			})()
			// The store itself may land in the copy before the
			// truncation zaps it, or fault again after and get
			// SIGBUS, as on Linux.
			if _, err := vma.Store(P+8, []byte("private")); err != nil && !errors.Is(err, vfs.SIGBUS) {
				t.Fatalf("store: %v", err)
			}
			if wait == nil {
				t.Fatal("the store made no private copy")
			}
			wait()
			b := make([]byte, 8)
			if n, err := vma.Load(P+8, b); !errors.Is(err, vfs.SIGBUS) {
				t.Errorf("load past EOF after the race: %d bytes %q, %v; want SIGBUS (PTE %+v)", n, b[:n], err, vma.PTE(tk, 1))
			}
			if got := load(t, vma, 8, 4); string(got) != "AAAA" {
				t.Errorf("page 0 reads %q", got)
			}
			mustT(t, "munmap", tk.Munmap(vma))
			tr.Exit()
			mustT(t, "close", tk.Close(fd))
			pcCheck(t, v)
		})
	}
}

// TestMmapForkRacesTruncate: fork copies a private mapping's copies
// (anonymous PTEs) into the child while ftruncate removes their pages.
// The child's mapping is in the file's i_mmap, after the parent's,
// before its PTEs are copied (dup_mmap's vma_interval_tree_insert_after
// before copy_page_range, kernel/fork.c), so the truncation's unmap
// zaps the child's copy too: a load there in the child is SIGBUS.
func TestMmapForkRacesTruncate(t *testing.T) {
	for _, c := range mmRaceFiles {
		t.Run(c.name, func(t *testing.T) {
			v, tk, _ := mmEnv(t)
			fd := mmFile(t, tk, c.path, bytes.Repeat([]byte("A"), 2*P), vfs.O_RDWR)
			tr := tk.Fork("truncater")
			vma, err := tk.Mmap(fd, 0, 2*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_PRIVATE)
			mustT(t, "mmap", err)
			store(t, vma, P+8, []byte("private"))
			var wait func()
			defer vfs.SetDupMmapCopiedHookForTest(func() {
				if wait == nil {
					wait = truncateIn(t, tr, fd, P, 0) // needs nothing the caller holds
				}
			})()
			child := tk.Fork("child")
			if wait == nil {
				t.Fatal("fork copied no private mapping")
			}
			wait()
			cv := child.Mappings()[0]
			b := make([]byte, 8)
			if n, err := cv.Load(P+8, b); !errors.Is(err, vfs.SIGBUS) {
				t.Errorf("child's load past EOF after the race: %d bytes %q, %v; want SIGBUS (PTE %+v)", n, b[:n], err, cv.PTE(child, 1))
			}
			if n, err := vma.Load(P+8, b); !errors.Is(err, vfs.SIGBUS) {
				t.Errorf("parent's load past EOF after the race: %d bytes %q, %v; want SIGBUS", n, b[:n], err)
			}
			child.Exit()
			mustT(t, "munmap", tk.Munmap(vma))
			tr.Exit()
			mustT(t, "close", tk.Close(fd))
			pcCheck(t, v)
		})
	}
}

// TestMmapTmpfsHoleFaultRacesTruncate: a fault on a hole of a tmpfs
// file races ftruncate to below it, which ends before the fault makes
// the hole's page. The fault looks at i_size again with the new page
// locked, takes the page out of the cache and gives back its charge
// (shmem_get_folio_gfp: "Perhaps the file has been truncated since we
// checked", filemap_remove_folio and shmem_recalc_inode, mm/shmem.c),
// and the access is SIGBUS: nothing past EOF stays cached or charged.
func TestMmapTmpfsHoleFaultRacesTruncate(t *testing.T) {
	cases := []struct {
		name  string
		flags int
		store bool
	}{
		{"shared load", vfs.MAP_SHARED, false},
		{"shared store", vfs.MAP_SHARED, true},
		{"private load", vfs.MAP_PRIVATE, false},
		{"private store", vfs.MAP_PRIVATE, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, _ := mmEnv(t)
			fd := mmFile(t, tk, "/small/h", []byte("x"), vfs.O_RDWR)
			mustT(t, "ftruncate", tk.Ftruncate(fd, 2*P)) // page 1 a hole
			tr := tk.Fork("truncater")
			vma, err := tk.Mmap(fd, 0, 2*P, vfs.PROT_READ|vfs.PROT_WRITE, c.flags)
			mustT(t, "mmap", err)
			var wait func()
			defer vfs.SetFaultHoleHookForTest(func() {
				if wait == nil {
					wait = truncateIn(t, tr, fd, P, 0) // needs nothing the caller holds
				}
			})()
			b := make([]byte, 1)
			if c.store {
				_, err = vma.Store(P, b)
			} else {
				_, err = vma.Load(P, b)
			}
			if wait == nil {
				t.Fatal("the fault found no hole")
			}
			wait()
			if !errors.Is(err, vfs.SIGBUS) {
				t.Errorf("access to the hole truncated meanwhile: %v, want SIGBUS", err)
			}
			mustT(t, "munmap", tk.Munmap(vma))
			in := vfs.FdInode(tk, fd)
			if n := in.Mapping().NrPages(); n != 1 {
				t.Errorf("pages cached after the race: %d, want 1", n)
			}
			var st vfs.Stat
			mustT(t, "fstat", tk.Fstat(fd, &st))
			if st.Blocks != 8 {
				t.Errorf("st_blocks after the race: %d, want 8 (one page)", st.Blocks)
			}
			var sf vfs.Statfs
			mustT(t, "statfs", tk.Statfs("/small", &sf))
			if used := sf.Blocks - sf.Bfree; used != 1 {
				t.Errorf("blocks used after the race: %d, want 1", used)
			}
			tr.Exit()
			mustT(t, "close", tk.Close(fd))
			pcCheck(t, v)
		})
	}
}

// TestMmapForkLinksAfterParent: a forked mapping is in i_mmap right
// after its parent's, and stays after it while other mappings of the
// file come and go, so that a truncation walking i_mmap while fork
// copies PTEs visits the parent's entries before the child's
// (kernel/fork.c dup_mmap: vma_interval_tree_insert_after).
func TestMmapForkLinksAfterParent(t *testing.T) {
	cases := []struct {
		name  string
		unmap []int // parent mappings (by index) unmapped after the fork
	}{
		{"none unmapped", nil},
		{"first unmapped", []int{0}},
		{"middle unmapped", []int{1}},
		{"first and last unmapped", []int{0, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, _ := mmEnv(t)
			fd := mmFile(t, tk, "/pm/order", make([]byte, P), vfs.O_RDWR)
			var parents []*vfs.Mapping
			for range 3 {
				vma, err := tk.Mmap(fd, 0, P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_PRIVATE)
				mustT(t, "mmap", err)
				parents = append(parents, vma)
			}
			child := tk.Fork("child")
			children := child.Mappings()
			for _, k := range c.unmap {
				mustT(t, "munmap", tk.Munmap(parents[k]))
			}
			order := vfs.IMmapForTest(tk, vfs.FdInode(tk, fd).Mapping())
			pos := map[*vfs.Mapping]int{}
			for i, vma := range order {
				pos[vma] = i
			}
			if len(order) != 6-len(c.unmap) {
				t.Fatalf("i_mmap holds %d mappings, want %d", len(order), 6-len(c.unmap))
			}
			for k, cv := range children {
				ci, ok := pos[cv]
				if !ok {
					t.Errorf("child's mapping %d not in i_mmap", k)
					continue
				}
				if pi, ok := pos[parents[k]]; ok && pi > ci {
					t.Errorf("child's mapping %d at %d in i_mmap, before its parent's at %d", k, ci, pi)
				}
			}
			child.Exit()
			for _, vma := range parents {
				mustT(t, "munmap", tk.Munmap(vma))
			}
			mustT(t, "close", tk.Close(fd))
			pcCheck(t, v)
		})
	}
}

// TestMmapTruncateHammer runs the three races above without their hooks,
// with the truncation started at random moments around the access (a
// store's copy-on-write fault, fork after one, a load of a tmpfs hole):
// once both end, nothing past the new EOF is mapped (a load there is
// SIGBUS, in the child too) or left cached and charged (st_blocks).
func TestMmapTruncateHammer(t *testing.T) {
	iters := 300
	if testing.Short() || runtime.GOARCH == "wasm" {
		iters = 60
	}
	cases := []struct {
		name, path string
		fork, hole bool
	}{
		{"cow fault", "/pm/h", false, false},
		{"fork", "/pm/h", true, false},
		{"tmpfs hole", "/small/h", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, _ := mmEnv(t)
			fd := mmFile(t, tk, c.path, nil, vfs.O_RDWR)
			tr := tk.Fork("truncater")
			page := bytes.Repeat([]byte("A"), P)
			r := rand.New(rand.NewSource(1))
			var sink atomic.Int64
			spin := func(n int) {
				for k := 0; k < n; k++ {
					sink.Add(1)
				}
			}
			b := make([]byte, 8)
			for it := 0; it < iters && !t.Failed(); it++ {
				mustT(t, "ftruncate", tk.Ftruncate(fd, 0))
				if c.hole {
					mustT(t, "pwrite", pwriteAll(tk, fd, []byte("x"), 0))
					mustT(t, "ftruncate", tk.Ftruncate(fd, 2*P))
				} else {
					mustT(t, "pwrite", pwriteAll(tk, fd, page, 0))
					mustT(t, "pwrite", pwriteAll(tk, fd, page, P))
				}
				vma, err := tk.Mmap(fd, 0, 2*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_PRIVATE)
				mustT(t, "mmap", err)
				if c.fork {
					store(t, vma, P+8, []byte("private"))
				}
				d1, d2 := r.Intn(2000), r.Intn(2000)
				done := make(chan error, 1)
				go func() {
					spin(d1)
					done <- tr.Ftruncate(fd, P)
				}()
				spin(d2)
				var child *vfs.Task
				switch {
				case c.fork:
					child = tk.Fork("child")
				case c.hole:
					_, err = vma.Load(P, b[:1])
				default:
					_, err = vma.Store(P+8, []byte("private"))
				}
				if err != nil && !errors.Is(err, vfs.SIGBUS) {
					t.Fatalf("iteration %d: access: %v", it, err)
				}
				for len(done) == 0 {
					runtime.Gosched()
				}
				mustT(t, "ftruncate", <-done)
				check := vma
				if child != nil {
					check = child.Mappings()[0]
				}
				if n, err := check.Load(P+8, b); !errors.Is(err, vfs.SIGBUS) {
					t.Errorf("iteration %d: load past EOF: %d bytes %q, %v; want SIGBUS", it, n, b[:n], err)
				}
				if child != nil {
					child.Exit()
				}
				mustT(t, "munmap", tk.Munmap(vma))
				var st vfs.Stat
				mustT(t, "fstat", tk.Fstat(fd, &st))
				if c.hole && st.Blocks != 8 {
					t.Errorf("iteration %d: st_blocks %d after the race, want 8 (one page)", it, st.Blocks)
				}
			}
			tr.Exit()
			mustT(t, "close", tk.Close(fd))
			pcCheck(t, v)
		})
	}
}
