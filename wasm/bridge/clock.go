package bridge

import (
	"sync/atomic"
	"time"
)

// batchClock is the VFSes' clock (vfs.Options.Clock): the time sampled
// at the first timestamp of each batch, so a batch costs at most one
// clock read however many inodes it stamps.
//
// It replaces the VFS's coarse clock, whose ticking goroutine cannot run
// in the GOOS=js build while JavaScript is busy: a batch is a plain
// WebAssembly call, and Go's scheduler only runs its timers when
// JavaScript yields to the event loop, so a page (or a WASI guest)
// issuing calls in a loop saw one frozen time. Under JavaScript time
// passes between batches, and a batch is the tick: Linux's timestamps
// also come from the last tick (current_time()). A read outside a batch
// (the flusher) samples the time too, kept until the next batch starts.
//
// A sample is the wall time at start plus the monotonic time elapsed
// since: under GOOS=js time.Now is two calls out to JavaScript (the wall
// clock and the monotonic one) and time.Since one. Timestamps therefore
// follow the monotonic clock, not later changes of the host's wall
// clock.
type batchClock struct {
	// ns is the time of this tick in ns since the epoch, 0 until read.
	// Atomic: background goroutines read it too.
	ns atomic.Int64
	// start is the wall and monotonic time New made the clock at;
	// immutable. (The zero value also works, at the cost of reading the
	// wall clock each time.)
	start time.Time
}

// tick starts a new tick; the next read samples the time.
func (c *batchClock) tick() { c.ns.Store(0) }

func (c *batchClock) now() time.Time {
	if ns := c.ns.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	var ns int64
	if c.start.IsZero() {
		ns = time.Now().UnixNano()
	} else {
		// To the millisecond: under GOOS=js the wall clock (Date.now)
		// has no finer resolution, and a stamp finer than it could lead
		// a later read of it (a guest's clock_time_get) by up to 1 ms.
		// (Integer arithmetic: Time.Add and Time.Truncate cost several
		// times as much under GOOS=js, for every batch that stamps.)
		ns = c.start.UnixNano() + int64(time.Since(c.start))
		ns -= ns % int64(time.Millisecond)
	}
	if !c.ns.CompareAndSwap(0, ns) {
		ns = c.ns.Load()
	}
	return time.Unix(0, ns)
}
