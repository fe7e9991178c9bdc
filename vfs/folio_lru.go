package vfs

import (
	"sync"

	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/trace"
)

// The LRU lists and how folios get onto them (mm/swap.c). A folio new to
// the page cache is not put on the inactive list at once: folio_add_lru
// queues it in the adding task's lru_add batch (Linux's per-CPU
// cpu_fbatches.lru_add), and the batch is drained onto the lists under
// one lru_lock acquisition when it is full (lru_add_drain). Until then the
// folio has PG_lru clear, holds one reference for the batch, and is not
// counted in Active(file) or Inactive(file); reclaim cannot see it.
//
// Who drains, as in Linux:
//   - reclaim drains its own task's batch before it scans
//     (shrink_active_list and shrink_inactive_list call lru_add_drain);
//   - drop_caches, /proc/meminfo (MemStat), snapshots, and direct reclaim
//     before giving up drain every task's batch (lru_add_drain_all);
//   - a task drains its own at exit (a CPU going offline, for Linux).
//
// A folio truncated while still in a batch stays there until the drain,
// which leaves it off the lists (Linux adds it and its last folio_put
// takes it off again at once): the drain sets PG_lru and then checks
// the mapping, filemapRemoveFolio clears the mapping and then tests
// PG_lru, so one of the two sees the other (folioDelLRU).
//
// A second access to a folio still in the adding task's batch marks it
// PG_active there, so that the drain puts it on the active list
// (__lru_cache_activate_folio); another task's batch is not searched.
//
// Tasks made for the VFS's own threads (pid 0: the flusher, kswapd,
// snapshots) belong to no task list lru_add_drain_all could walk, so
// they put folios on the lists directly.

// lruBatchSize is the number of folios of a batch (PAGEVEC_SIZE as it
// was before Linux 6.3 made folio batches 31 long).
const lruBatchSize = 15

// lruAddBatch is cpu_fbatches.lru_add with its local_lock, one per task.
type lruAddBatch struct {
	// lock is cpu_fbatches.lock: it protects nr and folios. Taken by
	// the owning task to add, and by lru_add_drain_all's worker to drain
	// another task's batch. Spinlock; inside the folio lock (folio_add_lru
	// runs under it), before lru_lock (the drain takes it inside).
	lock   lock.SpinLock
	nr     int
	folios [lruBatchSize]*Folio
}

var classLRUBatch = lock.NewClass("&cpu_fbatches.lock", lock.KindSpin)

// init makes the batch ready: called by NewTask.
func (b *lruAddBatch) init() { b.lock.Init(classLRUBatch, 0) }

// lruDrainState is the part of pageCache that lru_add_drain_all uses.
type lruDrainState struct {
	// mu serialises lru_add_drain_all calls (its static mutex) and
	// protects worker. A plain mutex outside the validator: it is held
	// while worker takes the batch locks and lru_lock, which the caller
	// does not hold (the callers wait for the work as Linux's wait for
	// per-CPU work items), and around nothing else.
	mu sync.Mutex
	// worker is the task whose locks the drain of other tasks' batches
	// takes (the kworkers of Linux's per-CPU drain work); made on first
	// use.
	worker *Task
}

// folioAddLRU is folio_add_lru(): queue a folio new to the cache for the
// head of the inactive list (or the active one, if it is accessed twice
// before the drain). The batch takes a reference.
func folioAddLRU(t *Task, m *AddressSpace, f *Folio) {
	if t.pid == 0 {
		pc := &m.vfs().pc
		folioGet(f)
		pc.lruLock.Lock(t.o)
		lruAdd(t, pc, f)
		pc.lruLock.Unlock(t.o)
		FolioPut(f)
		return
	}
	b := &t.lruAdd
	folioGet(f)
	b.lock.Lock(t.o)
	b.folios[b.nr] = f
	b.nr++
	if b.nr == lruBatchSize {
		lruBatchMove(t, &m.vfs().pc, b)
	}
	b.lock.Unlock(t.o)
}

// lruAdd is lru_add(): put f on the list its PG_active says, with PG_lru,
// unless it left its mapping meanwhile. lru_lock held. Setting PG_lru is
// a page.flag_set event (lru_add_fn's folio_set_lru), made by t.
func lruAdd(t *Task, pc *pageCache, f *Folio) {
	// Set PG_lru before looking at the mapping: filemapRemoveFolio
	// clears the mapping before it tests PG_lru.
	fl := f.flags.Or(PG_lru)
	m := f.mapping.Load()
	if m == nil {
		// Removed from the page cache (its page.remove is out): no
		// page is left for an event to describe.
		f.flags.And(^uint32(PG_lru | PG_active))
		return
	}
	folioEvent(t, m, trace.PageFlagSet, f, PG_lru)
	if fl&PG_active != 0 {
		pc.active.pushFront(f)
		pc.nrActive.Add(1)
	} else {
		pc.inactive.pushFront(f)
		pc.nrInactive.Add(1)
	}
}

// lruBatchMove is folio_batch_move_lru(lru_add): move the batch's folios
// onto the lists under one lru_lock acquisition, then drop the batch's
// references. The batch's lock held.
func lruBatchMove(t *Task, pc *pageCache, b *lruAddBatch) {
	n := b.nr
	if n == 0 {
		return
	}
	pc.lruLock.Lock(t.o)
	for _, f := range b.folios[:n] {
		lruAdd(t, pc, f)
	}
	pc.lruLock.Unlock(t.o)
	for i, f := range b.folios[:n] {
		b.folios[i] = nil
		FolioPut(f)
	}
	b.nr = 0
}

// lruAddDrain is lru_add_drain(): drain t's own batch.
func lruAddDrain(t *Task) {
	if t.pid == 0 {
		return
	}
	b := &t.lruAdd
	b.lock.Lock(t.o)
	lruBatchMove(t, &t.vfs.pc, b)
	b.lock.Unlock(t.o)
}

// lruAddDrainAll is lru_add_drain_all(): drain every task's batch, from
// the drain worker, so that what lies in batches is on the lists and
// counted. The caller holds no spinlock.
func (v *VFS) lruAddDrainAll() {
	tasks := v.Tasks()
	d := &v.pc.drain
	d.mu.Lock()
	if d.worker == nil {
		d.worker = v.newKthread("kworker/lru_add_drain")
	}
	w := d.worker
	for _, tk := range tasks {
		b := &tk.lruAdd
		b.lock.Lock(w.o)
		lruBatchMove(w, &v.pc, b)
		b.lock.Unlock(w.o)
	}
	d.mu.Unlock()
}

// lruActivateBatched is __lru_cache_activate_folio(): if f waits in t's
// own batch, mark it PG_active so that the drain puts it on the active
// list. Reports whether it did.
func lruActivateBatched(t *Task, f *Folio) bool {
	if t.pid == 0 {
		return false
	}
	b := &t.lruAdd
	found := false
	b.lock.Lock(t.o)
	// Backwards: the folio was most likely added last.
	for i := b.nr - 1; i >= 0; i-- {
		if b.folios[i] == f {
			if f.flags.Or(PG_active)&PG_active == 0 {
				folioEvent(t, f.mapping.Load(), trace.PageFlagSet, f, PG_active)
			}
			found = true
			break
		}
	}
	b.lock.Unlock(t.o)
	return found
}

// folioDelLRU takes a folio off its LRU list (folio_isolate_lru plus
// the list removal of freeing). filemapRemoveFolio calls it after
// clearing the folio's mapping, so that a folio still in a batch (PG_lru
// clear here) is left off the lists by the drain (lruAdd).
func folioDelLRU(t *Task, pc *pageCache, f *Folio) {
	if f.flags.Load()&PG_lru == 0 {
		return
	}
	pc.lruLock.Lock(t.o)
	fl := f.flags.Load()
	if fl&PG_lru != 0 {
		if fl&PG_active != 0 {
			pc.active.remove(f)
			pc.nrActive.Add(-1)
		} else {
			pc.inactive.remove(f)
			pc.nrInactive.Add(-1)
		}
		f.flags.And(^uint32(PG_lru | PG_active))
		// folio_isolate_lru clears PG_lru (and freeing PG_active): one
		// event for the change. A folio already removed from its mapping
		// (the filemapRemoveFolio caller) has no page left to describe,
		// and folioEvent reports nothing for it.
		folioEvent(t, f.mapping.Load(), trace.PageFlagClear, f, fl&(PG_lru|PG_active))
	}
	pc.lruLock.Unlock(t.o)
}

// FolioMarkAccessed is folio_mark_accessed(): the first access sets
// PG_referenced; a second one on an inactive folio moves it to the
// active list, or marks it active in the task's batch if it is still
// there.
func FolioMarkAccessed(t *Task, f *Folio) {
	fl := f.flags.Load()
	if fl&PG_referenced == 0 {
		if f.flags.Or(PG_referenced)&PG_referenced == 0 {
			folioEvent(t, f.mapping.Load(), trace.PageFlagSet, f, PG_referenced)
		}
		return
	}
	if fl&PG_active != 0 {
		return
	}
	m := f.mapping.Load()
	if m == nil {
		return
	}
	if fl&PG_lru == 0 {
		// lruActivateBatched reports the PG_active it sets.
		if lruActivateBatched(t, f) {
			folioClearReferenced(t, m, f)
		}
		return
	}
	// folio_activate then folio_clear_referenced: two changes, two
	// events.
	if folioActivate(t, &m.vfs().pc, m, f) {
		folioClearReferenced(t, m, f)
	}
}

// folioClearReferenced clears PG_referenced with its page.flag_clear
// event, if it was set.
func folioClearReferenced(t *Task, m *AddressSpace, f *Folio) {
	if f.flags.And(^uint32(PG_referenced))&PG_referenced != 0 {
		folioEvent(t, m, trace.PageFlagClear, f, PG_referenced)
	}
}
