package bridge

import (
	"errors"
	"runtime"
	"runtime/metrics"
	"time"
)

// Operations that cannot finish.
//
// In the GOOS=js build every call from JavaScript is synchronous and runs
// on the goroutine of the exported function. An operation that sleeps
// until another task acts (a flock(2) behind a lock its own shell holds,
// a write to a frozen filesystem) can never be woken during the call; if
// that goroutine parked with nothing else to run, Go would hand control
// back to JavaScript mid-call with Bridge.mu held, and every later call,
// on any VFS, would fail. A Watchdog prevents both: its goroutine is
// runnable while a call is in progress, so it runs whenever the call's
// goroutine sleeps, and it watches for a stall (the call asleep and no
// other goroutine able to run). On a stall it does what a user's ^C does
// on Linux: it interrupts the VFS the operation acts on
// (vfs.VFS.Interrupt), which ends interruptible waits with EINTR
// (flock, F_SETLKW, a lease break) and a shell command line with status
// 130 (opShellRun). If the call still sleeps after StallGrace (a wait no
// signal ends, as sb_start_write on a frozen filesystem; timed waits,
// as reclaim throttling, end before), it is abandoned: the VFS is marked
// unusable (its later operations fail with the reason; vfsClose forgets
// it), the bridge takes fresh buffers and releases Bridge.mu, and the
// host answers the call with the error. The abandoned goroutine stays
// asleep: nothing that could wake it runs (its VFS takes no further
// operation), and if it wakes all the same, its batch stops
// (errAbandoned) without touching the bridge.

// StallGrace is how long an operation that still sleeps after the
// interrupt, in a wait with no timeout, is waited for before it is
// abandoned. Bounded sleeps (reclaim and dirty throttling, up to 200ms)
// are never taken for stalls: the watchdog yields until their timers
// fire.
const StallGrace = time.Second

// stallChecks is how many consecutive yields must each see nothing
// runnable before the watchdog counts a stall: under GOOS=js one would do
// (one thread); natively the scheduler's counts are approximate.
const stallChecks = 8

// errAbandoned is what a batch left asleep returns if it ever wakes: it
// runs no further operation, and no one reads its result.
var errAbandoned = errors.New("bridge: batch abandoned")

// clearInterrupt ends the signal the watchdog made pending during the
// batch, if it did (the interrupt was delivered).
func (sc *scratch) clearInterrupt() {
	if in := sc.intr.Load(); in != nil {
		in.v.ClearInterrupt()
		sc.intr.Store(nil)
	}
}

// Watchdog is the goroutine that ends calls that stall (see above). The
// host calls Begin before each call into the bridge and End after it,
// on the call's goroutine.
type Watchdog struct {
	b *Bridge
	// abandoned is called on the watchdog's goroutine with the error of
	// a call it abandoned: the host answers the call with it (under
	// GOOS=js, it stores the error in the state the caller reads; the
	// watchdog then sleeps and Go returns to JavaScript).
	abandoned func(error)
	// active is set from Begin to End; call counts the calls begun.
	active flagWord
	call   counterWord
	// parked is set while the goroutine sleeps on wake, between calls.
	parked flagWord
	wake   chan struct{}
	// samples are the scheduler's counts nothingRunnable reads.
	samples [3]metrics.Sample
}

// NewWatchdog starts the watchdog of b; abandoned answers a call it
// abandons.
func (b *Bridge) NewWatchdog(abandoned func(error)) *Watchdog {
	w := &Watchdog{b: b, abandoned: abandoned, wake: make(chan struct{}, 1)}
	w.initSamples()
	w.parked.Store(true)
	go w.run()
	return w
}

// initSamples names the scheduler's counts nothingRunnable reads.
func (w *Watchdog) initSamples() {
	w.samples[0].Name = "/sched/goroutines/runnable:goroutines"
	w.samples[1].Name = "/sched/goroutines/running:goroutines"
	w.samples[2].Name = "/sched/goroutines/not-in-go:goroutines"
}

// Begin marks a call in progress: the watchdog becomes runnable.
func (w *Watchdog) Begin() {
	w.call.Add(1)
	w.active.Store(true)
	if w.parked.Load() {
		w.parked.Store(false)
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// End marks the call finished. The watchdog stays runnable, so that the
// next call costs no wake-up; it sleeps if it runs between calls (when
// JavaScript resumes Go for an event). A host that yields after a call
// (runtime.Gosched, for background goroutines) does so before End: the
// watchdog then only yields back.
func (w *Watchdog) End() { w.active.Store(false) }

func (w *Watchdog) run() {
	var (
		seen        uint64 // the call last looked at
		idle        int
		interrupted bool
		// stalledFor is how long the call has been seen stalled since
		// the interrupt, summed over the checks that saw it stalled
		// (last: the previous such check, zero after one that did not),
		// so that a call that goes on after the interrupt and stalls
		// again later gets the whole grace again.
		stalledFor time.Duration
		last       time.Time
	)
	for {
		if !w.active.Load() {
			w.parked.Store(true)
			<-w.wake
			continue
		}
		if c := w.call.Load(); c != seen {
			// A call not looked at yet: it is running or yielding.
			seen, idle, interrupted, stalledFor, last = c, 0, false, 0, time.Time{}
			runtime.Gosched()
			continue
		}
		runtime.Gosched()
		// A task of the call's VFS in a bounded sleep (reclaim or dirty
		// throttling, a lease break's time) wakes by itself: its timer
		// fires while this goroutine yields. Not a stall.
		if !w.active.Load() || w.call.Load() != seen || !w.nothingRunnable() || w.b.sleepsTimed() {
			idle, last = 0, time.Time{}
			continue
		}
		if idle++; idle < stallChecks {
			continue
		}
		if !interrupted {
			interrupted = true
			w.b.interruptStalled()
			continue
		}
		now := time.Now()
		if !last.IsZero() {
			stalledFor += now.Sub(last)
		}
		last = now
		if stalledFor < StallGrace {
			continue
		}
		err := w.b.abandonStalled()
		w.active.Store(false)
		w.abandoned(err)
	}
}

// spinSettle is how long nothingRunnable waits for a second running P
// to stop running before it counts it as a goroutine that runs. The
// running count is of Ps held by a thread (runtime/metrics.go,
// schedStatsAggregate), and every yield of the watchdog wakes an idle P
// to look for work (runtime.Gosched, wakep): its thread holds the P while
// it spins. That takes microseconds of its own CPU time, but on a loaded
// machine the kernel can deschedule the thread mid-spin for a time slice,
// and with two Ps the watchdog then saw two running at every check, for
// as long as the load lasted: a frozen filesystem's stall went unseen.
// A P still running after spinSettle runs a goroutine. Under GOOS=js
// (one P) the count never exceeds one and nothing waits.
const spinSettle = 20 * time.Millisecond

// nothingRunnable reports whether no goroutine but the caller can run
// now: the others all wait (on a channel, a lock or a timer). With a
// runtime that has no such counts it reports true: a stall is then
// decided by stallChecks and StallGrace alone.
func (w *Watchdog) nothingRunnable() bool {
	s := w.samples[:]
	var settle time.Time
	for {
		metrics.Read(s)
		for i := range s {
			if s[i].Value.Kind() != metrics.KindUint64 {
				return true
			}
		}
		if s[0].Value.Uint64() != 0 || s[2].Value.Uint64() != 0 {
			return false
		}
		if s[1].Value.Uint64() <= 1 {
			return true
		}
		// Another P is held: by a goroutine, or by a thread spinning
		// in search of one (see spinSettle).
		now := time.Now()
		if settle.IsZero() {
			settle = now.Add(spinSettle)
		} else if now.After(settle) {
			return false
		}
	}
}

// sleepsTimed reports whether a task of the VFS the call acts on is in
// a bounded sleep (vfs.VFS.TimedSleeps). It runs on the watchdog's
// goroutine: it reads only the scratch's atomics.
func (b *Bridge) sleepsTimed() bool {
	in := b.sc.cur.Load()
	return in != nil && in.v.TimedSleeps() > 0
}

// interruptStalled makes a signal pending on the VFS the stalled
// operation acts on. It runs on the watchdog's goroutine while the call
// sleeps holding b.mu: it reads only the scratch's atomics.
func (b *Bridge) interruptStalled() {
	sc := b.sc
	if in := sc.cur.Load(); in != nil {
		sc.intr.Store(in)
		in.v.Interrupt()
	}
}

// abandonStalled leaves the stalled call asleep: its VFS becomes
// unusable, the bridge takes new buffers, and b.mu, which the sleeping
// call holds, is released. The error names the operation. It runs on the
// watchdog's goroutine.
func (b *Bridge) abandonStalled() error {
	sc := b.sc
	sc.abandoned.Store(true)
	what := "a WASI call"
	if sc.op != nil {
		what = sc.op.name
	}
	why := what + " sleeps in a wait no signal ends (as a write to a frozen filesystem does)"
	msg := "bridge: " + why
	if in := sc.cur.Load(); in != nil {
		in.wedged = "an earlier " + why
		for id, x := range b.vfses {
			if x == in {
				msg = "bridge: VFS " + itoa(int64(id)) + ": " + why + "; the VFS is unusable now (close it)"
			}
		}
		if p := sc.intr.Load(); p != nil {
			p.v.ClearInterrupt()
		}
	}
	b.sc = new(scratch)
	b.last, b.lastID = nil, 0
	b.lastGuest, b.lastGuestID = nil, 0
	b.mu.Unlock()
	return errors.New(msg)
}
