package procfs

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

// Classes for the format tests; their ids depend on creation order, so
// the expected addresses are computed from them.
var (
	fmtClassA = lock.NewClass("test_fmt_a", lock.KindMutex)
	fmtClassB = lock.NewClass("test_fmt_b", lock.KindRWSem)
)

func TestFormatLockdep(t *testing.T) {
	a := lock.ClassKey{Class: fmtClassA}
	b1 := lock.ClassKey{Class: fmtClassB, Subclass: 1}
	for _, tc := range []struct {
		name string
		snap lock.ProcSnapshot
		want string
	}{
		{"empty", lock.ProcSnapshot{}, "all lock classes:\n"},
		{"two classes", lock.ProcSnapshot{Classes: []lock.ProcClass{
			{Key: a, ForwardDeps: 2, BackwardDeps: 1, UsedExclusive: true, After: []lock.ClassKey{b1}},
			{Key: b1, ForwardDeps: 1, BackwardDeps: 2, UsedExclusive: true, UsedShared: true},
		}}, "all lock classes:\n" +
			keyAddr(a) + " FD:    2 BD:    1 +.+.: test_fmt_a\n" +
			" -> [" + keyAddr(b1) + "] test_fmt_b/1\n" +
			"\n" +
			keyAddr(b1) + " FD:    1 BD:    2 ++++: test_fmt_b/1\n" +
			"\n"},
		{"read only", lock.ProcSnapshot{Classes: []lock.ProcClass{
			{Key: a, ForwardDeps: 12345, BackwardDeps: 1, UsedShared: true},
		}}, "all lock classes:\n" + keyAddr(a) + " FD:12345 BD:    1 .+.+: test_fmt_a\n\n"},
	} {
		var sb strings.Builder
		formatLockdep(&sb, tc.snap)
		if sb.String() != tc.want {
			t.Errorf("%s:\n%s\nwant\n%s", tc.name, sb.String(), tc.want)
		}
	}
}

func TestKeyAddr(t *testing.T) {
	for _, tc := range []struct {
		key  lock.ClassKey
		want uint64
	}{
		{lock.ClassKey{Class: fmtClassA}, 0xffffffff83000000 + uint64(fmtClassA.ID())<<8},
		{lock.ClassKey{Class: fmtClassB, Subclass: 5}, 0xffffffff83000000 + uint64(fmtClassB.ID())<<8 + 5},
	} {
		got := keyAddr(tc.key)
		if len(got) != 16 || got != strings.ToLower(got) {
			t.Errorf("%v: %q is not 16 lower-case hex digits", tc.key, got)
		}
		if got != formatHex(tc.want) {
			t.Errorf("%v: %s, want %x", tc.key, got, tc.want)
		}
	}
}

func formatHex(x uint64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[x&15]
		x >>= 4
	}
	return string(b[:])
}

func TestFormatLockdepStats(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    lock.ProcStats
		on   bool
		want string
	}{
		{"off", lock.ProcStats{}, false, "" +
			" lock-classes:                            0\n" +
			" direct dependencies:                     0\n" +
			" indirect dependencies:                   0\n" +
			" all direct dependencies:                 0\n" +
			" max locking depth:                       0\n" +
			" max bfs queue depth:                     0\n" +
			" debug_locks:                             0\n"},
		{"on", lock.ProcStats{Classes: 41, Direct: 97, Indirect: 1234, MaxDepth: 6, MaxBFSQueue: 9, Reports: 2}, true, "" +
			" lock-classes:                           41\n" +
			" direct dependencies:                    97\n" +
			" indirect dependencies:                1234\n" +
			" all direct dependencies:                97\n" +
			" max locking depth:                       6\n" +
			" max bfs queue depth:                     9\n" +
			" debug_locks:                             1\n"},
	} {
		var sb strings.Builder
		formatLockdepStats(&sb, tc.s, tc.on)
		if sb.String() != tc.want {
			t.Errorf("%s:\n%q\nwant\n%q", tc.name, sb.String(), tc.want)
		}
	}
}
