package vfs

import "testing"

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"4096", 4096, true},
		{"0x1000", 4096, true},
		{"010", 8, true},
		{"1k", 1 << 10, true},
		{"64K", 64 << 10, true},
		{"2m", 2 << 20, true},
		{"1G", 1 << 30, true},
		{"3t", 3 << 40, true},
		{"1P", 1 << 50, true},
		{"4e", 4 << 60, true},
		{"5e", 0, false},
		{"4611686018427387904", 1 << 62, true},
		{"4611686018427387905", 0, false},
		{"", 0, false},
		{"k", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{"12x", 0, false},
		{"1.5G", 0, false},
		{"1kk", 0, false},
		{"0x", 0, false},
		{"0x-1", 0, false},
		{"08", 0, false},
		{"0b101", 0, false},
		{"1_000", 0, false},
		{"99999999999999999999", 0, false},
	} {
		got, ok := ParseSize(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
