package lock

import (
	"sync"
	"sync/atomic"
)

// xlock is the exclusive lock under SpinLock, Mutex and SeqLock: a
// sync.Mutex, the holder (recorded even with validation off) and the
// class. The validated paths live here; the unvalidated fast paths are
// inlined in each primitive's methods.
type xlock struct {
	mu     sync.Mutex
	holder atomic.Pointer[Owner]
	cls    *Class
	sub    uint8
}

// lockV is a validated blocking acquisition of l (whose raw lock is x).
func (x *xlock) lockV(o *Owner, l Lock, sub uint8) {
	v := o.v
	h := v.before(o, l, sub, Exclusive, callerSite())
	if !x.mu.TryLock() {
		v.contended(l, sub)
		x.mu.Lock()
	}
	x.holder.Store(o)
	v.acquired(o, h)
}

// tryLockV is a validated trylock.
func (x *xlock) tryLockV(o *Owner, l Lock) bool {
	v := o.v
	h := v.beforeTry(o, l, x.sub, Exclusive, callerSite())
	if !x.mu.TryLock() {
		return false
	}
	x.holder.Store(o)
	v.tryAcquired(o, h)
	return true
}

// unlockV is a validated release; it returns false (reported, raw lock
// untouched) if o does not hold l.
func (x *xlock) unlockV(o *Owner, l Lock, readExcl bool) bool {
	if !o.v.release(o, l, Exclusive, readExcl) {
		return false
	}
	x.holder.Store(nil)
	x.mu.Unlock()
	return true
}
