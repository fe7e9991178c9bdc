package vfs_test

import (
	"fmt"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
)

// linuxRatioThresh is domain_dirty_limits' threshold for a ratio: the
// percentage made per-PAGE_SIZE first, (ratio * PAGE_SIZE) / 100, then
// that share of the dirtyable pages, each step truncated.
func linuxRatioThresh(ratio, avail int64) int64 {
	return ratio * PAGE_SIZE / 100 * avail / PAGE_SIZE
}

// TestDirtyRatioThresholds: thresholds from dirty_ratio and
// dirty_background_ratio are computed as domain_dirty_limits does, in
// 1/PAGE_SIZE units, so 20% of 1000 pages is 199 and 10% is 99 (not 200
// and 100). The budget rows make the dirtyable memory large enough that
// the two ways of rounding differ by pages, not by chance.
func TestDirtyRatioThresholds(t *testing.T) {
	// The arithmetic itself, on the review's numbers.
	for _, c := range []struct{ ratio, avail, want int64 }{
		{20, 1000, 199},
		{10, 1000, 99},
		{1, 100, 0},
		{100, 1000, 1000},
		{0, 1000, 0},
		{50, 1 << 20, 1 << 19},
	} {
		if got := linuxRatioThresh(c.ratio, c.avail); got != c.want {
			t.Fatalf("linuxRatioThresh(%d, %d) = %d, want %d", c.ratio, c.avail, got, c.want)
		}
	}
	cases := []struct {
		budget         int64 // MemBudget
		ratio, bgRatio int64
	}{
		{256 << 20, 20, 10},
		{256 << 20, 1, 1},
		{256 << 20, 33, 7},
		{256 << 20, 100, 99},
		{512 << 20, 20, 10},
		{1 << 30, 3, 2},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%dMiB %d%% %d%%", c.budget>>20, c.ratio, c.bgRatio), func(t *testing.T) {
			e := newRCEnv(t, c.budget)
			v := e.V
			d := v.DirtyTunables()
			d.Ratio, d.Bytes = c.ratio, 0
			d.BackgroundRatio, d.BackgroundBytes = c.bgRatio, 0
			e.Must(v.SetDirtyTunables(d))
			st := v.MemStat()
			_, high := v.Watermarks()
			free := max(c.budget-v.MemUsed(), 0) / PAGE_SIZE
			free -= min(free, high/PAGE_SIZE)
			avail := free + st.FilePages - st.Shmem + 1
			want := DirtyThresholds{Dirty: linuxRatioThresh(c.ratio, avail), Background: linuxRatioThresh(c.bgRatio, avail)}
			if want.Background >= want.Dirty {
				want.Background = want.Dirty / 2
			}
			if got := v.DirtyLimits(); got != want {
				t.Errorf("DirtyLimits() = %+v, want %+v (dirtyable %d pages)", got, want, avail)
			}
		})
	}
}
