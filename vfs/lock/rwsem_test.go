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

// TestRWSemHammer runs readers, writers and downgrading writers on a few
// RWSems at once (they share wait queues of the hashed table with many
// more locks than there are buckets, so broadcasts wake strangers too),
// checking mutual exclusion with counters and that every goroutine
// finishes: a lost wake-up would leave one asleep.
func TestRWSemHammer(t *testing.T) {
	const (
		locks   = 3
		workers = 12
		rounds  = 2000
	)
	sems := make([]lock.RWSem, locks)
	for i := range sems {
		sems[i].Init(tRW, 0)
	}
	var readers, writers [locks]atomic.Int32
	var wg sync.WaitGroup
	var bad atomic.Value
	check := func(i int, writing bool) {
		r, w := readers[i].Load(), writers[i].Load()
		if w > 1 || w == 1 && r > 0 || !writing && w > 0 {
			bad.Store([2]int32{r, w})
		}
	}
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := lock.NewOwner("hammer", nil)
			for n := range rounds {
				i := (g + n) % locks
				l := &sems[i]
				switch (g + n) % 5 {
				case 0, 1:
					l.RLock(o)
					readers[i].Add(1)
					check(i, false)
					runtime.Gosched()
					readers[i].Add(-1)
					l.RUnlock(o)
				case 2, 3:
					l.Lock(o)
					writers[i].Add(1)
					check(i, true)
					runtime.Gosched()
					writers[i].Add(-1)
					l.Unlock(o)
				case 4:
					l.Lock(o)
					writers[i].Add(1)
					check(i, true)
					writers[i].Add(-1)
					readers[i].Add(1)
					l.Downgrade(o)
					check(i, false)
					runtime.Gosched()
					readers[i].Add(-1)
					l.RUnlock(o)
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-done:
			if b := bad.Load(); b != nil {
				t.Fatalf("exclusion broken: readers, writers = %v", b)
			}
			for i := range sems {
				if w, r := sems[i].Holder(); w != nil || r != 0 {
					t.Errorf("lock %d left held: writer %v, readers %d", i, w, r)
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

// TestRWSemWaitingWriterBlocksNewReaders: a writer waiting for a reader
// to leave keeps a new reader out (TryRLock fails) until it has had its
// turn.
func TestRWSemWaitingWriterBlocksNewReaders(t *testing.T) {
	var l lock.RWSem
	l.Init(tRW, 0)
	r, w := lock.NewOwner("r", nil), lock.NewOwner("w", nil)
	l.RLock(r)
	got, left := make(chan struct{}), make(chan struct{})
	go func() {
		l.Lock(w)
		close(got)
		l.Unlock(w)
		close(left)
	}()
	for l.TryRLock(lock.NewOwner("probe", nil)) {
		// The writer has not queued yet: undo and look again.
		l.RUnlock(lock.NewOwner("probe", nil))
		runtime.Gosched()
	}
	select {
	case <-got:
		t.Fatal("writer got the lock while a reader held it")
	default:
	}
	l.RUnlock(r)
	<-left
	if !l.TryRLock(r) {
		t.Fatal("reader kept out after the writer left")
	}
	l.RUnlock(r)
}

// TestRWSemSize keeps the RWSem small: it is in every inode twice.
func TestRWSemSize(t *testing.T) {
	if n := unsafe.Sizeof(lock.RWSem{}); n > 48 {
		t.Errorf("RWSem is %d bytes, want at most 48", n)
	}
}
