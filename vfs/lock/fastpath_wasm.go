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

// Unlock releases l, which o holds. With validation on, releasing a lock o
// does not hold is reported (BadUnlock) and does nothing.
func (l *Mutex) Unlock(o *Owner) {
	if o.slow || l.x.w.s.v != o.word {
		l.unlockSlow(o)
		return
	}
	l.x.w.s.v = 0
}
