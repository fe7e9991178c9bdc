package vfs

import "testing"

// TestReadaheadSizes: get_init_ra_size() and get_next_ra_size() for
// the default 32-page maximum (mm/readahead.c's comment: 1-2 pages →
// 16k, 3-4 → 32k, 5-8 → 64k, more → 128k).
func TestReadaheadSizes(t *testing.T) {
	for _, tc := range []struct{ req, want int64 }{
		{1, 4}, {2, 4}, {3, 8}, {4, 8}, {5, 16}, {8, 16}, {9, 32}, {32, 32}, {100, 32},
	} {
		if got := initRaSize(tc.req, raMaxPages); got != tc.want {
			t.Errorf("initRaSize(%d) = %d, want %d", tc.req, got, tc.want)
		}
	}
	for _, tc := range []struct{ cur, want int64 }{
		{1, 4}, {2, 4}, {4, 8}, {6, 12}, {8, 16}, {16, 32}, {17, 32}, {32, 32},
	} {
		if got := nextRaSize(tc.cur, raMaxPages); got != tc.want {
			t.Errorf("nextRaSize(%d) = %d, want %d", tc.cur, got, tc.want)
		}
	}
}
