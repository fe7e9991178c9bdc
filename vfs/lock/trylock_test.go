package lock_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

// TestTryLockNotRecursive: a trylock cannot wait, so it cannot deadlock.
// Linux's lockdep never sees a failed trylock (mutex_trylock and
// down_read_trylock call the lock_acquire hooks only on success,
// kernel/locking/mutex.c and rwsem.c), and for a successful one
// validate_chain skips check_deadlock (kernel/locking/lockdep.c), so
// neither is reported as recursive locking.
func TestTryLockNotRecursive(t *testing.T) {
	cS := lock.NewClass("try-spin", lock.KindSpin)
	cM := lock.NewClass("try-mutex", lock.KindMutex)
	cR := lock.NewClass("try-rwsem", lock.KindRWSem)
	// Each case makes its lock and returns how o takes it first, the
	// trylock, and the release of each.
	type ops struct {
		take, drop func(o *lock.Owner)
		try        func(o *lock.Owner) bool
		dropTry    func(o *lock.Owner)
	}
	mutex := func() *lock.Mutex { m := new(lock.Mutex); m.Init(cM, 0); return m }
	spin := func() *lock.SpinLock { s := new(lock.SpinLock); s.Init(cS, 0); return s }
	rwsem := func() *lock.RWSem { r := new(lock.RWSem); r.Init(cR, 0); return r }
	cases := []struct {
		name   string
		make   func() ops
		wantOK bool
	}{
		{"mutex held, tried", func() ops {
			m := mutex()
			return ops{m.Lock, m.Unlock, m.TryLock, m.Unlock}
		}, false},
		{"spinlock held, tried", func() ops {
			s := spin()
			return ops{s.Lock, s.Unlock, s.TryLock, s.Unlock}
		}, false},
		{"rwsem held for write, tried for write", func() ops {
			r := rwsem()
			return ops{r.Lock, r.Unlock, r.TryLock, r.Unlock}
		}, false},
		{"rwsem held for write, tried for read", func() ops {
			r := rwsem()
			return ops{r.Lock, r.Unlock, r.TryRLock, r.RUnlock}
		}, false},
		{"rwsem held for read, tried for write", func() ops {
			r := rwsem()
			return ops{r.RLock, r.RUnlock, r.TryLock, r.Unlock}
		}, false},
		// down_read_trylock succeeds here (no writer waits): taken,
		// and still not reported.
		{"rwsem held for read, tried for read", func() ops {
			r := rwsem()
			return ops{r.RLock, r.RUnlock, r.TryRLock, r.RUnlock}
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := lock.NewValidator()
			o := lock.NewOwner("task", v)
			l := c.make()
			l.take(o)
			ok := l.try(o)
			if ok != c.wantOK {
				t.Fatalf("trylock gave %v, want %v", ok, c.wantOK)
			}
			want := 1
			if ok {
				want = 2
			}
			if n := len(o.Held()); n != want {
				t.Errorf("%d locks held after the trylock, want %d", n, want)
			}
			if ok {
				l.dropTry(o)
			}
			l.drop(o)
			if rs := v.Reports(); len(rs) != 0 {
				t.Errorf("%d reports, want none:\n%v", len(rs), rs)
			}
			if n := len(o.Held()); n != 0 {
				t.Errorf("%d locks held at the end", n)
			}
		})
	}
}
