package lock_test

import (
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

// The RWSem's uncontended paths (i_rwsem on every lookup, create and
// rename) and a contended mix of readers and writers, whose waits go
// through the wait list and its handoff.

func BenchmarkRWSemWriteOff(b *testing.B) {
	var l lock.RWSem
	l.Init(tRW, 0)
	o := lock.NewOwner("bench", nil)
	for b.Loop() {
		l.Lock(o)
		l.Unlock(o)
	}
}

func BenchmarkRWSemReadOff(b *testing.B) {
	var l lock.RWSem
	l.Init(tRW, 0)
	o := lock.NewOwner("bench", nil)
	for b.Loop() {
		l.RLock(o)
		l.RUnlock(o)
	}
}

func BenchmarkRWSemMixedContended(b *testing.B) {
	var l lock.RWSem
	l.Init(tRW, 0)
	const workers = 4
	var wg sync.WaitGroup
	per := b.N / workers
	b.ResetTimer()
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := lock.NewOwner("bench", nil)
			for i := range per {
				if (g+i)%4 == 0 {
					l.RLock(o)
					l.RUnlock(o)
				} else {
					l.Lock(o)
					l.Unlock(o)
				}
			}
		}()
	}
	wg.Wait()
}
