package lock_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

// TestHeldOnReturnKeepsStack: after a HeldOnReturn report the lock is
// still held, so the later real unlock must balance it and release the
// lock. Linux's lockdep_sys_exit (kernel/locking/lockdep.c) only prints;
// the held-lock stack stays as it was. A second return with the same
// locks is not reported again (one bug, one report), nor is sleeping
// under a reported spinlock.
func TestHeldOnReturnKeepsStack(t *testing.T) {
	for _, tc := range []struct {
		name   string
		kind   lock.Kind
		lock   func(o *lock.Owner, l lock.Lock)
		unlock func(o *lock.Owner, l lock.Lock)
		try    func(o *lock.Owner, l lock.Lock) bool // exclusive
		untry  func(o *lock.Owner, l lock.Lock)
	}{
		{"mutex", lock.KindMutex,
			func(o *lock.Owner, l lock.Lock) { l.(*lock.Mutex).Lock(o) },
			func(o *lock.Owner, l lock.Lock) { l.(*lock.Mutex).Unlock(o) },
			func(o *lock.Owner, l lock.Lock) bool { return l.(*lock.Mutex).TryLock(o) },
			func(o *lock.Owner, l lock.Lock) { l.(*lock.Mutex).Unlock(o) }},
		{"spin", lock.KindSpin,
			func(o *lock.Owner, l lock.Lock) { l.(*lock.SpinLock).Lock(o) },
			func(o *lock.Owner, l lock.Lock) { l.(*lock.SpinLock).Unlock(o) },
			func(o *lock.Owner, l lock.Lock) bool { return l.(*lock.SpinLock).TryLock(o) },
			func(o *lock.Owner, l lock.Lock) { l.(*lock.SpinLock).Unlock(o) }},
		{"rwsem read", lock.KindRWSem,
			func(o *lock.Owner, l lock.Lock) { l.(*lock.RWSem).RLock(o) },
			func(o *lock.Owner, l lock.Lock) { l.(*lock.RWSem).RUnlock(o) },
			func(o *lock.Owner, l lock.Lock) bool { return l.(*lock.RWSem).TryLock(o) },
			func(o *lock.Owner, l lock.Lock) { l.(*lock.RWSem).Unlock(o) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := lock.NewValidator()
			c := lock.NewClass("held_return_"+tc.name, tc.kind)
			var l lock.Lock
			switch tc.kind {
			case lock.KindMutex:
				m := new(lock.Mutex)
				m.Init(c, 0)
				l = m
			case lock.KindSpin:
				s := new(lock.SpinLock)
				s.Init(c, 0)
				l = s
			case lock.KindRWSem:
				r := new(lock.RWSem)
				r.Init(c, 0)
				l = r
			}
			a := lock.NewOwner("a", v)
			b := lock.NewOwner("b", v)
			tc.lock(a, l)
			a.AssertNoneHeld("sys_foo")
			onlyReport(t, v, lock.HeldOnReturn)
			if a.Holds(l) == lock.Unheld {
				t.Fatal("the report forgot a lock that is still held")
			}
			a.AssertNoneHeld("sys_foo")
			a.MightSleep("copy_to_user")
			if len(v.Reports()) != 1 {
				t.Fatalf("one bug, %d reports: %v", len(v.Reports()), v.Reports())
			}
			tc.unlock(a, l)
			if len(v.Reports()) != 1 {
				t.Fatalf("the unlock that balances was reported: %v", v.Reports())
			}
			if len(a.Held()) != 0 || a.InAtomic() {
				t.Fatalf("after unlock: held %v, atomic %v", a.Held(), a.InAtomic())
			}
			if !tc.try(b, l) {
				t.Fatal("the lock stayed locked after its unlock")
			}
			tc.untry(b, l)
			if len(v.Reports()) != 1 {
				t.Fatalf("reports %v", v.Reports())
			}
		})
	}
}

// TestHeldAtExit: an owner that exits holding locks is reported (Linux
// do_exit -> debug_check_no_locks_held, kernel/locking/lockdep.c:
// "still has locks held!"); one that holds none is not.
func TestHeldAtExit(t *testing.T) {
	for _, tc := range []struct {
		name string
		hold bool
		want int
	}{
		{"none held", false, 0},
		{"mutex held", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := lock.NewValidator()
			var m lock.Mutex
			m.Init(lock.NewClass("held_exit", lock.KindMutex), 0)
			o := lock.NewOwner("task 9 (child)", v)
			if tc.hold {
				m.Lock(o)
			}
			o.AssertNoneHeldAtExit()
			if len(v.Reports()) != tc.want {
				t.Fatalf("reports %v, want %d", v.Reports(), tc.want)
			}
			if tc.want > 0 {
				r := onlyReport(t, v, lock.HeldAtExit)
				mustContain(t, r.Text, "WARNING: task 9 (child) still has locks held!", "held_exit (exclusive)")
			}
		})
	}
}
