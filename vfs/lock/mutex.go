package lock

// Mutex is a sleeping mutex (s_vfs_rename_mutex, f_pos_lock). Acquiring it
// in atomic context (under a SpinLock or inside BeginNoBlock) is reported.
// The zero value is unusable until Init.
type Mutex struct {
	x xlock
}

// Init sets the class (of KindMutex) and default subclass. Call it once,
// before any other method: Init of a lock that is held (or waited for)
// panics.
func (l *Mutex) Init(c *Class, sub uint8) {
	if c == nil || c.kind != KindMutex {
		panic(&initError{"Mutex", c, KindMutex})
	}
	if l.x.w.s.Load() != 0 {
		panic(&heldInitError{"Mutex"})
	}
	l.x.cls, l.x.tag = classRef(c.id), l.x.tag.withSub(sub)
}

// Class returns the class given to Init.
func (l *Mutex) Class() *Class { return l.x.cls.class() }

// Subclass returns the subclass given to Init.
func (l *Mutex) Subclass() uint8 { return l.x.tag.sub() }

// Kind returns KindMutex.
func (l *Mutex) Kind() Kind { return KindMutex }

// Lock (mutex_lock) is in fastpath_*.go.

// lockSlow is the rest of a Lock whose owner validates or traces, or
// whose lock was not free.
func (l *Mutex) lockSlow(o *Owner) {
	if o.slow {
		l.x.lockV(o, l, l.x.tag.sub())
		return
	}
	l.x.w.lockSlow(o)
}

// LockNested (mutex_lock_nested) is in fastpath_*.go.

// lockNestedSlow is the rest of a LockNested whose owner validates or
// traces, or whose lock was not free.
func (l *Mutex) lockNestedSlow(o *Owner, sub uint8) {
	if o.slow {
		l.x.lockV(o, l, sub)
		return
	}
	l.x.w.lockSlow(o)
}

// TryLock acquires l for o if it is free and reports whether it did.
func (l *Mutex) TryLock(o *Owner) bool {
	if o.slow {
		return l.x.tryLockV(o, l)
	}
	return l.x.w.TryLock(o)
}

// Unlock (mutex_unlock) is in fastpath_*.go.

// unlockSlow is the rest of an Unlock whose owner validates or traces,
// or whose lock has sleepers (or another holder, or none).
func (l *Mutex) unlockSlow(o *Owner) {
	if o.slow {
		l.x.unlockV(o, l, false)
		return
	}
	l.x.w.unlockSlow()
}

// Holder returns the current holder, or nil. Recorded with validation on
// or off; the answer may be stale by the time it is used.
func (l *Mutex) Holder() *Owner { return l.x.w.Holder() }
