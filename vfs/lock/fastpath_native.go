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

// Unlock releases l, which o holds. With validation on, releasing a lock o
// does not hold is reported (BadUnlock) and does nothing.
func (l *Mutex) Unlock(o *Owner) {
	if o.slow || !l.x.w.s.CompareAndSwap(o.word, 0) {
		l.unlockSlow(o)
	}
}
