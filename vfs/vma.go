package vfs

import (
	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
)

// Mappings of files (struct vm_area_struct) and their page tables, and the
// reverse map from a file's pages to the mappings that map them
// (mapping->i_mmap, mm/rmap.c). There is no processor here: Mapping.Load
// and Mapping.Store stand in for the loads and stores a CPU would make
// through the mapping, looking at the mapping's page table entries ("PTEs")
// and taking a page fault (mmap_fault.go) when an entry is missing or, for
// a store, not writable.
//
// Shared mappings are always write-notified (vma_wants_writenotify): a
// page is first mapped read-only, and the first store to it faults through
// ->page_mkwrite, which dirties the page with the page locked. Writeback's
// folio_clear_dirty_for_io write-protects every PTE of the page again
// (folioMkclean), so the next store faults again: a store racing writeback
// is never lost, and a writable PTE always maps a dirty page.
//
// The CPU's copy of a page-cache page is made with the folio locked (as
// every reader and writer of page data is; see RATIONALE.md), which also
// orders it against writeback and truncation of that page.

// PTE bits (a small subset of a real page table entry's).
const (
	ptePresent = 1 << iota // maps folio
	pteWrite               // stores need no fault
	pteDirty               // stored to since mapped or cleaned
	pteAnon                // a private copy (MAP_PRIVATE after a store), not a page-cache page
	pteYoung               // accessed since mapped
)

// pte is one page table entry. Under its mapping's ptl.
type pte struct {
	folio *Folio // the page mapped; the entry holds a reference on it
	bits  uint8
}

// Mapping is struct vm_area_struct: one mmap(2) of a file range into a
// task's address space (its address only names it: accesses are at
// offsets relative to the start of the mapping). Made by Task.Mmap, gone
// after Task.Munmap or the task's exit.
//
// Load and Store are the task's memory accesses through it; like every
// method of the task they run on the task's goroutine.
type Mapping struct {
	mm *mmStruct // the owning address space; immutable
	// file is vm_file, with a reference; mapping its i_mapping; pgoff
	// vm_pgoff (the file page of the mapping's first page). Immutable.
	file    *File
	mapping *AddressSpace
	pgoff   int64
	// length is the mapping's length as asked; npages rounds it up.
	length, npages int64
	// start is vm_start, the address /proc/PID/maps shows (nothing is
	// addressed by it); set before the mapping is published, then
	// immutable.
	start       int64
	prot, flags int // PROT_* and MAP_* as given; immutable
	// vmShared is VM_SHARED: a shared mapping (VM_MAYSHARE, MAP_TYPE of
	// flags not MAP_PRIVATE) of a file open for writing; do_mmap leaves
	// it off for a file open read-only, whose pages the mapping can
	// never dirty (so msync does not write them). Immutable.
	vmShared bool
	// locked is VM_LOCKED (MAP_LOCKED): the mapping was populated at
	// mmap, msync(MS_INVALIDATE) of it is EBUSY, and reclaim leaves its
	// pages mapped (folio_referenced's mlock). Immutable.
	locked bool
	// VMOps is vm_ops, set by ->mmap; Private is vm_private_data.
	VMOps   *VMOperations
	Private any

	// dead is set by munmap under mmap_lock held for write; faults read
	// it under mmap_lock.
	dead atomic.Bool

	// immPrev and immNext link the mapping into its file's i_mmap
	// (iMmap.first), in the order the reverse-map walks visit it (the
	// shared.rb of Linux's interval tree). Protected by that iMmap's
	// rwsem (i_mmap_rwsem: written by mmap, fork and munmap with it held
	// for write inside mmap_lock; read by the walks with it held shared,
	// inside the folio lock or invalidate_lock; before every ptl).
	immPrev, immNext *Mapping

	// ptl is the page table lock (pte_lockptr): it protects pt (the
	// page table, pagetable.go) and nrPresent. A spinlock; inside the
	// folio lock and i_mmap_rwsem, the innermost lock of the mm.
	ptl       lock.SpinLock
	pt        pageTable
	nrPresent int64

	// stats counts the faults taken through this mapping; atomic.
	stats MappingStats
}

// MappingStats counts what a mapping's accesses cost.
type MappingStats struct {
	Faults     atomic.Int64 // page faults taken (each ->fault, ->map_pages or write-protect fault)
	Mkwrites   atomic.Int64 // ->page_mkwrite calls
	MapPages   atomic.Int64 // pages mapped by ->map_pages (fault-around)
	CowCopies  atomic.Int64 // private copies made (MAP_PRIVATE stores)
	Writeprots atomic.Int64 // PTEs write-protected by writeback (page_mkclean)
}

var (
	classPTL     = lock.NewClass("ptlock", lock.KindSpin)
	classIMmap   = lock.NewClass("&mapping->i_mmap_rwsem", lock.KindRWSem)
	classMmapSem = lock.NewClass("&mm->mmap_lock", lock.KindRWSem)
)

// File returns vm_file; Pgoff vm_pgoff; Len the length asked for.
func (vma *Mapping) File() *File              { return vma.file }
func (vma *Mapping) Pgoff() int64             { return vma.pgoff }
func (vma *Mapping) Len() int64               { return vma.length }
func (vma *Mapping) Prot() int                { return vma.prot }
func (vma *Mapping) Flags() int               { return vma.flags }
func (vma *Mapping) Start() int64             { return vma.start }
func (vma *Mapping) Stats() *MappingStats     { return &vma.stats }
func (vma *Mapping) AddrSpace() *AddressSpace { return vma.mapping }

// shared reports VM_SHARED (see vmShared).
func (vma *Mapping) shared() bool { return vma.vmShared }

// ptep returns the entry of page i of the mapping, allocating its tables
// with alloc (nil without, if absent: the entry is absent). ptl held.
func (vma *Mapping) ptep(i int64, alloc bool) *pte {
	tb := vma.pt.table(i>>ptShift, alloc)
	if tb == nil {
		return nil
	}
	return &tb[i&(ptesPerTable-1)]
}

// anonFolioAlloc makes the page of a private copy (an anonymous page: in
// no mapping, never locked, read and written only by the task owning the
// mapping), with one reference, zeroed.
func anonFolioAlloc() *Folio {
	f := newFolio()
	f.setPoolPage(getPage())
	f.refcount.Store(1)
	return f
}

// setPteLocked is set_pte_at(): map fo at page i with bits, taking a
// reference for the entry; a page-cache page counts in NR_FILE_MAPPED
// (folio_add_file_rmap_ptes). ptl held, entry absent.
func (vma *Mapping) setPteLocked(i int64, fo *Folio, bits uint8) {
	p := vma.ptep(i, true)
	folioGet(fo)
	p.folio = fo
	p.bits = bits | ptePresent
	vma.nrPresent++
	if bits&pteAnon == 0 {
		vma.mapping.host.sb.vfs.pc.nrFileMapped.Add(1)
	}
}

// zapPteLocked clears the entry of page i and returns the folio it
// mapped, whose reference the caller drops after releasing ptl. A
// dirty entry of a shared mapping has dirtied its page already (the page
// became writable through ->page_mkwrite), so nothing is transferred.
func (vma *Mapping) zapPteLocked(p *pte) *Folio {
	fo := p.folio
	if p.bits&pteAnon == 0 {
		vma.mapping.host.sb.vfs.pc.nrFileMapped.Add(-1) // folio_remove_rmap_ptes
	}
	*p = pte{}
	vma.nrPresent--
	return fo
}

// PTE describes one entry of a mapping's page table, for tests and views.
type PTE struct {
	Present, Write, Dirty, Anon bool
	Folio                       *Folio
}

// PTE returns the entry of the mapping's page i (relative to its start).
func (vma *Mapping) PTE(t *Task, i int64) PTE {
	if i < 0 || i >= vma.npages {
		return PTE{}
	}
	vma.ptl.Lock(t.o)
	defer vma.ptl.Unlock(t.o)
	p := vma.ptep(i, false)
	if p == nil || p.bits&ptePresent == 0 {
		return PTE{}
	}
	return PTE{Present: true, Write: p.bits&pteWrite != 0, Dirty: p.bits&pteDirty != 0,
		Anon: p.bits&pteAnon != 0, Folio: p.folio}
}

// NrPresent returns the number of pages mapped.
func (vma *Mapping) NrPresent(t *Task) int64 {
	vma.ptl.Lock(t.o)
	defer vma.ptl.Unlock(t.o)
	return vma.nrPresent
}

// ---- the reverse map: mapping->i_mmap ----

// iMmap is a file's set of mappings (mapping->i_mmap, an interval tree in
// Linux, a doubly linked list through Mapping.immPrev and immNext here)
// under i_mmap_rwsem. A mapping is linked at the end (mmap) or right
// after its parent's (fork) and unlinked where it is, each in constant
// time; the walks visit the list from first to last, so a child's copy
// after its parent's mapping, as the interval tree's in-order walk does.
type iMmap struct {
	// rwsem is i_mmap_rwsem: it protects first, last and the links of
	// the mappings on the list. Taken for write by mmap, fork and munmap
	// (inside mmap_lock), for read by the reverse-map walks (page_mkclean
	// inside the folio lock, unmap_mapping_range inside
	// invalidate_lock); before every mapping's ptl.
	rwsem       lock.RWSem
	first, last *Mapping
	// nr is the number of mappings on the list; written under rwsem
	// held for write, read without it to skip files never mapped.
	nr atomic.Int32
}

// linkAfterLocked puts vma on the list right after prev, or first if
// prev is nil. rwsem held for write.
func (im *iMmap) linkAfterLocked(vma, prev *Mapping) {
	var next *Mapping
	if prev != nil {
		next, prev.immNext = prev.immNext, vma
	} else {
		next, im.first = im.first, vma
	}
	if next != nil {
		next.immPrev = vma
	} else {
		im.last = vma
	}
	vma.immPrev, vma.immNext = prev, next
	im.nr.Add(1)
}

// unlinkLocked takes vma off the list; the others keep their order.
// rwsem held for write, vma on the list.
func (im *iMmap) unlinkLocked(vma *Mapping) {
	if vma.immPrev != nil {
		vma.immPrev.immNext = vma.immNext
	} else {
		im.first = vma.immNext
	}
	if vma.immNext != nil {
		vma.immNext.immPrev = vma.immPrev
	} else {
		im.last = vma.immPrev
	}
	vma.immPrev, vma.immNext = nil, nil
	im.nr.Add(-1)
}

// folioIMmap returns the i_mmap of f's mapping if some VMA maps that
// mapping now, else nil (a truncated folio, a file never or no longer
// mapped): the test folio_mapped() stands for before an rmap walk.
func folioIMmap(f *Folio) *iMmap {
	if m := f.mapping.Load(); m != nil {
		if im := m.iMmap.Load(); im != nil && im.nr.Load() != 0 {
			return im
		}
	}
	return nil
}

// rmapWalk calls fn with each VMA of im that maps f, and the present
// PTE there, under that VMA's page table lock (rmap_walk_file with
// page_vma_mapped_walk); fn returns false to end the walk. The caller
// holds im's i_mmap_rwsem, shared.
func rmapWalk(t *Task, im *iMmap, f *Folio, fn func(vma *Mapping, p *pte) bool) {
	for vma := im.first; vma != nil; vma = vma.immNext {
		i := vma.vmaPageOf(f.index)
		if i < 0 {
			continue
		}
		vma.ptl.Lock(t.o)
		more := true
		if p := vma.ptep(i, false); p != nil && p.bits&ptePresent != 0 && p.folio == f {
			more = fn(vma, p)
		}
		vma.ptl.Unlock(t.o)
		if !more {
			return
		}
	}
}

// iMmapOf returns m's i_mmap, making it on first use.
func iMmapOf(m *AddressSpace) *iMmap {
	if im := m.iMmap.Load(); im != nil {
		return im
	}
	im := &iMmap{}
	im.rwsem.Init(classIMmap, 0)
	if m.iMmap.CompareAndSwap(nil, im) {
		return im
	}
	return m.iMmap.Load()
}

// vmaLinkFile is vma_link_file(): add vma to the end of its file's
// i_mmap.
func vmaLinkFile(t *Task, vma *Mapping) {
	im := iMmapOf(vma.mapping)
	im.rwsem.Lock(t.o)
	im.linkAfterLocked(vma, im.last)
	im.rwsem.Unlock(t.o)
}

// vmaLinkFileAfter is vma_interval_tree_insert_after(): add the
// child's vma to i_mmap right after prev, its parent's, which is on it
// (fork, under the parent's mmap_lock), so that the walks of i_mmap
// visit the parent's entries before the child's.
func vmaLinkFileAfter(t *Task, vma, prev *Mapping) {
	im := iMmapOf(vma.mapping)
	im.rwsem.Lock(t.o)
	im.linkAfterLocked(vma, prev)
	im.rwsem.Unlock(t.o)
}

// vmaUnlinkFile is unlink_file_vma(): take vma, which is on it, out of
// its file's i_mmap. The others keep their order (a forked mapping
// stays after its parent's: see vmaLinkFileAfter).
func vmaUnlinkFile(t *Task, vma *Mapping) {
	im := iMmapOf(vma.mapping)
	im.rwsem.Lock(t.o)
	im.unlinkLocked(vma)
	im.rwsem.Unlock(t.o)
}

// vmaPageOf returns the page of vma that maps file page idx, or -1.
func (vma *Mapping) vmaPageOf(idx int64) int64 {
	i := idx - vma.pgoff
	if i < 0 || i >= vma.npages {
		return -1
	}
	return i
}

// folioMkclean is folio_mkclean(): write-protect and clean every PTE of a
// shared mapping that maps f, so that the next store to it faults (and
// ->page_mkwrite sees it). Reports whether some entry was dirty. The
// caller holds the folio lock (folio_clear_dirty_for_io).
func folioMkclean(t *Task, f *Folio) bool {
	im := folioIMmap(f)
	if im == nil {
		return false
	}
	dirty := false
	im.rwsem.RLock(t.o)
	rmapWalk(t, im, f, func(vma *Mapping, p *pte) bool {
		if vma.shared() && p.bits&(pteWrite|pteDirty) != 0 {
			dirty = dirty || p.bits&pteDirty != 0
			p.bits &^= pteWrite | pteDirty
			vma.stats.Writeprots.Add(1)
		}
		return true
	})
	im.rwsem.RUnlock(t.o)
	return dirty
}

// unmapMappingFolio is unmap_mapping_folio(): zap every PTE mapping the
// locked folio f (truncation removing it from the cache). The test for
// a mapping with no VMAs, nearly every file's, inlines (truncate calls
// it for every folio, as folio_mapped guards the call in Linux).
func unmapMappingFolio(t *Task, m *AddressSpace, f *Folio) {
	if m.iMmap.Load() != nil {
		unmapMappingFolioVMAs(t, m, f)
	}
}

// unmapMappingFolioVMAs zaps f's PTEs in the VMAs of m, a mapping that
// has been mapped (i_mmap made).
func unmapMappingFolioVMAs(t *Task, m *AddressSpace, f *Folio) {
	im := m.iMmap.Load()
	if im.nr.Load() == 0 {
		return
	}
	var put []*Folio
	im.rwsem.RLock(t.o)
	rmapWalk(t, im, f, func(vma *Mapping, p *pte) bool {
		put = append(put, vma.zapPteLocked(p))
		return true
	})
	im.rwsem.RUnlock(t.o)
	for _, fo := range put {
		FolioPut(fo)
	}
}

// UnmapMappingRange is unmap_mapping_range(): zap the PTEs mapping the
// file pages from start's page on, as many as n bytes round up to (n 0:
// to the end of the file), in every mapping of m, counted as Linux
// counts them (hba, hlen): an unaligned start does not stretch the range
// by a page. Page-cache pages only, unless evenCows: then the private
// copies of MAP_PRIVATE mappings too (truncation: what lies past EOF
// must fault, and get SIGBUS).
func UnmapMappingRange(t *Task, m *AddressSpace, start, n int64, evenCows bool) {
	im := m.iMmap.Load()
	if im == nil || im.nr.Load() == 0 {
		return
	}
	hba := int64(uint64(start) >> PAGE_SHIFT)
	hlen := int64((uint64(n) + PAGE_SIZE - 1) >> PAGE_SHIFT)
	first, last := hba, int64(1<<63-1) // unmap_mapping_pages: nr 0 is to the end
	if hlen > 0 && hlen-1 <= last-hba {
		last = hba + hlen - 1
	}
	var put []*Folio
	im.rwsem.RLock(t.o)
	for vma := im.first; vma != nil; vma = vma.immNext {
		lo := max(first, vma.pgoff) - vma.pgoff
		hi := min(last, vma.pgoff+vma.npages-1) - vma.pgoff
		if lo > hi {
			continue
		}
		vma.ptl.Lock(t.o)
		put = vma.zapRangeLocked(lo, hi, evenCows, put)
		vma.ptl.Unlock(t.o)
	}
	im.rwsem.RUnlock(t.o)
	for _, fo := range put {
		FolioPut(fo)
	}
}

// zapRangeLocked is zap_pte_range(): clear the entries of pages [lo, hi]
// of the mapping (private copies only with evenCows), appending the
// folios whose references the caller must drop. ptl held.
func (vma *Mapping) zapRangeLocked(lo, hi int64, evenCows bool, put []*Folio) []*Folio {
	if vma.nrPresent == 0 {
		return put
	}
	vma.pt.forEach(lo, hi, func(base int64, tb *pteTable) {
		a := max(lo, base) - base
		b := min(hi, base+ptesPerTable-1) - base
		for k := a; k <= b; k++ {
			p := &tb[k]
			if p.bits&ptePresent == 0 || (p.bits&pteAnon != 0 && !evenCows) {
				continue
			}
			put = append(put, vma.zapPteLocked(p))
		}
	})
	return put
}

// rmapRefs is what folioReferenced found: folio_referenced()'s count
// of young PTEs (-1: the rmap lock was contended) and the vm_flags it
// gathers.
type rmapRefs struct {
	young  int
	locked bool // VM_LOCKED: a mlocked mapping maps the folio
	exec   bool // VM_EXEC: an executable mapping maps it young
}

// folioReferenced is folio_referenced() for a locked page-cache folio:
// count the PTEs mapping it that were accessed since the last look
// (young), clearing their young bits for the next one. A VM_LOCKED
// mapping ends the walk (folio_referenced_one's mlock: the folio is
// not to be reclaimed whatever its young bits say). i_mmap_rwsem is
// only tried, as reclaim's rmap walk does (rwc.try_lock): contended,
// young is -1.
func folioReferenced(t *Task, f *Folio) rmapRefs {
	var r rmapRefs
	im := folioIMmap(f)
	if im == nil {
		return r
	}
	if !im.rwsem.TryRLock(t.o) {
		r.young = -1
		return r
	}
	rmapWalk(t, im, f, func(vma *Mapping, p *pte) bool {
		if vma.locked {
			r.locked = true
			return false
		}
		if p.bits&pteYoung != 0 {
			p.bits &^= pteYoung
			r.young++
			if vma.prot&PROT_EXEC != 0 {
				r.exec = true
			}
		}
		return true
	})
	im.rwsem.RUnlock(t.o)
	return r
}

// folioTryToUnmap is try_to_unmap() for a locked page-cache folio that
// folioReferenced found idle: zap every PTE mapping it, so that reclaim
// can free it. A dirty PTE has dirtied the page already (write-notify),
// so nothing is lost. Reports whether the folio is unmapped now: not
// when i_mmap_rwsem is contended (it is only tried, as folioReferenced
// tries it) or a VM_LOCKED mapping maps it (TTU's mlock check).
func folioTryToUnmap(t *Task, f *Folio) bool {
	im := folioIMmap(f)
	if im == nil {
		return true
	}
	if !im.rwsem.TryRLock(t.o) {
		return false
	}
	unmapped := true
	var put []*Folio
	rmapWalk(t, im, f, func(vma *Mapping, p *pte) bool {
		if vma.locked {
			unmapped = false
		} else {
			put = append(put, vma.zapPteLocked(p))
		}
		return true
	})
	im.rwsem.RUnlock(t.o)
	for _, fo := range put {
		FolioPut(fo)
	}
	return unmapped
}
