package shell

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// opts is the result of getopt: which options were given, with their
// arguments in order, and every option in the order given (for the
// commands where a later option overrides an earlier one).
type opts struct {
	set map[byte]bool
	val map[byte][]string
	seq []optArg
}

// optArg is one option as given: its letter and its argument ("" if it
// takes none).
type optArg struct {
	ch  byte
	val string
}

func (o opts) has(c byte) bool { return o.set[c] }

// last returns the last argument of option c ("" if absent).
func (o opts) last(c byte) string {
	v := o.val[c]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// longOpt is one entry of getopt_long's table (struct option): the
// long name (without "--"), the letter it reports and whether it takes
// an argument. A long-only option reports a letter its short spec
// does not hold.
type longOpt struct {
	name string
	ch   byte
	arg  bool
}

// getopt parses options as glibc's getopt_long does for coreutils:
// clusters ("-la"), option arguments attached or separate ("-m755",
// "-m 755"), options anywhere among the operands, "--" ending them, and
// long options mapped to a short letter ("--bind" or "--size=4"), each
// also accepted as an unambiguous prefix ("--par"). spec lists the
// short letters, each followed by ':' if it takes an argument; long
// maps a long name (without "--") to its letter, which takes an
// argument when its letter does in spec. "--help" prints the synopsis
// and is reported as ok=false with status 0.
func (c *cmd) getopt(spec string, long map[string]byte, usageStatus int) (o opts, operands []string, status int, ok bool) {
	table := make([]longOpt, 0, len(long)+1)
	for name, ch := range long {
		_, arg := specTakes(spec, ch)
		table = append(table, longOpt{name, ch, arg})
	}
	if _, found := long["help"]; !found {
		table = append(table, longOpt{name: "help"})
	}
	sort.Slice(table, func(i, j int) bool { return table[i].name < table[j].name })
	return c.getoptLong(spec, table, usageStatus)
}

// specTakes reports whether ch is an option letter of a getopt spec,
// and whether it takes an argument.
func specTakes(spec string, ch byte) (known, arg bool) {
	if ch == ':' || ch == '+' {
		return false, false
	}
	i := strings.IndexByte(spec, ch)
	if i < 0 {
		return false, false
	}
	return true, i+1 < len(spec) && spec[i+1] == ':'
}

// getoptLong is getopt_long(3) with the long options in table's order
// (the order glibc lists the candidates of an ambiguous prefix in). A
// spec starting with '+' stops at the first operand, as glibc does for
// it (util-linux's flock and other commands that run a command line);
// otherwise options may follow operands. A long option matches by its
// whole name or by a prefix naming one option (names of one letter and
// argument count as one); "--name=value" gives an argument, which an
// option without one refuses. The long name "help" prints the synopsis
// and is reported as ok=false with status 0.
func (c *cmd) getoptLong(spec string, table []longOpt, usageStatus int) (o opts, operands []string, status int, ok bool) {
	o = opts{set: map[byte]bool{}, val: map[byte][]string{}}
	permute := true
	if strings.HasPrefix(spec, "+") {
		permute, spec = false, spec[1:]
	}
	add := func(ch byte, arg bool, v string) {
		o.set[ch] = true
		if arg {
			o.val[ch] = append(o.val[ch], v)
		}
		o.seq = append(o.seq, optArg{ch, v})
	}
	args := c.args
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a[2:], "=")
			lo, msg := matchLong(table, name, a)
			if msg != "" {
				return o, nil, c.usageError(usageStatus, "%s", msg), false
			}
			if lo.name == "help" && lo.ch == 0 {
				c.printf("Usage: %s\n", builtins[c.name].usage)
				return o, nil, 0, false
			}
			if hasVal && !lo.arg {
				return o, nil, c.usageError(usageStatus, "option '--%s' doesn't allow an argument", lo.name), false
			}
			if lo.arg && !hasVal {
				if i+1 >= len(args) {
					return o, nil, c.usageError(usageStatus, "option '--%s' requires an argument", lo.name), false
				}
				i++
				val = args[i]
			}
			add(lo.ch, lo.arg, val)
			continue
		}
		if len(a) < 2 || a[0] != '-' {
			if !permute {
				operands = append(operands, args[i:]...)
				break
			}
			operands = append(operands, a)
			continue
		}
		for j := 1; j < len(a); j++ {
			ch := a[j]
			known, needArg := specTakes(spec, ch)
			if !known {
				return o, nil, c.usageError(usageStatus, "invalid option -- '%c'", ch), false
			}
			if !needArg {
				add(ch, false, "")
				continue
			}
			var v string
			if j+1 < len(a) {
				v = a[j+1:]
			} else if i+1 < len(args) {
				i++
				v = args[i]
			} else {
				return o, nil, c.usageError(usageStatus, "option requires an argument -- '%c'", ch), false
			}
			add(ch, true, v)
			break
		}
	}
	return o, operands, 0, true
}

// matchLong finds the long option name (given as arg) stands for: the
// one of that name, else the only one it is a prefix of (several of
// one letter and argument count as one). msg is glibc's complaint when
// there is none or the prefix is ambiguous.
func matchLong(table []longOpt, name, arg string) (lo longOpt, msg string) {
	var cands []longOpt
	for _, l := range table {
		if l.name == name {
			return l, ""
		}
		if strings.HasPrefix(l.name, name) {
			cands = append(cands, l)
		}
	}
	if len(cands) == 0 {
		return lo, fmt.Sprintf("unrecognized option '%s'", arg)
	}
	for _, l := range cands[1:] {
		if l.ch != cands[0].ch || l.arg != cands[0].arg || l.ch == 0 {
			var b strings.Builder
			fmt.Fprintf(&b, "option '%s' is ambiguous; possibilities:", arg)
			for _, l := range cands {
				fmt.Fprintf(&b, " '--%s'", l.name)
			}
			return lo, b.String()
		}
	}
	return cands[0], ""
}

// quote is coreutils' quoteaf (shell-escape-always quoting): 'name',
// or "name" when it holds a single quote.
func quote(s string) string {
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	if !strings.ContainsAny(s, "\"$`\\") {
		return "\"" + s + "\""
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// quotef is coreutils' quotef (shell-escape quoting): the name as is
// when the shell would read it back unchanged, else quoted.
func quotef(s string) string {
	if s == "" {
		return "''"
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
		case strings.IndexByte("%+,-./:=@_^", ch) >= 0:
		case (ch == '#' || ch == '~') && i > 0:
		case ch >= 0x80:
		default:
			return quote(s)
		}
	}
	return s
}

// joinPath joins a directory and a name as coreutils prints them.
func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	if strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + "/" + name
}

// baseName is basename(1): the last component, ignoring trailing
// slashes.
func baseName(p string) string {
	p = strings.TrimRight(p, "/")
	if p == "" {
		return "/"
	}
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// readDir returns the names in a directory, "." and ".." included,
// sorted bytewise (the C locale's collation).
func readDir(t *vfs.Task, path string) ([]vfs.Dirent, error) {
	fd, err := t.Open(path, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer t.Close(fd)
	var out []vfs.Dirent
	for {
		ents, err := t.Getdents(fd, 32768)
		if err != nil {
			return out, err
		}
		if len(ents) == 0 {
			break
		}
		out = append(out, ents...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// copyOut copies a VFS file to w. When limit > 0 and the file is a
// character device (/dev/zero never ends), it stops after limit bytes,
// with a *readLimitError if the device had more.
func copyOut(t *vfs.Task, fd int, w io.Writer, limit int64) (readErr, writeErr error) {
	buf := make([]byte, 64<<10)
	left := int64(-1) // bytes the limit leaves, -1 for none
	var st vfs.Stat
	if limit > 0 && t.Fstat(fd, &st) == nil && st.Mode&vfs.S_IFMT == vfs.S_IFCHR {
		left = limit
	}
	for {
		if t.VFS().Interrupted() {
			// ^C: as read_iter_zero (drivers/char/mem.c) stops at a
			// pending signal, and the signal then kills the reader.
			return errKilled, nil
		}
		b := buf
		if left == 0 {
			// One byte more says whether the device ends here.
			n, err := t.Read(fd, buf[:1])
			if n > 0 {
				return &readLimitError{limit}, nil
			}
			return err, nil
		}
		if left > 0 && int64(len(b)) > left {
			b = b[:left]
		}
		n, err := t.Read(fd, b)
		if left > 0 {
			left -= int64(n)
		}
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return nil, werr
			}
		}
		if err != nil {
			return err, nil
		}
		if n == 0 {
			return nil, nil
		}
	}
}

// modeString is coreutils' filemodestring: "drwxr-xr-x".
func modeString(m uint32) string {
	var b [10]byte
	switch m & vfs.S_IFMT {
	case vfs.S_IFDIR:
		b[0] = 'd'
	case vfs.S_IFLNK:
		b[0] = 'l'
	case vfs.S_IFCHR:
		b[0] = 'c'
	case vfs.S_IFBLK:
		b[0] = 'b'
	case vfs.S_IFIFO:
		b[0] = 'p'
	case vfs.S_IFSOCK:
		b[0] = 's'
	case vfs.S_IFREG:
		b[0] = '-'
	default:
		b[0] = '?'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<(8-i)) != 0 {
			b[1+i] = rwx[i]
		} else {
			b[1+i] = '-'
		}
	}
	special := func(pos int, bit uint32, lower, upper byte) {
		if m&bit != 0 {
			if b[pos] == 'x' {
				b[pos] = lower
			} else {
				b[pos] = upper
			}
		}
	}
	special(3, vfs.S_ISUID, 's', 'S')
	special(6, vfs.S_ISGID, 's', 'S')
	special(9, vfs.S_ISVTX, 't', 'T')
	return string(b[:])
}

// fileType is the %F of stat(1).
func fileType(st *vfs.Stat) string {
	switch st.Mode & vfs.S_IFMT {
	case vfs.S_IFREG:
		if st.Size == 0 {
			return "regular empty file"
		}
		return "regular file"
	case vfs.S_IFDIR:
		return "directory"
	case vfs.S_IFLNK:
		return "symbolic link"
	case vfs.S_IFCHR:
		return "character special file"
	case vfs.S_IFBLK:
		return "block special file"
	case vfs.S_IFIFO:
		return "fifo"
	case vfs.S_IFSOCK:
		return "socket"
	}
	return "weird file"
}

// userName is what coreutils prints when getpwuid answers: the VFS has
// no passwd file, so only uid 0 has a name.
func userName(id uint32) string {
	if id == 0 {
		return "root"
	}
	return "UNKNOWN"
}

// ownerName is ls -l's owner or group column: the name when there is
// one (only id 0 has one: the VFS has no passwd or group file), else
// the number, as coreutils prints an id getpwuid does not know.
func ownerName(id uint32) string {
	if id == 0 {
		return "root"
	}
	return strconv.FormatUint(uint64(id), 10)
}

func (s *Shell) loc() *time.Location {
	if s.Location != nil {
		return s.Location
	}
	return time.UTC
}

func (s *Shell) timeOf(ns int64) time.Time { return time.Unix(0, ns).In(s.loc()) }

// parseID parses a numeric user or group id.
func parseID(s string) (uint32, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + uint64(s[i]-'0')
	}
	if v >= 1<<32-1 {
		return 0, false
	}
	return uint32(v), true
}
