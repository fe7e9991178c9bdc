package vfs

import "testing"

func TestDcacheHashBits(t *testing.T) {
	for _, tc := range []struct {
		budget int64
		want   int
	}{
		{0, 15},                // DefaultMemBudget, 256 MiB: 32768 buckets
		{DefaultMemBudget, 15}, //
		{1 << 30, 17},          // one bucket per 8 KiB
		{3 << 29, 17},          // rounded down to a power of two
		{MinMemBudget, 12},     // at least 4096 buckets
		{1 << 40, 20},          // at most 2^20
	} {
		if got := dcacheHashBits(tc.budget); got != tc.want {
			t.Errorf("dcacheHashBits(%d) = %d, want %d", tc.budget, got, tc.want)
		}
	}
	v := New(Options{})
	if n := v.HashBuckets(); n != 1<<15 {
		t.Errorf("default table: %d buckets, want %d", n, 1<<15)
	}
}
