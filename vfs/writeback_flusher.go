package vfs

import (
	"math"
	"sync"
	"time"

	"github.com/vfscope/vfscope/vfs/lock"
)

// The flusher (fs/fs-writeback.c's wb_workfn, the "flush-N:M" kworker):
// one goroutine per VFS, with a kernel Task of its own, that
//
//   - every dirty_writeback_centisecs writes the inodes dirtied more than
//     dirty_expire_centisecs ago (the "kupdate" pass, wb_check_old_data_flush);
//   - writes in the background while dirty pages are above the
//     background threshold (wb_check_background_flush);
//   - runs the work queued by WakeupFlusherThreads (sync(2), reclaim)
//     and StartBackgroundWriteback (balance_dirty_pages).
//
// As Linux queues the flusher's work only when there is something to
// write (wb_wakeup_delayed when the first inode of a list is dirtied),
// the goroutine starts when an inode is first put on a writeback list
// or work is queued, and ends when no inode is left on any list and no
// work waits. Shutdown stops it for good and waits for it, so a VFS that
// is shut down leaves no goroutine behind.

// flusher is the flusher's control block.
type flusher struct {
	// mu protects the fields below. A leaf outside the lock model: it is
	// never held across a call into the VFS (the flusher's loop takes it
	// only to read and change these fields).
	mu      sync.Mutex
	running bool // the goroutine runs (or is about to)
	stopped bool // Shutdown was called: never start again
	// work is the queue of requests (wb->work_list).
	work []*wbWork
	// background is set by StartBackgroundWriteback (WB_start_all-like
	// flag for the background pass).
	background bool
	// kick wakes the goroutine from its sleep (capacity 1).
	kick chan struct{}
	// wg counts the goroutines not yet returned (one, or for a moment
	// two: an ending one and its successor).
	wg sync.WaitGroup
	// lastKupdate is the writeback clock at the last periodic pass.
	lastKupdate int64
	// passes counts the flusher's passes that wrote something, by kind;
	// under mu.
	stats FlusherStats
}

// FlusherStats counts what the flusher did, for tests and /proc.
type FlusherStats struct {
	Runs       int64 // goroutine starts
	Kupdate    int64 // periodic passes
	Background int64 // background passes
	Work       int64 // queued requests run
	Pages      int64 // pages written
}

func (f *flusher) init() {
	f.kick = make(chan struct{}, 1)
}

// kickNow wakes a sleeping flusher (new tunables, new work).
func (f *flusher) kickNow() {
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// workPending reports whether requests wait (background and kupdate
// passes yield to them).
func (f *flusher) workPending() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.work) > 0
}

// wbWakeupDelayed is wb_wakeup_delayed(): an inode was put on an empty
// writeback list; make sure the flusher runs, its first pass one period
// away.
func (v *VFS) wbWakeupDelayed() {
	f := &v.wb.flusher
	f.mu.Lock()
	v.startFlusherLocked()
	f.mu.Unlock()
}

// wbWakeupDirtytime is the dirtytime work's part of the flusher: an
// inode went onto b_dirty_time; make sure a flusher runs to write its
// timestamps once they expire (dirtytime_expire_seconds).
func (v *VFS) wbWakeupDirtytime() {
	if v.DirtyTunables().DirtytimeExpireSeconds == 0 {
		return
	}
	v.wbWakeupDelayed()
}

// startFlusherLocked starts the goroutine unless it runs or the VFS is
// shut down. f.mu held.
func (v *VFS) startFlusherLocked() {
	f := &v.wb.flusher
	if f.running || f.stopped {
		return
	}
	f.running = true
	f.lastKupdate = v.wbNow()
	f.stats.Runs++
	f.wg.Add(1)
	go v.flusherMain()
}

// WakeupFlusherThreads is wakeup_flusher_threads(): ask the flusher to
// start writing back every dirty page now (WB_SYNC_NONE). sync(2) calls
// it first; reclaim calls it when it meets dirty pages. reason names the
// caller ("sync", "vmscan", ...).
func (v *VFS) WakeupFlusherThreads(reason string) {
	// Only writebacks with dirty data are woken (wb_has_dirty_io).
	if v.wb.nrDirtyIO.Load() == 0 {
		return
	}
	v.queueWork(&wbWork{nrPages: v.getNrDirtyPages(), syncMode: WB_SYNC_NONE, rangeCyclic: true, reason: reason})
}

// wakeupFlusherForSync is sync(2)'s wakeup_flusher_threads: like
// WakeupFlusherThreads, but it returns a channel closed when the flusher
// has run the work (nil when nothing was queued). Linux's sync then
// queues its integrity work behind it on the same writeback and waits
// for that, so the earlier work is over when sync returns; vfscope's
// integrity pass runs in the caller, which waits on this instead.
func (v *VFS) wakeupFlusherForSync() <-chan struct{} {
	if v.wb.nrDirtyIO.Load() == 0 {
		return nil
	}
	w := &wbWork{nrPages: v.getNrDirtyPages(), syncMode: WB_SYNC_NONE, rangeCyclic: true, reason: "sync", done: make(chan struct{})}
	if !v.queueWork(w) {
		return nil
	}
	return w.done
}

// StartBackgroundWriteback is wb_start_background_writeback(): dirty
// pages are above the background threshold (balance_dirty_pages saw
// it); the flusher writes until they are below.
func (v *VFS) StartBackgroundWriteback() {
	f := &v.wb.flusher
	f.mu.Lock()
	f.background = true
	v.startFlusherLocked()
	f.mu.Unlock()
	f.kickNow()
}

// queueWork hands w to the flusher; false when the flusher is shut down
// (w is then never run).
func (v *VFS) queueWork(w *wbWork) bool {
	f := &v.wb.flusher
	f.mu.Lock()
	if f.stopped {
		f.mu.Unlock()
		return false
	}
	f.work = append(f.work, w)
	v.startFlusherLocked()
	f.mu.Unlock()
	f.kickNow()
	return true
}

// Shutdown stops the VFS's background writeback for good and waits for
// the flusher to return; dirty data stays dirty until sync, fsync or
// unmount writes it. Safe to call more than once.
func (v *VFS) Shutdown() {
	f := &v.wb.flusher
	f.mu.Lock()
	f.stopped = true
	dropped := f.work
	f.work = nil
	f.mu.Unlock()
	for _, w := range dropped {
		w.finish()
	}
	f.kickNow()
	f.wg.Wait()
	v.stopKswapd()
}

// FlusherStats returns the flusher's counters and whether it runs.
func (v *VFS) FlusherStats() (FlusherStats, bool) {
	f := &v.wb.flusher
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats, f.running
}

// newKthread makes a Task for a VFS-internal thread: root credentials,
// no root or working directory, no descriptors, not listed in Tasks.
func (v *VFS) newKthread(comm string) *Task {
	t := &Task{vfs: v, comm: comm, cred: RootCred}
	t.files.Store(newFDTable())
	t.o = lock.NewOwner("kthread ("+comm+")", v.validator)
	t.chk.Store(v.validator != nil)
	t.files.Load().lock.Init(classFileTable, 0)
	t.fs.lock.Init(classFSLock, 0)
	return t
}

// flusherMain is the goroutine: wb_workfn in a loop.
func (v *VFS) flusherMain() {
	f := &v.wb.flusher
	t := v.newKthread("flush")
	defer func() {
		if v.validator != nil {
			v.validator.Forget(t.o)
		}
		f.wg.Done()
	}()
	for {
		// Sleep until kicked or the next periodic pass is due.
		period := int64(v.DirtyTunables().WritebackPeriod())
		f.mu.Lock()
		idle := len(f.work) == 0 && !f.background
		stopped := f.stopped
		last := f.lastKupdate
		f.mu.Unlock()
		if stopped {
			v.flusherExit()
			return
		}
		// Without periodic writeback an idle flusher has nothing to wait
		// for: the pass below ends it.
		if idle && period > 0 {
			wait := last + period - v.wbNow()
			if v.wb.nrDirtyIO.Load() == 0 {
				// Only lazy timestamps wait: wake when they expire
				// (Linux's dirtytime work).
				wait = last + max(period, v.dirtytimeExpire()) - v.wbNow()
			}
			if wait > 0 {
				tm := time.NewTimer(time.Duration(wait))
				select {
				case <-f.kick:
				case <-tm.C:
				}
				tm.Stop()
			}
		}
		if v.flusherPass(t) {
			return
		}
	}
}

// flusherPass is one round of wb_do_writeback: queued work, then the
// background and periodic passes. It reports true when the goroutine
// has ended its life (nothing left to do, or shut down).
func (v *VFS) flusherPass(t *Task) bool {
	f := &v.wb.flusher
	for {
		f.mu.Lock()
		if f.stopped {
			f.mu.Unlock()
			v.flusherExit()
			return true
		}
		if len(f.work) == 0 {
			f.mu.Unlock()
			break
		}
		w := f.work[0]
		f.work = f.work[1:]
		f.stats.Work++
		f.mu.Unlock()
		v.flusherRun(t, w)
		w.finish()
	}
	// Background: above the threshold, or asked to.
	f.mu.Lock()
	bg := f.background
	f.background = false
	f.mu.Unlock()
	if bg || v.overBackgroundThresh() {
		if v.flusherRun(t, &wbWork{nrPages: math.MaxInt64, syncMode: WB_SYNC_NONE, rangeCyclic: true, forBackground: true, reason: "background"}) > 0 {
			f.mu.Lock()
			f.stats.Background++
			f.mu.Unlock()
		}
	}
	// Periodic: every dirty_writeback_centisecs.
	period := int64(v.DirtyTunables().WritebackPeriod())
	f.mu.Lock()
	due := period > 0 && v.wbNow()-f.lastKupdate >= period
	if due {
		f.lastKupdate = v.wbNow()
		f.stats.Kupdate++
	}
	f.mu.Unlock()
	if due {
		// As many pages as are dirty now: a writer that keeps
		// redirtying an old inode cannot keep the pass going.
		v.flusherRun(t, &wbWork{nrPages: v.getNrDirtyPages(), syncMode: WB_SYNC_NONE, rangeCyclic: true, forKupdate: true, reason: "periodic"})
	}
	// Nothing left anywhere: end, as wb_workfn does not requeue itself
	// when the wb has no dirty IO. wbWakeupDelayed starts a new one.
	f.mu.Lock()
	idle := v.wb.nrDirtyIO.Load() == 0 && (v.wb.nrDirtyTime.Load() == 0 || v.dirtytimeExpire() == 0)
	if f.stopped || (len(f.work) == 0 && !f.background && (idle || period == 0)) {
		f.running = false
		f.mu.Unlock()
		return true
	}
	f.mu.Unlock()
	return false
}

// flusherExit marks the goroutine gone.
func (v *VFS) flusherExit() {
	f := &v.wb.flusher
	f.mu.Lock()
	f.running = false
	f.mu.Unlock()
}

// flusherRun runs one work item over every writable superblock (or the
// one it names), each with s_umount held for read if that needs no
// waiting (trylock_super: a superblock being unmounted or frozen is
// left alone). Returns the pages written.
func (v *VFS) flusherRun(t *Task, w *wbWork) int64 {
	var total int64
	for _, sb := range v.superBlocks(t) {
		if (w.sb == nil || w.sb == sb) && sb.wb.hasDirtyIO(t) && sb.umount.TryRLock(t.o) {
			if sb.flags.Load()&SB_BORN != 0 && !sb.dying.Load() && !sb.ReadOnly() {
				cp := *w
				total += wbWriteback(t, sb, &cp)
			}
			sb.umount.RUnlock(t.o)
		}
		sb.put(t)
	}
	f := &v.wb.flusher
	f.mu.Lock()
	f.stats.Pages += total
	f.mu.Unlock()
	return total
}
