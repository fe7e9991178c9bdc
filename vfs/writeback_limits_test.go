package vfs_test

import (
	"math"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestDirtyLimitsLargeBytes: dirty_bytes and dirty_background_bytes are
// turned into pages rounding up (domain_dirty_limits' DIV_ROUND_UP), in
// Linux's unsigned long, which does not wrap for values near 1<<63: the
// limit is huge, never negative (a negative one would throttle every
// writer at once). A background limit not below the dirty one is halved.
func TestDirtyLimitsLargeBytes(t *testing.T) {
	cases := []struct {
		name           string
		bytes, bgBytes int64
		want           DirtyThresholds
	}{
		{"exact pages", 2 * PAGE_SIZE, PAGE_SIZE, DirtyThresholds{Background: 1, Dirty: 2}},
		{"rounded up", 2*PAGE_SIZE + 1, 1, DirtyThresholds{Background: 1, Dirty: 3}},
		{"max bytes", math.MaxInt64, PAGE_SIZE, DirtyThresholds{Background: 1, Dirty: math.MaxInt64/PAGE_SIZE + 1}},
		{"within a page of max", math.MaxInt64 - PAGE_SIZE + 2, PAGE_SIZE, DirtyThresholds{Background: 1, Dirty: math.MaxInt64/PAGE_SIZE + 1}},
		{"max background bytes", 4 * PAGE_SIZE, math.MaxInt64, DirtyThresholds{Background: 2, Dirty: 4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := vt.New(t).V
			d := DefaultDirtyTunables
			d.Bytes, d.Ratio = c.bytes, 0
			d.BackgroundBytes, d.BackgroundRatio = c.bgBytes, 0
			if err := v.SetDirtyTunables(d); err != nil {
				t.Fatal(err)
			}
			if got := v.DirtyLimits(); got != c.want {
				t.Errorf("DirtyLimits() = %+v, want %+v", got, c.want)
			}
		})
	}
}
