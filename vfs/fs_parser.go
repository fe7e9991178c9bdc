package vfs

// ParseSize reads a byte count with an optional binary suffix, as the
// size= and nr_inodes= mount options of tmpfs and billyfs take it: like
// lib/cmdline.c:memparse(), the number is read first, in base 0
// (decimal, 0x hexadecimal, 0-prefixed octal: simple_strtoull), then one
// of k, m, g, t, p or e (either case) after it multiplies it by 2^10,
// 2^20, 2^30, 2^40, 2^50 or 2^60 (so 0x1e is 30, and 1e is 2^60).
// Unlike memparse, a value without digits ("k", which memparse reads as
// 0), trailing text, a sign, or a result above 2^62 is refused (ok
// false) rather than read as 0, ignored or wrapped (RATIONALE.md,
// "Why does a size without digits not mean 0?").
func ParseSize(s string) (n int64, ok bool) {
	v, rest, ok := parseDigits(s, 0)
	if !ok {
		return 0, false
	}
	shift := uint(0)
	if rest != "" {
		switch rest[0] {
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
		default:
			return 0, false
		}
		rest = rest[1:]
	}
	if rest != "" || v > (1<<62)>>shift {
		return 0, false
	}
	return int64(v) << shift, true
}

// ParseUint32 is kstrtouint() as the mount-option parser uses it
// (fs_param_is_u32, fsparam_uid and fsparam_gid with base 0,
// fsparam_u32oct with base 8): one leading '+', digits of the base (base
// 0: decimal, 0x or 0X hexadecimal, 0-prefixed octal, as
// _parse_integer_fixup_radix), and one trailing newline; anything else,
// no digits, or a value above 2^32-1 is refused (ok false: EINVAL).
func ParseUint32(s string, base int) (uint32, bool) {
	if len(s) > 0 && s[0] == '+' {
		s = s[1:]
	}
	v, rest, ok := parseDigits(s, base)
	if !ok || (rest != "" && rest != "\n") || v > 1<<32-1 {
		return 0, false
	}
	return uint32(v), true
}

// parseDigits is _parse_integer_fixup_radix and _parse_integer: the
// longest run of digits of base (0: chosen by the prefix; 16 also skips
// a 0x prefix) at the start of s, and what follows. ok is false when
// there is no digit or the value does not fit 64 bits.
func parseDigits(s string, base int) (v uint64, rest string, ok bool) {
	if base == 0 {
		base = 10
		if len(s) > 0 && s[0] == '0' {
			base = 8
			if len(s) > 2 && s[1]|0x20 == 'x' && digitVal(s[2]) < 16 {
				base = 16
			}
		}
	}
	if base == 16 && len(s) > 1 && s[0] == '0' && s[1]|0x20 == 'x' {
		s = s[2:]
	}
	i := 0
	for ; i < len(s); i++ {
		d := digitVal(s[i])
		if d >= uint64(base) {
			break
		}
		if v > (1<<64-1-d)/uint64(base) {
			return 0, "", false
		}
		v = v*uint64(base) + d
	}
	if i == 0 {
		return 0, "", false
	}
	return v, s[i:], true
}

// digitVal is the value of a hexadecimal digit, or 16 for anything else.
func digitVal(c byte) uint64 {
	switch {
	case '0' <= c && c <= '9':
		return uint64(c - '0')
	case 'a' <= c|0x20 && c|0x20 <= 'f':
		return uint64(c|0x20-'a') + 10
	}
	return 16
}
