package shell

import (
	"math"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// truncate's SIZE, as coreutils' truncate.c reads it: spaces, an
// optional <, >, / or % (then spaces again), and a number that may have
// a sign (a sign makes the size relative, + or -) and a suffix, which
// xstrtoimax (gnulib xstrtol.c) scales with the suffixes truncate
// accepts, "EgGkKmMPtTYZ0": K k M m G g T t P E Z Y powers of 1024, the
// same followed by B (or D) powers of 1000, by iB powers of 1024.

// sizeErr is what is wrong with a SIZE; its text is what truncate prints.
type sizeErr struct {
	text  string
	usage bool // followed by the "Try ... --help" line
}

// truncSize is a parsed SIZE: op is 0 for an absolute size, '+' for a
// relative one (n may be negative), or one of "<>/%".
type truncSize struct {
	op byte
	n  int64
}

// sizeExponent is the power each suffix letter raises its base to.
var sizeExponent = map[byte]int{
	'k': 1, 'K': 1, 'm': 2, 'M': 2, 'g': 3, 'G': 3, 't': 4, 'T': 4,
	'P': 5, 'E': 6, 'Z': 7, 'Y': 8,
}

func isCSpace(b byte) bool { return b == ' ' || b >= '\t' && b <= '\r' }

func parseTruncSize(s string) (truncSize, *sizeErr) {
	var sz truncSize
	skip := func() {
		for s != "" && isCSpace(s[0]) {
			s = s[1:]
		}
	}
	skip()
	if s != "" && strings.IndexByte("<>/%", s[0]) >= 0 {
		sz.op, s = s[0], s[1:]
	}
	skip()
	if s != "" && (s[0] == '+' || s[0] == '-') {
		if sz.op != 0 {
			return sz, &sizeErr{text: "multiple relative modifiers specified", usage: true}
		}
		sz.op = '+'
	}
	invalid := &sizeErr{text: "Invalid number: " + quote(s)}
	overflow := &sizeErr{text: "Invalid number: " + quote(s) + ": Value too large for defined data type"}
	// strtoimax: a sign, then decimal digits; out of range it gives
	// the bound and ERANGE.
	p := s
	neg := false
	if p != "" && (p[0] == '+' || p[0] == '-') {
		neg, p = p[0] == '-', p[1:]
	}
	digits := 0
	over := false
	var v int64
	for digits < len(p) && p[digits] >= '0' && p[digits] <= '9' {
		d := int64(p[digits] - '0')
		switch {
		case over:
		case !neg && v > (math.MaxInt64-d)/10:
			over, v = true, math.MaxInt64
		case neg && v < (math.MinInt64+d)/10:
			over, v = true, math.MinInt64
		case neg:
			v = v*10 - d
		default:
			v = v*10 + d
		}
		digits++
	}
	rest := p[digits:]
	if digits == 0 {
		// xstrtol: no number, but a suffix letter alone means 1 of it.
		if rest == "" || sizeExponent[rest[0]] == 0 {
			return sz, invalid
		}
		if neg || len(p) != len(s) {
			return sz, invalid // "-K": strtoimax saw a sign and no digits
		}
		v = 1
	}
	if rest != "" {
		e, ok := sizeExponent[rest[0]]
		if !ok {
			return sz, invalid
		}
		base, n := int64(1024), 1
		switch {
		case len(rest) >= 3 && rest[1] == 'i' && rest[2] == 'B':
			n = 3
		case len(rest) >= 2 && (rest[1] == 'B' || rest[1] == 'D'):
			base, n = 1000, 2
		}
		if len(rest) != n {
			return sz, invalid
		}
		for range e {
			if v > math.MaxInt64/base || v < math.MinInt64/base {
				over = true
				if v > 0 {
					v = math.MaxInt64
				} else {
					v = math.MinInt64
				}
				break
			}
			v *= base
		}
	}
	if over {
		return sz, overflow
	}
	if (sz.op == '/' || sz.op == '%') && v == 0 {
		return sz, &sizeErr{text: "division by zero"}
	}
	sz.n = v
	return sz, nil
}

// newSize is the size truncate gives a file of size cur (do_ftruncate),
// or the text of the overflow that stops it.
func (sz truncSize) newSize(cur int64, name string) (int64, string) {
	n := sz.n
	switch sz.op {
	case '<':
		n = min(cur, sz.n)
	case '>':
		n = max(cur, sz.n)
	case '/':
		n = cur - cur%sz.n
	case '%', '+':
		add := sz.n
		if sz.op == '%' {
			add = 0
			if r := cur % sz.n; r != 0 {
				add = sz.n - r
			}
		}
		if add > 0 && cur > math.MaxInt64-add {
			return 0, "overflow extending size of file " + quote(name)
		}
		n = cur + add
	}
	return max(n, 0), ""
}

// truncate is truncate(1) with -s and -c.
func cmdTruncate(c *cmd) int {
	o, files, st, ok := c.getopt("cs:", map[string]byte{"no-create": 'c', "size": 's'}, 1)
	if !ok {
		return st
	}
	var size truncSize
	if o.has('s') {
		var perr *sizeErr
		if size, perr = parseTruncSize(o.last('s')); perr != nil {
			if perr.usage {
				return c.usageError(1, "%s", perr.text)
			}
			c.errorf("%s", perr.text)
			return 1
		}
	} else {
		return c.usageError(1, "you must specify either '--size' or '--reference'")
	}
	if len(files) == 0 {
		return c.usageError(1, "missing file operand")
	}
	status := 0
	for _, f := range files {
		flags := vfs.O_WRONLY | vfs.O_NONBLOCK
		if !o.has('c') {
			flags |= vfs.O_CREAT
		}
		fd, err := c.t.Open(f, flags, 0o666)
		if err != nil {
			if o.has('c') && err == vfs.ENOENT {
				continue
			}
			c.errorf("cannot open %s for writing: %s", quote(f), errText(err))
			status = 1
			continue
		}
		n := size.n
		if size.op != 0 {
			var fst vfs.Stat
			if err := c.t.Fstat(fd, &fst); err != nil {
				c.errorf("cannot fstat %s: %s", quote(f), errText(err))
				c.t.Close(fd)
				status = 1
				continue
			}
			var text string
			if n, text = size.newSize(fst.Size, f); text != "" {
				c.errorf("%s", text)
				c.t.Close(fd)
				status = 1
				continue
			}
		}
		if err := c.t.Ftruncate(fd, max(n, 0)); err != nil {
			c.errorf("failed to truncate %s at %d bytes: %s", quote(f), n, errText(err))
			status = 1
		}
		c.t.Close(fd)
	}
	return status
}
