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
