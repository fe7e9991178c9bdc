package lock

// SpinLock is a lock that must not be held across sleeping (d_lock,
// i_lock). Holding one puts the owner in atomic context: acquiring a
// sleeping lock (Mutex, RWSem) or calling MightSleep while it is held is
// reported. It is a lock word (word.go): a task that finds it taken
// yields a few times, then sleeps (Go has no preemption control, so it
// does not spin for long). The zero value is unusable until Init.
type SpinLock struct {
	x xlock
}

// Init sets the class (of KindSpin) and default subclass. Call it once,
// before any other method: Init of a lock that is held (or waited for)
// panics.
func (l *SpinLock) Init(c *Class, sub uint8) {
	if c == nil || c.kind != KindSpin {
		panic(&initError{"SpinLock", c, KindSpin})
	}
	if l.x.w.s.Load() != 0 {
		panic(&heldInitError{"SpinLock"})
	}
	l.x.cls, l.x.tag = classRef(c.id), l.x.tag.withSub(sub)
}

// Class returns the class given to Init.
func (l *SpinLock) Class() *Class { return l.x.cls.class() }

// Subclass returns the subclass given to Init.
func (l *SpinLock) Subclass() uint8 { return l.x.tag.sub() }

// Kind returns KindSpin.
func (l *SpinLock) Kind() Kind { return KindSpin }

// Lock (spin_lock) is in fastpath_*.go.

// lockSlow is the rest of a Lock whose owner validates or traces, or
// whose lock was not free.
func (l *SpinLock) lockSlow(o *Owner) {
	if o.slow {
		l.x.lockV(o, l, l.x.tag.sub())
		return
	}
	l.x.w.lockSlow(o)
}

// LockNested (spin_lock_nested) is in fastpath_*.go.

// lockNestedSlow is the rest of a LockNested whose owner validates or
// traces, or whose lock was not free.
func (l *SpinLock) lockNestedSlow(o *Owner, sub uint8) {
	if o.slow {
		l.x.lockV(o, l, sub)
		return
	}
	l.x.w.lockSlow(o)
}

// TryLock acquires l for o if it is free and reports whether it did.
func (l *SpinLock) TryLock(o *Owner) bool {
	if o.slow {
		return l.x.tryLockV(o, l)
	}
	return l.x.w.TryLock(o)
}

// Unlock (spin_unlock) is in fastpath_*.go.

// unlockSlow is the rest of an Unlock whose owner validates or traces,
// or whose lock has sleepers (or another holder, or none).
func (l *SpinLock) unlockSlow(o *Owner) {
	if o.slow {
		l.x.unlockV(o, l, false)
		return
	}
	l.x.w.unlockSlow()
}

// Holder returns the current holder, or nil. Recorded with validation on
// or off; the answer may be stale by the time it is used.
func (l *SpinLock) Holder() *Owner { return l.x.w.Holder() }
