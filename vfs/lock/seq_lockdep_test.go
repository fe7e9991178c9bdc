package lock_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

// TestSeqReadBeginChecked: a SeqLock reader is a read acquisition for the
// validator, as Linux's read_seqbegin does a lockdep read acquire
// (seqcount_lockdep_reader_access, include/linux/seqlock.h): beginning a
// read inside the same seqlock's write side, which would spin for ever,
// is reported as recursive locking and returns at once. A reader inside
// read_seqlock_excl (which takes only the writers' spinlock, never
// making the count odd) or under another seqlock's write side is fine.
func TestSeqReadBeginChecked(t *testing.T) {
	cls := lock.NewClass("seq_read_checked", lock.KindSeqLock)
	other := lock.NewClass("seq_read_other", lock.KindSeqLock)
	for _, tc := range []struct {
		name     string
		validate bool
		hold     func(o *lock.Owner, l, m *lock.SeqLock)
		release  func(o *lock.Owner, l, m *lock.SeqLock)
		want     int // RecursiveLocking reports
	}{
		{"nothing held", true, nil, nil, 0},
		{"own write side", true,
			func(o *lock.Owner, l, m *lock.SeqLock) { l.WriteLock(o) },
			func(o *lock.Owner, l, m *lock.SeqLock) { l.WriteUnlock(o) }, 1},
		{"own read_seqlock_excl", true,
			func(o *lock.Owner, l, m *lock.SeqLock) { l.ReadLockExcl(o) },
			func(o *lock.Owner, l, m *lock.SeqLock) { l.ReadUnlockExcl(o) }, 0},
		{"another seqlock's write side", true,
			func(o *lock.Owner, l, m *lock.SeqLock) { m.WriteLock(o) },
			func(o *lock.Owner, l, m *lock.SeqLock) { m.WriteUnlock(o) }, 0},
		{"validation off, nothing held", false, nil, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v *lock.Validator
			if tc.validate {
				v = lock.NewValidator()
			}
			o := lock.NewOwner("task 4 (reader)", v)
			var l, m lock.SeqLock
			l.Init(cls)
			m.Init(other)
			if tc.hold != nil {
				tc.hold(o, &l, &m)
			}
			done := make(chan uint32, 1)
			go func() { done <- l.ReadBeginBy(o) }()
			s := <-done
			if tc.release != nil {
				tc.release(o, &l, &m)
			}
			if tc.want == 0 && l.ReadRetry(s) {
				t.Errorf("read section begun at %d must retry with no writer", s)
			}
			if v == nil {
				return
			}
			var n int
			for _, r := range v.Reports() {
				if r.Kind != lock.RecursiveLocking {
					t.Errorf("unexpected report:\n%s", r.Text)
					continue
				}
				n++
				mustContain(t, r.Text, "seq_read_checked (shared)", "seq_read_checked (exclusive)", "same lock instance")
			}
			if n != tc.want {
				t.Fatalf("%d recursive-locking reports, want %d: %v", n, tc.want, v.Reports())
			}
			if strings.Contains(v.DumpHeld(), "seq_read_checked") {
				t.Errorf("the reader stayed on the held stack:\n%s", v.DumpHeld())
			}
		})
	}
}

// TestSeqCountReadBeginChecked: a SeqCount reader that names the lock
// serialising the counter's writers (seqcount_spinlock_t's lock) is
// checked like read_seqcount_begin's lockdep read acquire: beginning a
// read while holding that lock during a write, i.e. inside one's own
// write, is reported as recursive locking and returns at once instead of
// spinning for ever; holding the lock with no write in progress is fine.
func TestSeqCountReadBeginChecked(t *testing.T) {
	cls := lock.NewClass("seqcount_writers", lock.KindSpin)
	for _, tc := range []struct {
		name  string
		hold  bool
		write bool
		want  int
	}{
		{"nothing held", false, false, 0},
		{"writers' lock held, no write", true, false, 0},
		{"inside own write", true, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := lock.NewValidator()
			o := lock.NewOwner("task 5 (reader)", v)
			var wl lock.SpinLock
			wl.Init(cls, 0)
			var s lock.SeqCount
			if tc.hold {
				wl.Lock(o)
			}
			if tc.write {
				s.BeginWrite()
			}
			done := make(chan uint32, 1)
			go func() { done <- s.BeginReadBy(o, &wl) }()
			start := <-done
			if tc.write {
				s.EndWrite()
			}
			if tc.hold {
				wl.Unlock(o)
			}
			if tc.want == 0 && s.Retry(start) {
				t.Errorf("read begun at %d must not retry", start)
			}
			if tc.write && !s.Retry(start) {
				t.Errorf("a read begun inside the write must retry")
			}
			if n := len(v.Reports()); n != tc.want {
				t.Fatalf("%d reports, want %d: %v", n, tc.want, v.Reports())
			}
			if tc.want > 0 {
				r := onlyReport(t, v, lock.RecursiveLocking)
				mustContain(t, r.Text, "seqcount_writers (shared)", "seqcount_writers (exclusive)")
			}
		})
	}
}
