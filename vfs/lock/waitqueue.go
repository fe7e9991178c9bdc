package lock

import (
	"sync"
	"unsafe"
)

// rwWaitTable is the wait queues of the sleeping locks (RWSem, and the
// lock word under SpinLock, Mutex and SeqLock), shared by hashing the
// lock's address: a waiter registers (join) under its queue's mutex and
// checks the lock again before sleeping, and a releaser that sees
// sleepers broadcasts under the same mutex, so no wake-up is lost. A
// broadcast may wake waiters of other locks hashed alike; they look at
// their lock and sleep again. The queue mutexes are leaves: nothing else
// is taken while one is held.
var rwWaitTable [rwWaitBuckets]rwWaitQueue

const rwWaitBuckets = 256

type rwWaitQueue struct {
	// mu protects the queue's sleepers (cond's), the waiter fields of
	// the lock words hashed here (each changes only under it), over
	// and rw; a leaf.
	mu   sync.Mutex
	cond sync.Cond // L is &mu
	// over counts, per lock word and field, the waiters beyond what the
	// field can hold. A waiter field of a lock word is a saturating
	// count: while some waiters are counted here, the field stays full,
	// so that a releaser always sees that somebody waits (a count that
	// wrapped to zero with exactly 2^15 or 2^16 waiters would wake
	// nobody, ever). Linux's wait lists have no such cap. Nil until a
	// field first fills.
	over map[waitField]uint64
	// rw holds the wait lists of the RWSems hashed here that have
	// waiters (rwsemwait.go), by their state word. Nil until one waits.
	rw map[*wordCell]*rwWaitList
}

// waitField names one waiter count: a lock word and the unit of its
// field.
type waitField struct {
	cell *wordCell
	one  uint64
}

func init() {
	for i := range rwWaitTable {
		rwWaitTable[i].cond.L = &rwWaitTable[i].mu
	}
}

// waitQueueOf returns the wait queue the lock at p hashes to.
func waitQueueOf(p unsafe.Pointer) *rwWaitQueue {
	return &rwWaitTable[(uint64(uintptr(p))*0x9E3779B97F4A7C15)>>56]
}

// join counts one more waiter in the field (one, mask) of c: in the
// field while it has room, in q.over once it is full. Under q.mu.
func (q *rwWaitQueue) join(c *wordCell, one, mask uint64) {
	if c.Load()&mask != mask {
		c.Add(one)
		return
	}
	if q.over == nil {
		q.over = make(map[waitField]uint64)
	}
	q.over[waitField{c, one}]++
}

// leaving returns what a waiter leaving the field of unit one takes off
// c: one unit, or nothing while waiters beyond the field's capacity are
// counted in q.over (the field stays full). Under q.mu; once the word
// is updated, call left with the same amount.
func (q *rwWaitQueue) leaving(c *wordCell, one uint64) uint64 {
	if len(q.over) == 0 {
		return one
	}
	if _, ok := q.over[waitField{c, one}]; ok {
		return 0
	}
	return one
}

// left completes a waiter's leaving that took d (leaving's answer) off
// the word. Under q.mu.
func (q *rwWaitQueue) left(c *wordCell, one, d uint64) {
	if d != 0 {
		return
	}
	k := waitField{c, one}
	if n := q.over[k]; n > 1 {
		q.over[k] = n - 1
	} else {
		delete(q.over, k)
	}
}

// waiters returns the count of waiters of the field (one, mask) of c:
// the field plus those beyond it. For tests and snapshots.
func (q *rwWaitQueue) waiters(c *wordCell, one, mask uint64) uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return (c.Load()&mask)/one + q.over[waitField{c, one}]
}
