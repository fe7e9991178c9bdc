package procfs

import (
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// Writable sysctl files (fs/proc/proc_sysctl.c and kernel/sysctl.c): a
// /proc/sys entry with a sysctl row is read and written as Linux's
// proc_dointvec_minmax and proc_doulongvec_minmax do:
//
//   - permission is sysctl_perm's test_perm: root uses the owner bits,
//     members of group 0 the group bits, others the other bits; there is
//     no override, so root cannot read a 0200 file (drop_caches); it is
//     checked at open and again, with the task's credentials of the
//     moment, at each read and write (EPERM then: proc_sys_call_handler);
//   - a read at position 0 gives the value and a newline; a read
//     further on gives 0 bytes (the handler's "*ppos && !write");
//   - a write of 0 bytes succeeds and changes nothing; a longer write
//     at position 0 parses one integer in its first PAGE_SIZE-1 bytes
//     (leading and trailing white space allowed, decimal, 0x hex or 0
//     octal as strtoul's base 0, a '-' sign only for int tables, up to
//     INT_MAX or ULONG_MAX); anything else is EINVAL, as is
//     a value the row refuses, and nothing changes then. What was left
//     unparsed of those first PAGE_SIZE-1 bytes is not counted as
//     written, so a second value in the same write is ignored; the bytes
//     past them are counted ("*lenp -= left" with left cut to the
//     window), so "6" and 4999 spaces count 5000 (a write at a later
//     position is taken whole and changes nothing: sysctl_writes_strict);
//   - O_TRUNC and other size changes are accepted and ignored, and
//     mode and ownership cannot change (proc_sys_setattr).

// sysctl is one row of a ctl_table.
type sysctl struct {
	// unsigned: proc_doulongvec_minmax (no sign accepted); otherwise
	// proc_dointvec_minmax.
	unsigned bool
	// longMax: an unsigned row whose extra2 is LONG_MAX (file-max): a
	// larger value is EINVAL rather than kept as LONG_MAX.
	longMax bool
	get     func(v *vfs.VFS) int64
	// set applies a parsed value; it returns EINVAL (or another errno)
	// for a value the row refuses, changing nothing.
	set func(t *vfs.Task, v *vfs.VFS, val int64) error
}

// sysctlInodeOps and sysctlFileOps serve every sysctl file.
var sysctlInodeOps = &vfs.InodeOperations{Permission: sysctlPermission, Setattr: sysctlSetattr}
var sysctlFileOps = &vfs.FileOperations{
	Open:     sysctlOpen,
	Read:     sysctlRead,
	ReadIter: sysctlReadIter,
	Write:    sysctlWrite,
	Llseek:   vfs.GenericFileLlseek,
	Release:  func(t *vfs.Task, in *vfs.Inode, f *vfs.File) error { f.Private = nil; return nil },
}

// sysctlPermission is proc_sys_permission()'s test_perm().
func sysctlPermission(t *vfs.Task, in *vfs.Inode, mask int) error {
	mode := in.Mode()
	c := t.Cred()
	switch {
	case c.UID == 0:
		mode >>= 6
	case inGroupRoot(c):
		mode >>= 3
	}
	op := uint32(mask) & (vfs.MAY_READ | vfs.MAY_WRITE | vfs.MAY_EXEC)
	if op&^mode&7 != 0 {
		return vfs.EACCES
	}
	return nil
}

// inGroupRoot is in_egroup_p(GLOBAL_ROOT_GID).
func inGroupRoot(c *vfs.Cred) bool {
	if c.GID == 0 {
		return true
	}
	for _, g := range c.Groups {
		if g == 0 {
			return true
		}
	}
	return false
}

// sysctlSetattr is proc_sys_setattr(): EPERM for mode and ownership;
// times are kept; a size change (O_TRUNC) is ignored.
func sysctlSetattr(t *vfs.Task, d *vfs.Dentry, a *vfs.Iattr) error {
	if a.Valid&(vfs.ATTR_MODE|vfs.ATTR_UID|vfs.ATTR_GID) != 0 {
		return vfs.EPERM
	}
	in := d.Inode()
	if a.Valid&vfs.ATTR_ATIME != 0 {
		in.SetAtime(a.Atime)
	}
	if a.Valid&vfs.ATTR_MTIME != 0 {
		in.SetMtime(a.Mtime)
	}
	if a.Valid&vfs.ATTR_CTIME != 0 {
		in.SetCtime(a.Ctime)
	}
	return nil
}

func rowOf(in *vfs.Inode) *sysctl {
	return sysctlRows[pn(in).ent.ino]
}

// sysctlOpen takes nothing: the value is read at each read.
func sysctlOpen(t *vfs.Task, in *vfs.Inode, f *vfs.File) error {
	if rowOf(in) == nil {
		return vfs.EINVAL
	}
	return nil
}

// sysctlCallPerm is proc_sys_call_handler()'s sysctl_perm(): the
// reader's or writer's credentials now, not those it opened with, so a
// descriptor opened by root and kept across a drop to another uid reads
// and writes as that uid. EPERM, before anything else, a read or write
// of 0 bytes included.
func sysctlCallPerm(t *vfs.Task, f *vfs.File, mask int) error {
	if sysctlPermission(t, f.Inode(), mask) != nil {
		return vfs.EPERM
	}
	return nil
}

// sysctlRead and sysctlReadIter are proc_sys_read() over the row's
// handler (proc_dointvec and kin): the value and a newline.
var sysctlRead, sysctlReadIter = sysctlReaders(func(t *vfs.Task, f *vfs.File) (string, error) {
	return strconv.FormatInt(rowOf(f.Inode()).get(t.VFS()), 10) + "\n", nil
})

// sysctlReaders makes the read and read_iter of a sysctl file whose text
// text makes: proc_sys_read is a read_iter, which formats once for the
// whole vector of a readv (a 1-byte buffer then a 10-byte one get "20\n"
// between them), at position 0 only: further on, the handler reads
// nothing (__do_proc_dointvec's *ppos test).
func sysctlReaders(text func(t *vfs.Task, f *vfs.File) (string, error)) (
	read func(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error),
	readIter func(t *vfs.Task, f *vfs.File, iov [][]byte, count int, pos *int64) (int, error),
) {
	readIter = func(t *vfs.Task, f *vfs.File, iov [][]byte, count int, pos *int64) (int, error) {
		if err := sysctlCallPerm(t, f, vfs.MAY_READ); err != nil {
			return 0, err
		}
		if *pos != 0 || count == 0 {
			return 0, nil
		}
		s, err := text(t, f)
		if err != nil {
			return 0, err
		}
		s = s[:min(len(s), count)]
		n := 0
		for _, b := range iov {
			n += copy(b, s[n:])
		}
		*pos += int64(n)
		return n, nil
	}
	read = func(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) {
		return readIter(t, f, [][]byte{p}, len(p), pos)
	}
	return read, readIter
}

// sysctlVecFileOps serve the read-only sysctl files of several values,
// proc_doulongvec_minmax over an array (dentry-state, inode-nr,
// inode-state): read as sysctlRead reads, the values made by the
// entry's show. Nobody opens them for writing (sysctlPermission).
var sysctlVecFileOps = &vfs.FileOperations{
	Read:     sysctlVecRead,
	ReadIter: sysctlVecReadIter,
	Llseek:   vfs.GenericFileLlseek, // default_llseek: SEEK_END too
}

// sysctlVecRead and sysctlVecReadIter are proc_sys_read() over
// proc_doulongvec_minmax: the tab-separated values and a newline.
var sysctlVecRead, sysctlVecReadIter = sysctlReaders(func(t *vfs.Task, f *vfs.File) (string, error) {
	var b strings.Builder
	if err := pn(f.Inode()).ent.show(t, &b); err != nil {
		return "", err
	}
	return b.String(), nil
})

// sysctlWrite is proc_sys_write() over the row's handler.
func sysctlWrite(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) {
	if err := sysctlCallPerm(t, f, vfs.MAY_WRITE); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		// __do_proc_dointvec() and __do_proc_doulongvec_minmax(): a
		// write of nothing (!*lenp) succeeds and changes nothing.
		return 0, nil
	}
	if *pos != 0 {
		// sysctl_writes_strict: ignored, but taken whole (the handler's
		// "goto out" adds all of *lenp to *ppos), so that a writer
		// finishing a short write, as echo does after "1 " of "1 2",
		// succeeds.
		*pos += int64(len(p))
		return len(p), nil
	}
	row := rowOf(f.Inode())
	val, used, err := parseSysctlInt(p, row.unsigned, row.longMax)
	if err != nil {
		return 0, err
	}
	if err := row.set(t, t.VFS(), val); err != nil {
		return 0, err
	}
	// The handler's "*lenp -= left": left is what remains of the
	// window it parsed, so the bytes past the window count as written.
	n := len(p) - (min(len(p), sysctlWriteMax) - used)
	*pos += int64(n)
	return n, nil
}

// isSysctlSpace is proc_skip_spaces()'s isspace: the kernel's _ctype
// counts Latin-1's no-break space (0xA0) as space too.
func isSysctlSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == 0xA0
}

// sysctlWriteMax is how much of a write the handlers look at
// (__do_proc_dointvec, __do_proc_doulongvec_minmax: left is cut to
// PAGE_SIZE - 1): the rest is not parsed, but counted as written.
const sysctlWriteMax = vfs.PAGE_SIZE - 1

// isSysctlSep is proc_wspace_sep: what may follow a number.
func isSysctlSep(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// sysctlNumMax is TMPBUFLEN - 2: proc_get_long reads at most 21
// characters of a number and refuses one that fills them, since it
// cannot see what follows.
const sysctlNumMax = 20

// parseSysctlInt is proc_get_long() for the first value of a write,
// within its first sysctlWriteMax bytes: it returns the value and how
// many bytes it and the white space around it took. Errors: EINVAL for
// no number, a sign where none is allowed, a number of more than 20
// characters (sign included), a character after it other than space,
// tab or newline (proc_wspace_sep), or a value out of range: outside
// int for an int row, above ULONG_MAX for an unsigned one, above
// LONG_MAX for one whose maximum that is (longMax).
//
// An unsigned row without longMax takes any unsigned long here, as
// Linux's does; a value above the int64 a row holds comes back as the
// largest int64, which the rows there are, dirty_bytes and
// dirty_background_bytes, then refuse with ERANGE as they refuse every
// value of more than UINT_MAX pages (vfs.DirtyTunables): a write of
// 2^63 or more fails and leaves the value as it was.
func parseSysctlInt(p []byte, unsigned, longMax bool) (int64, int, error) {
	if len(p) > sysctlWriteMax {
		p = p[:sysctlWriteMax]
	}
	i := 0
	for i < len(p) && isSysctlSpace(p[i]) {
		i++
	}
	if i == len(p) {
		return 0, 0, vfs.EINVAL
	}
	neg := false
	if p[i] == '-' {
		if unsigned {
			return 0, 0, vfs.EINVAL
		}
		neg = true
		i++
	}
	start := i
	for i < len(p) && isAlnum(p[i]) {
		i++
	}
	digits := string(p[start:i])
	if digits == "" || len(digits)+int(boolInt(neg)) > sysctlNumMax {
		return 0, 0, vfs.EINVAL
	}
	if i < len(p) && !isSysctlSep(p[i]) {
		return 0, 0, vfs.EINVAL
	}
	u, ok := parseCUint(digits)
	if !ok {
		return 0, 0, vfs.EINVAL
	}
	if !unsigned && u > 1<<31-1+boolInt(neg) || longMax && u > 1<<63-1 {
		return 0, 0, vfs.EINVAL
	}
	val := int64(min(u, 1<<63-1))
	if neg {
		val = -val
	}
	for i < len(p) && isSysctlSpace(p[i]) {
		i++
	}
	return val, i, nil
}

// parseCUint is what proc_get_long's strtoul_lenient(base 0) takes as a
// whole number: "0x" and a hex digit start a hex number, another leading
// "0" an octal one, anything else is decimal (_parse_integer_fixup_radix);
// every byte of s must be a digit of that base, since the caller has
// already cut s at a separator. Go's base 0 would also take "0b", "0o" and
// "_", which Linux refuses. ok is false for those and for an overflow.
func parseCUint(s string) (uint64, bool) {
	base := 10
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isHexDigit(s[2]):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base = 8
	}
	var u uint64
	for i := 0; i < len(s); i++ {
		d := hexValue(s[i])
		if d >= base {
			return 0, false
		}
		if u > (1<<64-1-uint64(d))/uint64(base) {
			return 0, false
		}
		u = u*uint64(base) + uint64(d)
	}
	return u, len(s) > 0
}

func isHexDigit(c byte) bool { return hexValue(c) < 16 }

// hexValue is c's value as a digit, or 99.
func hexValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return 99
}

// isAlnum reports whether c can be part of a number strtoul reads (a
// digit, or a letter of a hex number or its 0x).
func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func boolInt(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
