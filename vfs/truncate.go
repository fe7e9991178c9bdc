package vfs

// Truncation and invalidation of the page cache (mm/truncate.c). Every
// path here holds the mapping's invalidate_lock exclusive around the
// removal of folios, so that no read or fault fills a page from the old
// contents meanwhile, and works on each folio locked and not under
// writeback.

// TruncateSetsize is truncate_setsize(): set i_size and drop the page
// cache beyond it (zeroing the tail of a partial last page), whether the
// size shrinks, grows or stays: pages cached past EOF (preallocated, or
// left by a racing fault) go too. Linux's pagecache_isize_extended on
// growth does nothing when a block is a page, as it is here. i_rwsem
// held exclusive; it takes invalidate_lock.
func TruncateSetsize(t *Task, in *Inode, newsize int64) {
	iSizeWrite(t, in, newsize)
	TruncatePagecache(t, in, newsize)
}

// ISizeWrite is i_size_write() for filesystems: set i_size (under
// i_rwsem held exclusive), reporting the change as the task's. A memory
// filesystem growing a file uses it instead of TruncateSetsize, whose
// truncation would free its preallocated pages (shmem_setattr).
func ISizeWrite(t *Task, in *Inode, size int64) { iSizeWrite(t, in, size) }

// TruncatePagecache is truncate_pagecache(): drop the pages at and beyond
// newsize, zeroing the part of the page holding newsize that lies past
// it. i_rwsem held exclusive.
func TruncatePagecache(t *Task, in *Inode, newsize int64) {
	m := &in.data
	m.invalidateLock.Lock(t.o)
	// Unmap what lies past the new size, private copies included, so
	// that an access there faults (SIGBUS); again after the pages are
	// gone, for a copy made meanwhile, as Linux.
	holebegin := (newsize + PAGE_SIZE - 1) &^ (PAGE_SIZE - 1)
	UnmapMappingRange(t, m, holebegin, 0, true)
	TruncateInodePagesRange(t, m, newsize, -1)
	UnmapMappingRange(t, m, holebegin, 0, true)
	m.invalidateLock.Unlock(t.o)
}

// TruncatePagecacheRange is truncate_pagecache_range(): drop the pages in
// [lstart, lend] (bytes, inclusive), zeroing partial pages at the ends:
// hole punching. i_rwsem held exclusive; it takes invalidate_lock.
func TruncatePagecacheRange(t *Task, in *Inode, lstart, lend int64) {
	m := &in.data
	m.invalidateLock.Lock(t.o)
	TruncateInodePagesRange(t, m, lstart, lend)
	m.invalidateLock.Unlock(t.o)
}

// TruncateInodePages is truncate_inode_pages(): everything from lstart.
// The caller holds invalidate_lock exclusive (or the inode is being
// evicted and unreachable).
func TruncateInodePages(t *Task, m *AddressSpace, lstart int64) {
	TruncateInodePagesRange(t, m, lstart, -1)
}

// TruncateInodePagesFinal is truncate_inode_pages_final(): the inode is
// being evicted; drop every page (dirty ones included: nobody can write
// them any more). Linux takes no invalidate_lock here, since nothing can
// reach the mapping any more; vfscope takes it, uncontended, only for a
// mapping with ->invalidate_folio, whose locking.rst row asks for it.
// A mapping whose one page is its first (most small files) has that
// page removed without the batched lookup of TruncateInodePagesRange.
//
// Not inlined: its own body inlines the lookup, lock and removal of
// that page, but when the profile-guided WebAssembly build inlined it
// into its caller, those stayed calls there (web/bench/calls.mjs: an
// unlink of a 4 KiB file is 53.4 Go calls with the directive, 57.4
// without).
//
//go:noinline
func TruncateInodePagesFinal(t *Task, m *AddressSpace) {
	if m.nrpages.Load() == 0 {
		return
	}
	locked := m.AOps != nil && m.AOps.InvalidateFolio != nil
	if locked {
		m.invalidateLock.Lock(t.o)
	}
	if m.nrpages.Load() == 1 {
		if fo := FilemapGetFolio(m, 0); fo != nil {
			FolioLock(t, fo)
			if fo.mapping.Load() == m {
				FolioWaitWriteback(t, fo)
				t.truncateFolio(m, fo)
			}
			FolioUnlock(t, fo)
			FolioPut(fo)
		}
	}
	TruncateInodePagesRange(t, m, 0, -1) // what is left: other indices
	if locked {
		m.invalidateLock.Unlock(t.o)
	}
}

// TruncateInodePagesRange is truncate_inode_pages_range(): remove the
// folios wholly inside [lstart, lend] (lend -1: to the end) and zero the
// covered parts of the partial folios at either end. Each folio is
// locked, waited on for writeback, given to ->invalidate_folio if it has
// private data, then removed (its dirty state cancelled). invalidate_lock
// held exclusive.
func TruncateInodePagesRange(t *Task, m *AddressSpace, lstart, lend int64) {
	if m.nrpages.Load() == 0 {
		return
	}
	if lend < 0 {
		lend = 1<<63 - 1
	}
	if lend < lstart {
		return
	}
	startIdx := (lstart + PAGE_SIZE - 1) >> PAGE_SHIFT // first whole page
	var endIdx int64                                   // last whole page
	if lend == 1<<63-1 {
		endIdx = 1<<63/PAGE_SIZE - 1
	} else {
		endIdx = (lend+1)>>PAGE_SHIFT - 1
	}
	// Partial page at the start.
	if po := lstart & (PAGE_SIZE - 1); po != 0 {
		idx := lstart >> PAGE_SHIFT
		to := int64(PAGE_SIZE)
		if lend>>PAGE_SHIFT == idx {
			to = lend&(PAGE_SIZE-1) + 1
		}
		t.truncatePartialFolio(m, idx, int(po), int(to))
	}
	// Partial page at the end (when different from the start's).
	if lend != 1<<63-1 && (lend+1)&(PAGE_SIZE-1) != 0 && lend>>PAGE_SHIFT != lstart>>PAGE_SHIFT {
		t.truncatePartialFolio(m, lend>>PAGE_SHIFT, 0, int(lend&(PAGE_SIZE-1)+1))
	}
	if startIdx > endIdx {
		return
	}
	forEachFolio(m, startIdx, endIdx, func(fo *Folio) {
		FolioLock(t, fo)
		if fo.mapping.Load() == m {
			FolioWaitWriteback(t, fo)
			t.truncateFolio(m, fo)
		}
		FolioUnlock(t, fo)
	})
}

// forEachFolio calls fn on each folio of m in [start, end] (indices), in
// index order, holding a reference to it across the call: the loop over
// batches of find_get_entries() that truncate_inode_pages_range(),
// mapping_try_invalidate() and invalidate_inode_pages2_range() share.
// Each batch is looked up before fn runs on its first folio; a folio
// removed meanwhile reaches fn with fo.mapping no longer m.
func forEachFolio(m *AddressSpace, start, end int64, fn func(fo *Folio)) {
	var batch [16]*Folio
	for idx := start; idx <= end; {
		n, next := FindGetFolios(m, idx, end, batch[:])
		if n == 0 {
			return
		}
		for _, fo := range batch[:n] {
			fn(fo)
			FolioPut(fo)
		}
		idx = next
	}
}

// truncateFolio is truncate_inode_folio(): unmap, invalidate and remove
// a locked folio, not under writeback.
func (t *Task) truncateFolio(m *AddressSpace, fo *Folio) {
	unmapMappingFolio(t, m, fo)
	if fo.flags.Load()&PG_private != 0 && m.AOps != nil && m.AOps.InvalidateFolio != nil {
		t.aopInvalidateFolio(m, fo, 0, PAGE_SIZE)
	}
	filemapRemoveFolio(t, m, fo)
}

// truncatePartialFolio is truncate_inode_partial_folio(): zero bytes
// [from, to) of the folio at idx, if present, and tell the filesystem.
func (t *Task) truncatePartialFolio(m *AddressSpace, idx int64, from, to int) {
	fo := FilemapLockFolio(t, m, idx)
	if fo == nil {
		return
	}
	FolioWaitWriteback(t, fo)
	if from == 0 && to == PAGE_SIZE {
		t.truncateFolio(m, fo)
	} else {
		clear(fo.data[from:to])
		if fo.flags.Load()&PG_private != 0 && m.AOps != nil && m.AOps.InvalidateFolio != nil {
			t.aopInvalidateFolio(m, fo, from, to-from)
		}
	}
	FolioUnlock(t, fo)
	FolioPut(fo)
}

// filemapReleaseFolio is filemap_release_folio(): ask the filesystem to
// drop a locked folio's private data before it leaves the cache; false
// if it refuses (or the folio is under writeback).
func (t *Task) filemapReleaseFolio(m *AddressSpace, fo *Folio) bool {
	if fo.flags.Load()&PG_private == 0 {
		return true
	}
	if fo.Writeback() {
		return false
	}
	if m.AOps != nil && m.AOps.ReleaseFolio != nil {
		return t.aopReleaseFolio(m, fo)
	}
	FolioDetachPrivate(fo)
	return true
}

// InvalidateMappingPages is invalidate_mapping_pages() (mapping_evict_folio
// per folio): drop the clean, unlocked, idle folios of [start, end]
// (indices); dirty, locked, under-writeback and otherwise referenced
// folios stay. Returns the number dropped. Used by drop_caches and
// reclaim; takes no invalidate_lock, as Linux. It drains the task's own
// lru_add batch first, as fadvise(POSIX_FADV_DONTNEED) does before it,
// since a folio waiting there holds the batch's reference; folios in
// other tasks' batches stay (drop_caches drains them all first).
func InvalidateMappingPages(t *Task, m *AddressSpace, start, end int64) int64 {
	lruAddDrain(t)
	var dropped int64
	forEachFolio(m, start, end, func(fo *Folio) {
		if !FolioTrylock(t, fo) {
			return
		}
		fl := fo.flags.Load()
		// The cache's reference, ours, and PG_private's.
		refs := int32(2)
		if fl&PG_private != 0 {
			refs++
		}
		if fo.mapping.Load() == m && fl&(PG_dirty|PG_writeback) == 0 && fo.refcount.Load() <= refs &&
			t.filemapReleaseFolio(m, fo) {
			filemapRemoveFolio(t, m, fo)
			dropped++
		}
		FolioUnlock(t, fo)
	})
	return dropped
}

// InvalidateInodePages2Range is invalidate_inode_pages2_range(): drop
// every folio of [start, end] (indices), waiting for locks and writeback;
// a dirty folio is first written with ->launder_folio (kept locked
// throughout, so it cannot be redirtied). A folio that stays dirty (no
// ->launder_folio, or one that failed) or whose private data could not
// be released stays cached (invalidate_complete_folio2): the call
// returns EBUSY, or launder's error, the last one met as Linux's does.
func InvalidateInodePages2Range(t *Task, m *AddressSpace, start, end int64) error {
	var ret error
	forEachFolio(m, start, end, func(fo *Folio) {
		FolioLock(t, fo)
		if fo.mapping.Load() == m {
			FolioWaitWriteback(t, fo)
			unmapMappingFolio(t, m, fo)
			var err error
			if fo.Dirty() && m.AOps != nil && m.AOps.LaunderFolio != nil {
				err = t.aopLaunderFolio(m, fo) // do_launder_folio
			}
			if err == nil {
				if t.filemapReleaseFolio(m, fo) && !fo.Dirty() {
					filemapRemoveFolio(t, m, fo)
				} else {
					err = EBUSY
				}
			}
			if err != nil {
				ret = err
			}
		}
		FolioUnlock(t, fo)
	})
	return ret
}
