package vfs

import "github.com/vfscope/vfscope/vfs/internal/atomic"

// Interrupts: the one signal vfscope models. It has no processes to
// deliver signals to, but a front end that runs a call on behalf of a
// user can end it the way a ^C (SIGINT to the foreground job) would:
// Interrupt makes a signal pending for every task of the VFS, so each
// interruptible wait (wait_event_interruptible: a flock(2) or F_SETLKW
// waiting for a conflicting lock, an open waiting for a lease break)
// returns EINTR at once, and ClearInterrupt delivers it: later waits
// sleep again. Uninterruptible waits (sb_start_write on a frozen
// filesystem, i_rwsem) are not affected, as in Linux.
type interruptState struct {
	// pending is signal_pending() for every task of the VFS.
	pending atomic.Bool
	// wake is closed by Interrupt, so that a task already asleep wakes;
	// a fresh channel replaces it at each Interrupt (Swap hands each
	// channel to exactly one closer, so no lock is needed).
	wake atomic.Pointer[chan struct{}]
}

// Interrupt makes a signal pending for every task of v: interruptible
// waits, present and future, end with EINTR until ClearInterrupt.
func (v *VFS) Interrupt() {
	v.intr.pending.Store(true)
	ch := make(chan struct{})
	if old := v.intr.wake.Swap(&ch); old != nil {
		close(*old)
	}
}

// ClearInterrupt ends the pending signal (it was delivered): later
// interruptible waits sleep again.
func (v *VFS) ClearInterrupt() { v.intr.pending.Store(false) }

// Interrupted reports whether a signal is pending (Interrupt was called
// and ClearInterrupt not since).
func (v *VFS) Interrupted() bool { return v.intr.pending.Load() }

// signalWait returns the channel an interruptible wait selects on beside
// its own wake-up, and whether a signal is already pending (the wait
// must then not sleep: -ERESTARTSYS). The channel is read before the
// flag, so an Interrupt between the two is seen by one or the other.
func (t *Task) signalWait() (<-chan struct{}, bool) {
	p := t.vfs.intr.wake.Load()
	if p == nil {
		ch := make(chan struct{})
		if !t.vfs.intr.wake.CompareAndSwap(nil, &ch) {
			p = t.vfs.intr.wake.Load()
		} else {
			p = &ch
		}
	}
	return *p, t.vfs.intr.pending.Load()
}

// Bounded sleeps. A task that sleeps with a timeout (schedule_timeout:
// reclaim and dirty-page throttling, a lease break waiting out its break
// time) will run again without anyone waking it; a front end watching
// for calls that can never finish (wasm/bridge's watchdog) must let the
// time pass rather than take the sleep for a stall. timedSleeps counts
// the VFS's tasks in such a sleep.

// timedSleepBegin and timedSleepEnd bracket a bounded sleep of a task of v.
func (v *VFS) timedSleepBegin() { v.timedSleeps.Add(1) }
func (v *VFS) timedSleepEnd()   { v.timedSleeps.Add(-1) }

// TimedSleeps returns how many of v's tasks sleep with a timeout now:
// each will wake by itself.
func (v *VFS) TimedSleeps() int32 { return v.timedSleeps.Load() }
