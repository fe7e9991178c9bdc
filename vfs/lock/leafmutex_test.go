package lock_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

// TestLeafMutexExcludes: goroutines that yield inside the critical
// section (as one that allocates may) still never overlap, and every
// increment lands; a sync.Cond on a LeafMutex wakes its waiter.
func TestLeafMutexExcludes(t *testing.T) {
	var (
		mu     lock.LeafMutex
		inside int
		total  int
		wg     sync.WaitGroup
	)
	const workers, rounds = 8, 200
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				mu.Lock()
				inside++
				if inside != 1 {
					t.Errorf("%d goroutines inside the critical section", inside)
				}
				runtime.Gosched()
				total++
				inside--
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if total != workers*rounds {
		t.Fatalf("total %d, want %d", total, workers*rounds)
	}

	cond := sync.NewCond(&mu)
	ready := false
	done := make(chan struct{})
	go func() {
		mu.Lock()
		for !ready {
			cond.Wait()
		}
		mu.Unlock()
		close(done)
	}()
	runtime.Gosched()
	mu.Lock()
	ready = true
	cond.Broadcast()
	mu.Unlock()
	<-done
}

// TestLeafMutexFirstContention: a mutex's first contention, again and
// again on fresh mutexes, while the holder yields inside its critical
// section; the waiter must get the mutex once the holder lets it go
// (a waiter that registered after the holder's Unlock once waited for
// ever under wasm).
func TestLeafMutexFirstContention(t *testing.T) {
	for range 2000 {
		var mu lock.LeafMutex
		held := make(chan struct{})
		done := make(chan struct{})
		go func() {
			mu.Lock()
			close(held)
			runtime.Gosched()
			mu.Unlock()
		}()
		go func() {
			<-held
			mu.Lock()
			mu.Unlock()
			close(done)
		}()
		<-done
	}
}
