package lock

// External locks: locks whose raw state lives outside this package, so
// that the validator can still see them. The folio lock is one: Linux's
// PG_locked is a bit in the page flags with a hashed wait queue, which
// lockdep cannot follow; vfscope keeps the bit lock (a lock per 4 KiB page
// must stay a few bytes) and reports each acquisition and release here, so
// locking.rst's "folio locked" cells can be asserted and the order
// i_rwsem -> invalidate_lock -> folio lock -> xa_lock checked.
//
// The lock itself implements Lock (its Class, Subclass and Kind, of
// KindMutex for a sleeping lock). The caller does:
//
//	h := o.ExternalBefore(l, mode) // before blocking (validation on only)
//	... take the raw lock ...
//	o.ExternalAcquired(h)
//	...
//	if o.ExternalRelease(l, mode) { ... release the raw lock ... }
//
// All of these cost one branch with validation off.

// ExternalBefore runs the checks of a blocking acquisition of l by o (as
// Mutex.Lock does before it waits) and returns the entry ExternalAcquired
// records. With validation off it does nothing.
func (o *Owner) ExternalBefore(l Lock, mode Mode) Held {
	if o.v == nil {
		return Held{}
	}
	return o.v.before(o, l, l.Subclass(), mode, callerSite())
}

// ExternalContended counts a blocking acquisition of l that found it taken.
func (o *Owner) ExternalContended(l Lock) {
	if o.v != nil {
		o.v.contended(l, l.Subclass())
	}
}

// ExternalAcquired records the acquisition ExternalBefore checked, once
// the raw lock is taken.
func (o *Owner) ExternalAcquired(h Held) {
	if o.v != nil {
		o.v.acquired(o, h)
	}
}

// ExternalTried records a successful trylock of l (no dependency added,
// as for TryLock).
func (o *Owner) ExternalTried(l Lock, mode Mode) {
	if o.v == nil {
		return
	}
	h := o.v.beforeTry(o, l, l.Subclass(), mode, callerSite())
	o.v.tryAcquired(o, h)
}

// ExternalRelease checks and records o releasing l. It returns false
// (after a BadUnlock report) if o does not hold l in mode: the caller must
// then leave the raw lock alone. With validation off it returns true.
func (o *Owner) ExternalRelease(l Lock, mode Mode) bool {
	if o.v == nil {
		return true
	}
	return o.v.release(o, l, mode, false)
}
