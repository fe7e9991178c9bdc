package vfs

import (
	"math"
	"time"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// Writeback of inodes (fs/fs-writeback.c): one inode at a time
// (__writeback_single_inode: data through ->writepages, then the inode
// itself through ->write_inode), and passes over a superblock's dirty
// lists (writeback_sb_inodes, wb_writeback) for the flusher and sync.
//
// I_SYNC marks the inode a task is writing: a second WB_SYNC_NONE writer
// skips it, a WB_SYNC_ALL writer waits for it, and evict waits for it
// (inode_wait_for_writeback), so the writer needs no reference on the
// inode: an inode with I_SYNC set cannot be freed under it.

// wbState is the writeback state of a VFS: the tunables, the flusher
// and the writeback clock.
type wbState struct {
	tunables dirtyTunablesBox
	flusher  flusher
	// epoch is the origin of the writeback clock (jiffies): dirtied_when
	// and the expiry of dirty data are measured on the monotonic clock,
	// not on Options.Clock, which tests freeze.
	epoch time.Time
	// nrDirtyIO counts inodes on any superblock's b_dirty, b_io and
	// b_more_io; the flusher stops when it is zero and nothing is queued.
	// nrDirtyTime counts those on b_dirty_time. Atomic; changed under the
	// lists' listLock.
	nrDirtyIO   atomic.Int64
	nrDirtyTime atomic.Int64
}

// wbNow returns the writeback clock: nanoseconds since the VFS was made.
func (v *VFS) wbNow() int64 { return int64(time.Since(v.wb.epoch)) }

// initWriteback is called by New.
func (v *VFS) initWriteback() {
	v.wb.epoch = time.Now()
	v.wb.flusher.init()
	v.dirtyTunablesChanged()
}

// dirtyTunablesChanged applies new tunables: the throttling limit of
// balance_dirty_pages, and the flusher's period.
func (v *VFS) dirtyTunablesChanged() {
	v.SetDirtyLimit(v.DirtyLimits().Dirty)
	v.wb.flusher.kickNow()
}

// writebackSingleInodeLocked is __writeback_single_inode(): write the
// dirty pages through do_writepages (WB_SYNC_ALL outside sync(2) also
// waits for them), clear the dirty bits (I_DIRTY_PAGES stays while the
// page index still has dirty pages), then ->write_inode if the inode
// itself was dirty. The caller has set I_SYNC and holds no lock.
func writebackSingleInodeLocked(t *Task, i *Inode, wbc *WritebackControl) (err error) {
	i.sb.vfs.evWriteback(t, false, i, wbc.SyncMode, 0, nil)
	defer func(todo int64) { i.sb.vfs.evWriteback(t, true, i, wbc.SyncMode, todo-wbc.NrToWrite, err) }(wbc.NrToWrite)
	v := i.sb.vfs
	m := i.Mapping()
	err = doWritepages(t, m, wbc)
	if wbc.SyncMode == WB_SYNC_ALL && !wbc.ForSync {
		// filemap_fdatawait: it reports AS_EIO/AS_ENOSPC and clears
		// them (the errseq of each description is not touched).
		if werr := FilemapFdatawaitRange(t, m, 0, math.MaxInt64); err == nil {
			err = werr
		}
	}
	// Lazy timestamps are written by integrity passes and once they
	// have waited dirtytime_expire_seconds: I_DIRTY_TIME becomes
	// I_DIRTY_SYNC (->dirty_inode is told).
	if i.state.Load()&I_DIRTY_TIME != 0 &&
		(wbc.SyncMode == WB_SYNC_ALL || v.wbNow()-i.dirtiedTimeWhen() > v.dirtytimeExpire()) {
		markInodeDirty(t, i, I_DIRTY_SYNC)
	}
	o := t.owner()
	i.lock.Lock(o)
	dirty := i.state.Load() & I_DIRTY
	iStateClear(t, i, I_DIRTY)
	if m.Tagged(PAGECACHE_TAG_DIRTY) {
		iStateSet(t, i, I_DIRTY_PAGES)
	}
	i.lock.Unlock(o)
	if dirty&^I_DIRTY_PAGES != 0 {
		if werr := writeInodeOp(t, i, wbc, dirty&I_DIRTY_INODE); err == nil {
			err = werr
		}
	}
	return err
}

// writeInodeOp is write_inode(): ->write_inode, if the filesystem has
// one. A failure puts the bits back, so that the inode's metadata is
// not lost for the next attempt, and is recorded in the superblock's
// errseq (s_wb_err), so that syncfs reports it once to each
// description, as Linux's failed write of an inode's block does
// (mark_buffer_write_io_error): writeback passes drop the error itself.
func writeInodeOp(t *Task, i *Inode, wbc *WritebackControl, bits uint32) error {
	if i.sb.Ops == nil || i.sb.Ops.WriteInode == nil {
		return nil
	}
	err := t.sopWriteInode(i, wbc)
	if err != nil {
		o := t.owner()
		i.lock.Lock(o)
		iStateSet(t, i, bits)
		i.lock.Unlock(o)
		i.sb.wbErr.Set(ErrnoOf(err))
	}
	return err
}

// writebackSingleInode is writeback_single_inode(): write one inode
// outside the flusher (fsync, write_inode_now, sync_inode_metadata). A
// WB_SYNC_NONE call leaves an inode another task is writing alone; a
// WB_SYNC_ALL call waits for that writer and then writes what is left.
// Afterwards a clean inode leaves the writeback lists; a dirty one not
// held by a flusher pass goes back to b_dirty.
func writebackSingleInode(t *Task, i *Inode, wbc *WritebackControl) error {
	o := t.owner()
	i.lock.Lock(o)
	if i.state.Load()&I_SYNC != 0 {
		if wbc.SyncMode != WB_SYNC_ALL {
			i.lock.Unlock(o)
			return nil
		}
		inodeWaitForWritebackLocked(t, i)
	}
	m := i.Mapping()
	if i.state.Load()&(I_DIRTY|I_DIRTY_TIME) == 0 && (wbc.SyncMode != WB_SYNC_ALL || !m.Tagged(PAGECACHE_TAG_WRITEBACK)) {
		i.lock.Unlock(o)
		return nil
	}
	iStateSet(t, i, I_SYNC)
	i.lock.Unlock(o)

	err := writebackSingleInodeLocked(t, i, wbc)

	wb := &i.sb.wb
	wb.listLock.Lock(o)
	i.lock.Lock(o)
	if st := i.state.Load(); st&I_FREEING == 0 {
		switch {
		case st&(I_DIRTY|I_DIRTY_TIME) == 0:
			wb.delLocked(t, i)
		case st&I_SYNC_QUEUED != 0 || st&inodeHashed == 0:
			// A flusher pass holds it, or it has no place on the lists.
		case st&I_DIRTY != 0:
			wb.redirtyTailLocked(t, i)
		default:
			i.wbIO().dirtiedWhen = i.sb.vfs.wbNow()
			wb.moveLocked(i, &wb.bDirtyTime)
		}
	}
	wb.listLock.Unlock(o)
	inodeSyncComplete(t, i)
	i.lock.Unlock(o)
	inodeAddLRUIfClean(t, i)
	return err
}

// WriteInodeNow is write_inode_now(): write the inode's dirty pages and
// the inode itself; with sync, wait for all of it.
func WriteInodeNow(t *Task, i *Inode, sync bool) error {
	wbc := &WritebackControl{NrToWrite: math.MaxInt64, RangeEnd: math.MaxInt64}
	if sync {
		wbc.SyncMode = WB_SYNC_ALL
	}
	if !mappingCanWriteback(i.Mapping()) {
		wbc.NrToWrite = 0
	}
	t.owner().MightSleep("write_inode_now")
	return writebackSingleInode(t, i, wbc)
}

// SyncInodeMetadata is sync_inode_metadata(): write the inode itself,
// not its pages; with wait, as WB_SYNC_ALL.
func SyncInodeMetadata(t *Task, i *Inode, wait bool) error {
	wbc := &WritebackControl{NrToWrite: 0}
	if wait {
		wbc.SyncMode = WB_SYNC_ALL
	}
	return writebackSingleInode(t, i, wbc)
}

// wbWork is struct wb_writeback_work: one writeback request.
type wbWork struct {
	nrPages          int64
	sb               *SuperBlock // nil: every superblock
	syncMode         int
	taggedWritepages bool
	// rangeCyclic: each inode's pages from where the last cyclic pass
	// stopped (writeback_index), as the flusher's work goes; sync's and
	// syncfs's passes write every file from its start.
	rangeCyclic   bool
	forKupdate    bool
	forBackground bool
	forSync       bool
	reason        string
	// written counts the pages written so far.
	written int64
	// done, when not nil, is closed once the flusher has run the work
	// (or dropped it at Shutdown): wb_completion, for a queuer that
	// waits.
	done chan struct{}
}

// finish reports the work run to whoever waits for it.
func (w *wbWork) finish() {
	if w.done != nil {
		close(w.done)
	}
}

// MIN_WRITEBACK_PAGES is the smallest slice of a WB_SYNC_NONE pass an
// inode gets: 4 MiB.
const minWritebackPages = 4096 >> (PAGE_SHIFT - 10)

// writebackChunkSize is writeback_chunk_size(): how many pages one inode
// may write before the pass moves on. Integrity and tagged passes write
// everything; others get a slice of the dirty limit, at least 4 MiB.
func (v *VFS) writebackChunkSize(w *wbWork) int64 {
	if w.syncMode == WB_SYNC_ALL || w.taggedWritepages {
		return math.MaxInt64
	}
	pages := v.DirtyLimits().Dirty / 8 // DIRTY_SCOPE
	if w.nrPages < pages {
		pages = w.nrPages
	}
	return (pages + minWritebackPages) / minWritebackPages * minWritebackPages
}

// writebackSBInodes is writeback_sb_inodes(): write the inodes of sb's
// b_io, oldest first, each for a slice of the pass, and requeue each by
// what is left. listLock held on entry and on return (dropped around
// each inode). Returns the pages written plus the inodes made clean, the
// progress wb_writeback looks for.
func writebackSBInodes(t *Task, sb *SuperBlock, w *wbWork) int64 {
	wb := &sb.wb
	o := t.owner()
	v := sb.vfs
	start := time.Now()
	// dirtiedBefore is the pass's cutoff for requeueInodeLocked: an
	// inode dirtied after it (or whose clock an integrity pass restarted)
	// that still has dirty pages waits on b_dirty instead of taking
	// another slice of this pass. A periodic pass's cutoff is the expiry.
	dirtiedBefore := v.wbNow()
	if w.forKupdate {
		dirtiedBefore -= v.DirtyTunables().ExpireCentisecs * int64(10*time.Millisecond)
	}
	var total int64
	for {
		i := wb.bIO.tail
		if i == nil {
			break
		}
		i.lock.Lock(o)
		st := i.state.Load()
		if st&(I_NEW|I_FREEING|I_WILL_FREE) != 0 {
			wb.redirtyTailLocked(t, i)
			i.lock.Unlock(o)
			continue
		}
		if st&I_SYNC != 0 && w.syncMode != WB_SYNC_ALL {
			// Someone else is writing it (fsync): a WB_SYNC_NONE pass
			// comes back to it later.
			wb.requeueIOLocked(i)
			i.lock.Unlock(o)
			continue
		}
		wb.listLock.Unlock(o)
		if st&I_SYNC != 0 {
			// An integrity pass waits for that writer, then looks at
			// the inode again where it is then.
			inodeWaitForWritebackLocked(t, i)
			i.lock.Unlock(o)
			wb.listLock.Lock(o)
			continue
		}
		iStateSet(t, i, I_SYNC)
		i.lock.Unlock(o)

		chunk := v.writebackChunkSize(w)
		wbc := &WritebackControl{
			SyncMode:         w.syncMode,
			NrToWrite:        chunk,
			RangeEnd:         math.MaxInt64,
			RangeCyclic:      w.rangeCyclic,
			TaggedWritepages: w.taggedWritepages,
			ForKupdate:       w.forKupdate,
			ForBackground:    w.forBackground,
			ForSync:          w.forSync,
		}
		if wbc.RangeCyclic {
			wbc.RangeEnd = 0
		}
		writebackSingleInodeLocked(t, i, wbc)
		written := chunk - wbc.NrToWrite
		w.written += written
		if w.nrPages != math.MaxInt64 {
			w.nrPages -= written
		}
		if wrote := written - wbc.PagesSkipped; wrote > 0 {
			total += wrote
		}

		wb.listLock.Lock(o)
		i.lock.Lock(o)
		if i.state.Load()&(I_DIRTY|I_DIRTY_TIME) == 0 {
			// Made clean, lazy timestamps too (I_DIRTY_ALL).
			total++
		}
		wb.requeueInodeLocked(t, i, wbc, dirtiedBefore)
		inodeSyncComplete(t, i)
		i.lock.Unlock(o)
		if i.count.Load() == 0 {
			wb.listLock.Unlock(o)
			inodeAddLRUIfClean(t, i)
			wb.listLock.Lock(o)
		}
		if total > 0 {
			// Give other superblocks and waiters a turn now and then
			// (Linux: after HZ/10), and stop when the work is done.
			if time.Since(start) > 100*time.Millisecond || w.nrPages <= 0 {
				break
			}
		}
	}
	return total
}

// requeueInodeLocked is requeue_inode(): after a flusher pass wrote the
// inode, put it where its state says. dirtiedBefore is the pass's
// cutoff (writeback_sb_inodes' dirtied_before). listLock and i_lock
// held.
func (wb *bdiWriteback) requeueInodeLocked(t *Task, i *Inode, wbc *WritebackControl, dirtiedBefore int64) {
	st := i.state.Load()
	if st&I_FREEING != 0 {
		return
	}
	// An integrity or tagged pass that leaves the inode dirty (it was
	// redirtied meanwhile) restarts its clock, so that sync does not
	// livelock on it.
	if st&I_DIRTY != 0 && (wbc.SyncMode == WB_SYNC_ALL || wbc.TaggedWritepages) {
		i.wbIO().dirtiedWhen = i.sb.vfs.wbNow()
	}
	switch {
	case wbc.PagesSkipped > 0:
		// Pages were redirtied instead of written: no progress here;
		// try again later rather than spin.
		if st&(I_DIRTY|I_DIRTY_TIME) != 0 {
			wb.redirtyTailLocked(t, i)
		} else {
			wb.delLocked(t, i)
		}
	case i.Mapping().Tagged(PAGECACHE_TAG_DIRTY):
		if wbc.NrToWrite <= 0 && i.wbIO().dirtiedWhen <= dirtiedBefore {
			// Its slice was used up: next turn of this pass.
			wb.requeueIOLocked(i)
		} else {
			// Blocked by something else, or not due for this pass
			// (inode_dirtied_after): wait on b_dirty.
			wb.redirtyTailLocked(t, i)
		}
	case st&I_DIRTY != 0:
		// Dirtied again during writeback (->write_inode or a writer).
		wb.redirtyTailLocked(t, i)
	case st&I_DIRTY_TIME != 0:
		// Only lazy timestamps left, not yet due.
		i.wbIO().dirtiedWhen = i.sb.vfs.wbNow()
		wb.moveLocked(i, &wb.bDirtyTime)
		iStateClear(t, i, I_SYNC_QUEUED)
	default:
		wb.delLocked(t, i)
	}
}

// wbWriteback is wb_writeback() over one superblock: repeat
// queue_io + writeback_sb_inodes until the work is done, the lists hold
// nothing expired, or (for the flusher's own passes) the background
// threshold is met or other work is waiting. Returns the pages written.
func wbWriteback(t *Task, sb *SuperBlock, w *wbWork) int64 {
	v := sb.vfs
	wb := &sb.wb
	o := t.owner()
	wb.workMu.Lock(o)
	defer wb.workMu.Unlock(o)
	start := w.written
	dirtiedBefore := v.wbNow()
	for {
		if w.nrPages <= 0 {
			break
		}
		if (w.forBackground || w.forKupdate) && v.wb.flusher.workPending() {
			break
		}
		if w.forBackground && !v.overBackgroundThresh() {
			break
		}
		wb.listLock.Lock(o)
		if w.forKupdate {
			dirtiedBefore = v.wbNow() - v.DirtyTunables().ExpireCentisecs*int64(10*time.Millisecond)
		} else if w.forBackground {
			dirtiedBefore = v.wbNow()
		}
		if wb.bIO.empty() {
			wb.queueIOLocked(t, dirtiedBefore, w.forSync)
		}
		progress := writebackSBInodes(t, sb, w)
		if progress > 0 {
			wb.listLock.Unlock(o)
			continue
		}
		if wb.bMoreIO.empty() {
			wb.listLock.Unlock(o)
			break
		}
		// Nothing written, and inodes wait on b_more_io (held by other
		// writers): wait for one of them instead of spinning.
		i := wb.bMoreIO.tail
		i.lock.Lock(o)
		wb.listLock.Unlock(o)
		inodeWaitForWritebackLocked(t, i)
		i.lock.Unlock(o)
	}
	return w.written - start
}

// dirtytimeExpire is dirtytime_expire_interval in writeback-clock
// nanoseconds.
func (v *VFS) dirtytimeExpire() int64 {
	return v.DirtyTunables().DirtytimeExpireSeconds * int64(time.Second)
}

// getNrDirtyPages is get_nr_dirty_pages(): the dirty pages plus the
// inodes on writeback lists, b_dirty_time's too, the budget of a
// WB_SYNC_NONE pass that must end (the flusher's periodic pass and
// WakeupFlusherThreads). Linux's get_nr_dirty_inodes() counts every
// inode in use, so the budget is never 0 and a periodic pass with only
// lazy timestamps dirty still reaches queue_io, which moves the expired
// ones to b_io; here the inodes of b_dirty_time count for that.
func (v *VFS) getNrDirtyPages() int64 {
	return v.pc.nrFileDirty.Load() + v.wb.nrDirtyIO.Load() + v.wb.nrDirtyTime.Load()
}

// overBackgroundThresh is wb_over_bg_thresh(): dirty pages above the
// background threshold.
func (v *VFS) overBackgroundThresh() bool {
	return v.pc.nrFileDirty.Load() > v.DirtyLimits().Background
}

// writebackInodesSB is writeback_inodes_sb(): start writeback of all of
// sb's dirty inodes (WB_SYNC_NONE, pages tagged first so that pages
// dirtied meanwhile cannot livelock it; not range_cyclic, as
// __writeback_inodes_sb_nr leaves it, so each file from its start).
// s_umount held.
func writebackInodesSB(t *Task, sb *SuperBlock, reason string) {
	wbWriteback(t, sb, &wbWork{
		nrPages:          math.MaxInt64,
		sb:               sb,
		syncMode:         WB_SYNC_NONE,
		taggedWritepages: true,
		reason:           reason,
	})
}

// syncInodesSB is sync_inodes_sb(): write every dirty inode of sb and
// wait for all of its pages under writeback (wait_sb_inodes). s_umount
// held.
func syncInodesSB(t *Task, sb *SuperBlock) {
	wbWriteback(t, sb, &wbWork{
		nrPages:  math.MaxInt64,
		sb:       sb,
		syncMode: WB_SYNC_ALL,
		forSync:  true,
		reason:   "sync",
	})
	waitSBInodes(t, sb)
}

// waitSBInodes is wait_sb_inodes(): wait for the pages under writeback
// of every inode of sb, keeping their errors for fsync to report.
func waitSBInodes(t *Task, sb *SuperBlock) {
	// Linux walks s_inodes_wb, the inodes with pages under writeback;
	// vfscope walks s_inodes, so it first asks whether any page of the
	// VFS is under writeback at all (tmpfs-only trees never have one).
	if sb.vfs.pc.nrWriteback.Load() == 0 {
		return
	}
	o := t.owner()
	var busy []*Inode
	sb.inodeListLock.Lock(o)
	for i := sb.inodes; i != nil; i = i.sbNext {
		if !i.Mapping().Tagged(PAGECACHE_TAG_WRITEBACK) {
			continue
		}
		i.lock.Lock(o)
		if i.state.Load()&(I_NEW|I_FREEING|I_WILL_FREE) == 0 {
			iholdTask(t, i) // __iget
			busy = append(busy, i)
		}
		i.lock.Unlock(o)
	}
	sb.inodeListLock.Unlock(o)
	for _, i := range busy {
		filemapFdatawaitKeepErrors(t, i.Mapping(), 0, math.MaxInt64)
		iput(t, i)
	}
}

// syncFilesystem is sync_filesystem(): start writeback of everything,
// ->sync_fs without waiting, then write and wait for everything,
// ->sync_fs waiting. s_umount held. A read-only superblock has nothing
// to write.
func syncFilesystem(t *Task, sb *SuperBlock) error {
	if sb.ReadOnly() {
		return nil
	}
	writebackInodesSB(t, sb, "sync")
	if sb.Ops != nil && sb.Ops.SyncFS != nil {
		if err := t.sopSyncFS(sb, false); err != nil {
			return err
		}
	}
	syncInodesSB(t, sb)
	if sb.Ops != nil && sb.Ops.SyncFS != nil {
		return t.sopSyncFS(sb, true)
	}
	return nil
}
