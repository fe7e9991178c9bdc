package lock

import (
	"runtime"
	"unsafe"
)

// lockWord is the raw exclusive lock under SpinLock, Mutex and SeqLock:
// one atomic word holding the locked bit, the count of sleepers and the
// holder's owner id, so that an uncontended acquisition (which also
// records the holder) is one compare-and-swap, and a release one more,
// where a sync.Mutex and a separate holder cost four atomic operations.
// A task that finds it taken retries a few times, yielding, then sleeps
// on the wait queue of rwWaitTable its address hashes to (registering as
// a sleeper under the queue's mutex before its last look, as RWSem's
// waiters do, so no wake-up is lost).
type lockWord struct {
	s wordCell
}

const (
	lwLocked   = 1
	lwSleepOne = 1 << 1 // bits 1-15: sleepers (saturating: waitqueue.go)
	lwSleep    = 0x7fff << 1
	lwIDShift  = 16 // bits 16-63: the holder's owner id
)

// Lock is in fastpath_*.go.

// TryLock takes the lock for o if it is free.
func (w *lockWord) TryLock(o *Owner) bool {
	for {
		s := w.s.Load()
		if s&lwLocked != 0 {
			return false
		}
		if w.s.CompareAndSwap(s, s|o.word) {
			return true
		}
	}
}

func (w *lockWord) lockSlow(o *Owner) {
	// Critical sections are short: let the holder run a few times
	// before going to sleep.
	for range 4 {
		if w.TryLock(o) {
			return
		}
		runtime.Gosched()
	}
	q := w.waitQueue()
	q.mu.Lock()
	q.join(&w.s, lwSleepOne, lwSleep)
	for {
		s := w.s.Load()
		if s&lwLocked == 0 {
			d := q.leaving(&w.s, lwSleepOne)
			if w.s.CompareAndSwap(s, (s-d)|o.word) {
				q.left(&w.s, lwSleepOne, d)
				break
			}
			continue
		}
		q.cond.Wait()
	}
	q.mu.Unlock()
}

// Unlock is in fastpath_*.go.

func (w *lockWord) unlockSlow() {
	for {
		s := w.s.Load()
		if s&lwLocked == 0 {
			panic("lock: unlock of an unlocked lock")
		}
		if w.s.CompareAndSwap(s, s&lwSleep) {
			if s&lwSleep != 0 {
				q := w.waitQueue()
				q.mu.Lock()
				q.cond.Broadcast()
				q.mu.Unlock()
			}
			return
		}
	}
}

// Holder returns the holder, or nil.
func (w *lockWord) Holder() *Owner { return ownerByID(w.s.Load() >> lwIDShift) }

// waitQueue returns the wait queue w hashes to.
func (w *lockWord) waitQueue() *rwWaitQueue { return waitQueueOf(unsafe.Pointer(w)) }
