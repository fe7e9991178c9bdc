package vfs_test

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// oneTableRound is one round of oneTableRace: mounts made, which listed
// counts in the mount list (whole when all of them are there), and
// remove, which takes them all off.
type oneTableRound struct {
	listed func() int
	whole  int
	remove func() error
}

// oneTableRace checks that a change taking several mounts off publishes
// them in one mount table. One goroutine runs rounds rounds of build
// then the round's remove, counting what it finished: 2n+1 while round
// n is built, 2n+2 from when its mounts are all there until its remove
// returns. Readers on the other CPUs read the count, count the round's
// mounts in the mount list, and read the count again: a look that saw
// an even count both times saw only the remove run, and must find all
// of the round's mounts or none. what names the removal in messages.
// Tasks do not run in parallel under wasm: callers skip there.
func oneTableRace(t *testing.T, rounds int, what string, build func(i int) (oneTableRound, error)) {
	t.Helper()
	var cur atomic.Pointer[oneTableRound]
	var done atomic.Bool
	var count atomic.Int64
	count.Store(1)
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer done.Store(true)
		for i := 0; i < rounds; i++ {
			r, err := build(i)
			if err != nil {
				errc <- fmt.Errorf("build %d: %v", i, err)
				return
			}
			if n := r.listed(); n != r.whole {
				errc <- fmt.Errorf("build %d: %d of its %d mounts listed", i, n, r.whole)
				return
			}
			cur.Store(&r)
			count.Add(1) // 2i+2: the round's mounts are all there and go
			if err := r.remove(); err != nil {
				errc <- fmt.Errorf("%s %d: %v", what, i, err)
				return
			}
			count.Add(1)
			if n := r.listed(); n != 0 {
				errc <- fmt.Errorf("%s %d: %d of its %d mounts still listed", what, i, n, r.whole)
				return
			}
		}
	}()
	readers := max(runtime.GOMAXPROCS(0)-1, 1)
	var bad, looks atomic.Int64
	var first atomic.Pointer[string]
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() {
				c1 := count.Load()
				r := cur.Load()
				if c1%2 == 1 || r == nil {
					continue
				}
				n := r.listed()
				if count.Load() != c1 {
					continue // a build may have run: no claim
				}
				looks.Add(1)
				if n == 0 || n == r.whole {
					continue
				}
				bad.Add(1)
				msg := fmt.Sprintf("count %d: %d of the %d mounts listed", c1, n, r.whole)
				first.CompareAndSwap(nil, &msg)
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errc:
		t.Fatal(err)
	default:
	}
	if n := bad.Load(); n > 0 {
		t.Fatalf("%d of %d looks during a %s found part of the mounts; first: %s", n, looks.Load(), what, *first.Load())
	}
	if looks.Load() == 0 {
		t.Logf("no reader looked during a %s", what)
	}
}
