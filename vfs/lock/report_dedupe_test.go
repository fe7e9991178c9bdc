package lock_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

// TestReportDedupe repeats each kind of bug at the same sites and checks
// that it is stored once, with the repeats counted on that report, and
// that the same kind at other sites or classes is a report of its own.
// RATIONALE.md ("Why does the validator keep reporting after its first
// report?"): the validator keeps going where Linux's lockdep turns itself
// off (debug_locks_off in kernel/locking/lockdep.c), and reports each
// bug once.
func TestReportDedupe(t *testing.T) {
	type locks struct {
		r    *lock.RWSem
		s    *lock.SpinLock
		m, n *lock.Mutex
	}
	cR := lock.NewClass("dedupe-rwsem", lock.KindRWSem)
	cS := lock.NewClass("dedupe-spin", lock.KindSpin)
	cM := lock.NewClass("dedupe-m", lock.KindMutex)
	cN := lock.NewClass("dedupe-n", lock.KindMutex)
	cases := []struct {
		name string
		kind lock.ReportKind
		want int // distinct reports
		bug  func(o *lock.Owner, l locks)
	}{
		{"recursive read", lock.RecursiveLocking, 1, func(o *lock.Owner, l locks) {
			l.r.RLock(o)
			l.r.RLock(o)
			l.r.RUnlock(o)
			l.r.RUnlock(o)
		}},
		{"recursive read at two sites", lock.RecursiveLocking, 2, func(o *lock.Owner, l locks) {
			l.r.RLock(o)
			l.r.RLock(o)
			l.r.RUnlock(o)
			l.r.RLock(o)
			l.r.RUnlock(o)
			l.r.RUnlock(o)
		}},
		{"sleep in atomic", lock.SleepInAtomic, 1, func(o *lock.Owner, l locks) {
			l.s.Lock(o)
			o.MightSleep("GFP_KERNEL allocation")
			l.s.Unlock(o)
		}},
		{"mutex under a spinlock", lock.SleepInAtomic, 1, func(o *lock.Owner, l locks) {
			l.s.Lock(o)
			l.m.Lock(o)
			l.m.Unlock(o)
			l.s.Unlock(o)
		}},
		{"bad unlock", lock.BadUnlock, 1, func(o *lock.Owner, l locks) {
			l.m.Unlock(o)
		}},
		{"bad unlock of two classes", lock.BadUnlock, 2, func(o *lock.Owner, l locks) {
			for _, m := range []*lock.Mutex{l.m, l.n} {
				m.Unlock(o)
			}
		}},
		{"held on return", lock.HeldOnReturn, 1, func(o *lock.Owner, l locks) {
			l.m.Lock(o)
			o.AssertNoneHeld("read(2)")
			l.m.Unlock(o)
		}},
		{"held at exit", lock.HeldAtExit, 1, func(o *lock.Owner, l locks) {
			l.m.Lock(o)
			o.AssertNoneHeldAtExit()
			l.m.Unlock(o)
		}},
	}
	const rounds = 4
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := lock.NewValidator()
			l := locks{new(lock.RWSem), new(lock.SpinLock), new(lock.Mutex), new(lock.Mutex)}
			l.r.Init(cR, 0)
			l.s.Init(cS, 0)
			l.m.Init(cM, 0)
			l.n.Init(cN, 0)
			var hooked int
			v.OnReport(func(lock.Report) { hooked++ })
			for i := range rounds {
				// A new task each round but the last: the same bug in
				// another task is the same bug.
				o := lock.NewOwner("task", v)
				if i == rounds-1 {
					o = lock.NewOwner("other task", v)
				}
				c.bug(o, l)
			}
			rs := v.Reports()
			if len(rs) != c.want || hooked != c.want {
				t.Fatalf("%d reports (%d to the hooks), want %d:\n%v", len(rs), hooked, c.want, rs)
			}
			for _, r := range rs {
				if r.Kind != c.kind {
					t.Errorf("report kind %v, want %v", r.Kind, c.kind)
				}
				if r.Repeats != rounds-1 {
					t.Errorf("report counts %d repeats, want %d:\n%s", r.Repeats, rounds-1, r)
				}
				if want := "seen 3 more times)\n"; !strings.HasSuffix(r.String(), want) {
					t.Errorf("report does not end with %q:\n%s", want, r)
				}
			}
			st := v.Stats()
			if st.Reports != c.want || st.Repeats != c.want*(rounds-1) {
				t.Errorf("Stats: %d reports, %d repeats; want %d, %d", st.Reports, st.Repeats, c.want, c.want*(rounds-1))
			}
			if ps := v.ProcSnapshot().Stats; ps.Reports != st.Reports || ps.Repeats != st.Repeats {
				t.Errorf("ProcSnapshot: %d reports, %d repeats; want %d, %d", ps.Reports, ps.Repeats, st.Reports, st.Repeats)
			}
		})
	}
}
