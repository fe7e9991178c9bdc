package lock_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/trace"
)

var (
	ordA    = lock.NewClass("order_a", lock.KindMutex)
	ordB    = lock.NewClass("order_b", lock.KindMutex)
	ordSpin = lock.NewClass("order_spin", lock.KindSpin)
	ordMtx  = lock.NewClass("order_mutex", lock.KindMutex)
)

// TestReportFollowsRequest: a validator report about an acquisition
// comes after that acquisition's lock.request event and before its
// lock.acquire, as on Linux, where lock_acquire() (kernel/locking/
// lockdep.c) calls trace_lock_acquire() before __lock_acquire(), whose
// validate_chain() -> check_prevs_add() -> check_noncircular() prints
// the circular dependency (print_circular_bug), and whose
// check_wait_context()/might_sleep paths report a sleep while atomic.
func TestReportFollowsRequest(t *testing.T) {
	cases := []struct {
		name string
		run  func(o1, o2 *lock.Owner)
		// The events of the last acquisition (from its request on).
		want []string
	}{
		{"ab-ba", func(o1, o2 *lock.Owner) {
			var a, b lock.Mutex
			a.Init(ordA, 0)
			b.Init(ordB, 0)
			a.Lock(o1)
			b.Lock(o1)
			b.Unlock(o1)
			a.Unlock(o1)
			b.Lock(o2)
			a.Lock(o2) // closes the cycle: reported inside this attempt
			a.Unlock(o2)
			b.Unlock(o2)
		}, []string{
			"lock.request order_b exclusive", "lock.acquire order_b exclusive",
			"lock.request order_a exclusive", "report", "lock.acquire order_a exclusive",
			"lock.release order_a exclusive", "lock.release order_b exclusive",
		}},
		{"mutex while atomic", func(_, o2 *lock.Owner) {
			var s lock.SpinLock
			var m lock.Mutex
			s.Init(ordSpin, 0)
			m.Init(ordMtx, 0)
			s.Lock(o2)
			m.Lock(o2) // a sleeping lock under a spinlock: reported inside this attempt
			m.Unlock(o2)
			s.Unlock(o2)
		}, []string{
			"lock.request order_spin exclusive", "lock.acquire order_spin exclusive",
			"lock.request order_mutex exclusive", "report", "lock.acquire order_mutex exclusive",
			"lock.release order_mutex exclusive", "lock.release order_spin exclusive",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := lock.NewValidator()
			bus := trace.NewBus()
			// As the VFS forwards reports (vfs/trace_emit.go traceReports).
			v.OnReport(func(lock.Report) { bus.Emit(&trace.Event{Kind: trace.Report}) })
			o1 := lock.NewOwner("task 1 (one)", v)
			o2 := lock.NewOwner("task 2 (two)", v)
			o1.SetTrace(bus, 1)
			o2.SetTrace(bus, 2)
			l := bus.Subscribe(256)
			defer l.Close()
			o1.SetTracing(true)
			o2.SetTracing(true)
			c.run(o1, o2)
			var got []string
			for _, e := range readEvents(l) {
				if e.Task != 2 && e.Kind != trace.Report {
					continue
				}
				if e.Kind == trace.Report {
					got = append(got, "report")
					continue
				}
				got = append(got, line(e))
			}
			if len(v.Reports()) != 1 {
				t.Fatalf("%d reports, want 1: %v", len(v.Reports()), v.Reports())
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("events:\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
			}
		})
	}
}
