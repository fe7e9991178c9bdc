package vfs_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"runtime"
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// The mmap hammer of the page-cache work: pwrite writers, mapping writers,
// readers through read(2) and through a mapping, a truncater (also
// punching holes and storing through its own mapping), a syncer, drop_caches
// and the flusher, all on one disk-like file at once, under a small memory
// budget (reclaim runs) and lock validation; at the end the file equals a
// model built from each worker's own operations, and nothing was reported.
//
// The model is exact because the workers' bytes never overlap while their
// pages do: pages [0, hmShared) are cut in 512-byte slots, slot s written
// only by worker s%4 (two by pwrite, two through shared mappings), so every
// page is written by all four at once; pages [hmShared, hmPages) belong to
// the truncater, which alone changes the size (never below hmShared pages).
// Every word written is (offset<<20 | generation), so readers check that a
// word is 0 or names its own offset.

const (
	hmShared = 24
	hmPages  = 32
	hmSlot   = 512
)

func hmWord(off int64, gen int) uint64 { return uint64(off)<<20 | uint64(gen&0xfffff) }

// hmCheck reports a word that is neither 0 nor one written for its offset.
func hmCheck(b []byte, off int64) error {
	for j := 0; j+8 <= len(b); j += 8 {
		w := binary.LittleEndian.Uint64(b[j:])
		if w != 0 && int64(w>>20) != off+int64(j) {
			return fmt.Errorf("word at %d holds %#x (offset %d)", off+int64(j), w, w>>20)
		}
	}
	return nil
}

// hmEnv is a VFS with a 2 MiB budget, a busy flusher and pcmfs at /pm.
func hmEnv(t *testing.T) (*vfs.VFS, *vfs.Task, *pcmfs) {
	v := vfs.New(vfs.Options{Lockdep: true, MemBudget: 128 << 10})
	tk := v.NewTask("init", vfs.RootCred)
	mustT(t, "tmpfs", tmpfs.Register(tk, v))
	mustT(t, "root", v.MountRoot(tk, "tmpfs", "mode=755"))
	p := &pcmfs{pcfs: newPCFS()}
	mustT(t, "register", p.register(tk, v, "pcmfs"))
	mustT(t, "mkdir", tk.Mkdir("/pm", 0o755))
	mustT(t, "mount", tk.Mount("none", "/pm", "pcmfs", 0, ""))
	for _, tu := range []struct {
		name string
		v    int64
	}{{"dirty_writeback_centisecs", 1}, {"dirty_expire_centisecs", 1}, {"dirty_background_bytes", 8 * P}, {"dirty_bytes", 16 * P}} {
		mustT(t, tu.name, v.SetDirtyTunable(tu.name, tu.v))
	}
	t.Cleanup(v.Shutdown)
	return v, tk, p
}

func TestMmapHammer(t *testing.T) {
	v, tk, p := hmEnv(t)
	const path = "/pm/h"
	fd := mmFile(t, tk, path, make([]byte, hmShared*P), vfs.O_RDWR)
	in := vfs.FdInode(tk, fd)
	rounds := 400
	if testing.Short() {
		rounds = 100
	}
	if runtime.GOARCH == "wasm" {
		rounds = 60 // one thread: every yield interleaves the workers
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	fail := func(format string, a ...any) {
		select {
		case errs <- fmt.Sprintf(format, a...):
		default:
		}
	}
	// models[k] is worker k's view of the shared pages (its slots only).
	var models [4][]byte
	for k := range models {
		models[k] = make([]byte, hmShared*P)
	}
	tailModel := make([]byte, (hmPages-hmShared)*P) // bytes from hmShared*P
	tailSize := int64(hmShared * P)                 // the file size the truncater leaves

	worker := func(name string, body func(wt *vfs.Task, fd int, r *rand.Rand)) {
		wt := tk.Fork(name)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer wt.Exit()
			fd, err := wt.Open(path, vfs.O_RDWR, 0)
			if err != nil {
				fail("%s: open: %v", name, err)
				return
			}
			defer wt.Close(fd)
			body(wt, fd, rand.New(rand.NewSource(int64(len(name))*7919+int64(name[len(name)-1]))))
		}()
	}
	// slotWord picks a word of one of worker k's slots.
	slotWord := func(r *rand.Rand, k int) int64 {
		slot := int64(r.Intn(hmShared*P/hmSlot/4)*4 + k)
		return slot*hmSlot + int64(r.Intn(hmSlot/8))*8
	}
	for k := 0; k < 2; k++ {
		worker(fmt.Sprintf("pwriter%d", k), func(wt *vfs.Task, fd int, r *rand.Rand) {
			var w [8]byte
			for i := 0; i < rounds*4; i++ {
				off := slotWord(r, k)
				binary.LittleEndian.PutUint64(w[:], hmWord(off, i))
				if _, err := wt.Pwrite(fd, w[:], off); err != nil {
					fail("pwrite: %v", err)
					return
				}
				copy(models[k][off:], w[:])
				if i%8 == 0 {
					runtime.Gosched()
				}
			}
		})
	}
	for k := 2; k < 4; k++ {
		worker(fmt.Sprintf("mwriter%d", k), func(wt *vfs.Task, fd int, r *rand.Rand) {
			vma, err := wt.Mmap(fd, 0, hmShared*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
			if err != nil {
				fail("mmap: %v", err)
				return
			}
			var w [8]byte
			for i := 0; i < rounds*4; i++ {
				off := slotWord(r, k)
				binary.LittleEndian.PutUint64(w[:], hmWord(off, i))
				if _, err := vma.Store(off, w[:]); err != nil {
					fail("store at %d: %v", off, err)
					return
				}
				copy(models[k][off:], w[:])
				if i%97 == 0 {
					if err := wt.Msync(vma, 0, hmShared*P, vfs.MS_ASYNC); err != nil {
						fail("msync: %v", err)
					}
				}
				if i%8 == 0 {
					runtime.Gosched()
				}
			}
			if err := wt.Msync(vma, 0, hmShared*P, vfs.MS_SYNC); err != nil {
				fail("msync: %v", err)
			}
			if err := wt.Munmap(vma); err != nil {
				fail("munmap: %v", err)
			}
		})
	}
	worker("preader", func(wt *vfs.Task, fd int, r *rand.Rand) {
		for i := 0; i < rounds; i++ {
			off := int64(r.Intn(hmPages*P/8)) * 8
			buf := make([]byte, 8*(1+r.Intn(1024)))
			n, err := wt.Pread(fd, buf, off)
			if err != nil {
				fail("pread: %v", err)
				return
			}
			if err := hmCheck(buf[:n], off); err != nil {
				fail("pread: %v", err)
				return
			}
			runtime.Gosched()
		}
	})
	worker("mreader", func(wt *vfs.Task, fd int, r *rand.Rand) {
		vma, err := wt.Mmap(fd, 0, hmPages*P, vfs.PROT_READ, vfs.MAP_SHARED)
		if err != nil {
			fail("mmap: %v", err)
			return
		}
		for i := 0; i < rounds; i++ {
			off := int64(r.Intn(hmPages*P/8)) * 8
			buf := make([]byte, min(8*(1+r.Intn(1024)), int(hmPages*P-off)))
			n, err := vma.Load(off, buf)
			if err != nil && !(errors.Is(err, vfs.SIGBUS) && off+int64(n) >= hmShared*P) {
				fail("load at %d+%d: %v", off, n, err)
				return
			}
			if err := hmCheck(buf[:n], off); err != nil {
				fail("load: %v", err)
				return
			}
			runtime.Gosched()
		}
		if err := wt.Munmap(vma); err != nil {
			fail("munmap: %v", err)
		}
	})
	worker("truncater", func(wt *vfs.Task, fd int, r *rand.Rand) {
		const base = hmShared * P
		vma, err := wt.Mmap(fd, base, (hmPages-hmShared)*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
		if err != nil {
			fail("mmap: %v", err)
			return
		}
		size := int64(base)
		var w [8]byte
		for i := 0; i < rounds; i++ {
			switch op := r.Intn(5); op {
			case 0: // truncate within the tail
				ns := base + int64(r.Intn((hmPages-hmShared)*P/8+1))*8
				if err := wt.Ftruncate(fd, ns); err != nil {
					fail("ftruncate: %v", err)
					return
				}
				if ns < size {
					clear(tailModel[ns-base:])
				}
				size = ns
			case 1: // punch a hole inside the file's tail
				if size == base {
					continue
				}
				a := base + int64(r.Intn(int(size-base)/8))*8
				n := min(int64(8*(1+r.Intn(1200))), size-a)
				if err := wt.Fallocate(fd, vfs.FALLOC_FL_PUNCH_HOLE|vfs.FALLOC_FL_KEEP_SIZE, a, n); err != nil {
					fail("punch: %v", err)
					return
				}
				clear(tailModel[a-base : a-base+n])
			case 2: // pwrite (may extend)
				off := base + int64(r.Intn((hmPages-hmShared)*P/8))*8
				binary.LittleEndian.PutUint64(w[:], hmWord(off, i))
				if _, err := wt.Pwrite(fd, w[:], off); err != nil {
					fail("pwrite: %v", err)
					return
				}
				copy(tailModel[off-base:], w[:])
				size = max(size, off+8)
			default: // store through the mapping: inside EOF it lands, past
				// the page holding EOF it is SIGBUS
				rel := int64(r.Intn((hmPages-hmShared)*P/8)) * 8
				off := base + rel
				binary.LittleEndian.PutUint64(w[:], hmWord(off, i))
				_, err := vma.Store(rel, w[:])
				switch {
				case off+8 <= size:
					if err != nil {
						fail("store inside EOF at %d (size %d): %v", off, size, err)
						return
					}
					copy(tailModel[rel:], w[:])
				case off >= (size+P-1)&^(P-1):
					if !errors.Is(err, vfs.SIGBUS) {
						fail("store past EOF at %d (size %d): %v, want SIGBUS", off, size, err)
						return
					}
				default: // in the page holding EOF, past it: not part of the file
				}
			}
			runtime.Gosched()
		}
		if err := wt.Msync(vma, 0, (hmPages-hmShared)*P, vfs.MS_SYNC); err != nil {
			fail("msync: %v", err)
		}
		if err := wt.Munmap(vma); err != nil {
			fail("munmap: %v", err)
		}
		tailSize = size
	})
	worker("syncer", func(wt *vfs.Task, fd int, r *rand.Rand) {
		for i := 0; i < rounds/4; i++ {
			var err error
			switch i % 3 {
			case 0:
				err = wt.Fsync(fd)
			case 1:
				err = wt.SyncFileRange(fd, 0, 0, vfs.SYNC_FILE_RANGE_WRITE)
			default:
				wt.Sync()
			}
			if err != nil {
				fail("sync: %v", err)
				return
			}
			runtime.Gosched()
		}
	})
	worker("reclaimer", func(wt *vfs.Task, fd int, r *rand.Rand) {
		for i := 0; i < rounds/4; i++ {
			if err := v.DropCaches(wt, int64(1+2*(i%2))); err != nil {
				fail("drop_caches: %v", err)
				return
			}
			runtime.Gosched()
		}
	})
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if t.Failed() {
		return
	}

	// The model: the four workers' slots and the truncater's tail.
	want := make([]byte, tailSize)
	for k := range models {
		for off := int64(0); off < hmShared*P; off += hmSlot {
			if int(off/hmSlot)%4 == k {
				copy(want[off:off+hmSlot], models[k][off:off+hmSlot])
			}
		}
	}
	copy(want[hmShared*P:], tailModel)
	mustT(t, "fsync", tk.Fsync(fd))
	if got := in.Size(); got != tailSize {
		t.Fatalf("size %d, model %d", got, tailSize)
	}
	mustT(t, "drop_caches", v.DropCaches(tk, 1))
	got := make([]byte, tailSize)
	n, err := tk.Pread(fd, got, 0)
	mustT(t, "pread", err)
	if int64(n) != tailSize || !bytes.Equal(got, want) {
		t.Errorf("file contents differ from the model (%d bytes read of %d)", n, tailSize)
	}
	stored := p.storeBytes(in.Ino())
	stored = append(stored, make([]byte, max(0, int(tailSize)-len(stored)))...)
	if !bytes.Equal(stored[:tailSize], want) {
		t.Errorf("backing store differs from the model")
	}
	rs := v.ReclaimStats()
	fs, _ := v.FlusherStats()
	t.Logf("reclaim %+v; flusher %+v", rs, fs)
	mustT(t, "close", tk.Close(fd))
	pcCheck(t, v)
}
