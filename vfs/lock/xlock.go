package lock

// xlock is the exclusive lock under SpinLock, Mutex and SeqLock: the
// lock word (with the holder, recorded even with validation off) and the
// class. The validated paths live here; the unvalidated fast paths are
// inlined in each primitive's methods.
type xlock struct {
	w   lockWord
	tag lockTag  // the default subclass, and what the lock belongs to (trace events)
	cls classRef // the class (classRef: no pointer in the lock)
}

// lockV is a validated or traced blocking acquisition of l (whose raw
// lock is x).
func (x *xlock) lockV(o *Owner, l Lock, sub uint8) {
	if o.v == nil && o.bus() == nil { // traced, nobody listening
		x.w.Lock(o)
		return
	}
	a := o.beginAcq(l, sub, Exclusive)
	if !x.w.TryLock(o) {
		o.contendedAcq(&a, l, sub)
		x.w.Lock(o)
	}
	o.endAcq(&a)
}

// tryLockV is a validated or traced trylock: as in Linux, only a
// successful one is recorded (and checked).
func (x *xlock) tryLockV(o *Owner, l Lock) bool {
	if !x.w.TryLock(o) {
		return false
	}
	a := o.beginTry(l, x.tag.sub(), Exclusive)
	o.endTry(&a)
	return true
}

// unlockV is a validated or traced release; it returns false (reported,
// raw lock untouched) if o does not hold l.
func (x *xlock) unlockV(o *Owner, l Lock, readExcl bool) bool {
	if (o.v != nil || o.bus() != nil) && !o.releasing(l, Exclusive, readExcl) {
		return false
	}
	x.w.Unlock()
	return true
}
