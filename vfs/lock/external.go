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
// Mutex.Lock does before it waits) and reports the request to the trace.
// It returns the entry ExternalAcquired records. With validation and
// tracing off it does nothing.
func (o *Owner) ExternalBefore(l Lock, mode Mode) Held {
	if !o.slow {
		return Held{}
	}
	return o.externalBefore(l, mode)
}

// externalBefore is ExternalBefore's validating or tracing path, apart so
// that the off path inlines.
func (o *Owner) externalBefore(l Lock, mode Mode) Held {
	a := o.beginAcq(l, l.Subclass(), mode)
	return a.h
}

// ExternalContended counts a blocking acquisition of l that found it taken.
func (o *Owner) ExternalContended(l Lock) {
	if o.slow {
		o.externalContended(l)
	}
}

func (o *Owner) externalContended(l Lock) {
	a := acq{h: Held{Class: l.Class(), Subclass: l.Subclass(), Mode: Exclusive, Lock: l, Site: callerSite()}, tr: o.bus()}
	o.contendedAcq(&a, l, l.Subclass())
}

// ExternalAcquired records the acquisition ExternalBefore checked, once
// the raw lock is taken.
func (o *Owner) ExternalAcquired(h Held) {
	if o.slow {
		o.externalAcquired(&h)
	}
}

func (o *Owner) externalAcquired(h *Held) {
	a := acq{h: *h, tr: o.bus()}
	o.endAcq(&a)
}

// ExternalTried records a successful trylock of l (no dependency added,
// as for TryLock).
func (o *Owner) ExternalTried(l Lock, mode Mode) {
	if o.slow {
		o.externalTried(l, mode)
	}
}

func (o *Owner) externalTried(l Lock, mode Mode) {
	a := o.beginTry(l, l.Subclass(), mode)
	o.endTry(&a)
}

// ExternalPlain reports whether o neither validates nor traces, so that
// ExternalBefore, ExternalAcquired and ExternalRelease would do nothing: a
// caller may then release an external lock with no call here at all.
func (o *Owner) ExternalPlain() bool { return !o.slow }

// ExternalRelease checks and records o releasing l. It returns false
// (after a BadUnlock report) if o does not hold l in mode: the caller must
// then leave the raw lock alone. With validation off it returns true.
func (o *Owner) ExternalRelease(l Lock, mode Mode) bool {
	if !o.slow {
		return true
	}
	return o.releasing(l, mode, false)
}
