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
		// memparse reads the digits first, the suffix after: a hex
		// e is a digit (lib/cmdline.c).
		{"0x1e", 30, true},
		{"0x1E", 30, true},
		{"0x1g", 1 << 30, true},
		{"0xe", 14, true},
		{"1E", 1 << 60, true},
		{"09", 0, false},
		{"5\n", 0, false},
	} {
		got, ok := ParseSize(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// TestParseUint32: kstrtouint() (lib/kstrtox.c) as fs_param_is_u32
// calls it, base 0 for uid= and gid=, base 8 for mode=.
func TestParseUint32(t *testing.T) {
	for _, c := range []struct {
		in   string
		base int
		want uint32
		ok   bool
	}{
		{"0", 0, 0, true},
		{"010", 0, 8, true},
		{"0x10", 0, 16, true},
		{"0X1f", 0, 31, true},
		{"+5", 0, 5, true},
		{"5\n", 0, 5, true},
		{"4294967295", 0, 1<<32 - 1, true},
		{"4294967296", 0, 0, false},
		{"", 0, 0, false},
		{"+", 0, 0, false},
		{"++5", 0, 0, false},
		{"-1", 0, 0, false},
		{"0x", 0, 0, false},
		{"0xg", 0, 0, false},
		{"08", 0, 0, false},
		{"0o10", 0, 0, false},
		{"1_0", 0, 0, false},
		{" 5", 0, 0, false},
		{"5 ", 0, 0, false},
		{"5\n\n", 0, 0, false},
		{"777", 8, 0o777, true},
		{"0777", 8, 0o777, true},
		{"+777\n", 8, 0o777, true},
		{"37777777777", 8, 1<<32 - 1, true},
		{"40000000000", 8, 0, false},
		{"8", 8, 0, false},
		{"0x1ff", 8, 0, false},
		{"ff", 16, 255, true},
		{"0xff", 16, 255, true},
	} {
		got, ok := ParseUint32(c.in, c.base)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseUint32(%q, %d) = %d, %v; want %d, %v", c.in, c.base, got, ok, c.want, c.ok)
		}
	}
}
