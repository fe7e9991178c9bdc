package lock

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// TestWaiterCountBoundary puts a lock's waiter count at the edge of the
// field its word keeps it in (lockWord: 15 bits of sleepers; RWSem: 16
// bits of sleepers and 15 of waiting writers), with fake waiters counted
// the way real ones are, and then real tasks: the release must still
// wake them, and the word must come back to zero. Linux's wait lists
// (struct mutex's wait_list, rw_semaphore's wait_list) have no cap.
func TestWaiterCountBoundary(t *testing.T) {
	cMutex := NewClass("boundary-mutex", KindMutex)
	cSpin := NewClass("boundary-spin", KindSpin)
	cRW := NewClass("boundary-rwsem", KindRWSem)
	type field struct{ one, mask uint64 }
	type setup struct {
		cell   *wordCell
		fields []field // the fields a waiter of the case counts in
		hold   func(o *Owner)
		free   func(o *Owner)
		wait   func(o *Owner) // a waiter's acquisition and release
		q      *rwWaitQueue
		// blocked, if set, must hold while the waiters wait (waiting
		// writers keep new readers out).
		blocked func() bool
	}
	mk := []struct {
		name string
		max  uint64
		make func() setup
	}{
		{"mutex", lwSleep / lwSleepOne, func() setup {
			m := new(Mutex)
			m.Init(cMutex, 0)
			return setup{cell: &m.x.w.s, fields: []field{{lwSleepOne, lwSleep}},
				hold: m.Lock, free: m.Unlock,
				wait: func(o *Owner) { m.Lock(o); m.Unlock(o) }, q: waitQueueOf(unsafe.Pointer(&m.x.w))}
		}},
		{"spinlock", lwSleep / lwSleepOne, func() setup {
			m := new(SpinLock)
			m.Init(cSpin, 0)
			return setup{cell: &m.x.w.s, fields: []field{{lwSleepOne, lwSleep}},
				hold: m.Lock, free: m.Unlock,
				wait: func(o *Owner) { m.Lock(o); m.Unlock(o) }, q: waitQueueOf(unsafe.Pointer(&m.x.w))}
		}},
		{"rwsem readers behind a writer", rwSleep / rwSleepOne, func() setup {
			l := new(RWSem)
			l.Init(cRW, 0)
			return setup{cell: &l.state, fields: []field{{rwSleepOne, rwSleep}},
				hold: l.Lock, free: l.Unlock,
				wait: func(o *Owner) { l.RLock(o); l.RUnlock(o) }, q: l.waitQueue()}
		}},
		{"rwsem writers behind a reader", rwWWait / rwWWaitOne, func() setup {
			l := new(RWSem)
			l.Init(cRW, 0)
			return setup{cell: &l.state, fields: []field{{rwWWaitOne, rwWWait}, {rwSleepOne, rwSleep}},
				hold: l.RLock, free: l.RUnlock,
				wait: func(o *Owner) { l.Lock(o); l.Unlock(o) }, q: l.waitQueue(),
				blocked: func() bool {
					if l.TryRLock(NewOwner("late reader", nil)) {
						l.runlock()
						return false
					}
					return true
				}}
		}},
	}
	const real = 2
	for _, k := range mk {
		// The fake waiters fill the field to two below its capacity
		// (the real ones fill it exactly), one below (they cross it)
		// and full (they all go beyond it).
		for _, fake := range []uint64{k.max - real, k.max - 1, k.max} {
			t.Run(k.name+"/"+itoa(fake), func(t *testing.T) {
				s := k.make()
				holder := NewOwner("holder", nil)
				s.hold(holder)
				s.q.mu.Lock()
				for _, f := range s.fields {
					s.cell.Add(fake * f.one)
				}
				s.q.mu.Unlock()
				var wg sync.WaitGroup
				var done atomic.Int32
				for range real {
					wg.Add(1)
					go func() {
						defer wg.Done()
						s.wait(NewOwner("waiter", nil))
						done.Add(1)
					}()
				}
				// Wait until every real waiter is counted in each of
				// its fields.
				deadline := time.Now().Add(10 * time.Second)
				for _, f := range s.fields {
					for s.q.waiters(s.cell, f.one, f.mask) < fake+real && time.Now().Before(deadline) {
						runtime.Gosched()
						time.Sleep(time.Millisecond)
					}
					if n := s.q.waiters(s.cell, f.one, f.mask); n != fake+real {
						t.Fatalf("field %#x counts %d waiters, want %d", f.mask, n, fake+real)
					}
				}
				if n := done.Load(); n != 0 {
					t.Fatalf("%d waiters got the lock while the holder held it", n)
				}
				if s.blocked != nil && !s.blocked() {
					t.Errorf("a new reader got in while writers waited (word %#x)", s.cell.Load())
				}
				s.free(holder)
				deadline = time.Now().Add(10 * time.Second)
				for done.Load() < real && time.Now().Before(deadline) {
					runtime.Gosched()
					time.Sleep(time.Millisecond)
				}
				if n := done.Load(); n < real {
					t.Fatalf("%d of %d waiters still asleep 10 s after the release (word %#x)", real-n, real, s.cell.Load())
				}
				wg.Wait()
				s.q.mu.Lock()
				for _, f := range s.fields {
					s.cell.Add(-(fake * f.one))
				}
				s.q.mu.Unlock()
				if w := s.cell.Load(); w != 0 {
					t.Errorf("word %#x once every waiter left, want 0", w)
				}
				s.q.mu.Lock()
				for _, f := range s.fields {
					if n, ok := s.q.over[waitField{s.cell, f.one}]; ok {
						t.Errorf("field %#x still counts %d waiters beyond it", f.mask, n)
					}
				}
				s.q.mu.Unlock()
			})
		}
	}
}

func itoa(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
