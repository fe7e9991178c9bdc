package vfs

import (
	"math"
	"time"

	"github.com/vfscope/vfscope/vfs/trace"
)

// Page reclaim (mm/vmscan.c) over the VFS's two file LRU lists
// (folio_state.go): shrink_inactive_list frees clean, idle folios from
// the cold end of the inactive list; dirty ones are written back first
// (->writepage, by kswapd only) and freed on a later pass; locked and
// writeback folios are skipped; swap-backed (tmpfs) folios are never
// freed. shrink_active_list ages the active list into the inactive one
// when the inactive list is too short (inactive_is_low).
//
// Folios are not isolated from their list as Linux does: each scanned
// folio is rotated to the head of the inactive list under lru_lock (so
// that the next batch sees others) and then worked on with a reference
// and its lock taken by trylock. A folio that cannot be freed simply
// stays where it was rotated, which is where Linux's putback puts it;
// one that is freed leaves the list through filemapRemoveFolio. This
// keeps every list change under lru_lock with PG_lru and PG_active
// telling which list a folio is on, the invariant the page cache's own
// helpers rely on.

// Reclaim parameters, as Linux's.
const (
	// DEF_PRIORITY: a pass at priority p scans a list's size >> p.
	DEF_PRIORITY = 12
	// SWAP_CLUSTER_MAX: the batch of one scan, and the target of one
	// direct reclaim.
	SWAP_CLUSTER_MAX = 32
	// MAX_RECLAIM_RETRIES: direct reclaim rounds without progress before
	// an allocation fails.
	MAX_RECLAIM_RETRIES = 16
	// reclaimThrottle is how long one throttled wait lasts at most
	// (reclaim_throttle's HZ/10).
	reclaimThrottle = 100 * time.Millisecond
)

// scanControl is struct scan_control.
type scanControl struct {
	nrToReclaim  int64 // stop once this many pages are freed
	priority     int
	mayWritepage bool // kswapd: start ->writepage on dirty folios
	maySlab      bool // run the dentry and inode shrinkers

	nrScanned   int64
	nrReclaimed int64
	// What the scan met, for the callers' throttling decisions.
	nrDirty     int64 // dirty folios not written by this scan
	nrWriteback int64 // folios under writeback
	nrPageout   int64 // ->writepage started
	slabFreed   int64
}

// inactiveIsLow is inactive_is_low(): the inactive list is short against
// the active one, by the ratio Linux uses (1 under 1 GiB, then
// sqrt(10 * GiB)).
func (pc *pageCache) inactiveIsLow() bool {
	inactive, active := pc.nrInactive.Load(), pc.nrActive.Load()
	gb := (inactive + active) >> (30 - PAGE_SHIFT)
	ratio := int64(1)
	if gb > 0 {
		ratio = int64(math.Sqrt(float64(10 * gb)))
	}
	return inactive*ratio < active
}

// shrinkActiveList is shrink_active_list(): move up to nr folios from the
// cold end of the active list to the head of the inactive one, clearing
// PG_active. Only lru_lock is needed: PG_active changes under it.
func (v *VFS) shrinkActiveList(t *Task, nr int64) int64 {
	pc := &v.pc
	lruAddDrain(t)
	var moved []*Folio
	pc.lruLock.Lock(t.o)
	for ; nr > 0 && pc.active.tail != nil; nr-- {
		f := pc.active.tail
		pc.active.remove(f)
		f.flags.And(^uint32(PG_active))
		pc.inactive.pushFront(f)
		moved = append(moved, f)
	}
	pc.lruLock.Unlock(t.o)
	n := int64(len(moved))
	pc.nrActive.Add(-n)
	pc.nrInactive.Add(n)
	v.rc.stats.deactivated.Add(n)
	for _, f := range moved {
		folioEvent(t, f.mapping.Load(), trace.PageFlagClear, f, PG_active)
	}
	return n
}

// shrinkInactiveList is shrink_inactive_list() with shrink_folio_list():
// scan up to nr folios from the cold end of the inactive list.
func (v *VFS) shrinkInactiveList(t *Task, sc *scanControl, nr int64) {
	pc := &v.pc
	lruAddDrain(t)
	var batch [SWAP_CLUSTER_MAX]*Folio
	for nr > 0 && sc.nrReclaimed < sc.nrToReclaim {
		n := 0
		pc.lruLock.Lock(t.o)
		limit := min(nr, SWAP_CLUSTER_MAX, pc.inactive.n)
		for i := int64(0); i < limit; i++ {
			f := pc.inactive.tail
			// Rotate: scanned folios go to the head, freed ones leave.
			pc.inactive.remove(f)
			pc.inactive.pushFront(f)
			if folioTryGet(f) {
				batch[n] = f
				n++
			}
		}
		pc.lruLock.Unlock(t.o)
		if limit == 0 {
			return
		}
		nr -= limit
		sc.nrScanned += limit
		v.rc.stats.scanned.Add(limit)
		for _, f := range batch[:n] {
			v.shrinkFolio(t, sc, f)
			FolioPut(f)
		}
	}
}

// folioSetReclaim sets PG_reclaim: writeback of the folio was started by
// reclaim (folio_end_writeback clears it).
func folioSetReclaim(t *Task, f *Folio) {
	if f.flags.Or(PG_reclaim)&PG_reclaim == 0 {
		folioEvent(t, f.mapping.Load(), trace.PageFlagSet, f, PG_reclaim)
	}
}

// folioActivate is shrink_folio_list's activate_locked with the
// putback: move a folio reclaim decided to keep in use from the inactive
// list to the head of the active one, with PG_active (under lru_lock,
// as every list change) and the counters. A folio off the lists
// (truncated meanwhile) or active already is left alone; reports whether
// it moved. FolioMarkAccessed's second access activates with it too.
func folioActivate(t *Task, pc *pageCache, m *AddressSpace, f *Folio) bool {
	pc.lruLock.Lock(t.o)
	moved := f.flags.Load()&(PG_active|PG_lru) == PG_lru
	if moved {
		pc.inactive.remove(f)
		pc.active.pushFront(f)
		f.flags.Or(PG_active)
	}
	pc.lruLock.Unlock(t.o)
	if moved {
		pc.nrInactive.Add(-1)
		pc.nrActive.Add(1)
		folioEvent(t, m, trace.PageFlagSet, f, PG_active)
	}
	return moved
}

// shrinkFolio is shrink_folio_list()'s body for one folio the caller
// holds a reference on, in Linux's order: the folio's references
// (folio_check_references) before anything is done to it, so that a
// folio in use through a mapping, or mlocked, is neither unmapped nor
// written; then try_to_unmap, so that pageout never writes a folio
// still mapped (is_page_cache_freeable); then pageout of a dirty folio
// or the freeing of a clean one.
func (v *VFS) shrinkFolio(t *Task, sc *scanControl, f *Folio) {
	if !FolioTrylock(t, f) {
		return // locked: keep
	}
	m := f.mapping.Load()
	fl := f.flags.Load()
	switch {
	case m == nil:
		// Truncated since we found it.
	case fl&PG_swapbacked != 0 || m.flags.Load()&AS_UNEVICTABLE != 0:
		// tmpfs: the data lives only here and there is no swap.
	case fl&PG_active != 0:
		// Activated by an access since it was scanned.
	case fl&PG_writeback != 0:
		sc.nrWriteback++
	default:
		v.reclaimFolio(t, sc, m, f)
		return
	}
	FolioUnlock(t, f)
}

// folioRef is what folioCheckReferences decides.
type folioRef int

const (
	folioRefReclaim      folioRef = iota // FOLIOREF_RECLAIM
	folioRefReclaimClean                 // FOLIOREF_RECLAIM_CLEAN: free if clean, do not write
	folioRefKeep                         // FOLIOREF_KEEP: another trip round the inactive list
	folioRefActivate                     // FOLIOREF_ACTIVATE
)

// folioCheckReferences is folio_check_references() for a locked,
// inactive page-cache folio: PG_referenced is tested and cleared, and the
// young PTEs mapping it counted (clearing their young bits). Every
// mapped folio starts out young from the fault that mapped it, so a
// first young scan only sets PG_referenced and keeps the folio; a second
// one with PG_referenced still set, more than one young PTE, or a young
// PTE of an executable mapping activates it. A mlocked folio is
// activated; a folio referenced only through PG_referenced (read(2),
// write(2)) is freed if clean, not written if dirty.
func folioCheckReferences(t *Task, m *AddressSpace, f *Folio) folioRef {
	refs := folioReferenced(t, f)
	referenced := f.flags.And(^uint32(PG_referenced))&PG_referenced != 0
	if referenced {
		folioEvent(t, m, trace.PageFlagClear, f, PG_referenced)
	}
	switch {
	case refs.locked:
		return folioRefActivate
	case refs.young < 0:
		return folioRefKeep // the rmap lock was contended: rotate
	case refs.young > 0:
		// Set for activated folios too, so that a recently
		// deactivated folio in use is quickly recovered.
		if f.flags.Or(PG_referenced)&PG_referenced == 0 {
			folioEvent(t, m, trace.PageFlagSet, f, PG_referenced)
		}
		if referenced || refs.young > 1 || refs.exec {
			return folioRefActivate
		}
		return folioRefKeep
	case referenced:
		return folioRefReclaimClean
	}
	return folioRefReclaim
}

// reclaimFolio is the rest of shrink_folio_list() for a locked, inactive
// page-cache folio of m not under writeback: it unlocks f.
func (v *VFS) reclaimFolio(t *Task, sc *scanControl, m *AddressSpace, f *Folio) {
	ref := folioCheckReferences(t, m, f)
	switch ref {
	case folioRefActivate:
		// Mlocked (Linux then moves it to the unevictable list) or in
		// use through its mappings.
		folioActivate(t, &v.pc, m, f)
		FolioUnlock(t, f)
		return
	case folioRefKeep:
		FolioUnlock(t, f)
		return
	}
	if !folioTryToUnmap(t, f) {
		FolioUnlock(t, f)
		return
	}
	if !f.Dirty() {
		// Clean: free it unless someone else holds it (the cache's
		// reference, ours, and PG_private's are expected).
		refs := int32(2)
		if f.flags.Load()&PG_private != 0 {
			refs++
		}
		if f.refcount.Load() <= refs && t.filemapReleaseFolio(m, f) {
			filemapRemoveFolio(t, m, f)
			sc.nrReclaimed++
			v.rc.stats.stolen.Add(1)
		}
		FolioUnlock(t, f)
		return
	}
	if !sc.mayWritepage || !mappingCanWriteback(m) || m.AOps == nil || m.AOps.Writepage == nil {
		// Direct reclaim does not write (the allocating task may hold
		// filesystem locks): mark it so the flusher's write makes it
		// the next to go, and let the caller wake the flusher.
		folioSetReclaim(t, f)
		sc.nrDirty++
		FolioUnlock(t, f)
		return
	}
	if ref == folioRefReclaimClean {
		// Referenced since the last scan: not worth writing yet.
		sc.nrDirty++
		FolioUnlock(t, f)
		return
	}
	// pageout(): clear dirty for I/O, mark PG_reclaim, and write it with
	// ->writepage (which unlocks). It is freed on a later pass, once
	// clean.
	if !FolioClearDirtyForIO(t, f) {
		FolioUnlock(t, f)
		return
	}
	folioSetReclaim(t, f)
	wbc := &WritebackControl{SyncMode: WB_SYNC_NONE, NrToWrite: SWAP_CLUSTER_MAX,
		RangeStart: 0, RangeEnd: math.MaxInt64, ForReclaim: true}
	if err := t.aopWritepage(m, f, wbc); err != nil {
		MappingSetError(m, err)
	}
	sc.nrPageout++
	v.rc.stats.pageout.Add(1)
}

// shrinkNode is shrink_node() at sc.priority: age the active list if the
// inactive one is low, scan the inactive list, then (with maySlab) the
// dentry and inode shrinkers in proportion.
func (v *VFS) shrinkNode(t *Task, sc *scanControl) {
	pc := &v.pc
	if pc.inactiveIsLow() {
		nr := max(pc.nrActive.Load()>>sc.priority, min(pc.nrActive.Load(), SWAP_CLUSTER_MAX))
		v.shrinkActiveList(t, nr)
	}
	inactive := pc.nrInactive.Load()
	nr := inactive >> sc.priority
	if nr == 0 && sc.priority < DEF_PRIORITY {
		nr = min(inactive, SWAP_CLUSTER_MAX)
	}
	v.shrinkInactiveList(t, sc, nr)
	if sc.maySlab {
		sc.slabFreed += v.shrinkSlab(t, sc.priority)
	}
}

// doTryToFreePages is do_try_to_free_pages(): shrink at falling
// priorities until nrToReclaim pages are freed or enough memory is free.
func (v *VFS) doTryToFreePages(t *Task, sc *scanControl, wantFree int64) {
	for sc.priority = DEF_PRIORITY; sc.priority >= 0; sc.priority-- {
		v.shrinkNode(t, sc)
		if sc.nrReclaimed >= sc.nrToReclaim || v.memFree() >= wantFree {
			return
		}
	}
}

// reserveFolio is called before a folio of m is allocated
// (filemap_alloc_folio's __alloc_pages): with the budget nearly used it
// wakes kswapd, and when the page would not fit it reclaims in the
// allocating task. A page m's chunk still has a slot for is charged
// already (a spare, pagealloc.go), so it needs no room; two allocations
// racing for the last slot may take one page more, within the budget's
// slack. noRetry (readahead's __GFP_NORETRY) gives up after one round.
// Errors: ENOMEM when nothing could be reclaimed.
func (v *VFS) reserveFolio(t *Task, m *AddressSpace, noRetry bool) error {
	if m.chunkHasSlot() {
		return nil
	}
	free := v.memFree() - PAGE_SIZE // after this allocation
	if free >= v.rc.wmarkLow {
		return nil
	}
	v.wakeupKswapd()
	if free >= 0 {
		return nil
	}
	return v.directReclaim(t, PAGE_SIZE, noRetry)
}

// reserveChunkSpare charges the nr spare pages of a new page chunk
// (pagealloc.go) against the budget: the allocation of the chunk's pages
// that reserveFolio's one page did not cover. It reclaims nothing
// (chunkSlot has no task and may run under the folio lock); the pages
// must fit with room left for the page the allocating folio takes,
// which its caller reserved. False, with nothing charged, when they do
// not (an allocation took the room since chunkPages looked): the folio's
// page is then allocated alone. Wakes kswapd when free memory falls below
// the low watermark, as any allocation does.
func (v *VFS) reserveChunkSpare(nr int64) bool {
	pc := &v.pc
	pc.nrChunkSpare.Add(nr)
	free := v.memFree() - PAGE_SIZE
	if free < 0 {
		pc.nrChunkSpare.Add(-nr)
		return false
	}
	if free < v.rc.wmarkLow {
		v.wakeupKswapd()
	}
	return true
}

// ReserveFolio is reserveFolio for filesystems that allocate page-cache
// folios themselves.
func (v *VFS) ReserveFolio(t *Task) error { return v.reserveFolio(t, nil, false) }

// directReclaim is __alloc_pages_direct_reclaim() in the slow path's
// retry loop, for an allocation of want bytes (a page, or a larger
// kmalloc): reclaim clean pages without writing (the task may hold
// filesystem locks, as GFP_NOFS: no shrinkers, no ->writepage), at least
// SWAP_CLUSTER_MAX pages or want's worth a round, until want bytes are
// free; wake the flusher for dirty ones and kswapd for the rest, and
// wait for either to make progress; ENOMEM after MAX_RECLAIM_RETRIES
// rounds without room, or at once when nothing in the cache could ever
// be freed (only tmpfs pages and dentries or inodes in use).
func (v *VFS) directReclaim(t *Task, want int64, noRetry bool) error {
	v.rc.stats.direct.Add(1)
	for retry := 0; ; retry++ {
		sc := scanControl{nrToReclaim: max(SWAP_CLUSTER_MAX, (want+PAGE_SIZE-1)/PAGE_SIZE)}
		v.doTryToFreePages(t, &sc, want)
		if v.memFree() >= want {
			if sc.nrReclaimed > 0 {
				v.reclaimProgress()
			}
			return nil
		}
		if noRetry {
			return ENOMEM // readahead: not worth waiting for
		}
		if retry == 0 {
			// Folios waiting in other tasks' lru_add batches are
			// out of reclaim's sight: put them on the lists once.
			v.lruAddDrainAll()
			continue
		}
		if !v.reclaimable() || retry >= MAX_RECLAIM_RETRIES {
			v.rc.stats.oom.Add(1)
			return ENOMEM
		}
		v.wakeupFlusherForReclaim(sc.nrDirty)
		v.wakeupKswapd()
		if sc.nrReclaimed == 0 {
			v.waitProgress(t, reclaimThrottle)
		}
	}
}

// wakeupFlusherForReclaim asks the flusher to write everything dirty
// when reclaim met dirty pages it would not write itself, unless a
// request is queued already (wakeup_flusher_threads(WB_REASON_VMSCAN),
// without piling up requests).
func (v *VFS) wakeupFlusherForReclaim(nrDirty int64) {
	if nrDirty == 0 && v.pc.nrFileDirty.Load() == 0 {
		return
	}
	if !v.wb.flusher.workPending() {
		v.WakeupFlusherThreads("vmscan")
	}
}
