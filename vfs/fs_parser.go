package vfs

import "strconv"

// ParseSize reads a byte count with an optional binary suffix, as the
// size= and nr_inodes= mount options of tmpfs and billyfs take it: like
// lib/cmdline.c:memparse(), the number is decimal, 0x hexadecimal or
// 0-prefixed octal, and k, m, g, t, p or e (either case) multiply it by
// 2^10, 2^20, 2^30, 2^40, 2^50 or 2^60. Unlike memparse, trailing text, a
// sign, or a result above 2^62 is refused (ok false) rather than ignored
// or wrapped.
func ParseSize(s string) (n int64, ok bool) {
	shift := uint(0)
	if l := len(s); l > 0 {
		switch s[l-1] {
		case 'k', 'K':
			shift = 10
		case 'm', 'M':
			shift = 20
		case 'g', 'G':
			shift = 30
		case 't', 'T':
			shift = 40
		case 'p', 'P':
			shift = 50
		case 'e', 'E':
			shift = 60
		}
		if shift > 0 {
			s = s[:l-1]
		}
	}
	base := 10
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	v, err := strconv.ParseInt(s, base, 64)
	if err != nil || v > (1<<62)>>shift {
		return 0, false
	}
	return v << shift, true
}
