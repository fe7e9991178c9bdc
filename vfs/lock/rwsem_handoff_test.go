package lock_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs/lock"
)

// TestRWSemHandoff: writers that keep an RWSem busy (each one waiting
// for the lock while another holds it, as creates and unlinks in one
// directory keep its i_rwsem) must not keep a reader or a writer waiting
// for ever. Linux's first waiter, after RWSEM_WAIT_TIMEOUT, sets
// RWSEM_FLAG_HANDOFF and the next release is its; the bound here is
// generous (a few rounds of 4 ms). Without the handoff a reader waited
// seconds, kept out by the writers always waiting.
func TestRWSemHandoff(t *testing.T) {
	if runtime.GOARCH == "wasm" {
		t.Skip("one goroutine runs at a time: nothing overlaps the writers")
	}
	const (
		writers = 4
		run     = 1500 * time.Millisecond
		bound   = 200 * time.Millisecond
	)
	for _, c := range []struct {
		name  string
		write bool
	}{
		{"reader", false},
		{"writer", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var l lock.RWSem
			l.Init(tRW, 0)
			var stop atomic.Bool
			var wg sync.WaitGroup
			for range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					o := lock.NewOwner("busy writer", nil)
					for !stop.Load() {
						l.Lock(o)
						spin(20 * time.Microsecond)
						l.Unlock(o)
					}
				}()
			}
			// Without a handoff the victim may never get in: stop
			// the writers after a while so that it does, and fails.
			defer time.AfterFunc(run+2*time.Second, func() { stop.Store(true) }).Stop()
			o := lock.NewOwner("victim", nil)
			var worst time.Duration
			n := 0
			for start := time.Now(); time.Since(start) < run; n++ {
				t0 := time.Now()
				if c.write {
					l.Lock(o)
					l.Unlock(o)
				} else {
					l.RLock(o)
					l.RUnlock(o)
				}
				worst = max(worst, time.Since(t0))
				time.Sleep(100 * time.Microsecond)
			}
			stop.Store(true)
			wg.Wait()
			t.Logf("%d acquisitions, worst wait %v", n, worst)
			if worst > bound {
				t.Errorf("a %s waited %v behind busy writers, want at most %v", c.name, worst, bound)
			}
			if w, r := l.Holder(); w != nil || r != 0 {
				t.Errorf("lock left held: writer %v, readers %d", w, r)
			}
		})
	}
}

// spin keeps the CPU for d, as a holder doing work does (a sleep would
// leave the lock idle for other writers to take in turn).
func spin(d time.Duration) {
	for t0 := time.Now(); time.Since(t0) < d; {
	}
}
