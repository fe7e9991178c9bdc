//go:build js || wasip1

package lock

// The uncontended, unvalidated paths of the exclusive locks under
// GOOS=js and GOOS=wasip1, where one goroutine runs at a time and a
// switch happens only inside a call (see vfs/internal/atomic). A test
// and a store with no call between them cannot be interleaved, so each
// fast path reads and writes the lock word's plain field directly. It
// must: through a method, even an inlined one, the fast path costs more
// than the inliner's budget of 80 (the call to the slow path alone costs
// 57), and then every lock and unlock in the VFS is a call, the
// expensive thing in Go's WebAssembly code. fastpath_native.go holds the
// same methods with compare-and-swap.

// wordCell is a lock word's value: a plain field, with the methods of
// atomic.Uint64 that word.go's slow paths use.
type wordCell struct {
	v uint64
}

func (c *wordCell) Load() uint64 { return c.v }

func (c *wordCell) Store(v uint64) { c.v = v }

func (c *wordCell) Add(delta uint64) uint64 { c.v += delta; return c.v }

func (c *wordCell) CompareAndSwap(old, new uint64) bool {
	if c.v != old {
		return false
	}
	c.v = new
	return true
}

// Lock takes the lock for o, waiting as needed.
func (w *lockWord) Lock(o *Owner) {
	if w.s.v != 0 {
		w.lockSlow(o)
		return
	}
	w.s.v = o.word
}

// Unlock releases the lock and wakes its sleepers, if any.
func (w *lockWord) Unlock() {
	if w.s.v&(lwLocked|lwSleep) != lwLocked {
		w.unlockSlow()
		return
	}
	w.s.v = 0
}

// Lock acquires l for o (spin_lock).
func (l *SpinLock) Lock(o *Owner) {
	if o.slow || l.x.w.s.v != 0 {
		l.lockSlow(o)
		return
	}
	l.x.w.s.v = o.word
}

// LockNested acquires l for o as subclass sub (spin_lock_nested), to take
// two locks of one class in a fixed order.
func (l *SpinLock) LockNested(o *Owner, sub uint8) {
	spinLockNestedFast(l, o, sub, (*SpinLock).lockNestedSlow)
}

// spinLockNestedFast takes l if it is free and o neither validates nor
// traces, and otherwise calls slow (a parameter, which the inliner
// charges as cheap, as for the RWSem's below, so that LockNested fits
// its budget).
func spinLockNestedFast(l *SpinLock, o *Owner, sub uint8, slow func(*SpinLock, *Owner, uint8)) {
	if o.slow || l.x.w.s.v != 0 {
		slow(l, o, sub)
		return
	}
	l.x.w.s.v = o.word
}

// Unlock releases l, which o holds. With validation on, releasing a lock o
// does not hold is reported (BadUnlock) and does nothing.
func (l *SpinLock) Unlock(o *Owner) {
	// The common case: o holds it and nobody sleeps on it.
	if o.slow || l.x.w.s.v != o.word {
		l.unlockSlow(o)
		return
	}
	l.x.w.s.v = 0
}

// Lock acquires l for o (mutex_lock).
func (l *Mutex) Lock(o *Owner) {
	if o.slow || l.x.w.s.v != 0 {
		l.lockSlow(o)
		return
	}
	l.x.w.s.v = o.word
}

// LockNested acquires l for o as subclass sub (mutex_lock_nested), to take
// two locks of one class in a fixed order.
func (l *Mutex) LockNested(o *Owner, sub uint8) {
	mutexLockNestedFast(l, o, sub, (*Mutex).lockNestedSlow)
}

// mutexLockNestedFast is spinLockNestedFast for a Mutex.
func mutexLockNestedFast(l *Mutex, o *Owner, sub uint8, slow func(*Mutex, *Owner, uint8)) {
	if o.slow || l.x.w.s.v != 0 {
		slow(l, o, sub)
		return
	}
	l.x.w.s.v = o.word
}

// Unlock releases l, which o holds. With validation on, releasing a lock o
// does not hold is reported (BadUnlock) and does nothing.
func (l *Mutex) Unlock(o *Owner) {
	if o.slow || l.x.w.s.v != o.word {
		l.unlockSlow(o)
		return
	}
	l.x.w.s.v = 0
}

// An RWSem's fast paths do more (a read count, or the state and the
// holder), and written out they cost 81-94. Each therefore takes its slow
// path as a parameter: the inliner charges a call of a parameter as
// cheap (it may become a direct call once the function is inlined, as it
// does here), so that the helpers and the methods built on them fit.

// rwLockFast takes l for write as subclass sub if it is free and o
// neither validates nor traces, and otherwise calls slow.
func rwLockFast(l *RWSem, o *Owner, sub uint8, slow func(*RWSem, *Owner, uint8)) {
	if o.slow || l.state.v != 0 {
		slow(l, o, sub)
		return
	}
	l.state.v = rwWriter
	l.owner.id.v = o.id
}

// rwUnlockFast releases o's write lock on l if nobody waits, and
// otherwise (or if o validates, traces or is not the holder) calls slow.
func rwUnlockFast(l *RWSem, o *Owner, slow func(*RWSem, *Owner)) {
	if o.slow || l.state.v != rwWriter || l.owner.id.v != o.id {
		slow(l, o)
		return
	}
	l.owner.id.v = 0
	l.state.v = 0
}

// rwRLockFast takes l for read as subclass sub if no writer holds or
// waits for it, no handoff is owed, and o neither validates nor traces,
// and otherwise calls slow.
func rwRLockFast(l *RWSem, o *Owner, sub uint8, slow func(*RWSem, *Owner, uint8)) {
	if o.slow || l.state.v&rwReadFail != 0 {
		slow(l, o, sub)
		return
	}
	l.state.v++
}

// rwRUnlockFast releases a read hold of l if nobody sleeps on it, and
// otherwise (or if o validates or traces, or l is not read-held) calls
// slow.
func rwRUnlockFast(l *RWSem, o *Owner, slow func(*RWSem, *Owner)) {
	if s := l.state.v; o.slow || s&rwSleep != 0 || s&rwReaders == 0 {
		slow(l, o)
		return
	}
	l.state.v--
}

// Lock acquires l for write (down_write).
func (l *RWSem) Lock(o *Owner) { rwLockFast(l, o, l.tag.sub(), (*RWSem).lockSlow) }

// LockNested acquires l for write as subclass sub (down_write_nested).
func (l *RWSem) LockNested(o *Owner, sub uint8) { rwLockFast(l, o, sub, (*RWSem).lockSlow) }

// Unlock releases the write lock (up_write). With validation on, releasing
// a lock o does not hold for write is reported (BadUnlock) and does nothing.
func (l *RWSem) Unlock(o *Owner) { rwUnlockFast(l, o, (*RWSem).unlockSlow) }

// RLock acquires l for read (down_read).
func (l *RWSem) RLock(o *Owner) { rwRLockFast(l, o, l.tag.sub(), (*RWSem).rlockSlow) }

// RLockNested acquires l for read as subclass sub (down_read_nested).
func (l *RWSem) RLockNested(o *Owner, sub uint8) { rwRLockFast(l, o, sub, (*RWSem).rlockSlow) }

// RUnlock releases a read lock (up_read). With validation on, releasing a
// lock o does not hold for read is reported (BadUnlock) and does nothing.
func (l *RWSem) RUnlock(o *Owner) { rwRUnlockFast(l, o, (*RWSem).runlockSlow) }

// seqWriteLockFast takes l's writers' spinlock if it is free and o
// neither validates nor traces, and starts the write; otherwise it calls
// slow.
func seqWriteLockFast(l *SeqLock, o *Owner, slow func(*SeqLock, *Owner)) {
	if o.slow || l.x.w.s.v != 0 {
		slow(l, o)
		return
	}
	l.x.w.s.v = o.word
	l.seq.BeginWrite()
}

// seqWriteUnlockFast ends o's write of l and releases the spinlock if
// nobody sleeps on it; otherwise (or if o validates or traces) it calls
// slow.
func seqWriteUnlockFast(l *SeqLock, o *Owner, slow func(*SeqLock, *Owner)) {
	if o.slow || l.x.w.s.v != o.word {
		slow(l, o)
		return
	}
	l.seq.EndWrite()
	l.x.w.s.v = 0
}

// WriteLock takes the writers' spinlock and starts a write (write_seqlock).
func (l *SeqLock) WriteLock(o *Owner) { seqWriteLockFast(l, o, (*SeqLock).writeLockSlow) }

// WriteUnlock ends the write and releases the spinlock (write_sequnlock).
func (l *SeqLock) WriteUnlock(o *Owner) { seqWriteUnlockFast(l, o, (*SeqLock).writeUnlockSlow) }
