package lock_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

// TestSeqReaderWriterCycle: a SeqLock reader waits for the count to turn
// even, so a reader holding X against a writer that takes X inside its
// write section is a deadlock, which Linux reports through the seqcount's
// lockdep map (seqcount_lockdep_reader_access: X -> seqcount; the writer's
// seqcount -> X closes the cycle). read_seqlock_excl takes only the
// writers' spinlock and never makes the count odd: a reader does not wait
// for it, so taking X under it closes no cycle with the reader.
func TestSeqReaderWriterCycle(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reader func(o *lock.Owner, x *lock.SpinLock, s *lock.SeqLock)
		writer func(o *lock.Owner, x *lock.SpinLock, s *lock.SeqLock)
		want   int // CircularDependency reports
	}{
		{"reader under X, writer takes X", func(o *lock.Owner, x *lock.SpinLock, s *lock.SeqLock) {
			x.Lock(o)
			s.ReadRetry(s.ReadBeginBy(o))
			x.Unlock(o)
		}, func(o *lock.Owner, x *lock.SpinLock, s *lock.SeqLock) {
			s.WriteLock(o)
			x.Lock(o)
			x.Unlock(o)
			s.WriteUnlock(o)
		}, 1},
		{"reader under X, read_seqlock_excl takes X", func(o *lock.Owner, x *lock.SpinLock, s *lock.SeqLock) {
			x.Lock(o)
			s.ReadRetry(s.ReadBeginBy(o))
			x.Unlock(o)
		}, func(o *lock.Owner, x *lock.SpinLock, s *lock.SeqLock) {
			s.ReadLockExcl(o)
			x.Lock(o)
			x.Unlock(o)
			s.ReadUnlockExcl(o)
		}, 0},
		{"reader under nothing, writer takes X", func(o *lock.Owner, x *lock.SpinLock, s *lock.SeqLock) {
			s.ReadRetry(s.ReadBeginBy(o))
		}, func(o *lock.Owner, x *lock.SpinLock, s *lock.SeqLock) {
			s.WriteLock(o)
			x.Lock(o)
			x.Unlock(o)
			s.WriteUnlock(o)
		}, 0},
		{"reader under X, writer under X", func(o *lock.Owner, x *lock.SpinLock, s *lock.SeqLock) {
			x.Lock(o)
			s.ReadRetry(s.ReadBeginBy(o))
			x.Unlock(o)
		}, func(o *lock.Owner, x *lock.SpinLock, s *lock.SeqLock) {
			x.Lock(o)
			s.WriteLock(o)
			s.WriteUnlock(o)
			x.Unlock(o)
		}, 0},
		{"reader in read_seqlock_excl, writer takes X", func(o *lock.Owner, x *lock.SpinLock, s *lock.SeqLock) {
			s.ReadLockExcl(o)
			s.ReadRetry(s.ReadBeginBy(o))
			s.ReadUnlockExcl(o)
		}, func(o *lock.Owner, x *lock.SpinLock, s *lock.SeqLock) {
			s.WriteLock(o)
			x.Lock(o)
			x.Unlock(o)
			s.WriteUnlock(o)
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := lock.NewValidator()
			x := new(lock.SpinLock)
			x.Init(lock.NewClass("seqcyc_X", lock.KindSpin), 0)
			s := new(lock.SeqLock)
			s.Init(lock.NewClass("seqcyc_S", lock.KindSeqLock))
			tc.reader(lock.NewOwner("task 1 (reader)", v), x, s)
			tc.writer(lock.NewOwner("task 2 (writer)", v), x, s)
			n := 0
			for _, r := range v.Reports() {
				if r.Kind != lock.CircularDependency {
					t.Errorf("unexpected report:\n%s", r.Text)
					continue
				}
				n++
				mustContain(t, r.Text, "seqcyc_S.seqcount", "seqcyc_X")
			}
			if n != tc.want {
				t.Errorf("%d circular-dependency reports, want %d: %v", n, tc.want, v.Reports())
			}
		})
	}
}

// TestCycleThroughReportedEdge: the dependency that closed a reported
// cycle stays in the graph, as in Linux, so that another cycle through it
// is reported too, and the same cycle is not reported twice.
func TestCycleThroughReportedEdge(t *testing.T) {
	type dep struct{ from, to int }
	for _, tc := range []struct {
		name string
		deps []dep // each taken by its own task: from, then to
		want int
	}{
		{"A-B, B-A", []dep{{0, 1}, {1, 0}}, 1},
		{"A-B, B-A, B-A again", []dep{{0, 1}, {1, 0}, {1, 0}}, 1},
		{"A-B, B-A, A-C, C-B", []dep{{0, 1}, {1, 0}, {0, 2}, {2, 1}}, 2},
		{"A-B, B-A, A-C, C-A", []dep{{0, 1}, {1, 0}, {0, 2}, {2, 0}}, 2},
		{"A-B, B-C, C-A, A-C", []dep{{0, 1}, {1, 2}, {2, 0}, {0, 2}}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := lock.NewValidator()
			ms := mutexes(3, "cyc_reported_")
			for i, d := range tc.deps {
				o := lock.NewOwner("task "+string(rune('1'+i)), v)
				ms[d.from].Lock(o)
				ms[d.to].Lock(o)
				ms[d.to].Unlock(o)
				ms[d.from].Unlock(o)
			}
			n := 0
			for _, r := range v.Reports() {
				if r.Kind == lock.CircularDependency {
					n++
				}
			}
			if n != tc.want || len(v.Reports()) != n {
				t.Errorf("%d circular-dependency reports, want %d: %v", n, tc.want, v.Reports())
			}
		})
	}
}

// TestInitHeldLock: re-initialising a lock that is held is a bug
// (Linux's debug_check_no_locks_freed: "BUG: held lock freed!"): Init
// panics, with validation on or off. Once released, Init is fine.
func TestInitHeldLock(t *testing.T) {
	spin := lock.NewClass("init_held_spin", lock.KindSpin)
	mutex := lock.NewClass("init_held_mutex", lock.KindMutex)
	rw := lock.NewClass("init_held_rwsem", lock.KindRWSem)
	seq := lock.NewClass("init_held_seq", lock.KindSeqLock)
	for _, validate := range []bool{false, true} {
		for _, tc := range []struct {
			name string
			// hold takes the lock and returns Init and the release.
			hold func(o *lock.Owner) (init, release func())
		}{
			{"spinlock", func(o *lock.Owner) (func(), func()) {
				l := new(lock.SpinLock)
				l.Init(spin, 0)
				l.Lock(o)
				return func() { l.Init(spin, 0) }, func() { l.Unlock(o) }
			}},
			{"mutex", func(o *lock.Owner) (func(), func()) {
				l := new(lock.Mutex)
				l.Init(mutex, 0)
				l.Lock(o)
				return func() { l.Init(mutex, 0) }, func() { l.Unlock(o) }
			}},
			{"rwsem write", func(o *lock.Owner) (func(), func()) {
				l := new(lock.RWSem)
				l.Init(rw, 0)
				l.Lock(o)
				return func() { l.Init(rw, 0) }, func() { l.Unlock(o) }
			}},
			{"rwsem read", func(o *lock.Owner) (func(), func()) {
				l := new(lock.RWSem)
				l.Init(rw, 0)
				l.RLock(o)
				return func() { l.Init(rw, 0) }, func() { l.RUnlock(o) }
			}},
			{"seqlock write", func(o *lock.Owner) (func(), func()) {
				l := new(lock.SeqLock)
				l.Init(seq)
				l.WriteLock(o)
				return func() { l.Init(seq) }, func() { l.WriteUnlock(o) }
			}},
			{"seqlock read_seqlock_excl", func(o *lock.Owner) (func(), func()) {
				l := new(lock.SeqLock)
				l.Init(seq)
				l.ReadLockExcl(o)
				return func() { l.Init(seq) }, func() { l.ReadUnlockExcl(o) }
			}},
		} {
			var v *lock.Validator
			if validate {
				v = lock.NewValidator()
			}
			o := lock.NewOwner("task 1 (init)", v)
			init, release := tc.hold(o)
			if msg := initPanic(init); !strings.Contains(msg, "Init of a held lock") {
				t.Errorf("%s (validate %v): Init of the held lock: panic %q, want one naming a held lock", tc.name, validate, msg)
			}
			release()
			if msg := initPanic(init); msg != "" {
				t.Errorf("%s (validate %v): Init after release panics: %s", tc.name, validate, msg)
			}
			if v != nil && len(v.Reports()) != 0 {
				t.Errorf("%s: unexpected reports %v", tc.name, v.Reports())
			}
		}
	}
}

// initPanic runs init and returns the message of its panic, "" if none.
func initPanic(init func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				msg = e.Error()
			} else {
				msg = "non-error panic"
			}
		}
	}()
	init()
	return ""
}

// TestExitInNoBlock: a task exiting inside a no-block section is
// reported, as Linux's do_exit reports a task that "exited with
// preempt_count", and the section is closed.
func TestExitInNoBlock(t *testing.T) {
	for _, tc := range []struct {
		name    string
		enter   func(o *lock.Owner)
		want    int
		mention []string
	}{
		{"nothing", func(o *lock.Owner) {}, 0, nil},
		{"no-block section", func(o *lock.Owner) { o.BeginNoBlock("dentry_operations.d_delete") }, 1,
			[]string{"exited with preempt_count 1", "still in no-block section: dentry_operations.d_delete"}},
		{"closed section", func(o *lock.Owner) { o.BeginNoBlock("x"); o.EndNoBlock() }, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := lock.NewValidator()
			o := lock.NewOwner("task 1 (exit)", v)
			tc.enter(o)
			o.AssertNoneHeldAtExit()
			o.AssertNoneHeldAtExit()
			rs := v.Reports()
			if len(rs) != tc.want {
				t.Fatalf("%d reports, want %d: %v", len(rs), tc.want, rs)
			}
			for _, r := range rs {
				if r.Kind != lock.HeldAtExit || r.Repeats != 0 {
					t.Errorf("report %v (repeats %d), want one HeldAtExit", r.Kind, r.Repeats)
				}
				mustContain(t, r.Text, tc.mention...)
			}
			if o.InAtomic() {
				t.Errorf("the section stayed open after the exit report")
			}
		})
	}
}
