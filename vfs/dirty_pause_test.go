package vfs

import "testing"

// TestDirtyPollInterval: dirty_poll_interval() of mm/page-writeback.c,
// 1 << (ilog2(thresh - dirty) >> 1), and 1 at or over the threshold. The
// interval never passes the room left, so a writer that looks again
// after it stays under the limit.
func TestDirtyPollInterval(t *testing.T) {
	cases := []struct{ dirty, thresh, want int64 }{
		{0, 1, 1},
		{0, 3, 1},
		{0, 4, 2},
		{0, 8, 2},
		{0, 15, 2},
		{0, 16, 4},
		{100, 1124, 32},
		{0, 1 << 20, 1 << 10},
		{7, 8, 1},
		{8, 8, 1},
		{9, 8, 1},
		{0, 0, 1},
		{0, 1<<32 - 1, 1 << 15},
	}
	for _, c := range cases {
		got := dirtyPollInterval(c.dirty, c.thresh)
		if got != c.want {
			t.Errorf("dirtyPollInterval(%d, %d) = %d, want %d", c.dirty, c.thresh, got, c.want)
		}
		if room := c.thresh - c.dirty; room > 0 && got > room {
			t.Errorf("dirtyPollInterval(%d, %d) = %d, more than the room left", c.dirty, c.thresh, got)
		}
	}
}
