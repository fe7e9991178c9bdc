package bridge

import "time"

// batchClock is the VFSes' clock (vfs.Options.Clock): one time per batch
// or WASI call, so a batch costs at most one clock read however many
// inodes it stamps.
//
// It replaces the VFS's coarse clock, whose ticking goroutine cannot run
// in the GOOS=js build while JavaScript is busy: a batch is a plain
// WebAssembly call, and Go's scheduler only runs its timers when
// JavaScript yields to the event loop, so a page (or a WASI guest)
// issuing calls in a loop saw one frozen time. Under JavaScript time
// passes between batches, and a batch is the tick: Linux's timestamps
// also come from the last tick (current_time()).
//
// # Where a tick's time comes from
//
// The host supplies it: before each crossing (vfscope_call, a
// vfscope_wasi_* export) the JavaScript loader writes Date.now() into
// the word Bridge.HostClock points at, and the crossing's tick takes it
// (and sets the word back to 0). Reading the clock from Go is a call out
// of WebAssembly to JavaScript plus Go's time arithmetic: 8% of an
// unlink through the WASI imports in node (0.35 of 4.4 µs). Date.now()
// and the store cost about 50 ns there, which the calls that stamp
// nothing (fd_seek, fd_fdstat_get) now pay. Date.now() is also what
// Go's wall clock reads under GOOS=js (wasm_exec.js, runtime.walltime),
// with the same millisecond resolution, so a stamp never leads a later
// read of the time by the guest (clock_time_get) or the page.
//
// A tick without a supplied time (0 in the word: the native tests, a
// host that does not supply one) samples the time at its first read
// instead, as a read outside any tick does (the zero clock, before the
// first batch). A sample is the wall time at start plus the monotonic
// time elapsed since, to the millisecond: under GOOS=js time.Now is two
// calls out to JavaScript (the wall clock and the monotonic one) and
// time.Since one. A tick's time, supplied or sampled, is kept until the
// next tick: a read between crossings (the flusher, which stamps
// nothing) gets the last one's.
//
// # Never backwards
//
// A tick's time is at least the previous tick's. Date.now() follows the
// host's wall clock, which can be set back; Linux's timestamps come from
// the coarse realtime clock, which can be too, but never is in practice
// while files are being written, and tools (make) take an mtime older
// than an earlier write's as a bug. So a supplied time earlier than the
// last tick's is replaced by the last tick's, until the wall clock
// catches up; the same holds between supplied and sampled times, whose
// clocks (the wall clock, the monotonic one) can drift apart.
type batchClock struct {
	// ns is the tick's time in ns since the epoch if positive. Zero or
	// negative, the tick has no time yet (the next read samples it) and
	// -ns is the last tick's, below which no time goes. One word, so
	// that a tick and a concurrent read (background goroutines read the
	// clock too) keep it monotonic with compare-and-swap alone.
	ns clockWord
	// host is the word the host writes the next tick's time into, in ms
	// since the epoch (a float64: what JavaScript stores with one
	// Float64Array write, Date.now() being an integer number of ms);
	// 0 when none was supplied. Written by the host between crossings,
	// read and cleared by tick under Bridge.mu.
	host float64
	// start is the wall and monotonic time New made the clock at;
	// immutable. (The zero value also works, at the cost of reading the
	// wall clock each time.)
	start time.Time
}

// tick starts a new tick at the time the host supplied, or, if none,
// one the next read samples.
func (c *batchClock) tick() {
	ms := c.host
	c.host = 0
	var ns int64
	// Times outside 1970..2262 (int64 ns) are not times: sample instead.
	if ms >= 1 && ms < float64(1<<63-1)/float64(time.Millisecond) {
		ns = int64(ms) * int64(time.Millisecond)
	}
	for {
		old := c.ns.Load()
		last := max(old, -old)
		next := -last
		if ns != 0 {
			next = max(ns, last)
		}
		if c.ns.CompareAndSwap(old, next) {
			return
		}
	}
}

// nanos is the VFS's clock (vfs.Options.ClockNanos). The tick's time,
// once sampled, is a load: that fast path inlines into the closure the
// VFS calls (clockFunc), so that a stamp costs one call under GOOS=js;
// the first read of a tick samples (sample).
func (c *batchClock) nanos() int64 {
	if ns := c.ns.Load(); ns > 0 {
		return ns
	}
	return c.sample()
}

// now is nanos as a time.Time.
func (c *batchClock) now() time.Time { return time.Unix(0, c.nanos()) }

// clockFunc returns nanos as a closure, not the method value c.nanos: Go
// does not inline a method into its method-value wrapper, and the clock
// is read by every operation that stamps a time (web/bench/calls.mjs
// counts the calls). Not inlined itself: the copy of the closure an
// inlined clockFunc leaves in its caller does not get nanos inlined.
//
//go:noinline
func (c *batchClock) clockFunc() func() int64 {
	return func() int64 { return c.nanos() }
}

// sample gives the tick without a time its time: the clock read now, but
// never below the last tick's.
func (c *batchClock) sample() int64 {
	old := c.ns.Load()
	if old > 0 {
		return old
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
	ns = max(ns, -old, 1)
	if !c.ns.CompareAndSwap(old, ns) {
		// Another read sampled first, or a tick began: either way the
		// word holds the time to use now, or a floor for a new sample.
		return c.nanos()
	}
	return ns
}

// HostClock returns the word through which the host supplies the time of
// its next crossing (Exec or CallWASI): milliseconds since the Unix epoch,
// written before the call by the goroutine that makes it (under GOOS=js,
// JavaScript: Date.now()). The crossing's tick takes the time and sets
// the word to 0; 0 means none supplied, and the crossing's first
// timestamp samples the time. The word's address does not change.
func (b *Bridge) HostClock() *float64 { return &b.clock.host }
