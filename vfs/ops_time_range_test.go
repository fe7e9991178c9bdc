package vfs_test

import (
	"math"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestTimeRange: utimensat(2) with times outside what an inode stores.
// Linux clamps a time set explicitly to the superblock's range
// (fs/attr.c notify_change -> fs/inode.c timestamp_truncate: tv_sec
// clamped to [s_time_min, s_time_max], tv_nsec 0 at either bound).
// vfscope's inodes hold int64 nanoseconds, so its range is
// [TimeMin, TimeMax] seconds (RATIONALE.md), narrower than tmpfs's
// TIME64 range; before clamping, 1<<40 seconds wrapped around.
func TestTimeRange(t *testing.T) {
	set := func(sec, nsec int64) func(e *vt.Env) error {
		return func(e *vt.Env) error {
			return e.T.Utimensat(AT_FDCWD, "/d/f", &[2]Timespec{{sec, nsec}, {sec, nsec}}, 0)
		}
	}
	want := func(ns int64) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.TB.Helper()
			if st := e.Stat("/d/f"); st.Atime != ns || st.Mtime != ns {
				e.TB.Fatalf("atime %d mtime %d, want %d", st.Atime, st.Mtime, ns)
			}
		}
	}
	const max, min = TimeMax * 1e9, TimeMin * 1e9
	vt.Run(t, []vt.Case{
		{Name: "in range", Op: set(1700000000, 5), Check: want(1700000000e9 + 5)},
		{Name: "before the epoch", Op: set(-2, 5e8), Check: want(-15e8)},
		{Name: "largest exact", Op: set(TimeMax-1, 999999999), Check: want((TimeMax-1)*1e9 + 999999999)},
		{Name: "at the upper bound nsec dropped", Op: set(TimeMax, 999999999), Check: want(max)},
		{Name: "year 36812 clamps", Op: set(1<<40, 7), Check: want(max)},
		{Name: "TIME64_MAX clamps", Op: set(math.MaxInt64, 0), Check: want(max)},
		{Name: "at the lower bound nsec dropped", Op: set(TimeMin, 1), Check: want(min)},
		{Name: "far past clamps", Op: set(-1<<40, 7), Check: want(min)},
		{Name: "TIME64_MIN clamps", Op: set(math.MinInt64, 0), Check: want(min)},
		{Name: "bad nsec still EINVAL", Op: set(1<<40, 1e9), Want: EINVAL},
	})
}
