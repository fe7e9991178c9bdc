//go:build !race && !js && !wasip1

package lock

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestWaiterCountReal puts exactly as many real tasks to sleep on one
// lock as its word's waiter field wraps at (2^15 for a Mutex, 2^16 for
// an RWSem's readers), and checks that one release wakes them all. The
// race detector's limit of 8128 goroutines rules it out under -race,
// and it is too big for wasm; TestWaiterCountBoundary covers the same
// boundary there with counted stand-ins.
func TestWaiterCountReal(t *testing.T) {
	if testing.Short() {
		t.Skip("65,536 goroutines")
	}
	cMutex := NewClass("real-mutex", KindMutex)
	cRW := NewClass("real-rwsem", KindRWSem)
	cases := []struct {
		name      string
		n         int
		one, mask uint64
		make      func() (cell *wordCell, q *rwWaitQueue, hold, free, wait func(*Owner))
	}{
		{"mutex", 1 << 15, lwSleepOne, lwSleep, func() (*wordCell, *rwWaitQueue, func(*Owner), func(*Owner), func(*Owner)) {
			m := new(Mutex)
			m.Init(cMutex, 0)
			return &m.x.w.s, m.x.w.waitQueue(), m.Lock, m.Unlock, func(o *Owner) { m.Lock(o); m.Unlock(o) }
		}},
		{"rwsem readers", 1 << 16, rwSleepOne, rwSleep, func() (*wordCell, *rwWaitQueue, func(*Owner), func(*Owner), func(*Owner)) {
			l := new(RWSem)
			l.Init(cRW, 0)
			return &l.state, l.waitQueue(), l.Lock, l.Unlock, func(o *Owner) { l.RLock(o); l.RUnlock(o) }
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cell, q, hold, free, wait := c.make()
			holder := NewOwner("holder", nil)
			hold(holder)
			var wg sync.WaitGroup
			for range c.n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					wait(NewOwner("waiter", nil))
				}()
			}
			deadline := time.Now().Add(20 * time.Second)
			for q.waiters(cell, c.one, c.mask) < uint64(c.n) && time.Now().Before(deadline) {
				runtime.Gosched()
				time.Sleep(5 * time.Millisecond)
			}
			if n := q.waiters(cell, c.one, c.mask); n != uint64(c.n) {
				t.Fatalf("%d waiters counted, want %d", n, c.n)
			}
			free(holder)
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatalf("waiters still asleep 20 s after the release (word %#x)", cell.Load())
			}
			if w := cell.Load(); w != 0 {
				t.Errorf("word %#x once every waiter left, want 0", w)
			}
		})
	}
}
