package lock

import (
	"time"
	"unsafe"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/trace"
)

// RWSem is a reader-writer semaphore (i_rwsem, s_umount, invalidate_lock):
// many readers or one writer, sleeping. Like Linux's rwsem, a waiting
// writer blocks new readers, so a task taking the read side twice can
// deadlock against a writer (the validator reports the second acquisition
// as recursive locking). The zero value is unusable until Init.
//
// Waiters queue in arrival order (rwsemwait.go). As in Linux, an
// arriving writer may take a free lock ahead of them, and queued readers
// enter together once no writer holds the lock or waits ahead of them;
// but the first waiter, once it has waited rwHandoffAfter (Linux's
// RWSEM_WAIT_TIMEOUT), sets the handoff bit, and from then on nobody
// else takes the lock before it (RWSEM_FLAG_HANDOFF), so that a reader
// of a directory that writers keep busy does not wait for ever.
//
// Like Linux's rw_semaphore it is one atomic count word (state) plus the
// owner: an uncontended acquisition or release is one compare-and-swap or
// add. Tasks that must wait sleep on a wait queue shared through a hashed
// table (rwWaitTable in waitqueue.go, like the kernel's hashed bit wait
// queues), so an RWSem carries no queue of its own: it is 32 bytes, where
// a mutex and a condition variable made it 128, which counts twice in
// every inode.
type RWSem struct {
	// state is the count word: the read holders (rwReaders), the write
	// bit (rwWriter, also set while disowned), the writers waiting
	// (rwWWaitOne units: they block new readers), the handoff bit
	// (rwHandoff: the lock is kept for the first waiter) and the
	// sleepers (rwSleepOne units: tasks of either side in the wait
	// queue, for releasers to wake). Atomic; the waiter fields and the
	// handoff bit change only under the wait queue's mu.
	state wordCell
	// owner is the write holder: none when unlocked, read-locked or
	// disowned. Written by the holder; atomic for Holder's readers.
	owner holder
	tag   lockTag // the default subclass, and what the lock belongs to (trace events)
	cls   classRef
	// disowned is set while write-locked with no owner (between
	// Disown and Adopt). Atomic.
	disowned atomic.Bool
}

// The fields of RWSem.state.
const (
	rwReaders  = 1<<31 - 1 // read holders, bits 0-30
	rwWriter   = 1 << 31
	rwWWaitOne = 1 << 32 // writers waiting, bits 32-46 (saturating: waitqueue.go)
	rwWWait    = 0x7fff << 32
	rwHandoff  = 1 << 47 // only the first waiter may take the lock
	rwSleepOne = 1 << 48 // sleepers in the wait queue, bits 48-63 (saturating)
	rwSleep    = 0xffff << 48

	// rwReadFail is what keeps a new reader out: a writer holding,
	// waiting or owed a handoff.
	rwReadFail = rwWriter | rwWWait | rwHandoff
)

// waitQueue returns the wait queue l hashes to.
func (l *RWSem) waitQueue() *rwWaitQueue { return waitQueueOf(unsafe.Pointer(l)) }

// Init sets the class (of KindRWSem) and default subclass. Call it once,
// before any other method: Init of a lock that is held (or waited for)
// panics.
func (l *RWSem) Init(c *Class, sub uint8) {
	if c == nil || c.kind != KindRWSem {
		panic(&initError{"RWSem", c, KindRWSem})
	}
	if l.state.Load() != 0 {
		panic(&heldInitError{"RWSem"})
	}
	l.cls, l.tag = classRef(c.id), l.tag.withSub(sub)
}

// Class returns the class given to Init.
func (l *RWSem) Class() *Class { return l.cls.class() }

// Subclass returns the subclass given to Init.
func (l *RWSem) Subclass() uint8 { return l.tag.sub() }

// Kind returns KindRWSem.
func (l *RWSem) Kind() Kind { return KindRWSem }

// wlock takes the write side, waiting as needed; it reports whether it had
// to wait.
func (l *RWSem) wlock(o *Owner) (waited bool) {
	if !l.state.CompareAndSwap(0, rwWriter) && !l.trywlockState() {
		l.wlockSlow()
		waited = true
	}
	l.owner.Store(o)
	return waited
}

// trywlockState sets the write bit if the lock is free (waiters aside:
// an arriving writer may take a free lock before a woken one, unless the
// first waiter has claimed a handoff).
func (l *RWSem) trywlockState() bool {
	for {
		s := l.state.Load()
		if s&(rwWriter|rwReaders|rwHandoff) != 0 {
			return false
		}
		if l.state.CompareAndSwap(s, s|rwWriter) {
			return true
		}
	}
}

func (l *RWSem) wlockSlow() {
	q := l.waitQueue()
	q.mu.Lock()
	q.join(&l.state, rwWWaitOne, rwWWait)
	q.join(&l.state, rwSleepOne, rwSleep)
	w := &rwWaiter{write: true, since: time.Now()}
	q.enqueue(&l.state, w)
	for {
		s := l.state.Load()
		// Free, and not kept for another waiter (a handoff is
		// always the first waiter's: this one's if it heads).
		if s&(rwWriter|rwReaders) == 0 && (s&rwHandoff == 0 || w.first()) {
			dw, ds := q.leaving(&l.state, rwWWaitOne), q.leaving(&l.state, rwSleepOne)
			if l.state.CompareAndSwap(s, (s&^rwHandoff|rwWriter)-dw-ds) {
				q.left(&l.state, rwWWaitOne, dw)
				q.left(&l.state, rwSleepOne, ds)
				q.dequeue(&l.state, w)
				break
			}
			continue
		}
		if w.claimsHandoff(s) && !l.state.CompareAndSwap(s, s|rwHandoff) {
			continue
		}
		q.cond.Wait()
	}
	q.mu.Unlock()
}

func (l *RWSem) trywlock(o *Owner) bool {
	if !l.trywlockState() {
		return false
	}
	l.owner.Store(o)
	return true
}

// rlock takes the read side, waiting while a writer holds it or waits
// ahead of it (or a handoff is owed to another waiter).
func (l *RWSem) rlock() (waited bool) {
	if l.tryrlock() {
		return false
	}
	q := l.waitQueue()
	q.mu.Lock()
	q.join(&l.state, rwSleepOne, rwSleep)
	w := &rwWaiter{since: time.Now()}
	q.enqueue(&l.state, w)
	for {
		s := l.state.Load()
		if s&rwWriter == 0 && (w.first() || s&rwHandoff == 0 && !w.writerAhead()) {
			d := q.leaving(&l.state, rwSleepOne)
			if l.state.CompareAndSwap(s, s&^rwHandoff+1-d) {
				q.left(&l.state, rwSleepOne, d)
				// Readers the handoff kept out may join it now,
				// as rwsem_mark_wake wakes the queued readers
				// together.
				if q.dequeue(&l.state, w) && s&rwHandoff != 0 {
					q.cond.Broadcast()
				}
				break
			}
			continue
		}
		if w.claimsHandoff(s) && !l.state.CompareAndSwap(s, s|rwHandoff) {
			continue
		}
		q.cond.Wait()
	}
	q.mu.Unlock()
	return true
}

func (l *RWSem) tryrlock() bool {
	for {
		s := l.state.Load()
		if s&rwReadFail != 0 {
			return false
		}
		if l.state.CompareAndSwap(s, s+1) {
			return true
		}
	}
}

// wake wakes the sleepers of l's wait queue.
func (l *RWSem) wake() {
	q := l.waitQueue()
	q.mu.Lock()
	q.cond.Broadcast()
	q.mu.Unlock()
}

func (l *RWSem) wunlock() {
	if l.state.Load()&rwWriter == 0 {
		panic("lock: RWSem.Unlock of an rwsem not locked for write")
	}
	l.owner.Store(nil)
	if l.disowned.Load() {
		l.disowned.Store(false)
	}
	if s := l.state.Add(^uint64(rwWriter - 1)); s&rwSleep != 0 { // -rwWriter
		l.wake()
	}
}

func (l *RWSem) runlock() {
	for {
		s := l.state.Load()
		if s&rwReaders == 0 {
			panic("lock: RWSem.RUnlock of an rwsem not locked for read")
		}
		if l.state.CompareAndSwap(s, s-1) {
			if s&rwReaders == 1 && s&rwSleep != 0 {
				l.wake()
			}
			return
		}
	}
}

// lockV is a validated or traced blocking acquisition. Contention is
// known only once the lock is taken (the wait happens inside wlock and
// rlock), so lock.contend comes just before lock.acquire.
func (l *RWSem) lockV(o *Owner, sub uint8, mode Mode) {
	if o.v == nil && o.bus() == nil { // traced, nobody listening
		if mode == Exclusive {
			l.wlock(o)
		} else {
			l.rlock()
		}
		return
	}
	a := o.beginAcq(l, sub, mode)
	var waited bool
	if mode == Exclusive {
		waited = l.wlock(o)
	} else {
		waited = l.rlock()
	}
	if waited {
		o.contendedAcq(&a, l, sub)
	}
	o.endAcq(&a)
}

// tryLockV is a validated or traced trylock: as in Linux, only a
// successful one is recorded (and checked).
func (l *RWSem) tryLockV(o *Owner, mode Mode) bool {
	var ok bool
	if mode == Exclusive {
		ok = l.trywlock(o)
	} else {
		ok = l.tryrlock()
	}
	if ok {
		a := o.beginTry(l, l.tag.sub(), mode)
		o.endTry(&a)
	}
	return ok
}

// Lock, LockNested, Unlock, RLock, RLockNested and RUnlock are in
// fastpath_*.go; these are their slow paths.

// lockSlow is the rest of a write acquisition as subclass sub whose owner
// validates or traces, or whose lock was not free.
func (l *RWSem) lockSlow(o *Owner, sub uint8) {
	if o.slow {
		l.lockV(o, sub, Exclusive)
		return
	}
	l.wlock(o)
}

// unlockSlow is the rest of a write release whose owner validates or
// traces, or that has sleepers to wake (or is not o's).
func (l *RWSem) unlockSlow(o *Owner) {
	if o.slow && !o.releasing(l, Exclusive, false) {
		return
	}
	l.wunlock()
}

// rlockSlow is the rest of a read acquisition as subclass sub whose owner
// validates or traces, or that a writer holds or waits for.
func (l *RWSem) rlockSlow(o *Owner, sub uint8) {
	if o.slow {
		l.lockV(o, sub, Shared)
		return
	}
	l.rlock()
}

// runlockSlow is the rest of a read release whose owner validates or
// traces, or that has sleepers to wake.
func (l *RWSem) runlockSlow(o *Owner) {
	if o.slow && !o.releasing(l, Shared, false) {
		return
	}
	l.runlock()
}

// TryLock acquires l for write if that needs no waiting (down_write_trylock).
func (l *RWSem) TryLock(o *Owner) bool {
	if o.slow {
		return l.tryLockV(o, Exclusive)
	}
	return l.trywlock(o)
}

// TryRLock acquires l for read if that needs no waiting (down_read_trylock).
func (l *RWSem) TryRLock(o *Owner) bool {
	if o.slow {
		return l.tryLockV(o, Shared)
	}
	return l.tryrlock()
}

// Downgrade turns o's write lock into a read lock without letting a writer
// in between (downgrade_write). Waiting readers may then enter.
func (l *RWSem) Downgrade(o *Owner) {
	if o.v != nil && !o.v.downgrade(o, l) {
		return
	}
	if tr := o.bus(); tr != nil {
		// Views keep held locks by mode: the write hold ends, a read
		// hold begins, with nobody in between.
		h := Held{Class: l.cls.class(), Subclass: l.tag.sub(), Mode: Exclusive, Lock: l}
		o.emit(tr, trace.LockRelease, &h)
		h.Mode, h.Site = Shared, callerSite()
		o.emit(tr, trace.LockAcquire, &h)
	}
	if l.state.Load()&rwWriter == 0 {
		panic("lock: RWSem.Downgrade of an rwsem not locked for write")
	}
	l.owner.Store(nil)
	if l.disowned.Load() {
		l.disowned.Store(false)
	}
	if s := l.state.Add(^uint64(rwWriter - 2)); s&rwSleep != 0 { // 1-rwWriter
		l.wake() // readers waiting may enter now
	}
}

// Holder returns the write holder (nil if none, or while disowned) and the
// number of read holders, for snapshots. Recorded with validation on or off.
func (l *RWSem) Holder() (writer *Owner, readers int32) {
	return l.owner.Load(), int32(l.state.Load() & rwReaders)
}

// Disowned reports whether l is write-locked with no owner (between Disown
// and Adopt).
func (l *RWSem) Disowned() bool { return l.disowned.Load() }

// Disown makes o stop owning the write lock it holds on l; l stays locked
// and the validator forgets it from o's stack. Another owner (or o again)
// takes it back with Adopt before unlocking. This is the handoff of locks
// held across task boundaries, like percpu_rwsem_release for sb_writers
// held between freeze and thaw. With validation on, disowning a lock o
// does not hold for write is reported (BadUnlock) and does nothing.
func (l *RWSem) Disown(o *Owner) {
	if o.slow && !o.releasing(l, Exclusive, false) {
		return
	}
	if l.state.Load()&rwWriter == 0 {
		panic("lock: RWSem.Disown of an rwsem not locked for write")
	}
	l.owner.Store(nil)
	l.disowned.Store(true)
}

// Adopt makes o the owner of the write lock on l, which must be
// write-locked and disowned (it panics otherwise). It does not block and,
// like percpu_rwsem_acquire, adds no dependencies. o may then Unlock it.
func (l *RWSem) Adopt(o *Owner) {
	if l.state.Load()&rwWriter == 0 || !l.disowned.CompareAndSwap(true, false) {
		panic("lock: RWSem.Adopt of an rwsem that is not write-locked and disowned")
	}
	l.owner.Store(o)
	if v := o.v; v != nil {
		v.tryAcquired(o, Held{Class: mustKey(l, l.tag.sub()).Class, Subclass: l.tag.sub(), Mode: Exclusive, Lock: l, Site: callerSite(), Try: true})
	}
	if tr := o.bus(); tr != nil {
		o.emit(tr, trace.LockAcquire, &Held{Class: l.cls.class(), Subclass: l.tag.sub(), Mode: Exclusive, Lock: l, Site: callerSite(), Try: true})
	}
}
