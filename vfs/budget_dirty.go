package vfs

import (
	"math/bits"
	"time"
)

// balance_dirty_pages (mm/page-writeback.c): the policy that keeps the
// dirty part of the budget in bounds. A writer that dirtied pages of a
// mapping that can be written back checks the global counts against the
// thresholds of the vm.dirty_* tunables (DirtyLimits, shares of the
// budget):
//
//   - above the background threshold it makes sure the flusher is
//     writing in the background (wb_start_background_writeback);
//   - above the dirty threshold it is throttled: it sleeps until
//     writeback ends pages (FolioEndWriteback wakes it) and looks again,
//     until dirty + writeback pages are at or below the threshold.
//
// Each sleep is bounded (maxPause, as Linux's MAX_PAUSE of HZ/5), so a
// throttled writer never waits for a wakeup that cannot come. While pages
// are under writeback, their completion is the progress it waits for, as
// long as it takes. When a pause passes with nothing under writeback and
// nothing written (its superblock frozen, say), or at once when Shutdown
// has stopped the flusher, the writer writes back its own mapping (the
// pre-3.2 Linux scheme, the dirtier pays) and gives up if even that
// cleans nothing, rather than wait for writeback nobody will start.
//
// Swap-backed mappings (tmpfs) are never throttled: their pages are not
// counted as dirty and cannot be written back.

// maxPause is the longest one throttling sleep lasts.
const maxPause = 200 * time.Millisecond

// dirtyPauseInit is the number of pages a writer dirties before it first
// looks at the limits: a new task's nr_dirtied_pause (copy_process sets
// 128 >> (PAGE_SHIFT - 10), 128 KiB). Linux keeps the count and the pause
// in the task across calls; vfscope keeps them for the length of one
// write(2) (GenericPerformWrite) and checks once more when the write
// ends, so that small writes are never left unchecked.
const dirtyPauseInit = 128 >> (PAGE_SHIFT - 10)

// dirtyPauseNone is the pause after a check that needs no other during
// this write: a mapping that is never throttled, or a writer that gave
// up (see balanceDirtyPages).
const dirtyPauseNone = 1<<63 - 1

// balanceDirtyPagesRatelimited is balance_dirty_pages_ratelimited(),
// i_rwsem held: a writer calls it once it has dirtied as many pages as
// the pause the last call returned (dirtyPauseInit at first), inside the
// copy loop of generic_perform_write, and once at the end of a write(2)
// that dirtied pages (or a write fault that dirtied one). It returns the
// number of pages to dirty before the next call (nr_dirtied_pause).
func balanceDirtyPagesRatelimited(t *Task, m *AddressSpace, dirtied int64) int64 {
	if m.swapBacked() {
		return dirtyPauseNone
	}
	if dirtied <= 0 {
		return dirtyPauseInit
	}
	return balanceDirtyPages(t, m.host.sb.vfs, m, dirtied)
}

// dirtyPollInterval is dirty_poll_interval(): how many pages a writer
// may dirty before it looks again, with dirty of the thresh pages
// dirty: 2^(ilog2(thresh-dirty)/2), about the square root of the room
// left (so never more than the room), 1 at or over the limit.
func dirtyPollInterval(dirty, thresh int64) int64 {
	if thresh > dirty {
		return 1 << ((bits.Len64(uint64(thresh-dirty)) - 1) >> 1)
	}
	return 1
}

// balanceDirtyPages is balance_dirty_pages(). It returns the next pause:
// the poll interval of the room left under the limit when it lets the
// writer go (domain_poll_intv; Linux's pause above the free-run ceiling
// comes from its bandwidth estimate, which vfscope does not keep, and
// the poll interval keeps the writer below the limit as well), or
// dirtyPauseNone when the writer gave up.
func balanceDirtyPages(t *Task, v *VFS, m *AddressSpace, dirtied int64) int64 {
	pc := &v.pc
	for {
		th := v.DirtyLimits()
		dirty := pc.nrFileDirty.Load()
		nr := dirty + pc.nrWriteback.Load()
		if dirty > th.Background {
			v.StartBackgroundWriteback()
		}
		// A limit of 0 (dirty_ratio and dirty_bytes both 0) throttles
		// every writer with pages dirty or under writeback, as Linux's
		// thresh of 0 does (no free-run ceiling), holding writers to
		// the rate of writeback.
		if nr <= th.Dirty {
			return dirtyPollInterval(nr, th.Dirty)
		}
		// Over the limit: pause until writeback makes progress.
		pc.throttled.Add(1)
		v.rc.stats.throttled.Add(1)
		if !v.flusherStopped() || pc.nrWriteback.Load() > 0 {
			before := nr
			v.waitProgress(t, maxPause)
			if pc.nrFileDirty.Load()+pc.nrWriteback.Load() < before || pc.nrWriteback.Load() > 0 {
				// Progress, or I/O in flight whose completion will be.
				continue
			}
		}
		// Nothing was in flight and nothing was written during a whole
		// pause: write our own mapping's pages, and stop if that cleans
		// nothing either.
		// A writer that gives up is not held again before its write
		// ends: each look would cost it another pause.
		if !mappingCanWriteback(m) {
			return dirtyPauseNone
		}
		d0 := pc.nrFileDirty.Load()
		wbc := &WritebackControl{SyncMode: WB_SYNC_NONE, NrToWrite: max(2*dirtied, 16), RangeEnd: 1<<63 - 1}
		if err := doWritepages(t, m, wbc); err != nil {
			MappingSetError(m, err)
			return dirtyPauseNone
		}
		if pc.nrFileDirty.Load() >= d0 {
			return dirtyPauseNone
		}
	}
}

// flusherStopped reports whether Shutdown stopped the flusher: a
// throttled writer then has nobody to wait for.
func (v *VFS) flusherStopped() bool {
	f := &v.wb.flusher
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stopped
}
