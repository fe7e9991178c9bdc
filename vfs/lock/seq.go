package lock

import (
	"runtime"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// SeqCount is a sequence counter (d_seq): readers run without locking and
// retry if a writer ran meanwhile. The count is odd while a write is in
// progress. Writers must be serialised by some other lock the caller holds.
// The data read under it must itself be read with atomics (or be otherwise
// race-free); the counter only tells the reader whether to retry.
type SeqCount struct {
	seq atomic.Uint32
}

// BeginRead waits (yielding) while a write is in progress and returns the
// even count to pass to Retry (read_seqcount_begin). The validator does
// not see it; BeginReadBy is the checked form.
func (s *SeqCount) BeginRead() uint32 {
	for {
		v := s.seq.Load()
		if v&1 == 0 {
			return v
		}
		runtime.Gosched()
	}
}

// BeginReadBy is BeginRead for o, naming wl, the lock that serialises
// the counter's writers (as seqcount_spinlock_t names its spinlock). With
// validation on it is checked like read_seqcount_begin's lockdep read
// acquire: if a write is in progress while o holds wl exclusive, the
// writer is o itself and the reader would wait for ever, so it is
// reported as recursive locking and returns at once (Retry will fail).
// Validation off costs one branch.
func (s *SeqCount) BeginReadBy(o *Owner, wl Lock) uint32 {
	if v := s.seq.Load(); v&1 == 0 {
		return v
	}
	return s.beginReadSlow(o, wl)
}

// beginReadSlow is BeginReadBy while a write is in progress.
func (s *SeqCount) beginReadSlow(o *Owner, wl Lock) uint32 {
	if o.slow && o.v != nil {
		if i := o.find(wl); i >= 0 && o.held[i].Mode == Exclusive {
			h := Held{Class: wl.Class(), Subclass: o.held[i].Subclass, Mode: Shared, Lock: wl, Site: callerSite()}
			o.v.recursive(o, h, o.held[i])
			return s.RawBegin()
		}
	}
	return s.BeginRead()
}

// RawBegin returns the count with the low bit cleared, never waiting
// (raw_seqcount_begin): if a write is in progress, Retry will fail.
func (s *SeqCount) RawBegin() uint32 { return s.seq.Load() &^ 1 }

// Retry reports whether a writer ran (or is running) since start, in which
// case what was read must be read again (read_seqcount_retry).
func (s *SeqCount) Retry(start uint32) bool { return s.seq.Load() != start }

// BeginWrite starts a write: the count becomes odd (write_seqcount_begin).
func (s *SeqCount) BeginWrite() {
	if s.seq.Add(1)&1 == 0 {
		panic("lock: SeqCount.BeginWrite inside a write (writers not serialised)")
	}
}

// EndWrite ends a write: the count becomes even again (write_seqcount_end).
func (s *SeqCount) EndWrite() {
	if s.seq.Add(1)&1 != 0 {
		panic("lock: SeqCount.EndWrite without BeginWrite")
	}
}

// Value returns the raw count (odd while a write is in progress).
func (s *SeqCount) Value() uint32 { return s.seq.Load() }

// SeqLock is a SeqCount plus the spinlock serialising its writers
// (rename_lock, mount_lock). Holding the writers' lock (WriteLock or
// ReadLockExcl) is atomic context, like a spinlock. It implements Lock
// through that spinlock. For the validator the seqcount is a second
// class (the class's ".seqcount"), as its lockdep map is in Linux:
// WriteLock acquires the spinlock then the seqcount, ReadLockExcl only
// the spinlock, and ReadBeginBy waits for the seqcount. The zero value
// is unusable until Init.
type SeqLock struct {
	x   xlock
	seq SeqCount
}

// Init sets the class, of KindSeqLock. Call it once, before any other
// method.
func (l *SeqLock) Init(c *Class) {
	if c == nil || c.kind != KindSeqLock {
		panic(&initError{"SeqLock", c, KindSeqLock})
	}
	if l.x.w.s.Load() != 0 {
		panic(&heldInitError{"SeqLock"})
	}
	l.x.cls = classRef(c.id)
}

// Class returns the class given to Init.
func (l *SeqLock) Class() *Class { return l.x.cls.class() }

// Subclass returns 0.
func (l *SeqLock) Subclass() uint8 { return l.x.tag.sub() }

// Kind returns KindSeqLock.
func (l *SeqLock) Kind() Kind { return KindSeqLock }

// ReadBegin starts a lockless read section (read_seqbegin) that the
// validator does not see. Use ReadBeginBy where the reading task is known.
func (l *SeqLock) ReadBegin() uint32 { return l.seq.BeginRead() }

// ReadBeginBy starts o's lockless read section (read_seqbegin). With
// validation on it is a read acquisition of l's seqcount, released at
// once, as Linux's seqcount_lockdep_reader_access: the reader waits while
// a write is in progress, so it depends on every lock o holds, and a
// writer taking one of them inside its write section is reported as a
// circular dependency. Beginning a read inside o's own write side of l,
// which would wait for ever for the count to become even, is reported as
// recursive locking, and then returns at once (the section's ReadRetry
// fails) instead of hanging. Validation off costs one branch.
func (l *SeqLock) ReadBeginBy(o *Owner) uint32 {
	return seqReadBeginFast(l, o, (*SeqLock).readBeginSlow)
}

// seqReadBeginFast is ReadBeginBy's fast path. It takes its slow path as
// a parameter, which the inliner charges as a cheap call, so that
// ReadBeginBy is inlined in every walk step (a call is the expensive
// thing in Go's WebAssembly code; see fastpath_wasm.go).
func seqReadBeginFast(l *SeqLock, o *Owner, slow func(*SeqLock, *Owner) uint32) uint32 {
	if v := l.seq.seq.Load(); v&1 == 0 && !o.slow {
		return v
	}
	return slow(l, o)
}

// readBeginSlow is ReadBeginBy when o validates or traces, or a write is
// in progress.
func (l *SeqLock) readBeginSlow(o *Owner) uint32 {
	if o.slow && o.v != nil && o.v.seqRead(o, l, callerSite()) {
		return l.seq.RawBegin()
	}
	return l.seq.BeginRead()
}

// ReadRetry reports whether the read section started at start must be
// retried (read_seqretry).
func (l *SeqLock) ReadRetry(start uint32) bool { return l.seq.Retry(start) }

// Seq returns the underlying counter, e.g. for RawBegin.
func (l *SeqLock) Seq() *SeqCount { return &l.seq }

// WriteLock and WriteUnlock are in fastpath_*.go; these are their slow
// paths.

// writeLockSlow takes the writers' spinlock, validated or traced if o
// does, and starts a write.
func (l *SeqLock) writeLockSlow(o *Owner) {
	if o.slow {
		l.x.lockV(o, l, 0)
		if o.v != nil {
			o.v.seqWrite(o, l, callerSite())
		}
	} else {
		l.x.w.Lock(o)
	}
	l.seq.BeginWrite()
}

// writeUnlockSlow ends the write and releases the spinlock, validated or
// traced if o does.
func (l *SeqLock) writeUnlockSlow(o *Owner) {
	if o.slow && !o.releasing(l, Exclusive, false) {
		return
	}
	l.seq.EndWrite()
	l.x.w.Unlock()
}

// ReadLockExcl takes the writers' spinlock without bumping the count
// (read_seqlock_excl): a reader that excludes writers instead of retrying.
func (l *SeqLock) ReadLockExcl(o *Owner) {
	if o.slow {
		a := o.beginAcq(l, 0, Exclusive)
		a.h.readExcl = true
		if !l.x.w.TryLock(o) {
			o.contendedAcq(&a, l, 0)
			l.x.w.Lock(o)
		}
		o.endAcq(&a)
		return
	}
	l.x.w.Lock(o)
}

// ReadUnlockExcl releases what ReadLockExcl took (read_sequnlock_excl).
func (l *SeqLock) ReadUnlockExcl(o *Owner) {
	if o.slow {
		l.x.unlockV(o, l, true)
		return
	}
	l.x.w.Unlock()
}

// Holder returns the holder of the writers' lock, or nil.
func (l *SeqLock) Holder() *Owner { return l.x.w.Holder() }
