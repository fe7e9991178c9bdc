package vfs

// Page faults on file mappings (mm/memory.c's handle_mm_fault for a
// file-backed VMA) and the page-cache vm_operations (mm/filemap.c's
// filemap_fault, filemap_map_pages, filemap_page_mkwrite).
//
// Lock order of a fault: mmap_lock (read) -> sb_start_pagefault (in
// ->page_mkwrite) -> invalidate_lock (shared, to read a page in) -> the
// folio lock -> ptl. The folio stays locked from ->page_mkwrite through
// setting the PTE writable and dirty and folio_mark_dirty, so that
// writeback cannot clean the page in between ("mm: close page_mkwrite
// races").

// VMFaultT is vm_fault_t: what a fault handler reports.
type VMFaultT uint32

// VM_FAULT_* codes.
const (
	VM_FAULT_OOM     VMFaultT = 0x000001
	VM_FAULT_SIGBUS  VMFaultT = 0x000002
	VM_FAULT_MAJOR   VMFaultT = 0x000004
	VM_FAULT_SIGSEGV VMFaultT = 0x000040
	VM_FAULT_NOPAGE  VMFaultT = 0x000100 // no page to map: the access is retried
	VM_FAULT_LOCKED  VMFaultT = 0x000200 // the folio is returned locked
	VM_FAULT_RETRY   VMFaultT = 0x000400
	VM_FAULT_ERROR            = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV
)

// FAULT_FLAG_* of VMFault.Flags.
const (
	FAULT_FLAG_WRITE   = 0x01 // a store
	FAULT_FLAG_MKWRITE = 0x02 // ->page_mkwrite on a mapped page
)

// faultAroundPages is fault_around_bytes / PAGE_SIZE: ->map_pages is
// offered the 16 pages around a read fault.
const faultAroundPages = 16

// VMFault is struct vm_fault: one fault being handled.
type VMFault struct {
	VMA   *Mapping
	Pgoff int64  // the file page faulted on
	Flags uint32 // FAULT_FLAG_*
	// Folio is the page ->fault found (with a reference), which
	// ->page_mkwrite is asked about.
	Folio *Folio
}

// MapFolio is set_pte_range() for ->map_pages: map the locked, uptodate
// folio fo at file page idx read-only and young, unless something is
// mapped there already. Reports whether it mapped it. It does not block.
//
// Every entry a fault makes is young, fault-around's neighbours too:
// set_pte_range builds it with mk_pte from vm_page_prot, and x86-64's
// protection_map entries (PAGE_READONLY, PAGE_SHARED, PAGE_COPY and
// their _EXEC forms) all carry _PAGE_ACCESSED; arch_wants_old_prefaulted_pte,
// which would make the neighbours old (arm64), is false there. Reclaim
// then sees a page just mapped as referenced (folio_check_references).
func (vmf *VMFault) MapFolio(t *Task, fo *Folio, idx int64) bool {
	vma := vmf.VMA
	i := vma.vmaPageOf(idx)
	if i < 0 {
		return false
	}
	vma.ptl.Lock(t.o)
	p := vma.ptep(i, true)
	ok := p.bits&ptePresent == 0
	if ok {
		vma.setPteLocked(i, fo, pteYoung)
	}
	vma.ptl.Unlock(t.o)
	return ok
}

// handleMMFault is handle_mm_fault() for page i of a file mapping:
// under mmap_lock held shared, a read or write fault on a missing entry
// (do_read_fault, do_cow_fault, do_shared_fault) or a write fault on a
// read-only one (do_wp_page). nil means "access again".
func (t *Task) handleMMFault(vma *Mapping, i int64, write bool) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("page_fault"))
	}
	mm := vma.mm
	mm.mmapLock.RLock(t.o)
	defer mm.mmapLock.RUnlock(t.o)
	if vma.dead.Load() {
		return &FaultError{SIGSEGV, i << PAGE_SHIFT, "unmapped"}
	}
	vma.stats.Faults.Add(1)
	vmf := &VMFault{VMA: vma, Pgoff: vma.pgoff + i}
	if write {
		vmf.Flags |= FAULT_FLAG_WRITE
	}
	vma.ptl.Lock(t.o)
	var present, writable, anon bool
	var fo *Folio
	if p := vma.ptep(i, false); p != nil && p.bits&ptePresent != 0 {
		present, writable, anon, fo = true, p.bits&pteWrite != 0, p.bits&pteAnon != 0, p.folio
		if write && !writable {
			folioGet(fo)
		}
	}
	vma.ptl.Unlock(t.o)
	var ret VMFaultT
	switch {
	case !present && !write:
		ret = t.doReadFault(vmf, i)
	case !present && !vma.shared():
		ret = t.doCowFault(vmf, i)
	case !present:
		ret = t.doSharedFault(vmf, i)
	case write && !writable:
		ret = t.doWpPage(vmf, i, fo, anon)
	}
	switch {
	case ret&VM_FAULT_OOM != 0:
		return ENOMEM
	case ret&VM_FAULT_SIGBUS != 0:
		return &FaultError{SIGBUS, i << PAGE_SHIFT, "no page at file offset " + itoa(vmf.Pgoff<<PAGE_SHIFT) + " (past the end of the file, unreadable, or no space for a store)"}
	case ret&VM_FAULT_SIGSEGV != 0:
		return &FaultError{SIGSEGV, i << PAGE_SHIFT, "the fault handler refused the access"}
	}
	return nil
}

// doFault is __do_fault(): ->fault, and the folio locked on success.
func (t *Task) doFault(vmf *VMFault) VMFaultT {
	vmf.Folio = nil
	if vmf.VMA.VMOps.Fault == nil {
		return VM_FAULT_SIGBUS
	}
	ret := t.vmopFault(vmf)
	if ret&(VM_FAULT_ERROR|VM_FAULT_NOPAGE|VM_FAULT_RETRY) != 0 {
		return ret
	}
	if vmf.Folio == nil {
		return VM_FAULT_SIGBUS
	}
	if ret&VM_FAULT_LOCKED == 0 {
		FolioLock(t, vmf.Folio)
		ret |= VM_FAULT_LOCKED
	}
	return ret
}

// doReadFault is do_read_fault(): first ->map_pages around the page
// (do_fault_around), then ->fault if that did not map it; the page is
// mapped read-only (a later store faults again).
func (t *Task) doReadFault(vmf *VMFault, i int64) VMFaultT {
	vma := vmf.VMA
	if vma.VMOps.MapPages != nil {
		lo := max(vmf.Pgoff&^(faultAroundPages-1), vma.pgoff)
		hi := min(lo+faultAroundPages-1, vma.pgoff+vma.npages-1)
		t.vmopMapPages(vmf, lo, hi)
		if vma.PTE(t, i).Present {
			return 0
		}
	}
	ret := t.doFault(vmf)
	if ret&(VM_FAULT_ERROR|VM_FAULT_NOPAGE|VM_FAULT_RETRY) != 0 {
		return ret
	}
	fo := vmf.Folio
	vma.ptl.Lock(t.o)
	if p := vma.ptep(i, true); p.bits&ptePresent == 0 {
		vma.setPteLocked(i, fo, pteYoung) // young: see MapFolio
	}
	vma.ptl.Unlock(t.o)
	FolioUnlock(t, fo)
	FolioPut(fo)
	return ret
}

// doCowFault is do_cow_fault(): a store to a page of a private mapping
// not mapped yet: ->fault finds the file's page, and the task gets a
// private copy of it, mapped writable. The file never sees the store.
// The file's page stays locked until the copy is mapped (finish_fault
// before unlock_page): ->fault checked i_size with it locked, and a
// truncation removing it waits for that lock between its two unmaps
// (truncate_pagecache), so its second unmap zaps the copy of a page
// past the new EOF.
func (t *Task) doCowFault(vmf *VMFault, i int64) VMFaultT {
	ret := t.doFault(vmf)
	if ret&(VM_FAULT_ERROR|VM_FAULT_NOPAGE|VM_FAULT_RETRY) != 0 {
		return ret
	}
	src := vmf.Folio
	cp := anonFolioAlloc()
	copy(cp.data[:], src.data[:])
	if cowCopiedHook != nil {
		cowCopiedHook()
	}
	t.installCopy(vmf.VMA, i, nil, cp)
	FolioUnlock(t, src)
	FolioPut(src)
	return ret
}

// cowCopiedHook and faultHoleHook, nil outside tests, run inside the
// windows the tests of the races with truncation look into: after
// do_cow_fault copied the file's page and before the copy is mapped, and
// after a fault found a hole of a memory-only mapping and before it
// makes the hole's page.
var cowCopiedHook, faultHoleHook func()

// installCopy maps the private copy cp at page i, writable and dirty,
// in place of old (nil: in place of nothing) if the entry still holds
// that; it drops the caller's reference on cp.
func (t *Task) installCopy(vma *Mapping, i int64, old, cp *Folio) {
	var gone *Folio
	vma.ptl.Lock(t.o)
	p := vma.ptep(i, true)
	switch {
	case old == nil && p.bits&ptePresent == 0:
		vma.setPteLocked(i, cp, pteWrite|pteDirty|pteAnon|pteYoung)
	case old != nil && p.bits&ptePresent != 0 && p.folio == old:
		gone = vma.zapPteLocked(p)
		vma.setPteLocked(i, cp, pteWrite|pteDirty|pteAnon|pteYoung)
	}
	vma.ptl.Unlock(t.o)
	if gone != nil {
		FolioPut(gone)
	}
	FolioPut(cp)
	vma.stats.CowCopies.Add(1)
}

// doSharedFault is do_shared_fault(): a store to a page of a shared
// mapping not mapped yet: ->fault, then ->page_mkwrite, then the PTE
// writable and dirty and the page dirtied, the page locked throughout.
func (t *Task) doSharedFault(vmf *VMFault, i int64) VMFaultT {
	ret := t.doFault(vmf)
	if ret&(VM_FAULT_ERROR|VM_FAULT_NOPAGE|VM_FAULT_RETRY) != 0 {
		return ret
	}
	fo := vmf.Folio
	mkwrite := vmf.VMA.VMOps.PageMkwrite != nil
	if mkwrite {
		FolioUnlock(t, fo)
		tmp := t.doPageMkwrite(vmf)
		if tmp&(VM_FAULT_ERROR|VM_FAULT_NOPAGE) != 0 {
			FolioPut(fo)
			return tmp
		}
	}
	vma := vmf.VMA
	vma.ptl.Lock(t.o)
	p := vma.ptep(i, true)
	other := false
	switch {
	case p.bits&ptePresent == 0:
		vma.setPteLocked(i, fo, pteWrite|pteDirty|pteYoung)
	case p.folio == fo:
		p.bits |= pteWrite | pteDirty | pteYoung
	default:
		other = true
	}
	vma.ptl.Unlock(t.o)
	if other {
		// finish_fault's VM_FAULT_NOPAGE: the entry maps another
		// page now; this one is not dirtied, and the access is
		// retried against that entry.
		FolioUnlock(t, fo)
		FolioPut(fo)
		return VM_FAULT_NOPAGE
	}
	t.faultDirtySharedPage(vmf, fo, mkwrite)
	return ret
}

// doPageMkwrite is do_page_mkwrite(): ->page_mkwrite with the folio
// unlocked; on success the folio is locked (the method's
// VM_FAULT_LOCKED, or locked here and checked for truncation).
func (t *Task) doPageMkwrite(vmf *VMFault) VMFaultT {
	vmf.Flags |= FAULT_FLAG_MKWRITE
	vmf.VMA.stats.Mkwrites.Add(1)
	ret := t.vmopPageMkwrite(vmf)
	if ret&(VM_FAULT_ERROR|VM_FAULT_NOPAGE) != 0 {
		return ret
	}
	if ret&VM_FAULT_LOCKED == 0 {
		fo := vmf.Folio
		FolioLock(t, fo)
		if fo.mapping.Load() == nil {
			FolioUnlock(t, fo)
			return VM_FAULT_NOPAGE
		}
		ret |= VM_FAULT_LOCKED
	}
	return ret
}

// doWpPage is do_wp_page(): a store to a page mapped read-only. A
// private mapping gets its copy (wp_page_copy) of a page-cache page, or
// of a copy it shares with a forked task, unless nobody else maps that
// copy any more: then it is made writable again (wp_page_reuse). A
// shared one calls
// ->page_mkwrite and, the entry still mapping the page, makes it
// writable and dirty and dirties the page, locked throughout
// (wp_page_shared). The caller's reference on fo is consumed.
func (t *Task) doWpPage(vmf *VMFault, i int64, fo *Folio, anon bool) VMFaultT {
	vma := vmf.VMA
	if anon {
		// Our PTE's reference and the fault's: nobody else's.
		if fo.refcount.Load() == 2 {
			vma.ptl.Lock(t.o)
			if p := vma.ptep(i, false); p != nil && p.bits&ptePresent != 0 && p.folio == fo {
				p.bits |= pteWrite | pteDirty | pteYoung
			}
			vma.ptl.Unlock(t.o)
			FolioPut(fo)
			return 0
		}
		cp := anonFolioAlloc()
		copy(cp.data[:], fo.data[:])
		t.installCopy(vma, i, fo, cp)
		FolioPut(fo)
		return 0
	}
	if !vma.shared() {
		FolioLock(t, fo)
		cp := anonFolioAlloc()
		copy(cp.data[:], fo.data[:])
		FolioUnlock(t, fo)
		t.installCopy(vma, i, fo, cp)
		FolioPut(fo)
		return 0
	}
	vmf.Folio = fo
	mkwrite := vma.VMOps.PageMkwrite != nil
	if mkwrite {
		if ret := t.doPageMkwrite(vmf); ret&(VM_FAULT_ERROR|VM_FAULT_NOPAGE) != 0 {
			FolioPut(fo)
			return ret
		}
	} else {
		FolioLock(t, fo)
	}
	vma.ptl.Lock(t.o)
	p := vma.ptep(i, false)
	same := p != nil && p.bits&ptePresent != 0 && p.folio == fo
	if same {
		p.bits |= pteWrite | pteDirty | pteYoung
	}
	vma.ptl.Unlock(t.o)
	if !same {
		// Zapped meanwhile (truncate): access again.
		FolioUnlock(t, fo)
		FolioPut(fo)
		return VM_FAULT_NOPAGE
	}
	t.faultDirtySharedPage(vmf, fo, mkwrite)
	return 0
}

// faultDirtySharedPage is fault_dirty_shared_page(): folio_mark_dirty
// with the folio still locked, then unlock it, drop the fault's
// reference, and let the dirtier be throttled (balance_dirty_pages).
// Without ->page_mkwrite, the file's times are updated here.
func (t *Task) faultDirtySharedPage(vmf *VMFault, fo *Folio, mkwrite bool) {
	m := fo.mapping.Load()
	dirtied := FolioMarkDirty(t, fo)
	FolioUnlock(t, fo)
	FolioPut(fo)
	if (dirtied || mkwrite) && m != nil {
		balanceDirtyPagesRatelimited(t, m, 1)
	}
	if !mkwrite {
		fileUpdateTime(t, vmf.VMA.mapping.host)
	}
}

// ---- the page-cache vm_operations ----

// maxIndex returns the number of pages i_size covers (a fault at or
// past it is SIGBUS).
func maxIndex(in *Inode) int64 {
	return (in.size.Load() + PAGE_SIZE - 1) >> PAGE_SHIFT
}

// errPastEOF is the -EINVAL of shmem_get_folio_gfp for a page the file
// was truncated below: the fault is SIGBUS (vmf_error).
var errPastEOF = EINVAL

// vmFaultOf is vmf_error(): ENOMEM is VM_FAULT_OOM, the rest SIGBUS.
func vmFaultOf(err error) VMFaultT {
	if err == ENOMEM {
		return VM_FAULT_OOM
	}
	return VM_FAULT_SIGBUS
}

// FilemapFault is filemap_fault() as ->fault: the page at vmf.Pgoff,
// from the page cache or read in (reading around it,
// doSyncMmapReadahead) through ->read_folio under invalidate_lock
// shared, returned locked and uptodate
// (VM_FAULT_LOCKED). A hole of a memory-only mapping (no ->read_folio)
// becomes a zeroed page. VM_FAULT_SIGBUS past i_size (checked again
// with the folio locked, which orders it against truncation) or when the
// read fails.
func FilemapFault(t *Task, vmf *VMFault) VMFaultT {
	return FilemapFaultCharged(t, vmf, nil)
}

// mmapLotsAMiss is MMAP_LOTSAMISS: past this many more faults that
// found no page than faults that found one, a file's faults stop
// reading around.
const mmapLotsAMiss = 100

// mmapMiss is ra->mmap_miss, with the word it was read from (for
// setMmapMiss).
func (ra *fileRaState) mmapMiss() (miss, word uint32) {
	word = ra.bits.Load()
	return word & mmapMissMask >> mmapMissShift, word
}

// setMmapMiss stores n as ra->mmap_miss, unless the word changed since
// old was read (it reports whether it stored): Linux's READ_ONCE and
// WRITE_ONCE of mmap_miss race too, and a lost update costs a fault's
// count, nothing else.
func (ra *fileRaState) setMmapMiss(old, n uint32) bool {
	return ra.bits.CompareAndSwap(old, old&^mmapMissMask|n<<mmapMissShift)
}

// doSyncMmapReadahead is do_sync_mmap_readahead(): a fault at index
// found no page. Unless the file's faults mostly miss (mmap_miss past
// MMAP_LOTSAMISS), it reads around the page: ra_pages of them, half
// before it, the last quarter of the window asynchronous (its first page
// marked PG_readahead). madvise(2)'s VM_RAND_READ and VM_SEQ_READ,
// which would turn this off or make it a read's readahead, have no
// front end here.
func (t *Task) doSyncMmapReadahead(f *File, m *AddressSpace, index int64) {
	ra := &f.ra
	raPages := f.raPages(m)
	if raPages == 0 {
		return
	}
	miss, old := ra.mmapMiss()
	if miss < mmapLotsAMiss*10 {
		miss++
		ra.setMmapMiss(old, miss)
	}
	if miss > mmapLotsAMiss {
		return
	}
	t.raSubmit(f, m, max(0, index-raPages/2), raPages, raPages/4)
}

// doAsyncMmapReadahead is do_async_mmap_readahead(): a fault at index
// found fo. The hit takes one from mmap_miss; a page marked
// PG_readahead starts the next window, as for a read.
func (t *Task) doAsyncMmapReadahead(f *File, m *AddressSpace, fo *Folio, index int64) {
	ra := &f.ra
	raPages := f.raPages(m)
	if raPages == 0 {
		return
	}
	if miss, old := ra.mmapMiss(); miss > 0 {
		ra.setMmapMiss(old, miss-1)
	}
	if fo.flags.Load()&PG_readahead != 0 {
		fo.flags.And(^uint32(PG_readahead))
		t.pageCacheAsyncRA(f, m, index, raPages)
	}
}

// FilemapFaultCharged is FilemapFault for a filesystem that accounts
// the pages of a memory-only mapping (shmem_fault): charge(1) before a
// hole's page is made, charge(-1) if it was not needed; a charge error
// fails the fault (SIGBUS, or OOM for ENOMEM).
func FilemapFaultCharged(t *Task, vmf *VMFault, charge func(pages int64) error) VMFaultT {
	vma := vmf.VMA
	f, m := vma.file, vma.mapping
	in := m.host
	idx := vmf.Pgoff
	readable := m.AOps != nil && m.AOps.ReadFolio != nil
	for retry := false; ; retry = true {
		if idx >= maxIndex(in) {
			return VM_FAULT_SIGBUS
		}
		var fo *Folio
		var err error
		if !retry {
			fo, err = t.filemapGetPage(f, m, idx, 1, true)
		} else if fo = FilemapGetFolio(m, idx); fo == nil && readable {
			// filemap_fault's retry_find, after a truncation race
			// or a read of the page: the page alone, with no
			// readahead and no count in mmap_miss.
			fo, err = t.filemapCreateFolio(f, m, idx)
		}
		if err != nil {
			return vmFaultOf(err)
		}
		if fo == nil {
			if readable {
				continue // past EOF by now: the check above says so
			}
			if faultHoleHook != nil {
				faultHoleHook()
			}
			if fo, err = t.filemapFaultHole(m, idx, charge); err != nil {
				return vmFaultOf(err) // errPastEOF: SIGBUS
			}
		} else {
			FolioLock(t, fo)
		}
		if fo.mapping.Load() != m {
			FolioUnlock(t, fo)
			FolioPut(fo)
			continue
		}
		if !fo.Uptodate() {
			if !readable {
				FolioMarkUptodate(fo) // a zeroed page nobody filled
			} else {
				// invalidate_lock comes before the folio lock.
				FolioUnlock(t, fo)
				m.invalidateLock.RLock(t.o)
				FolioLock(t, fo)
				if fo.mapping.Load() == m && !fo.Uptodate() {
					err = t.filemapReadFolio(f, m, fo)
				} else {
					FolioUnlock(t, fo)
				}
				m.invalidateLock.RUnlock(t.o)
				FolioPut(fo)
				if err != nil {
					return VM_FAULT_SIGBUS
				}
				continue
			}
		}
		if idx >= maxIndex(in) {
			FolioUnlock(t, fo)
			FolioPut(fo)
			return VM_FAULT_SIGBUS
		}
		vmf.Folio = fo
		return VM_FAULT_LOCKED
	}
}

// filemapFaultHole makes the zeroed page of a hole of a memory-only
// mapping (shmem_get_folio for a fault), uptodate and dirty, locked,
// with a reference, under invalidate_lock shared. errPastEOF if the
// file was truncated below idx meanwhile.
func (t *Task) filemapFaultHole(m *AddressSpace, idx int64, charge func(int64) error) (*Folio, error) {
	m.invalidateLock.RLock(t.o)
	defer m.invalidateLock.RUnlock(t.o)
	if charge != nil {
		if err := charge(1); err != nil {
			return nil, err
		}
	}
	fo, err := FilemapGrabFolio(t, m, idx, FGP_CREAT|FGP_LOCK)
	if err != nil {
		if charge != nil {
			charge(-1)
		}
		return nil, err
	}
	if fo.Uptodate() {
		// Made by someone else meanwhile.
		if charge != nil {
			charge(-1)
		}
		return fo, nil
	}
	if idx >= maxIndex(m.host) {
		// Truncated since the fault looked at i_size: with the page
		// locked, a truncation either saw it in the cache (and waits
		// for it) or set i_size before it was made. Take it out
		// again and give its charge back (shmem_get_folio_gfp's
		// filemap_remove_folio and shmem_recalc_inode), or it would
		// stay cached and charged past EOF.
		filemapRemoveFolio(t, m, fo)
		FolioUnlock(t, fo)
		FolioPut(fo)
		if charge != nil {
			charge(-1)
		}
		return nil, errPastEOF
	}
	FolioMarkUptodate(fo)
	// Dirty, as every page of a memory-only mapping is from birth (its
	// only copy): drop_caches and reclaim never take it, and the
	// filesystem's charge for it stays right.
	FolioMarkDirty(t, fo)
	return fo, nil
}

// FilemapMapPages is filemap_map_pages() as ->map_pages: map read-only
// every page of [start, end] inside i_size that is in the cache,
// uptodate and not locked, taking no sleeping lock (a folio it cannot
// trylock is skipped, as is one marked for readahead).
func FilemapMapPages(t *Task, vmf *VMFault, start, end int64) VMFaultT {
	m := vmf.VMA.mapping
	in := m.host
	end = min(end, maxIndex(in)-1)
	var found, mapped int64
	for idx := start; idx <= end; idx++ {
		fo := FilemapGetFolio(m, idx)
		if fo == nil {
			continue
		}
		if fl := fo.flags.Load(); fl&(PG_locked|PG_readahead) != 0 || fl&PG_uptodate == 0 || !FolioTrylock(t, fo) {
			FolioPut(fo)
			continue
		}
		if fo.mapping.Load() == m && fo.Uptodate() && idx < maxIndex(in) {
			found++
			if vmf.MapFolio(t, fo, idx) {
				mapped++
			}
		}
		FolioUnlock(t, fo)
		FolioPut(fo)
	}
	vmf.VMA.stats.MapPages.Add(mapped)
	// The pages found here are hits that take no fault of their own:
	// filemap_map_pages takes every one off mmap_miss, mapped before
	// or now (filemap_map_order0_folio counts it before it looks at
	// the PTE; vfscope has no workingset pages, which Linux leaves
	// counted).
	if f := vmf.VMA.file; found > 0 && f != nil {
		if miss, old := f.ra.mmapMiss(); miss > 0 {
			f.ra.setMmapMiss(old, uint32(max(int64(miss)-found, 0)))
		}
	}
	return 0
}

// FilemapPageMkwrite is filemap_page_mkwrite() as ->page_mkwrite:
// inside sb_start_pagefault (a frozen filesystem holds the store here
// until thawed), update the file's times, lock the folio, give up with
// VM_FAULT_NOPAGE if it was truncated, else dirty it and wait for
// writeback in flight (stable pages), returning it locked.
func FilemapPageMkwrite(t *Task, vmf *VMFault) VMFaultT {
	m := vmf.VMA.mapping
	in := m.host
	fo := vmf.Folio
	sbStartWrite(t, in.sb, SB_FREEZE_PAGEFAULT)
	defer sbEndWrite(t, in.sb, SB_FREEZE_PAGEFAULT)
	fileUpdateTime(t, in)
	FolioLock(t, fo)
	if fo.mapping.Load() != m {
		FolioUnlock(t, fo)
		return VM_FAULT_NOPAGE
	}
	FolioMarkDirty(t, fo)
	FolioWaitWriteback(t, fo)
	return VM_FAULT_LOCKED
}
