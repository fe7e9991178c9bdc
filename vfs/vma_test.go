package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestUnmapMappingRangePages: unmap_mapping_range() zaps the pages of
// hba = start>>PAGE_SHIFT and hlen = ceil(n/PAGE_SIZE) pages from it, as
// Linux counts them: an unaligned start does not reach one page further,
// and with evenCows a private copy past the range is kept.
func TestUnmapMappingRangePages(t *testing.T) {
	for _, c := range []struct {
		name     string
		start, n int64
		private  bool
		want     string // page i present: '1'
	}{
		{"aligned", P, P, false, "1011"},
		{"unaligned start, one page", P + 1, P, false, "1011"},
		{"unaligned start, a byte", P + 100, 1, false, "1011"},
		{"unaligned start, length rounds up", P + 1, P + 1, false, "1001"},
		{"to the end", 2*P + 7, 0, false, "1100"},
		{"cows, unaligned start", P + 1, P, true, "1011"},
		{"cows, two pages", 1, 2 * P, true, "0011"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, tk, _ := mmEnv(t)
			fd := mmFile(t, tk, "/pm/f", pattern(0, 4*P, 3), vfs.O_RDWR)
			flags := vfs.MAP_SHARED
			if c.private {
				flags = vfs.MAP_PRIVATE
			}
			vma, err := tk.Mmap(fd, 0, 4*P, vfs.PROT_READ|vfs.PROT_WRITE, flags)
			mustT(t, "mmap", err)
			for i := int64(0); i < 4; i++ {
				if c.private {
					store(t, vma, i*P, []byte{'x'})
				} else {
					load(t, vma, i*P, 1)
				}
			}
			vfs.UnmapMappingRange(tk, vma.AddrSpace(), c.start, c.n, c.private)
			got := ""
			for i := int64(0); i < 4; i++ {
				if vma.PTE(tk, i).Present {
					got += "1"
				} else {
					got += "0"
				}
			}
			if got != c.want {
				t.Errorf("present after unmap_mapping_range(%d, %d): %s, want %s", c.start, c.n, got, c.want)
			}
			mustT(t, "munmap", tk.Munmap(vma))
			mustT(t, "close", tk.Close(fd))
			pcCheck(t, v)
		})
	}
}

// TestSharedFaultPTEChanged: when do_shared_fault finds its PTE mapping
// another page by the time it would map its own (finish_fault's
// VM_FAULT_NOPAGE), it leaves that page alone: its page is not dirtied,
// and the store goes where the entry now points after a retry.
func TestSharedFaultPTEChanged(t *testing.T) {
	v, tk, _ := mmEnv(t)
	fd := mmFile(t, tk, "/pm/f", pattern(0, 2*P, 5), vfs.O_RDWR)
	mustT(t, "fsync", tk.Fsync(fd))
	vma, err := tk.Mmap(fd, 0, P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	m := vma.AddrSpace()
	calls := 0
	ops := *vma.VMOps
	ops.PageMkwrite = func(t *vfs.Task, vmf *vfs.VMFault) vfs.VMFaultT {
		calls++
		if calls == 1 {
			// Page 1's page (cached by the write) takes the entry
			// of page 0 meanwhile.
			other := vfs.FilemapGetFolio(m, 1)
			vfs.FolioLock(t, other)
			if !vmf.MapFolio(t, other, vmf.Pgoff) {
				panic("entry taken")
			}
			vfs.FolioUnlock(t, other)
			vfs.FolioPut(other)
			vfs.FolioLock(t, vmf.Folio)
			return vfs.VM_FAULT_LOCKED
		}
		vfs.FolioLock(t, vmf.Folio)
		vfs.FolioMarkDirty(t, vmf.Folio)
		return vfs.VM_FAULT_LOCKED
	}
	vma.VMOps = &ops
	store(t, vma, 0, []byte("x"))
	fo0 := vfs.FilemapGetFolio(m, 0)
	if fo0 == nil {
		t.Fatal("page 0 not cached")
	}
	if fo0.Dirty() {
		t.Errorf("page 0 dirtied by a fault whose entry maps another page")
	}
	vfs.FolioPut(fo0)
	if pte := vma.PTE(tk, 0); !pte.Present || !pte.Write || pte.Folio.Index() != 1 {
		t.Errorf("entry of page 0: %+v, want page 1's page, writable", pte)
	}
	mustT(t, "munmap", tk.Munmap(vma))
	mustT(t, "close", tk.Close(fd))
	pcCheck(t, v)
}
