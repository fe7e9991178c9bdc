package vfs

import (
	"time"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// The coarse clock: Linux stamps inodes with current_time(), which reads
// the time at the last timer tick (ktime_get_coarse_real_ts64), not the
// clock hardware. vfscope does the same with a tick of 4 ms (HZ=250): a
// goroutine stores the time each tick, and timestamping costs one atomic
// load instead of a clock read, which on some machines is a system call.
// The goroutine stops after a second without readers and starts again
// at the next read, so an idle process spends nothing on it.

const (
	tickPeriod = 4 * time.Millisecond
	idleTicks  = 250
)

var coarse struct {
	ns      atomic.Int64 // the time at the last tick, in ns since the epoch
	running atomic.Bool  // the ticking goroutine runs
	read    atomic.Bool  // someone read ns since the last tick
}

// coarseNow returns the time at the last tick.
func coarseNow() int64 {
	if !coarse.running.Load() {
		startTicking()
	}
	if !coarse.read.Load() {
		coarse.read.Store(true)
	}
	return coarse.ns.Load()
}

func startTicking() {
	if !coarse.running.CompareAndSwap(false, true) {
		return
	}
	coarse.ns.Store(time.Now().UnixNano())
	go func() {
		tk := time.NewTicker(tickPeriod)
		defer tk.Stop()
		idle := 0
		for range tk.C {
			coarse.ns.Store(time.Now().UnixNano())
			if coarse.read.Swap(false) {
				idle = 0
				continue
			}
			if idle++; idle >= idleTicks {
				coarse.running.Store(false)
				return
			}
		}
	}()
}
