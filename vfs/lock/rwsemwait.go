package lock

import "time"

// rwHandoffAfter is how long the first waiter of an RWSem may be
// overtaken before it claims a handoff: Linux's RWSEM_WAIT_TIMEOUT, 4 ms
// at HZ=1000.
const rwHandoffAfter = 4 * time.Millisecond

// rwWaiter is a task waiting for an RWSem (rwsem_waiter): an entry of its
// lock's wait list, in arrival order. Lives on the waiter's stack (heap,
// once listed) while it waits; its fields change under the queue's mu.
type rwWaiter struct {
	list       *rwWaitList
	prev, next *rwWaiter
	write      bool
	since      time.Time // when it queued
}

// rwWaitList is one RWSem's waiters, oldest first (rw_semaphore's
// wait_list). It lives in the wait queue the lock hashes to (rwWaitQueue's
// rw) while anyone waits, so that an RWSem carries no list of its own.
type rwWaitList struct {
	head, tail *rwWaiter
}

// enqueue puts w at the tail of the wait list of the RWSem whose state is
// c. Under q.mu.
func (q *rwWaitQueue) enqueue(c *wordCell, w *rwWaiter) {
	if q.rw == nil {
		q.rw = make(map[*wordCell]*rwWaitList)
	}
	lst := q.rw[c]
	if lst == nil {
		lst = new(rwWaitList)
		q.rw[c] = lst
	}
	w.list, w.prev = lst, lst.tail
	if lst.tail != nil {
		lst.tail.next = w
	} else {
		lst.head = w
	}
	lst.tail = w
}

// dequeue takes w off its wait list (that of the RWSem whose state is c)
// and reports whether others still wait. Under q.mu.
func (q *rwWaitQueue) dequeue(c *wordCell, w *rwWaiter) (others bool) {
	lst := w.list
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		lst.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		lst.tail = w.prev
	}
	w.list, w.prev, w.next = nil, nil, nil
	if lst.head == nil {
		delete(q.rw, c)
		return false
	}
	return true
}

// first reports whether w heads its wait list. Under q.mu.
func (w *rwWaiter) first() bool { return w.prev == nil }

// writerAhead reports whether a writer waits ahead of w. Under q.mu.
func (w *rwWaiter) writerAhead() bool {
	for p := w.prev; p != nil; p = p.prev {
		if p.write {
			return true
		}
	}
	return false
}

// claimsHandoff reports whether w, failing to take its lock, should set
// the handoff bit: it heads the wait list, nobody has claimed one, and
// it has waited rwHandoffAfter (rwsem_try_write_lock's and
// rwsem_mark_wake's timeout check). Under q.mu.
func (w *rwWaiter) claimsHandoff(s uint64) bool {
	return s&rwHandoff == 0 && w.first() && time.Since(w.since) >= rwHandoffAfter
}
