package vfs

import (
	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/trace"
)

// Page states change only here (and in the lock of folio.go): each helper
// keeps the counters below right and calls folioEvent once, the single
// place the trace layer hooks, as page-flags.h allows changes only through
// helpers that keep the accounting right.

// folioEvent reports one change of f's state in mapping m to the trace
// layer: k is trace.PageAdd, PageRemove, PageFlagSet or PageFlagClear,
// bits the flags set or cleared. One atomic load and a branch while
// nobody listens. t may be nil (a change made outside any task, as an
// I/O completion).
func folioEvent(t *Task, m *AddressSpace, k trace.Kind, f *Folio, bits uint32) {
	if m == nil || m.host == nil {
		return
	}
	m.host.sb.vfs.evPage(t, k, m.host, f, bits)
}

// pageCache is the VFS-wide page-cache state: the counters /proc/meminfo
// reads (NR_FILE_PAGES and friends, Linux's node_stat_item) and the LRU
// lists reclaim scans.
type pageCache struct {
	nrFilePages atomic.Int64 // NR_FILE_PAGES: pages in any mapping
	nrFileDirty atomic.Int64 // NR_FILE_DIRTY: accounted dirty pages (not shmem)
	nrWriteback atomic.Int64 // NR_WRITEBACK
	nrShmem     atomic.Int64 // NR_SHMEM: pages of swap-backed (tmpfs) mappings
	nrActive    atomic.Int64 // NR_ACTIVE_FILE
	nrInactive  atomic.Int64 // NR_INACTIVE_FILE
	// nrFileMapped is NR_FILE_MAPPED: present PTEs that map page-cache
	// pages (not private copies), kept by setPteLocked and
	// zapPteLocked. A page two mappings map counts twice (RATIONALE.md).
	nrFileMapped atomic.Int64
	// nrChunkSpare counts the pages of mappings' page chunks that no
	// folio holds yet (pagealloc.go): memory held, charged against the
	// budget, not in NR_FILE_PAGES.
	nrChunkSpare atomic.Int64

	// dirtyLimit is the number of dirty pages above which writers are
	// throttled in balance_dirty_pages (0: no limit). The dirty_ratio
	// tunables set it; balanceDirtyPages reads it.
	dirtyLimit atomic.Int64
	// throttled counts balanceDirtyPages calls that found the limit
	// exceeded.
	throttled atomic.Int64

	// lruLock is lruvec->lru_lock: it protects the two lists and each
	// folio's lruNext/lruPrev and PG_lru/PG_active transitions on them.
	// Spinlock; taken under the folio lock, never with xa_lock held.
	lruLock  lock.SpinLock
	active   folioList
	inactive folioList

	// drain is lru_add_drain_all's state (folio_lru.go).
	drain lruDrainState
}

var classLRULock = lock.NewClass("&lruvec->lru_lock", lock.KindSpin)

func (pc *pageCache) init() { pc.lruLock.Init(classLRULock, 0) }

// folioList is a doubly linked list of folios (struct list_head).
type folioList struct {
	head *Folio
	tail *Folio
	n    int64
}

func (l *folioList) pushFront(f *Folio) {
	f.lruPrev = nil
	f.lruNext = l.head
	if l.head != nil {
		l.head.lruPrev = f
	} else {
		l.tail = f
	}
	l.head = f
	l.n++
}

func (l *folioList) pushBack(f *Folio) {
	f.lruNext = nil
	f.lruPrev = l.tail
	if l.tail != nil {
		l.tail.lruNext = f
	} else {
		l.head = f
	}
	l.tail = f
	l.n++
}

func (l *folioList) remove(f *Folio) {
	if f.lruPrev != nil {
		f.lruPrev.lruNext = f.lruNext
	} else {
		l.head = f.lruNext
	}
	if f.lruNext != nil {
		f.lruNext.lruPrev = f.lruPrev
	} else {
		l.tail = f.lruPrev
	}
	f.lruNext, f.lruPrev = nil, nil
	l.n--
}

// MemStat is the page-cache part of /proc/meminfo, in pages.
type MemStat struct {
	FilePages int64 // Cached + Shmem (NR_FILE_PAGES)
	Dirty     int64
	Writeback int64
	Shmem     int64
	Active    int64 // Active(file)
	Inactive  int64 // Inactive(file)
	Mapped    int64 // NR_FILE_MAPPED: file pages in page tables
	Throttled int64 // writers that found the dirty limit exceeded
}

// MemStat returns the page-cache counters. It drains every task's
// lru_add batch first (lru_add_drain_all), so that Active and Inactive
// count every folio of the cache that is not isolated.
func (v *VFS) MemStat() MemStat {
	v.lruAddDrainAll()
	pc := &v.pc
	return MemStat{
		FilePages: pc.nrFilePages.Load(),
		Dirty:     pc.nrFileDirty.Load(),
		Writeback: pc.nrWriteback.Load(),
		Shmem:     pc.nrShmem.Load(),
		Active:    pc.nrActive.Load(),
		Inactive:  pc.nrInactive.Load(),
		Mapped:    pc.nrFileMapped.Load(),
		Throttled: pc.throttled.Load(),
	}
}

// SetDirtyLimit sets the number of dirty pages over which writers are
// throttled (0: none). The vm.dirty_* tunables call it.
func (v *VFS) SetDirtyLimit(pages int64) { v.pc.dirtyLimit.Store(pages) }

// ---- flag helpers ----

// FolioMarkUptodate is folio_mark_uptodate(): the data is valid. The
// caller holds the folio lock (or owns a folio not yet in a mapping).
func FolioMarkUptodate(f *Folio) { folioMarkUptodateFast(f, folioUptodateEvent) }

// folioMarkUptodateFast is FolioMarkUptodate, with the event's call a
// parameter so that the whole inlines (see folioUnlockFast).
func folioMarkUptodateFast(f *Folio, ev func(*Folio)) {
	if f.flags.Or(PG_uptodate)&PG_uptodate != 0 {
		return
	}
	if m := f.mapping.Load(); m != nil && m.vfs().trace.on.Load() != nil {
		ev(f)
	}
}

// folioUptodateEvent reports FolioMarkUptodate's change to the trace.
func folioUptodateEvent(f *Folio) {
	folioEvent(nil, f.mapping.Load(), trace.PageFlagSet, f, PG_uptodate)
}

// FolioClearUptodate is folio_clear_uptodate() (a failed read).
func FolioClearUptodate(f *Folio) {
	if f.flags.Load()&PG_uptodate == 0 {
		return
	}
	f.flags.And(^uint32(PG_uptodate))
	folioEvent(nil, f.mapping.Load(), trace.PageFlagClear, f, PG_uptodate)
}

// FolioSetError is folio_set_error(): a read of the folio failed.
func FolioSetError(f *Folio) { f.flags.Or(PG_error) }

// FolioAttachPrivate is folio_attach_private(): keep data for the
// filesystem on the folio (PG_private, plus one reference as Linux takes).
// Folio locked.
func FolioAttachPrivate(f *Folio, data any) {
	f.Private = data
	if f.flags.Load()&PG_private == 0 {
		folioGet(f)
		f.flags.Or(PG_private)
		folioEvent(nil, f.mapping.Load(), trace.PageFlagSet, f, PG_private)
	}
}

// FolioDetachPrivate is folio_detach_private(): returns and clears
// Private. Folio locked.
func FolioDetachPrivate(f *Folio) any {
	d := f.Private
	f.Private = nil
	if f.flags.Load()&PG_private != 0 {
		f.flags.And(^uint32(PG_private))
		FolioPut(f)
		folioEvent(nil, f.mapping.Load(), trace.PageFlagClear, f, PG_private)
	}
	return d
}

// FolioTestSetDirty sets PG_dirty and reports whether it was set already
// (folio_test_set_dirty). It does no accounting: ->dirty_folio does
// (FilemapDirtyFolio) or chooses not to (NoopDirtyFolio, tmpfs).
func FolioTestSetDirty(f *Folio) bool {
	if f.flags.Load()&PG_dirty != 0 {
		return true // no write to a line other tasks read
	}
	old := f.flags.Or(PG_dirty)
	if old&PG_dirty == 0 {
		folioEvent(nil, f.mapping.Load(), trace.PageFlagSet, f, PG_dirty)
	}
	return old&PG_dirty != 0
}

// NoopDirtyFolio is noop_dirty_folio(): set PG_dirty only. tmpfs's pages
// are swap-backed: never written back, so neither tagged nor counted as
// Dirty (they count as Shmem). It returns true if the folio was clean.
func NoopDirtyFolio(t *Task, m *AddressSpace, f *Folio) bool {
	return !FolioTestSetDirty(f)
}

// FilemapDirtyFolio is filemap_dirty_folio(): set PG_dirty, and if the
// folio was clean, account it (NR_FILE_DIRTY), tag it DIRTY in the page
// index and mark the inode I_DIRTY_PAGES so writeback finds it. The
// caller holds the folio lock (or otherwise keeps truncate away).
func FilemapDirtyFolio(t *Task, m *AddressSpace, f *Folio) bool {
	if FolioTestSetDirty(f) {
		return false
	}
	m.xaLock.Lock(t.o)
	if f.mapping.Load() == m {
		m.vfs().pc.nrFileDirty.Add(1)
		m.i_pages.setMark(f.index, PAGECACHE_TAG_DIRTY)
	}
	m.xaLock.Unlock(t.o)
	if m.host != nil {
		MarkInodeDirty(t, m.host, I_DIRTY_PAGES)
	}
	return true
}

// FolioMarkDirty is folio_mark_dirty(): mark dirty through the mapping's
// ->dirty_folio (FilemapDirtyFolio when it has none). Returns true if
// the folio was clean.
func FolioMarkDirty(t *Task, f *Folio) bool {
	m := f.mapping.Load()
	if m == nil {
		return !FolioTestSetDirty(f)
	}
	if m.AOps != nil && m.AOps.DirtyFolio != nil {
		return t.aopDirtyFolio(m, f)
	}
	return FilemapDirtyFolio(t, m, f)
}

// FolioClearDirtyForIO is folio_clear_dirty_for_io(): before writeback,
// clear PG_dirty (keeping the DIRTY tag until writeback starts, as
// Linux) and take it out of NR_FILE_DIRTY. Folio locked. Reports whether
// the folio was dirty.
func FolioClearDirtyForIO(t *Task, f *Folio) bool {
	// Write-protect the page's PTEs first (folio_mkclean), so that a
	// store after this point faults and dirties the page again.
	if m := f.mapping.Load(); m != nil && mappingCanWriteback(m) && folioMkclean(t, f) && !f.Dirty() {
		FolioMarkDirty(t, f)
	}
	old := f.flags.And(^uint32(PG_dirty))
	if old&PG_dirty == 0 {
		return false
	}
	if m := f.mapping.Load(); m != nil && !m.swapBacked() {
		m.vfs().pc.nrFileDirty.Add(-1)
	}
	folioEvent(t, f.mapping.Load(), trace.PageFlagClear, f, PG_dirty)
	return true
}

// folioCancelDirty is folio_cancel_dirty(): truncate drops a dirty
// folio's state without writing it. Folio locked.
func folioCancelDirty(t *Task, m *AddressSpace, f *Folio) {
	old := f.flags.And(^uint32(PG_dirty))
	if old&PG_dirty == 0 {
		return
	}
	if !m.swapBacked() {
		m.vfs().pc.nrFileDirty.Add(-1)
	}
	folioEvent(t, m, trace.PageFlagClear, f, PG_dirty)
}

// FolioRedirtyForWritepage is folio_redirty_for_writepage(): ->writepage
// gives up (WB_SYNC_NONE would block) and puts the folio back as dirty.
func FolioRedirtyForWritepage(t *Task, wbc *WritebackControl, f *Folio) bool {
	if wbc != nil {
		wbc.PagesSkipped++
	}
	return FolioMarkDirty(t, f)
}

// FolioStartWriteback is folio_start_writeback(): set PG_writeback,
// tag WRITEBACK, clear the DIRTY tag (and TOWRITE) unless the folio was
// redirtied meanwhile. Folio locked; the caller then unlocks it and ends
// writeback when the I/O completes.
func FolioStartWriteback(t *Task, f *Folio) {
	old := f.flags.Or(PG_writeback)
	if old&PG_writeback != 0 {
		panic("vfs: folio_start_writeback on a folio under writeback")
	}
	m := f.mapping.Load()
	if m != nil {
		m.xaLock.Lock(t.o)
		if f.mapping.Load() == m {
			m.i_pages.setMark(f.index, PAGECACHE_TAG_WRITEBACK)
			if f.flags.Load()&PG_dirty == 0 {
				m.i_pages.clearMark(f.index, PAGECACHE_TAG_DIRTY)
			}
			m.i_pages.clearMark(f.index, PAGECACHE_TAG_TOWRITE)
		}
		m.xaLock.Unlock(t.o)
		m.vfs().pc.nrWriteback.Add(1)
	}
	folioEvent(t, m, trace.PageFlagSet, f, PG_writeback)
}

// FolioEndWriteback is folio_end_writeback(): the I/O completed; clear
// PG_writeback and its tag and wake folio_wait_writeback sleepers. A
// folio whose writeback reclaim asked for (PG_reclaim) first loses that
// flag and goes to the cold end of the inactive list, to be the next
// reclaim scan's first pick (folioRotateReclaimable). It may run without
// the folio lock (from the completing task).
func FolioEndWriteback(t *Task, f *Folio) {
	m := f.mapping.Load()
	if f.flags.Load()&PG_reclaim != 0 {
		// Before PG_writeback goes: until then truncation waits, so
		// the folio is still m's and on its list if it was.
		if f.flags.And(^uint32(PG_reclaim))&PG_reclaim != 0 {
			folioEvent(t, m, trace.PageFlagClear, f, PG_reclaim)
			folioRotateReclaimable(t, m, f)
		}
	}
	if m != nil {
		m.xaLock.Lock(t.o)
		if f.mapping.Load() == m {
			m.i_pages.clearMark(f.index, PAGECACHE_TAG_WRITEBACK)
		}
		m.xaLock.Unlock(t.o)
	}
	old := f.flags.And(^uint32(PG_writeback))
	if old&PG_writeback == 0 {
		panic("vfs: folio_end_writeback on a folio not under writeback")
	}
	if m != nil {
		m.vfs().pc.nrWriteback.Add(-1)
	}
	if old&PG_waiters != 0 {
		folioWake(f)
	}
	folioEvent(t, m, trace.PageFlagClear, f, PG_writeback)
	if m != nil {
		m.vfs().WritebackProgress()
	}
}

// folioRotateReclaimable is folio_rotate_reclaimable() with
// lru_move_tail(): a folio of m that reclaim wanted gone, whose
// writeback has just ended and that is still clean, unlocked, evictable
// and on a list, moves to the tail of the inactive list (losing
// PG_active if an access activated it meanwhile), where the next scan of
// shrink_inactive_list starts. Called before PG_writeback is cleared.
func folioRotateReclaimable(t *Task, m *AddressSpace, f *Folio) {
	if m == nil || m.flags.Load()&AS_UNEVICTABLE != 0 ||
		f.flags.Load()&(PG_locked|PG_dirty|PG_lru) != PG_lru {
		return
	}
	pc := &m.vfs().pc
	pc.lruLock.Lock(t.o)
	fl := f.flags.Load()
	if fl&PG_lru != 0 {
		if fl&PG_active != 0 {
			pc.active.remove(f)
			f.flags.And(^uint32(PG_active))
			pc.nrActive.Add(-1)
			pc.nrInactive.Add(1)
		} else {
			pc.inactive.remove(f)
		}
		pc.inactive.pushBack(f)
	}
	pc.lruLock.Unlock(t.o)
	if fl&(PG_lru|PG_active) == PG_lru|PG_active {
		folioEvent(t, m, trace.PageFlagClear, f, PG_active)
	}
}
