//go:build !js && !wasip1

package lock

import "github.com/vfscope/vfscope/vfs/internal/atomic"

// The uncontended, unvalidated paths of the exclusive locks, natively:
// one compare-and-swap each, which the compiler turns into an
// instruction, so that each method fits the inliner's budget. The
// WebAssembly build has its own (fastpath_wasm.go); the two files hold
// the same methods with the same meaning.

// wordCell is a lock word's value.
type wordCell = atomic.Uint64

// Lock takes the lock for o, waiting as needed.
func (w *lockWord) Lock(o *Owner) {
	if !w.s.CompareAndSwap(0, o.word) {
		w.lockSlow(o)
	}
}

// Unlock releases the lock and wakes its sleepers, if any.
func (w *lockWord) Unlock() {
	if s := w.s.Load(); s&(lwLocked|lwSleep) == lwLocked && w.s.CompareAndSwap(s, 0) {
		return
	}
	w.unlockSlow()
}

// Lock acquires l for o (spin_lock).
func (l *SpinLock) Lock(o *Owner) {
	if o.slow || !l.x.w.s.CompareAndSwap(0, o.word) {
		l.lockSlow(o)
	}
}

// LockNested acquires l for o as subclass sub (spin_lock_nested), to take
// two locks of one class in a fixed order.
func (l *SpinLock) LockNested(o *Owner, sub uint8) {
	spinLockNestedFast(l, o, sub, (*SpinLock).lockNestedSlow)
}

// spinLockNestedFast takes l if it is free and o neither validates nor
// traces, and otherwise calls slow (a parameter, which the inliner
// charges as cheap, so that LockNested fits its budget).
func spinLockNestedFast(l *SpinLock, o *Owner, sub uint8, slow func(*SpinLock, *Owner, uint8)) {
	if o.slow || !l.x.w.s.CompareAndSwap(0, o.word) {
		slow(l, o, sub)
	}
}

// Unlock releases l, which o holds. With validation on, releasing a lock o
// does not hold is reported (BadUnlock) and does nothing.
func (l *SpinLock) Unlock(o *Owner) {
	// The common case: o holds it and nobody sleeps on it.
	if o.slow || !l.x.w.s.CompareAndSwap(o.word, 0) {
		l.unlockSlow(o)
	}
}

// Lock acquires l for o (mutex_lock).
func (l *Mutex) Lock(o *Owner) {
	if o.slow || !l.x.w.s.CompareAndSwap(0, o.word) {
		l.lockSlow(o)
	}
}

// LockNested acquires l for o as subclass sub (mutex_lock_nested), to take
// two locks of one class in a fixed order.
func (l *Mutex) LockNested(o *Owner, sub uint8) {
	mutexLockNestedFast(l, o, sub, (*Mutex).lockNestedSlow)
}

// mutexLockNestedFast is spinLockNestedFast for a Mutex.
func mutexLockNestedFast(l *Mutex, o *Owner, sub uint8, slow func(*Mutex, *Owner, uint8)) {
	if o.slow || !l.x.w.s.CompareAndSwap(0, o.word) {
		slow(l, o, sub)
	}
}

// Unlock releases l, which o holds. With validation on, releasing a lock o
// does not hold is reported (BadUnlock) and does nothing.
func (l *Mutex) Unlock(o *Owner) {
	if o.slow || !l.x.w.s.CompareAndSwap(o.word, 0) {
		l.unlockSlow(o)
	}
}

// Lock acquires l for write (down_write).
func (l *RWSem) Lock(o *Owner) {
	if o.slow {
		l.lockV(o, l.tag.sub(), Exclusive)
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
		l.lockV(o, l.tag.sub(), Shared)
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

// RUnlock releases a read lock (up_read). With validation on, releasing a
// lock o does not hold for read is reported (BadUnlock) and does nothing.
func (l *RWSem) RUnlock(o *Owner) {
	if o.slow && !o.releasing(l, Shared, false) {
		return
	}
	l.runlock()
}

// WriteLock takes the writers' spinlock and starts a write (write_seqlock).
func (l *SeqLock) WriteLock(o *Owner) { l.writeLockSlow(o) }

// WriteUnlock ends the write and releases the spinlock (write_sequnlock).
func (l *SeqLock) WriteUnlock(o *Owner) { l.writeUnlockSlow(o) }
