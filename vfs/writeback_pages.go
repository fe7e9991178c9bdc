package vfs

import "math"

// Writeback of a mapping's pages (mm/page-writeback.c and mm/filemap.c):
// do_writepages, the generic write_cache_pages loop over ->writepage,
// and the filemap_fdatawrite / filemap_fdatawait family that fsync,
// sync_file_range and truncate use; the reporting of write errors
// through each mapping's errseq (mapping_set_error,
// file_check_and_advance_wb_err).

// mappingCanWriteback is mapping_can_writeback(): pages of a
// swap-backed mapping (tmpfs) live only in memory and are never
// written back.
func mappingCanWriteback(m *AddressSpace) bool { return !m.swapBacked() }

// doWritepages is do_writepages(): ->writepages, else the generic loop
// over ->writepage, else nothing (a mapping that cannot write keeps its
// pages dirty).
func doWritepages(t *Task, m *AddressSpace, wbc *WritebackControl) error {
	if wbc.NrToWrite <= 0 || !mappingCanWriteback(m) {
		return nil
	}
	if m.AOps == nil {
		return nil
	}
	if m.AOps.Writepages != nil {
		return t.aopWritepages(m, wbc)
	}
	if m.AOps.Writepage != nil {
		return WriteCachePages(t, m, wbc)
	}
	return nil
}

// tagPagesForWriteback is tag_pages_for_writeback(): tag TOWRITE every
// DIRTY-tagged page of [start, end], so that an integrity pass writes
// exactly the pages dirty when it began and pages dirtied during it
// cannot keep it going forever. Done in batches, dropping xa_lock
// between them as Linux does.
func tagPagesForWriteback(t *Task, m *AddressSpace, start, end int64) {
	const batch = 512
	idx := make([]int64, 0, batch)
	for start <= end {
		idx = idx[:0]
		m.xaLock.Lock(t.o)
		m.i_pages.find(start, end, PAGECACHE_TAG_DIRTY, func(i int64, _ *Folio) bool {
			idx = append(idx, i)
			return len(idx) < batch
		})
		for _, i := range idx {
			if m.i_pages.getMark(i, PAGECACHE_TAG_DIRTY) {
				m.i_pages.setMark(i, PAGECACHE_TAG_TOWRITE)
			}
		}
		m.xaLock.Unlock(t.o)
		if len(idx) < batch {
			return
		}
		start = idx[len(idx)-1] + 1
	}
}

// WriteCachePages is write_cache_pages() with ->writepage as the
// callback, for do_writepages and for filesystems' ->writepages. For
// each dirty page of wbc's range (TOWRITE-tagged ones for WB_SYNC_ALL and
// tagged passes), in index order:
//
//   - lock it; skip it if it was truncated or someone cleaned it;
//   - if it is under writeback: WB_SYNC_NONE skips it, WB_SYNC_ALL
//     waits for that writeback to end;
//   - folio_clear_dirty_for_io, then ->writepage, which sets writeback
//     and unlocks (or redirties and unlocks when WB_SYNC_NONE would
//     block), and ends writeback when its I/O completes.
//
// A write error is recorded in the mapping's errseq (mapping_set_error).
// WB_SYNC_NONE stops at the first error or when nr_to_write is used up;
// WB_SYNC_ALL writes every tagged page and returns the first error.
// range_cyclic passes continue from mapping->writeback_index.
func WriteCachePages(t *Task, m *AddressSpace, wbc *WritebackControl) error {
	in := m.host
	var index, end int64
	rangeWhole := false
	if wbc.RangeCyclic {
		index = in.writebackIndex.Load()
		end = math.MaxInt64 >> PAGE_SHIFT
	} else {
		index = wbc.RangeStart >> PAGE_SHIFT
		end = wbc.RangeEnd >> PAGE_SHIFT
		rangeWhole = wbc.RangeStart == 0 && wbc.RangeEnd == math.MaxInt64
	}
	tag := PAGECACHE_TAG_DIRTY
	if wbc.SyncMode == WB_SYNC_ALL || wbc.TaggedWritepages {
		tagPagesForWriteback(t, m, index, end)
		tag = PAGECACHE_TAG_TOWRITE
	}
	var ret error
	done := false
	doneIndex := index
	var batch [16]*Folio
	for !done && index <= end {
		n, next := FindGetFoliosTag(m, index, end, tag, batch[:])
		if n == 0 {
			break
		}
		index = next
		for k := 0; k < n; k++ {
			f := batch[k]
			if done {
				FolioPut(f)
				continue
			}
			doneIndex = f.index
			FolioLock(t, f)
			if f.mapping.Load() != m || !f.Dirty() {
				// Truncated, or written by someone else meanwhile.
				FolioUnlock(t, f)
				FolioPut(f)
				continue
			}
			if f.Writeback() {
				if wbc.SyncMode == WB_SYNC_NONE {
					FolioUnlock(t, f)
					FolioPut(f)
					continue
				}
				FolioWaitWriteback(t, f)
			}
			if !FolioClearDirtyForIO(t, f) {
				FolioUnlock(t, f)
				FolioPut(f)
				continue
			}
			err := t.aopWritepage(m, f, wbc)
			if t.checking() {
				checkWritepageContract(t, m, f, err)
			}
			MappingSetError(m, err)
			FolioPut(f)
			if err != nil {
				if wbc.SyncMode != WB_SYNC_ALL {
					// Background writeback need not go on; step past
					// this page so a bad page does not stop the file.
					ret = err
					doneIndex = f.index + 1
					done = true
					continue
				}
				if ret == nil {
					ret = err
				}
			}
			wbc.NrToWrite--
			if wbc.NrToWrite <= 0 && wbc.SyncMode == WB_SYNC_NONE {
				done = true
			}
		}
	}
	if wbc.RangeCyclic && !done {
		doneIndex = 0
	}
	if wbc.RangeCyclic || (rangeWhole && wbc.NrToWrite > 0) {
		in.writebackIndex.Store(doneIndex)
	}
	return ret
}

// checkWritepageContract reports, with lock validation on, a
// ->writepage that broke locking.rst's contract: it must unlock the
// folio before returning, and must either redirty it or set (and, once
// the I/O is done, end) writeback. A folio left clean, not under
// writeback and still tagged dirty is the incoherency the document warns
// of ("dirty inodes at umount and lost data").
func checkWritepageContract(t *Task, m *AddressSpace, f *Folio, err error) {
	var bad string
	switch {
	case FolioHeldBy(t, f):
		bad = "returned with the folio still locked"
	case err == nil && writepageLeftIncoherent(t, m, f):
		bad = "neither redirtied the folio nor set writeback on it"
	default:
		return
	}
	v := t.vfs
	v.rules.mu.Lock()
	v.rules.violations = append(v.rules.violations, "address_space_operations.writepage called by "+t.o.Name()+
		": folio "+itoa(f.index)+" of inode "+itoa(int64(inoOf(m.host)))+": "+bad)
	v.rules.mu.Unlock()
}

// writepageLeftIncoherent reports a folio of m that is clean, not under
// writeback and still tagged dirty, looked at again under its lock: once
// ->writepage has unlocked it, another task may dirty it (a write, a
// store through a mapping) and start cleaning it for its own writeback,
// which it does holding the folio lock until writeback is set.
func writepageLeftIncoherent(t *Task, m *AddressSpace, f *Folio) bool {
	incoherent := func() bool {
		return f.mapping.Load() == m && !f.Dirty() && !f.Writeback() && m.FolioTagged(f.index, PAGECACHE_TAG_DIRTY)
	}
	if !incoherent() {
		return false
	}
	FolioLock(t, f)
	bad := incoherent()
	FolioUnlock(t, f)
	return bad
}

// MappingSetError is mapping_set_error(): record a write error (nil
// records nothing) in the mapping's errseq, for every file description
// open on it, and in its superblock's, for syncfs. Filesystems whose
// writes complete after ->writepage returns call it from completion.
func MappingSetError(m *AddressSpace, err error) {
	if err == nil {
		return
	}
	e := ErrnoOf(err)
	m.wbErr.Set(e)
	if m.host != nil {
		m.host.sb.wbErr.Set(e)
	}
	if e == ENOSPC {
		m.flags.Or(AS_ENOSPC)
	} else {
		m.flags.Or(AS_EIO)
	}
}

// filemapCheckErrors is filemap_check_errors(): the legacy AS_EIO /
// AS_ENOSPC flags, test and clear.
func filemapCheckErrors(m *AddressSpace) error {
	var err error
	if m.flags.And(^uint32(AS_ENOSPC))&AS_ENOSPC != 0 {
		err = ENOSPC
	}
	if m.flags.And(^uint32(AS_EIO))&AS_EIO != 0 {
		err = EIO
	}
	return err
}

// filemapCheckAndKeepErrors is filemap_check_and_keep_errors(): the same
// flags, left set.
func filemapCheckAndKeepErrors(m *AddressSpace) error {
	f := m.flags.Load()
	switch {
	case f&AS_EIO != 0:
		return EIO
	case f&AS_ENOSPC != 0:
		return ENOSPC
	}
	return nil
}

// FilemapFdatawriteWBC is filemap_fdatawrite_wbc(): start writeback as
// wbc says, if the mapping can write back and has dirty pages.
func FilemapFdatawriteWBC(t *Task, m *AddressSpace, wbc *WritebackControl) error {
	if !mappingCanWriteback(m) || !m.Tagged(PAGECACHE_TAG_DIRTY) {
		return nil
	}
	return doWritepages(t, m, wbc)
}

// filemapFdatawriteRange is __filemap_fdatawrite_range(): write the
// dirty pages of bytes [start, end] (inclusive) in mode.
func filemapFdatawriteRange(t *Task, m *AddressSpace, start, end int64, mode int) error {
	return FilemapFdatawriteWBC(t, m, &WritebackControl{
		SyncMode:   mode,
		NrToWrite:  math.MaxInt64,
		RangeStart: start,
		RangeEnd:   end,
	})
}

// FilemapFdatawriteRange is filemap_fdatawrite_range(): start
// WB_SYNC_ALL writeback of [start, end] without waiting for it to end.
func FilemapFdatawriteRange(t *Task, m *AddressSpace, start, end int64) error {
	return filemapFdatawriteRange(t, m, start, end, WB_SYNC_ALL)
}

// FilemapFlush is filemap_flush(): start WB_SYNC_NONE writeback of the
// whole mapping (close-time flushing of filesystems that want it).
func FilemapFlush(t *Task, m *AddressSpace) error {
	return filemapFdatawriteRange(t, m, 0, math.MaxInt64, WB_SYNC_NONE)
}

// filemapFdatawaitRangeRaw is __filemap_fdatawait_range(): wait for the
// writeback of every page of [start, end] that is under writeback now.
func filemapFdatawaitRangeRaw(t *Task, m *AddressSpace, start, end int64) {
	if end < start {
		return
	}
	index, last := start>>PAGE_SHIFT, end>>PAGE_SHIFT
	var batch [16]*Folio
	for index <= last {
		n, next := FindGetFoliosTag(m, index, last, PAGECACHE_TAG_WRITEBACK, batch[:])
		if n == 0 {
			return
		}
		for k := 0; k < n; k++ {
			FolioWaitWriteback(t, batch[k])
			FolioPut(batch[k])
		}
		index = next
	}
}

// FilemapFdatawaitRange is filemap_fdatawait_range(): wait for the
// writeback of [start, end], then report (and clear) the mapping's
// legacy error flags.
func FilemapFdatawaitRange(t *Task, m *AddressSpace, start, end int64) error {
	filemapFdatawaitRangeRaw(t, m, start, end)
	return filemapCheckErrors(m)
}

// filemapFdatawaitKeepErrors is filemap_fdatawait_keep_errors(): wait,
// and report the legacy flags without clearing them, so the fsync of
// every file description still sees the error (sync(2) waits this way).
func filemapFdatawaitKeepErrors(t *Task, m *AddressSpace, start, end int64) error {
	filemapFdatawaitRangeRaw(t, m, start, end)
	return filemapCheckAndKeepErrors(m)
}

// FilemapWriteAndWaitRange is filemap_write_and_wait_range(): write the
// dirty pages of [start, end] and wait for them (truncate, direct I/O,
// invalidation). An EIO from starting the writes skips the wait, as on
// Linux.
func FilemapWriteAndWaitRange(t *Task, m *AddressSpace, start, end int64) error {
	if !mappingNeedsWriteback(m) {
		return filemapCheckErrors(m)
	}
	err := filemapFdatawriteRange(t, m, start, end, WB_SYNC_ALL)
	if err != EIO {
		werr := FilemapFdatawaitRange(t, m, start, end)
		if err == nil {
			err = werr
		}
	} else {
		filemapCheckErrors(m)
	}
	return err
}

// mappingNeedsWriteback is mapping_needs_writeback(): it has pages.
func mappingNeedsWriteback(m *AddressSpace) bool { return m.NrPages() > 0 }

// FilemapSampleWbErr is filemap_sample_wb_err(): the errseq sample a
// new file description starts from.
func FilemapSampleWbErr(m *AddressSpace) ErrSeqT { return m.wbErr.Sample() }

// FilemapCheckWbErr is filemap_check_wb_err(): the error recorded since
// the sample, without consuming it.
func FilemapCheckWbErr(m *AddressSpace, since ErrSeqT) error { return m.wbErr.Check(since) }

// FileCheckAndAdvanceWbErr is file_check_and_advance_wb_err(): report
// the write error recorded on the file's mapping since the description
// last looked, once, and advance its sample; clear the legacy flags.
// Lock-free: two tasks sharing the description race with a
// compare-and-swap on its sample (Linux serialises them with f_lock),
// and only one of them reports the error.
func FileCheckAndAdvanceWbErr(t *Task, f *File) error {
	m := f.inode.Mapping()
	var err error
	for {
		old := ErrSeqT(f.wbErr.Load())
		if m.wbErr.Check(old) == nil {
			err = nil
			break
		}
		since := old
		e := m.wbErr.CheckAndAdvance(&since)
		if f.wbErr.CompareAndSwap(uint32(old), uint32(since)) {
			err = e
			break
		}
	}
	m.flags.And(^uint32(AS_EIO | AS_ENOSPC))
	return err
}

// FileWriteAndWaitRange is file_write_and_wait_range(): write and wait
// for [start, end] of the file's mapping, then report through the
// description's errseq sample (so an error another task's writeback met
// is reported here too, once).
func FileWriteAndWaitRange(t *Task, f *File, start, end int64) error {
	m := f.inode.Mapping()
	var err error
	if mappingNeedsWriteback(m) {
		err = filemapFdatawriteRange(t, m, start, end, WB_SYNC_ALL)
		if err != EIO {
			filemapFdatawaitRangeRaw(t, m, start, end)
		}
	}
	if err2 := FileCheckAndAdvanceWbErr(t, f); err == nil {
		err = err2
	}
	return err
}

// fileFdatawaitRange is file_fdatawait_range(): wait, then report
// through the description's sample.
func fileFdatawaitRange(t *Task, f *File, start, end int64) error {
	filemapFdatawaitRangeRaw(t, f.inode.Mapping(), start, end)
	return FileCheckAndAdvanceWbErr(t, f)
}
