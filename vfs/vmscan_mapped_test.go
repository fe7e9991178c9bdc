package vfs_test

import (
	"sync/atomic"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// mappedReclaimEnv is a pcmfs at /pm under the smallest budget, with
// /pm/mapped of n pages whose ->writepage counts the calls reclaim
// makes (wbc.ForReclaim), mapped MAP_SHARED writable with extra flags.
type mappedReclaimEnv struct {
	v          *vfs.VFS
	tk         *vfs.Task
	fd, ofd    int
	vma        *vfs.Mapping
	m          *vfs.AddressSpace
	reclaimWPs atomic.Int64 // ->writepage calls by reclaim
	mappedWPs  atomic.Int64 // of them, of a folio vma maps
	mapped     atomic.Pointer[vfs.Mapping]
}

func newMappedReclaimEnv(t *testing.T, n int, flags int) *mappedReclaimEnv {
	t.Helper()
	e := &mappedReclaimEnv{}
	e.v = vfs.New(vfs.Options{Lockdep: true, MemBudget: vfs.MinMemBudget})
	e.tk = e.v.NewTask("init", vfs.RootCred)
	tk := e.tk
	mustT(t, "tmpfs", tmpfs.Register(tk, e.v))
	mustT(t, "root", e.v.MountRoot(tk, "tmpfs", "mode=755"))
	p := &pcmfs{pcfs: newPCFS()}
	mustT(t, "register", p.register(tk, e.v, "pcmfs"))
	mustT(t, "mkdir", tk.Mkdir("/pm", 0o755))
	mustT(t, "mount", tk.Mount("none", "/pm", "pcmfs", 0, ""))
	t.Cleanup(e.v.Shutdown)
	fd, err := tk.Open("/pm/mapped", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustT(t, "create", err)
	e.fd = fd
	e.m = vfs.FdInode(tk, fd).Mapping()
	// Wrapped while the file has no pages: nothing calls it yet.
	wp := e.m.AOps.Writepage
	e.m.AOps.Writepage = func(t *vfs.Task, fo *vfs.Folio, wbc *vfs.WritebackControl) error {
		if wbc.ForReclaim {
			e.reclaimWPs.Add(1)
			if vma := e.mapped.Load(); vma != nil && vma.PTE(t, fo.Index()).Present {
				e.mappedWPs.Add(1)
			}
		}
		return wp(t, fo, wbc)
	}
	mustT(t, "pwrite", pwriteAll(tk, fd, pattern(0, n*P, 8), 0))
	mustT(t, "fsync", tk.Fsync(fd))
	e.vma, err = tk.Mmap(fd, 0, int64(n)*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED|flags)
	mustT(t, "mmap", err)
	e.mapped.Store(e.vma)
	e.ofd, err = tk.Open("/pm/other", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustT(t, "create other", err)
	return e
}

// round stores to every page of the mapping, then streams 4 pages of
// /pm/other at page off through the cache.
func (e *mappedReclaimEnv) round(t *testing.T, n int, off int64) {
	t.Helper()
	for i := 0; i < n; i++ {
		store(t, e.vma, int64(i)*P, []byte{byte(off), byte(i)})
	}
	mustT(t, "pwrite", pwriteAll(e.tk, e.ofd, pattern(off*P, 4*P, 9), off*P))
	mustT(t, "fsync", e.tk.Fsync(e.ofd))
}

func (e *mappedReclaimEnv) close(t *testing.T) {
	t.Helper()
	mustT(t, "munmap", e.tk.Munmap(e.vma))
	mustT(t, "close", e.tk.Close(e.fd))
	mustT(t, "close", e.tk.Close(e.ofd))
	pcCheck(t, e.v)
}

// TestReclaimSparesMappedDirty: shrink_folio_list looks at a folio's
// references (folio_check_references) before it writes it, and pageout
// never writes a folio still mapped (try_to_unmap comes first): while
// another file streams through the cache, reclaim's ->writepage never
// sees a page of a writable shared mapping stored to every round still
// mapped, and never writes one of a mlocked (MAP_LOCKED) mapping, whose
// pages all stay mapped.
func TestReclaimSparesMappedDirty(t *testing.T) {
	const n = 16
	for _, tc := range []struct {
		name     string
		flags    int
		noWrites bool // reclaim writes none of the file's pages
	}{
		{"young", 0, false},
		{"locked", vfs.MAP_LOCKED, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newMappedReclaimEnv(t, n, tc.flags)
			for off := int64(0); off < 8*n; off += 4 {
				e.round(t, n, off)
			}
			if got := e.mappedWPs.Load(); got != 0 {
				t.Errorf("reclaim ->writepage ran %d times on a page still mapped, want 0", got)
			}
			if got := e.reclaimWPs.Load(); tc.noWrites && got != 0 {
				t.Errorf("reclaim ->writepage ran %d times on the mapped file, want 0", got)
			}
			if got := e.vma.NrPresent(e.tk); tc.noWrites && got != n {
				t.Errorf("%d of the %d pages of the mapping are mapped", got, n)
			}
			t.Logf("reclaim %+v", e.v.ReclaimStats())
			e.close(t)
		})
	}
}

// TestReclaimActivatesMappedHot: folio_check_references counts a young
// PTE as a reference: the first scan that finds one sets PG_referenced
// and keeps the folio, the next (the folio used through its mapping
// again) activates it, moving it to the active list with the LRU
// counters; a folio two mappings map young is activated by the first
// scan. A folio not used again is unmapped and freed.
func TestReclaimActivatesMappedHot(t *testing.T) {
	const n = 8
	for _, tc := range []struct {
		name     string
		mappings int
		scans    int // passes over the inactive list, each after a load from every page
		want     string
	}{
		{"one-scan", 1, 1, "referenced"},
		{"two-scans", 1, 2, "active"},
		{"two-mappings", 2, 1, "active"},
		{"unused", 1, 0, "freed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, _ := mmEnv(t)
			fd := mmFile(t, tk, "/pm/hot", pattern(0, n*P, 3), vfs.O_RDONLY)
			mustT(t, "fsync", tk.Fsync(fd))
			m := vfs.FdInode(tk, fd).Mapping()
			var vmas []*vfs.Mapping
			for i := 0; i < tc.mappings; i++ {
				vma, err := tk.Mmap(fd, 0, n*P, vfs.PROT_READ, vfs.MAP_SHARED)
				mustT(t, "mmap", err)
				vmas = append(vmas, vma)
			}
			// The folios as pwrite left them, mapped by the loads
			// below only.
			for _, vma := range vmas {
				load(t, vma, 0, n*P)
			}
			for k := 0; k < tc.scans; k++ {
				if k > 0 {
					for _, vma := range vmas {
						load(t, vma, 0, n*P)
					}
				}
				v.ShrinkInactiveOnceForTest(tk)
			}
			if tc.scans == 0 {
				// Two passes with no use between: the first takes
				// the young bits the loads set, the second frees.
				v.ShrinkInactiveOnceForTest(tk)
				v.ShrinkInactiveOnceForTest(tk)
			}
			count := map[string]int{}
			for i := int64(0); i < n; i++ {
				fo := vfs.FilemapGetFolio(m, i)
				switch {
				case fo == nil:
					count["freed"]++
					continue
				case fo.Flags()&vfs.PG_active != 0:
					count["active"]++
				case fo.Flags()&vfs.PG_referenced != 0:
					count["referenced"]++
				default:
					count["inactive"]++
				}
				vfs.FolioPut(fo)
			}
			if count[tc.want] != n {
				t.Errorf("folios: %v, want %d %s", count, n, tc.want)
			}
			inactive, active := v.LRUCountsForTest()
			if tc.want == "active" && active < n {
				t.Errorf("Active(file) %d pages, want at least %d (Inactive(file) %d)", active, n, inactive)
			}
			for _, vma := range vmas {
				mustT(t, "munmap", tk.Munmap(vma))
			}
			mustT(t, "close", tk.Close(fd))
			pcCheck(t, v)
		})
	}
}
