package lock

import (
	"reflect"

	"github.com/vfscope/vfscope/vfs/trace"
)

// Tracing: an owner given a bus with SetTrace reports each lock
// operation to it (lock.request, lock.contend, lock.acquire,
// lock.release) while somebody listens on that bus. Like validation it
// puts the owner's operations on the slow path (the one branch on
// o.slow), but only while SetTracing says somebody listens: an owner
// with neither a validator nor a listener costs nothing more.

// ObjKind says what kind of object a lock belongs to (SetObject), so
// that its trace events can name it.
type ObjKind uint8

const (
	ObjNone   ObjKind = iota
	ObjInode          // events carry the id as "inode"
	ObjDentry         // events carry the id as "dentry"
)

// object is the owner object of a lock: its kind and stable id.
type object struct {
	kind ObjKind
	id   uint64
}

// lockTag is a lock's default subclass and the object it belongs to,
// packed in one word so that the locks embedded in every inode and
// dentry stay small: the subclass in bits 56-63, the object's kind in
// bits 48-55, its id in bits 0-47 (ids are counters; 2^48 of them
// outlast any VFS). Written by Init and SetObject before the lock is
// shared; immutable afterwards.
type lockTag uint64

const (
	tagIDMask    = 1<<48 - 1
	tagKindShift = 48
	tagSubShift  = 56
)

func (t lockTag) sub() uint8 { return uint8(t >> tagSubShift) }

func (t lockTag) obj() object {
	return object{kind: ObjKind(t >> tagKindShift), id: uint64(t) & tagIDMask}
}

func (t lockTag) withSub(sub uint8) lockTag {
	return t&^(0xff<<tagSubShift) | lockTag(sub)<<tagSubShift
}

func (t lockTag) withObj(k ObjKind, id uint64) lockTag {
	return t&(0xff<<tagSubShift) | lockTag(k)<<tagKindShift | lockTag(id&tagIDMask)
}

// SetObject records the object l belongs to (an inode's i_lock, a
// dentry's d_lock), named in l's trace events. Call it before l is
// shared; Init keeps it.
func (l *SpinLock) SetObject(k ObjKind, id uint64) { l.x.tag = l.x.tag.withObj(k, id) }

// SetObject records the object l belongs to (see SpinLock.SetObject).
func (l *Mutex) SetObject(k ObjKind, id uint64) { l.x.tag = l.x.tag.withObj(k, id) }

// SetObject records the object l belongs to (an inode's i_rwsem; see
// SpinLock.SetObject).
func (l *RWSem) SetObject(k ObjKind, id uint64) { l.tag = l.tag.withObj(k, id) }

// objectOf returns what l belongs to, if it is one of this package's
// primitives and SetObject named it.
func objectOf(l Lock) object {
	switch x := l.(type) {
	case *SpinLock:
		return x.x.tag.obj()
	case *Mutex:
		return x.x.tag.obj()
	case *RWSem:
		return x.tag.obj()
	}
	return object{}
}

// SetTrace makes o report its lock operations to b as task pid while
// somebody listens on b: from now on if b is active, else from the next
// SetTracing(true). Call it before o takes any lock.
func (o *Owner) SetTrace(b *trace.Bus, pid int32) {
	o.tr, o.pid = b, pid
	o.slow = o.v != nil || b != nil && b.Active()
}

// PID returns the task id SetTrace gave o (0 before, or without it).
func (o *Owner) PID() int32 { return o.pid }

// SetTracing says whether somebody listens on o's bus now; only the
// goroutine driving o may call it, between lock operations. The VFS
// calls it at the start of each system call, with the flag the bus's
// SetOnActive callback keeps for the task, so that an owner whose bus
// nobody reads stays on the fast path. A lock taken before a change and
// released after it reports only one of the two; a listener
// resynchronises from a snapshot.
func (o *Owner) SetTracing(on bool) {
	o.slow = o.v != nil || o.tr != nil && on
}

// bus returns the bus to report to, nil unless somebody listens.
func (o *Owner) bus() *trace.Bus {
	if o.tr != nil && o.tr.Active() {
		return o.tr
	}
	return nil
}

// acq is an acquisition in progress on the slow path.
type acq struct {
	h  Held
	tr *trace.Bus
}

// beginAcq reports the request of a blocking acquisition (if traced),
// then runs the validator's checks of it (if validating). The order is
// Linux's: lock_acquire() emits trace_lock_acquire before
// __lock_acquire() validates the attempt (validate_chain), so a report
// about the attempt (a circular dependency, recursive locking, a sleep
// while atomic) follows the request it is about.
func (o *Owner) beginAcq(l Lock, sub uint8, mode Mode) acq {
	a := acq{tr: o.bus()}
	if o.v == nil && a.tr == nil {
		return a
	}
	site := callerSite()
	a.h = Held{Class: l.Class(), Subclass: sub, Mode: mode, Lock: l, Site: site}
	o.emit(a.tr, trace.LockRequest, &a.h)
	if o.v != nil {
		a.h = o.v.before(o, l, sub, mode, site)
	}
	return a
}

// contendedAcq records that the acquisition must wait.
func (o *Owner) contendedAcq(a *acq, l Lock, sub uint8) {
	if o.v != nil {
		o.v.contended(l, sub)
	}
	o.emit(a.tr, trace.LockContend, &a.h)
}

// endAcq records the acquisition once the raw lock is taken.
func (o *Owner) endAcq(a *acq) {
	if o.v != nil {
		o.v.acquired(o, a.h)
	}
	o.emit(a.tr, trace.LockAcquire, &a.h)
}

// beginTry runs the checks of a trylock that succeeded.
func (o *Owner) beginTry(l Lock, sub uint8, mode Mode) acq {
	a := acq{tr: o.bus()}
	if o.v == nil && a.tr == nil {
		return a
	}
	site := callerSite()
	if o.v != nil {
		a.h = o.v.beforeTry(o, l, sub, mode, site)
	} else {
		a.h = Held{Class: l.Class(), Subclass: sub, Mode: mode, Lock: l, Site: site, Try: true}
	}
	return a
}

// endTry records a successful trylock.
func (o *Owner) endTry(a *acq) {
	if o.v != nil {
		o.v.tryAcquired(o, a.h)
	}
	o.emit(a.tr, trace.LockAcquire, &a.h)
}

// releasing checks and records o releasing l held in mode, before the
// raw unlock (so that the release is reported before another task's
// acquisition of the same lock). It returns false, after a BadUnlock
// report, if o does not hold l that way: the raw lock must then be left
// alone.
func (o *Owner) releasing(l Lock, mode Mode, readExcl bool) bool {
	if o.v != nil && !o.v.release(o, l, mode, readExcl) {
		return false
	}
	if tr := o.bus(); tr != nil {
		// No site: finding it costs more than the rest of the event,
		// and a release is matched to its acquisition by the lock.
		h := Held{Class: l.Class(), Subclass: l.Subclass(), Mode: mode, Lock: l}
		o.emit(tr, trace.LockRelease, &h)
	}
	return true
}

// emit reports one lock operation; tr nil does nothing.
func (o *Owner) emit(tr *trace.Bus, k trace.Kind, h *Held) {
	if tr == nil || h.Lock == nil {
		return
	}
	e := trace.Event{Kind: k, Task: o.pid, Sub: h.Subclass, Lock: lockAddr(h.Lock), Site: h.Site}
	switch ob := objectOf(h.Lock); ob.kind {
	case ObjInode:
		e.Inode = ob.id
	case ObjDentry:
		e.Dentry = ob.id
	}
	if h.Class != nil {
		e.Class = h.Class.Name()
	}
	switch h.Mode {
	case Shared:
		e.LockMode = trace.ModeShared
	case Exclusive:
		e.LockMode = trace.ModeExclusive
	}
	tr.Emit(&e)
}

// lockAddr identifies a lock instance by its address.
func lockAddr(l Lock) uint64 {
	if l == nil {
		return 0
	}
	if rv := reflect.ValueOf(l); rv.Kind() == reflect.Pointer {
		return uint64(rv.Pointer())
	}
	return 0
}
