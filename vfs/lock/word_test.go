package lock_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/vfscope/vfscope/vfs/lock"
)

// TestLockWordHammer has many goroutines take a few SpinLocks and Mutexes
// (their waiters share the hashed wait queues), checking mutual
// exclusion, that every goroutine finishes (a lost wake-up would leave
// one asleep), and that each lock ends free with no holder.
func TestLockWordHammer(t *testing.T) {
	const (
		workers = 12
		rounds  = 3000
	)
	spins := make([]lock.SpinLock, 2)
	muts := make([]lock.Mutex, 2)
	for i := range spins {
		spins[i].Init(tSpin, 0)
		muts[i].Init(tMutex, 0)
	}
	locks := []exclusive{&spins[0], &spins[1], &muts[0], &muts[1]}
	inside := make([]atomic.Int32, len(locks))
	var broken atomic.Bool
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := lock.NewOwner("hammer", nil)
			for n := range rounds {
				i := (g + n) % len(locks)
				l := locks[i]
				if n%3 == 0 {
					if !l.TryLock(o) {
						continue
					}
				} else {
					l.Lock(o)
				}
				if inside[i].Add(1) != 1 || l.Holder() != o {
					broken.Store(true)
				}
				if n%2 == 0 {
					runtime.Gosched()
				}
				inside[i].Add(-1)
				l.Unlock(o)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-done:
			if broken.Load() {
				t.Fatal("two holders at once, or a wrong holder recorded")
			}
			for i, l := range locks {
				if h := l.Holder(); h != nil {
					t.Errorf("lock %d left held by %v", i, h)
				}
			}
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("a waiter never woke (lost wake-up)")
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// TestUnlockByAnotherOwner: with validation off, a lock may be released
// by an owner other than the one that took it (the slow path of the lock
// word), and is free afterwards.
func TestUnlockByAnotherOwner(t *testing.T) {
	var l lock.Mutex
	l.Init(tMutex, 0)
	a, b := lock.NewOwner("a", nil), lock.NewOwner("b", nil)
	l.Lock(a)
	l.Unlock(b)
	if !l.TryLock(b) || l.Holder() != b {
		t.Fatal("lock not free, or holder not recorded, after a release by another owner")
	}
	l.Unlock(b)
}

// TestLockSizes keeps the exclusive locks small: an inode has two.
func TestLockSizes(t *testing.T) {
	if n := unsafe.Sizeof(lock.SpinLock{}); n > 40 {
		t.Errorf("SpinLock is %d bytes, want at most 40", n)
	}
}
