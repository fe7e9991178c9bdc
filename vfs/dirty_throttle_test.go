package vfs_test

import (
	"bytes"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// dirtyPauseFirst is a new task's nr_dirtied_pause, 128 >> (PAGE_SHIFT -
// 10) pages (copy_process): the pages a writer dirties before its first
// look at the limits.
const dirtyPauseFirst = 128 * 1024 / PAGE_SIZE

// TestThrottleWithinOneWrite: one write(2) of many pages is throttled as
// it dirties them (generic_perform_write calls
// balance_dirty_pages_ratelimited on every pass), so dirty plus
// writeback pages never pass the limit by more than the first pause,
// whether the writeback it waits for is held or completes at once. A
// write that stays under the limit is not throttled.
func TestThrottleWithinOneWrite(t *testing.T) {
	const writePages = 1024
	cases := []struct {
		limit     int64 // dirty_bytes, in pages
		throttled bool
	}{
		{limit: 8, throttled: true},
		{limit: 40, throttled: true},
		{limit: 200, throttled: true},
		{limit: 2 * writePages, throttled: false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("limit %d pages", c.limit), func(t *testing.T) {
			e := newRCEnv(t, 0)
			v := e.V
			e.Must(v.SetDirtyTunable("dirty_bytes", c.limit*PAGE_SIZE))
			bound := c.limit + dirtyPauseFirst
			var peak atomic.Int64
			sample := func() int64 {
				st := v.MemStat()
				n := st.Dirty + st.Writeback
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				return n
			}
			e.fs.holdWrites()
			fd := e.open("f")
			done := make(chan error, 1)
			tk := e.Root.Fork("writer")
			go func() {
				_, err := tk.Pwrite(fd, bytes.Repeat([]byte{'w'}, writePages*PAGE_SIZE), 0)
				done <- err
			}()
			if c.throttled {
				vt.WaitFor(t, "the writer to be throttled", func() bool { return v.ReclaimStats().DirtyThrottled > 0 })
				time.Sleep(50 * time.Millisecond)
				select {
				case err := <-done:
					t.Fatalf("the write ended (%v) while its writeback was held", err)
				default:
				}
				if n := sample(); n > bound {
					t.Errorf("while throttled: %d pages dirty or under writeback, limit %d, first pause %d", n, c.limit, dirtyPauseFirst)
				}
				e.fs.releaseWrites()
			}
			stop := make(chan struct{})
			sampled := make(chan struct{})
			go func() {
				defer close(sampled)
				for {
					select {
					case <-stop:
						return
					default:
						sample()
						// Under WebAssembly nothing preempts a
						// loop: let the writer run.
						runtime.Gosched()
					}
				}
			}()
			e.Must(<-done)
			close(stop)
			<-sampled
			if p := peak.Load(); p > bound {
				t.Errorf("peak of %d pages dirty or under writeback during the write, limit %d, first pause %d", p, c.limit, dirtyPauseFirst)
			}
			if got := v.ReclaimStats().DirtyThrottled > 0; got != c.throttled {
				t.Errorf("throttled %v, want %v", got, c.throttled)
			}
			e.fs.releaseWrites()
			tk.Exit()
			e.Must(e.Root.Close(fd))
		})
	}
}
