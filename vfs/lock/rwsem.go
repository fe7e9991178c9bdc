package lock

import (
	"sync"

	"github.com/vfscope/vfscope/vfs/trace"
)

// RWSem is a reader-writer semaphore (i_rwsem, s_umount, invalidate_lock):
// many readers or one writer, sleeping. Like Linux's rwsem, a waiting
// writer blocks new readers, so a task taking the read side twice can
// deadlock against a writer (the validator reports the second acquisition
// as recursive locking). The zero value is unusable until Init.
type RWSem struct {
	// mu protects every field below except cls and sub, which Init sets.
	mu       sync.Mutex
	cond     sync.Cond // waiters for a state change; L is &mu
	readers  int32     // read holders
	writer   bool      // write-locked (also while disowned)
	wwait    int32     // writers waiting
	owner    *Owner    // write holder; nil when unlocked, read-locked or disowned
	disowned bool      // write-locked with no owner (between Disown and Adopt)

	cls *Class
	sub uint8
	obj object // what the lock belongs to, for trace events
}

// Init sets the class (of KindRWSem) and default subclass. Call it once,
// before any other method.
func (l *RWSem) Init(c *Class, sub uint8) {
	initCheck("RWSem", c, KindRWSem)
	l.cls, l.sub = c, sub
	l.cond.L = &l.mu
}

// Class returns the class given to Init.
func (l *RWSem) Class() *Class { return l.cls }

// Subclass returns the subclass given to Init.
func (l *RWSem) Subclass() uint8 { return l.sub }

// Kind returns KindRWSem.
func (l *RWSem) Kind() Kind { return KindRWSem }

// wlock takes the write side, waiting as needed; it reports whether it had
// to wait.
func (l *RWSem) wlock(o *Owner) (waited bool) {
	l.mu.Lock()
	for l.writer || l.readers > 0 {
		waited = true
		l.wwait++
		l.cond.Wait()
		l.wwait--
	}
	l.writer, l.owner = true, o
	l.mu.Unlock()
	return waited
}

func (l *RWSem) trywlock(o *Owner) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.writer || l.readers > 0 {
		return false
	}
	l.writer, l.owner = true, o
	return true
}

// rlock takes the read side, waiting while a writer holds it or waits.
func (l *RWSem) rlock() (waited bool) {
	l.mu.Lock()
	for l.writer || l.wwait > 0 {
		waited = true
		l.cond.Wait()
	}
	l.readers++
	l.mu.Unlock()
	return waited
}

func (l *RWSem) tryrlock() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.writer || l.wwait > 0 {
		return false
	}
	l.readers++
	return true
}

func (l *RWSem) wunlock() {
	l.mu.Lock()
	if !l.writer {
		l.mu.Unlock()
		panic("lock: RWSem.Unlock of an rwsem not locked for write")
	}
	l.writer, l.owner, l.disowned = false, nil, false
	l.cond.Broadcast()
	l.mu.Unlock()
}

func (l *RWSem) runlock() {
	l.mu.Lock()
	if l.readers <= 0 {
		l.mu.Unlock()
		panic("lock: RWSem.RUnlock of an rwsem not locked for read")
	}
	l.readers--
	if l.readers == 0 {
		l.cond.Broadcast()
	}
	l.mu.Unlock()
}

// lockV is a validated or traced blocking acquisition. Contention is
// known only once the lock is taken (the wait happens inside wlock and
// rlock), so lock.contend comes just before lock.acquire.
func (l *RWSem) lockV(o *Owner, sub uint8, mode Mode) {
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

// tryLockV is a validated or traced trylock.
func (l *RWSem) tryLockV(o *Owner, mode Mode) bool {
	a := o.beginTry(l, l.sub, mode)
	var ok bool
	if mode == Exclusive {
		ok = l.trywlock(o)
	} else {
		ok = l.tryrlock()
	}
	if ok {
		o.endTry(&a)
	}
	return ok
}

// Lock acquires l for write (down_write).
func (l *RWSem) Lock(o *Owner) {
	if o.slow {
		l.lockV(o, l.sub, Exclusive)
		return
	}
	l.wlock(o)
}

// LockNested acquires l for write as subclass sub (down_write_nested).
func (l *RWSem) LockNested(o *Owner, sub uint8) {
	if o.slow {
		l.lockV(o, sub, Exclusive)
		return
	}
	l.wlock(o)
}

// TryLock acquires l for write if that needs no waiting (down_write_trylock).
func (l *RWSem) TryLock(o *Owner) bool {
	if o.slow {
		return l.tryLockV(o, Exclusive)
	}
	return l.trywlock(o)
}

// Unlock releases the write lock (up_write). With validation on, releasing
// a lock o does not hold for write is reported (BadUnlock) and does nothing.
func (l *RWSem) Unlock(o *Owner) {
	if o.slow && !o.releasing(l, Exclusive, false) {
		return
	}
	l.wunlock()
}

// RLock acquires l for read (down_read).
func (l *RWSem) RLock(o *Owner) {
	if o.slow {
		l.lockV(o, l.sub, Shared)
		return
	}
	l.rlock()
}

// RLockNested acquires l for read as subclass sub (down_read_nested).
func (l *RWSem) RLockNested(o *Owner, sub uint8) {
	if o.slow {
		l.lockV(o, sub, Shared)
		return
	}
	l.rlock()
}

// TryRLock acquires l for read if that needs no waiting (down_read_trylock).
func (l *RWSem) TryRLock(o *Owner) bool {
	if o.slow {
		return l.tryLockV(o, Shared)
	}
	return l.tryrlock()
}

// RUnlock releases a read lock (up_read). With validation on, releasing a
// lock o does not hold for read is reported (BadUnlock) and does nothing.
func (l *RWSem) RUnlock(o *Owner) {
	if o.slow && !o.releasing(l, Shared, false) {
		return
	}
	l.runlock()
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
		h := Held{Class: l.cls, Subclass: l.sub, Mode: Exclusive, Lock: l}
		o.emit(tr, trace.LockRelease, &h)
		h.Mode, h.Site = Shared, callerSite()
		o.emit(tr, trace.LockAcquire, &h)
	}
	l.mu.Lock()
	if !l.writer {
		l.mu.Unlock()
		panic("lock: RWSem.Downgrade of an rwsem not locked for write")
	}
	l.writer, l.owner, l.disowned = false, nil, false
	l.readers++
	l.cond.Broadcast()
	l.mu.Unlock()
}

// Holder returns the write holder (nil if none, or while disowned) and the
// number of read holders, for snapshots. Recorded with validation on or off.
func (l *RWSem) Holder() (writer *Owner, readers int32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.owner, l.readers
}

// Disowned reports whether l is write-locked with no owner (between Disown
// and Adopt).
func (l *RWSem) Disowned() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.disowned
}

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
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.writer {
		panic("lock: RWSem.Disown of an rwsem not locked for write")
	}
	l.owner, l.disowned = nil, true
}

// Adopt makes o the owner of the write lock on l, which must be
// write-locked and disowned (it panics otherwise). It does not block and,
// like percpu_rwsem_acquire, adds no dependencies. o may then Unlock it.
func (l *RWSem) Adopt(o *Owner) {
	l.mu.Lock()
	if !l.writer || !l.disowned {
		l.mu.Unlock()
		panic("lock: RWSem.Adopt of an rwsem that is not write-locked and disowned")
	}
	l.owner, l.disowned = o, false
	l.mu.Unlock()
	if v := o.v; v != nil {
		v.tryAcquired(o, Held{Class: mustKey(l, l.sub).Class, Subclass: l.sub, Mode: Exclusive, Lock: l, Site: callerSite(), Try: true})
	}
	if tr := o.bus(); tr != nil {
		o.emit(tr, trace.LockAcquire, &Held{Class: l.cls, Subclass: l.sub, Mode: Exclusive, Lock: l, Site: callerSite(), Try: true})
	}
}
