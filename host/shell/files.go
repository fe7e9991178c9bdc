package shell

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// cat is cat(1): files, or standard input for "-" and for no operand.
func cmdCat(c *cmd) int {
	_, files, st, ok := c.getopt("u", nil, 1)
	if !ok {
		return st
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	status := 0
	readStdin := false
	for _, f := range files {
		fd, own := -1, false
		if f == "-" {
			readStdin = true
			r, isFD := c.stdin.(*fdReader)
			if !isFD {
				if _, err := io.Copy(c.stdout, c.stdin); err != nil {
					if tw, isW := c.stdout.(*trackWriter); isW && tw.err != nil {
						return 1 // reported by the shell as a write error
					}
					c.errorf("-: %s", errText(err))
					status = 1
				}
				continue
			}
			fd = r.fd // "< FILE": a device there is limited as an operand is
		} else {
			var err error
			if fd, err = c.t.Open(f, vfs.O_RDONLY, 0); err != nil {
				c.errorf("%s: %s", quotef(f), errText(err))
				status = 1
				continue
			}
			own = true
		}
		rerr, werr := error(nil), error(nil)
		if c.sameAsOutput(fd) {
			rerr = errInputIsOutput
		} else {
			rerr, werr = copyOut(c.t, fd, c.stdout, c.sh.readLimit())
		}
		if own {
			c.t.Close(fd)
		}
		if werr != nil {
			return 1
		}
		if rerr == errKilled {
			return 1 // the shell reports the line's 130
		}
		if text, isLimit := limitText(rerr); isLimit {
			fmt.Fprintf(unlimited(c.stderr), "%s: %s: %s\n", c.name, quotef(f), text)
			status = 1
		} else if rerr == errInputIsOutput {
			c.errorf("%s: input file is output file", quotef(f))
			status = 1
		} else if rerr != nil {
			c.errorf("%s: %s", quotef(f), errText(rerr))
			status = 1
		}
	}
	if readStdin && c.stdin == io.Reader(closedFile{}) {
		// cat closes the standard input it read, and close(2) of a
		// descriptor "<&-" closed fails with EBADF.
		c.errorf("closing standard input: %s", errText(vfs.EBADF))
		status = 1
	}
	return status
}

// errKilled ends a copy at a pending interrupt (^C): SIGINT kills the
// command, which prints nothing more.
var errKilled = errors.New("killed by SIGINT")

// errInputIsOutput is cat's refusal to copy a file onto itself.
var errInputIsOutput = errors.New("input file is output file")

// sameAsOutput is coreutils cat's check (cat.c) that the input,
// descriptor in, is not the regular file standard output writes to with
// bytes still to read from it: appended to itself it would grow without
// end.
func (c *cmd) sameAsOutput(in int) bool {
	w := c.stdout
	if tw, ok := w.(*trackWriter); ok {
		w = tw.w
	}
	if kw, ok := w.(*killedWriter); ok {
		w = kw.w
	}
	out, ok := w.(*fdWriter)
	if !ok {
		return false
	}
	var ist, ost vfs.Stat
	if c.t.Fstat(in, &ist) != nil || c.t.Fstat(out.fd, &ost) != nil {
		return false
	}
	if ost.Mode&vfs.S_IFMT != vfs.S_IFREG || ist.Dev != ost.Dev || ist.Ino != ost.Ino {
		return false
	}
	pos, err := c.t.Seek(in, 0, vfs.SEEK_CUR)
	return err == nil && pos < ist.Size
}

// ancestors returns the proper prefixes of p that name directories to
// create for mkdir -p: "a/b/c" gives "a", "a/b".
func ancestors(p string) []string {
	var out []string
	for i := 1; i < len(p); i++ {
		if p[i] == '/' && p[i-1] != '/' {
			out = append(out, p[:i])
		}
	}
	return out
}

func (c *cmd) isDir(p string) bool {
	var st vfs.Stat
	return c.t.Stat(p, &st) == nil && vfs.IsDir(st.Mode)
}

// mkdir is mkdir(1) with -p and -m.
func cmdMkdir(c *cmd) int {
	o, dirs, st, ok := c.getopt("pm:v", map[string]byte{"parents": 'p', "mode": 'm', "verbose": 'v'}, 1)
	if !ok {
		return st
	}
	if len(dirs) == 0 {
		return c.usageError(1, "missing operand")
	}
	mode := uint32(0o777)
	setMode := o.has('m')
	if setMode {
		ch, valid := compileMode(o.last('m'))
		if !valid {
			c.errorf("invalid mode %s", quote(o.last('m')))
			return 1
		}
		mode = adjustMode(0o777, true, 0, ch)
	}
	// mkdir.c makes the ancestors under the umask less u+wx, so that it
	// can go on into them and make the next; only the last component
	// has the umask'ed mode (or -m's).
	umaskSelf := c.umask()
	umaskAncestor := umaskSelf &^ 0o300
	status := 0
dirs:
	for _, d := range dirs {
		if o.has('p') {
			for _, a := range ancestors(d) {
				// gnulib's mkancesdir makes each ancestor, then enters
				// it: chdir's error is the one said, but for ENOENT
				// (a dangling symlink), where mkdir's is.
				c.t.Umask(umaskAncestor)
				err := c.t.Mkdir(a, 0o777)
				c.t.Umask(umaskSelf)
				if err == nil && o.has('v') {
					c.printf("mkdir: created directory %s\n", quote(a))
				}
				if cerr := c.chdirErr(a); cerr == nil {
					err = nil
				} else if err == nil || cerr != vfs.ENOENT {
					err = cerr
				}
				if err != nil {
					c.errorf("cannot create directory %s: %s", quote(a), errText(err))
					status = 1
					continue dirs
				}
			}
		}
		err := c.t.Mkdir(d, mode)
		if err == vfs.EEXIST && o.has('p') && c.isDir(d) {
			continue
		}
		if err != nil {
			c.errorf("cannot create directory %s: %s", quote(d), errText(err))
			status = 1
			continue
		}
		if o.has('v') {
			c.printf("mkdir: created directory %s\n", quote(d))
		}
		if setMode && mode&^0o777 != 0 || setMode && mode&umaskSelf != 0 {
			if err := c.t.Chmod(d, mode); err != nil {
				c.errorf("cannot set permissions of %s: %s", quote(d), errText(err))
				status = 1
			}
		}
	}
	return status
}

// chdirErr is the error chdir(2) to p would give: p followed, a
// directory, searchable.
func (c *cmd) chdirErr(p string) error {
	var st vfs.Stat
	if err := c.t.Stat(p, &st); err != nil {
		return err
	}
	if !vfs.IsDir(st.Mode) {
		return vfs.ENOTDIR
	}
	return c.t.Faccessat(vfs.AT_FDCWD, p, vfs.X_OK, vfs.AT_EACCESS)
}

func (c *cmd) umask() uint32 {
	m := c.t.Umask(0)
	c.t.Umask(m)
	return m
}

// rmdir is rmdir(1) with -p.
func cmdRmdir(c *cmd) int {
	o, dirs, st, ok := c.getopt("p", map[string]byte{"parents": 'p'}, 1)
	if !ok {
		return st
	}
	if len(dirs) == 0 {
		return c.usageError(1, "missing operand")
	}
	status := 0
	for _, d := range dirs {
		if err := c.t.Rmdir(d); err != nil {
			if c.symlinkNotFollowed(d, err) {
				c.errorf("failed to remove %s: Symbolic link not followed", quote(d))
			} else {
				c.errorf("failed to remove %s: %s", quote(d), errText(err))
			}
			status = 1
			continue
		}
		if o.has('p') {
			as := ancestors(strings.TrimRight(d, "/"))
			for i := len(as) - 1; i >= 0; i-- {
				if err := c.t.Rmdir(as[i]); err != nil {
					c.errorf("failed to remove directory %s: %s", quote(as[i]), errText(err))
					status = 1
					break
				}
			}
		}
	}
	return status
}

// symlinkNotFollowed is rmdir.c's test for a more precise message
// after rmdir(2) of d failed with err: ENOTDIR for a name ending in '/'
// whose last component is a symlink, and that stat(2) finds a directory
// or cannot follow for a reason other than ENOTDIR (a dangling symlink,
// a loop).
func (c *cmd) symlinkNotFollowed(d string, err error) bool {
	if err != vfs.ENOTDIR || !strings.HasSuffix(d, "/") {
		return false
	}
	var st vfs.Stat
	serr := c.t.Stat(d, &st)
	if serr == nil && !vfs.IsDir(st.Mode) || serr == vfs.ENOTDIR {
		return false
	}
	trimmed := strings.TrimRight(d, "/")
	if trimmed == "" {
		return false
	}
	return c.t.Lstat(trimmed, &st) == nil && vfs.IsLnk(st.Mode)
}

// touch is touch(1): create, then set both times to now (utimensat
// with a nil times array).
func cmdTouch(c *cmd) int {
	o, files, st, ok := c.getopt("c", map[string]byte{"no-create": 'c'}, 1)
	if !ok {
		return st
	}
	if len(files) == 0 {
		return c.usageError(1, "missing file operand")
	}
	status := 0
	for _, f := range files {
		var openErr error
		if !o.has('c') {
			fd, err := c.t.Open(f, vfs.O_WRONLY|vfs.O_CREAT|vfs.O_NONBLOCK|vfs.O_NOCTTY, 0o666)
			if err == nil {
				c.t.Close(fd)
			} else {
				openErr = err
			}
		}
		err := c.t.Utimensat(vfs.AT_FDCWD, f, nil, 0)
		if err == nil {
			continue
		}
		switch {
		case openErr != nil:
			c.errorf("cannot touch %s: %s", quote(f), errText(openErr))
		case o.has('c') && err == vfs.ENOENT:
			continue
		default:
			c.errorf("setting times of %s: %s", quote(f), errText(err))
		}
		status = 1
	}
	return status
}

// rm is rm(1) with -r, -f and -d.
func cmdRm(c *cmd) int {
	o, files, st, ok := c.getopt("rRfdv", map[string]byte{"recursive": 'r', "force": 'f', "dir": 'd', "verbose": 'v'}, 1)
	if !ok {
		return st
	}
	force, recursive := o.has('f'), o.has('r') || o.has('R')
	if len(files) == 0 {
		if force {
			return 0
		}
		return c.usageError(1, "missing operand")
	}
	status := 0
	for _, f := range files {
		if b := baseName(f); recursive && (b == "." || b == "..") {
			c.errorf("refusing to remove '.' or '..' directory: skipping %s", quote(f))
			status = 1
			continue
		}
		if recursive && strings.Trim(f, "/") == "" {
			c.errorf("it is dangerous to operate recursively on %s", quote(f))
			c.errorf("use --no-preserve-root to override this failsafe")
			status = 1
			continue
		}
		// remove.c unlinks a name it cannot lstat all the same (fts's
		// FTS_NS), and says unlinkat's error: "dd/" for a dangling
		// symlink dd is ENOTDIR, not lstat's ENOENT.
		var st vfs.Stat
		if c.t.Lstat(f, &st) == nil && vfs.IsDir(st.Mode) {
			switch {
			case recursive:
				if !c.removeTree(f, o.has('v')) {
					status = 1
				}
			case o.has('d'):
				if err := c.t.Rmdir(f); err != nil {
					c.errorf("cannot remove %s: %s", quote(f), errText(err))
					status = 1
				} else if o.has('v') {
					c.printf("removed directory %s\n", quote(f))
				}
			default:
				c.errorf("cannot remove %s: %s", quote(f), errText(vfs.EISDIR))
				status = 1
			}
			continue
		}
		if err := c.t.Unlink(f); err != nil {
			if force && (err == vfs.ENOENT || err == vfs.ENOTDIR) {
				continue // remove.c's ignorable_missing
			}
			c.errorf("cannot remove %s: %s", quote(f), errText(err))
			status = 1
		} else if o.has('v') {
			c.printf("removed %s\n", quote(f))
		}
	}
	return status
}

// removeTree removes a directory and everything below it, depth first.
func (c *cmd) removeTree(p string, verbose bool) bool {
	ents, err := readDir(c.t, p)
	if err != nil {
		c.errorf("cannot remove %s: %s", quote(p), errText(err))
		return false
	}
	ok := true
	for _, e := range ents {
		if e.Name == "." || e.Name == ".." {
			continue
		}
		q := joinPath(p, e.Name)
		var st vfs.Stat
		if err := c.t.Lstat(q, &st); err != nil {
			c.errorf("cannot remove %s: %s", quote(q), errText(err))
			ok = false
			continue
		}
		if vfs.IsDir(st.Mode) {
			ok = c.removeTree(q, verbose) && ok
			continue
		}
		if err := c.t.Unlink(q); err != nil {
			c.errorf("cannot remove %s: %s", quote(q), errText(err))
			ok = false
		} else if verbose {
			c.printf("removed %s\n", quote(q))
		}
	}
	if !ok {
		return false
	}
	if err := c.t.Rmdir(p); err != nil {
		c.errorf("cannot remove %s: %s", quote(p), errText(err))
		return false
	}
	if verbose {
		c.printf("removed directory %s\n", quote(p))
	}
	return true
}

// ln is ln(1): hard links, or symbolic with -s; -f replaces.
func cmdLn(c *cmd) int {
	o, ops, st, ok := c.getopt("sfnTv", map[string]byte{"symbolic": 's', "force": 'f', "no-dereference": 'n', "no-target-directory": 'T', "verbose": 'v'}, 1)
	if !ok {
		return st
	}
	if len(ops) == 0 {
		return c.usageError(1, "missing file operand")
	}
	var dir string
	targets := ops
	dest := ""
	switch {
	case len(ops) == 1:
		dir = "."
	case o.has('T'):
		if len(ops) > 2 {
			return c.usageError(1, "extra operand %s", quote(ops[2]))
		}
		targets, dest = ops[:1], ops[1]
	default:
		last := ops[len(ops)-1]
		var lst vfs.Stat
		isDir := c.isDir(last)
		if isDir && o.has('n') && c.t.Lstat(last, &lst) == nil && vfs.IsLnk(lst.Mode) {
			isDir = false
		}
		if isDir {
			dir = last
		} else if len(ops) > 2 {
			c.targetError(last)
			return 1
		} else {
			dest = last
		}
		targets = ops[:len(ops)-1]
	}
	status := 0
	for _, src := range targets {
		name := dest
		if dir != "" {
			// ln.c names a link made in the current directory for a
			// lone operand "./NAME", as file_name_concat does.
			name = joinPath(dir, baseName(src))
		}
		if !c.link(src, name, o.has('s'), o.has('f')) {
			status = 1
		} else if o.has('v') {
			arrow := "=>"
			if o.has('s') {
				arrow = "->"
			}
			c.printf("%s %s %s\n", quote(name), arrow, quote(src))
		}
	}
	return status
}

func (c *cmd) link(src, name string, symbolic, force bool) bool {
	src0 := src
	var sst vfs.Stat
	if !symbolic {
		if err := c.t.Lstat(src, &sst); err != nil {
			c.errorf("failed to access %s: %s", quote(src), errText(err))
			return false
		}
		if vfs.IsDir(sst.Mode) {
			c.errorf("%s: hard link not allowed for directory", quotef(src))
			return false
		}
	}
	if force {
		var dst vfs.Stat
		if c.t.Lstat(name, &dst) == nil {
			if vfs.IsDir(dst.Mode) {
				c.errorf("%s: cannot overwrite directory", quote(name))
				return false
			}
			// ln.c refuses before it removes the destination when that
			// is the source itself: the same inode, and either its only
			// link or the same name (same_nameat). A symbolic link's
			// source is stat()ed, as coreutils does.
			src := sst
			serr := error(nil)
			if symbolic {
				serr = c.t.Stat(src0, &src)
			}
			if serr == nil && src.Dev == dst.Dev && src.Ino == dst.Ino && (src.Nlink == 1 || c.sameName(src0, name)) {
				c.errorf("%s and %s are the same file", quote(src0), quote(name))
				return false
			}
			if err := c.t.Unlink(name); err != nil && err != vfs.ENOENT {
				c.errorf("cannot remove %s: %s", quote(name), errText(err))
				return false
			}
		}
	}
	if symbolic {
		if err := c.t.Symlink(src, name); err != nil {
			if err == vfs.ENAMETOOLONG || src == "" {
				c.errorf("failed to create symbolic link %s -> %s: %s", quote(name), quote(src), errText(err))
			} else {
				c.errorf("failed to create symbolic link %s: %s", quote(name), errText(err))
			}
			return false
		}
		return true
	}
	if err := c.t.Link(src, name); err != nil {
		switch err {
		case vfs.EMLINK:
			c.errorf("failed to create hard link to %s: %s", quote(src), errText(err))
		case vfs.EDQUOT, vfs.EEXIST, vfs.ENOSPC, vfs.EROFS:
			c.errorf("failed to create hard link %s: %s", quote(name), errText(err))
		default:
			c.errorf("failed to create hard link %s => %s: %s", quote(name), quote(src), errText(err))
		}
		return false
	}
	return true
}

// readlink is readlink(1) with -n: the target, or status 1.
func cmdReadlink(c *cmd) int {
	o, files, st, ok := c.getopt("n", map[string]byte{"no-newline": 'n'}, 1)
	if !ok {
		return st
	}
	if len(files) == 0 {
		return c.usageError(1, "missing operand")
	}
	end := "\n"
	if o.has('n') {
		if len(files) > 1 {
			c.errorf("ignoring --no-newline with multiple arguments")
		} else {
			end = ""
		}
	}
	status := 0
	for _, f := range files {
		s, err := c.t.Readlink(f)
		if err != nil {
			status = 1
			continue
		}
		c.printf("%s%s", s, end)
	}
	return status
}

// chmod is chmod(1), as coreutils' chmod.c: the mode is the first
// operand, or given as options ("-w", "-x,+r": the whole argument, modes
// so given joined by commas), whose results the umask changed are then
// diagnosed; -R recurses (symlinks found on the way are left alone), -c
// and -v report changes, -f keeps the errors quiet (not the status).
// Options may come anywhere before "--", as getopt_long permutes them.
func cmdChmod(c *cmd) int {
	var mode string
	var operands []string
	recursive, silent, diagnose := false, false, false
	verbosity := 0 // 1: -c, changes only; 2: -v
	table := []longOpt{{name: "changes", ch: 'c'}, {name: "help"}, {name: "quiet", ch: 'f'}, {name: "recursive", ch: 'R'}, {name: "silent", ch: 'f'}, {name: "verbose", ch: 'v'}}
	set := func(ch byte) {
		switch ch {
		case 'R':
			recursive = true
		case 'c':
			verbosity = 1
		case 'f':
			silent = true
		case 'v':
			verbosity = 2
		}
	}
	for i := 0; i < len(c.args); i++ {
		a := c.args[i]
		switch {
		case a == "--":
			operands = append(operands, c.args[i+1:]...)
			i = len(c.args)
		case strings.HasPrefix(a, "--"):
			name, _, hasVal := strings.Cut(a[2:], "=")
			lo, msg := matchLong(table, name, a)
			if msg != "" {
				return c.usageError(1, "%s", msg)
			}
			if lo.name == "help" {
				c.printf("Usage: %s\n", builtins[c.name].usage)
				return 0
			}
			if hasVal {
				return c.usageError(1, "option '--%s' doesn't allow an argument", lo.name)
			}
			set(lo.ch)
		case len(a) < 2 || a[0] != '-':
			operands = append(operands, a)
		default:
			for j := 1; j < len(a); j++ {
				switch ch := a[j]; {
				case strings.IndexByte("Rcfv", ch) >= 0:
					set(ch)
				case strings.IndexByte("rwxXstugoa,+=01234567", ch) >= 0:
					// A mode letter: getopt's optional argument takes the
					// rest, and chmod.c the whole argument as the mode.
					if mode != "" {
						mode += ","
					}
					mode += a
					diagnose = true
					j = len(a)
				default:
					return c.usageError(1, "invalid option -- '%c'", ch)
				}
			}
		}
	}
	fromOperand := !diagnose
	if fromOperand {
		if len(operands) == 0 {
			return c.usageError(1, "missing operand")
		}
		mode, operands = operands[0], operands[1:]
	}
	if len(operands) == 0 {
		if fromOperand {
			return c.usageError(1, "missing operand after %s", quote(mode))
		}
		return c.usageError(1, "missing operand")
	}
	changes, ok := compileMode(mode)
	if !ok {
		return c.usageError(1, "invalid mode: %s", quote(mode))
	}
	status := 0
	umask := c.umask()
	fail := func(format string, a ...any) {
		if !silent {
			c.errorf(format, a...)
		}
		status = 1
	}
	perms := func(m uint32) string { return modeString(m)[1:] }
	var walk func(f string, top bool)
	walk = func(f string, top bool) {
		var st vfs.Stat
		var err error
		if top {
			err = c.t.Stat(f, &st)
		} else {
			err = c.t.Lstat(f, &st)
		}
		if err != nil {
			var lst vfs.Stat
			if err == vfs.ENOENT && top && c.t.Lstat(f, &lst) == nil && vfs.IsLnk(lst.Mode) {
				// fts's FTS_SLNONE: stat ENOENT, lstat a symlink.
				fail("cannot operate on dangling symlink %s", quote(f))
			} else {
				fail("cannot access %s: %s", quote(f), errText(err))
			}
			if verbosity == 2 {
				c.printf("%s could not be accessed\n", quote(f))
			}
			return
		}
		if vfs.IsLnk(st.Mode) {
			// Symlinks met during -R are not followed.
			if verbosity == 2 {
				c.printf("neither symbolic link %s nor referent has been changed\n", quote(f))
			}
			return
		}
		old := st.Mode & chmodModeBits
		dir := vfs.IsDir(st.Mode)
		m := adjustMode(st.Mode, dir, umask, changes)
		if err := c.t.Chmod(f, m); err != nil {
			fail("changing permissions of %s: %s", quote(f), errText(err))
			if verbosity == 2 {
				c.printf("failed to change mode of %s from %04o (%s) to %04o (%s)\n", quote(f), old, perms(old), m, perms(m))
			}
		} else {
			switch {
			case m != old && verbosity > 0:
				c.printf("mode of %s changed from %04o (%s) to %04o (%s)\n", quote(f), old, perms(old), m, perms(m))
			case m == old && verbosity == 2:
				c.printf("mode of %s retained as %04o (%s)\n", quote(f), old, perms(old))
			}
			// chmod.c's diagnose_surprises: a mode given as an option
			// whose result has bits the mode without the umask would
			// not.
			if naive := adjustMode(st.Mode, dir, 0, changes); diagnose && m&^naive != 0 {
				c.errorf("%s: new permissions are %s, not %s", quotef(f), perms(m), perms(naive))
				status = 1
			}
		}
		if recursive && dir {
			ents, err := readDir(c.t, f)
			if err != nil {
				fail("cannot read directory %s: %s", quote(f), errText(err))
				return
			}
			for _, e := range ents {
				if e.Name != "." && e.Name != ".." {
					walk(joinPath(f, e.Name), false)
				}
			}
		}
	}
	for _, f := range operands {
		walk(f, true)
	}
	return status
}

// eachChild calls fn with the path of every entry of dir but . and ..
func (c *cmd) eachChild(dir string, fn func(string)) {
	ents, err := readDir(c.t, dir)
	if err != nil {
		c.errorf("cannot read directory %s: %s", quote(dir), errText(err))
		return
	}
	for _, e := range ents {
		if e.Name != "." && e.Name != ".." {
			fn(joinPath(dir, e.Name))
		}
	}
}

// chown is chown(1) with numeric ids (and root's name), -h, -R (each
// directory after what it holds, as chown-core.c changes it at fts's
// FTS_DP), -c and -v (its lines, the new owner as given), -f (no error
// messages; the status stays).
func cmdChown(c *cmd) int {
	o, ops, st, ok := c.getopt("hRcfv", map[string]byte{"no-dereference": 'h', "recursive": 'R', "changes": 'c', "silent": 'f', "quiet": 'f', "verbose": 'v'}, 1)
	if !ok {
		return st
	}
	if len(ops) == 0 {
		return c.usageError(1, "missing operand")
	}
	if len(ops) == 1 {
		return c.usageError(1, "missing operand after %s", quote(ops[0]))
	}
	uid, gid, dotWarning, bad := parseOwner(ops[0])
	if bad != "" {
		c.errorf("%s: %s", bad, quote(ops[0]))
		return 1
	}
	if dotWarning {
		c.errorf("warning: '.' should be ':': %s", quote(ops[0]))
	}
	verbosity := 0 // 1: -c, changes only; 2: -v
	for _, a := range o.seq {
		switch a.ch {
		case 'c':
			verbosity = 1
		case 'v':
			verbosity = 2
		}
	}
	silent := o.has('f')
	spec := newOwnerSpec(ops[0], dotWarning, uid, gid)
	status := 0
	fail := func(format string, a ...any) {
		if !silent {
			c.errorf(format, a...)
		}
		status = 1
	}
	// describe is chown-core.c's describe_change; old is nil when the
	// file could not be looked at.
	describe := func(f string, old *vfs.Stat, ok bool) {
		changed := ok && !((uid == vfs.NoID || uid == old.UID) && (gid == vfs.NoID || gid == old.GID))
		if verbosity == 0 || !changed && verbosity == 1 {
			return
		}
		what := "ownership"
		if uid == vfs.NoID {
			what = "group"
		}
		oldSpec := ""
		if old != nil {
			oldSpec = ownerSpec(ownerName(old.UID), ownerName(old.GID), uid != vfs.NoID, gid != vfs.NoID)
		}
		switch {
		case uid == vfs.NoID && gid == vfs.NoID:
			switch {
			case !ok:
				c.printf("failed to change ownership of %s\n", quote(f))
			case changed:
				c.printf("no change to ownership of %s\n", quote(f))
			default:
				c.printf("ownership of %s retained\n", quote(f))
			}
		case !ok && old == nil:
			c.printf("failed to change %s of %s to %s\n", what, quote(f), spec)
		case !ok:
			c.printf("failed to change %s of %s from %s to %s\n", what, quote(f), oldSpec, spec)
		case changed:
			c.printf("changed %s of %s from %s to %s\n", what, quote(f), oldSpec, spec)
		default:
			c.printf("%s of %s retained as %s\n", what, quote(f), oldSpec)
		}
	}
	var walk func(f string, top bool)
	walk = func(f string, top bool) {
		// chown-core.c lstats every name (fts's FTS_PHYSICAL) and
		// stats a symlink it is to follow: only a top-level one, and
		// not with -h or -R.
		var st vfs.Stat
		noDeref := o.has('h') || o.has('R') || !top
		if err := c.t.Lstat(f, &st); err != nil {
			fail("cannot access %s: %s", quote(f), errText(err))
			describe(f, nil, false)
			return
		}
		if !noDeref && vfs.IsLnk(st.Mode) {
			if err := c.t.Stat(f, &st); err != nil {
				fail("cannot dereference %s: %s", quote(f), errText(err))
				describe(f, nil, false)
				return
			}
		}
		if o.has('R') && vfs.IsDir(st.Mode) {
			ents, err := readDir(c.t, f)
			if err != nil {
				fail("cannot read directory %s: %s", quote(f), errText(err))
				describe(f, nil, false)
				return
			}
			for _, e := range ents {
				if e.Name != "." && e.Name != ".." {
					walk(joinPath(f, e.Name), false)
				}
			}
		}
		var err error
		if noDeref {
			err = c.t.Lchown(f, uid, gid)
		} else {
			err = c.t.Chown(f, uid, gid)
		}
		if err != nil {
			if uid == vfs.NoID { // chown-core.c: no user, only the group
				fail("changing group of %s: %s", quote(f), errText(err))
			} else {
				fail("changing ownership of %s: %s", quote(f), errText(err))
			}
		}
		describe(f, &st, err == nil)
	}
	for _, f := range ops[1:] {
		walk(f, true)
	}
	return status
}

// mknod is mknod(1): b, c (or u) and p nodes.
func cmdMknod(c *cmd) int {
	o, ops, st, ok := c.getopt("m:", map[string]byte{"mode": 'm'}, 1)
	if !ok {
		return st
	}
	if len(ops) < 2 {
		return c.usageError(1, "missing operand")
	}
	mode := uint32(0o666)
	if o.has('m') {
		ch, valid := compileMode(o.last('m'))
		if !valid {
			c.errorf("invalid mode")
			return 1
		}
		mode = adjustMode(0o666, false, 0, ch)
	}
	var typ uint32
	var dev uint64
	switch ops[1] {
	case "b", "c", "u":
		typ = vfs.S_IFCHR
		if ops[1] == "b" {
			typ = vfs.S_IFBLK
		}
		if len(ops) != 4 {
			return c.usageError(1, "missing operand after %s", quote(ops[len(ops)-1]))
		}
		maj, err1 := strconv.ParseUint(ops[2], 0, 32)
		mnr, err2 := strconv.ParseUint(ops[3], 0, 32)
		if err1 != nil {
			c.errorf("invalid major device number %s", quote(ops[2]))
			return 1
		}
		if err2 != nil {
			c.errorf("invalid minor device number %s", quote(ops[3]))
			return 1
		}
		dev = vfs.MkDev(uint32(maj), uint32(mnr))
	case "p":
		typ = vfs.S_IFIFO
		if len(ops) != 2 {
			return c.usageError(1, "extra operand %s", quote(ops[2]))
		}
	default:
		return c.usageError(1, "invalid device type %s", quote(ops[1]))
	}
	if err := c.t.Mknod(ops[0], typ|mode, dev); err != nil {
		c.errorf("%s: %s", quotef(ops[0]), errText(err))
		return 1
	}
	if o.has('m') && mode&c.umask() != 0 {
		if err := c.t.Chmod(ops[0], mode); err != nil {
			c.errorf("cannot set permissions of %s: %s", quote(ops[0]), errText(err))
			return 1
		}
	}
	return 0
}

// absPath is p made absolute against the working directory, cleaned
// lexically.
func (c *cmd) absPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		cwd, _ := c.t.Getcwd()
		p = cwd + "/" + p
	}
	return path.Clean(p)
}

// intoItself reports whether copying the directory whose stat is sst
// to the name to would copy it into itself: to is the directory, or the
// directory to is made in is it or lies beneath it. The ancestors are
// compared by device and inode, walking "..", so a symlink in to, a
// bind mount or "/" are seen as coreutils' cp sees them (it finds the
// copy it made when its walk meets it; this refuses before copying: see
// RATIONALE.md).
func (c *cmd) intoItself(sst *vfs.Stat, to string) bool {
	same := func(st *vfs.Stat) bool { return st.Dev == sst.Dev && st.Ino == sst.Ino }
	var st vfs.Stat
	if c.t.Stat(to, &st) == nil && same(&st) {
		return true
	}
	p := dirName(to)
	if c.t.Stat(p, &st) != nil {
		return false
	}
	for range 4096 { // PATH_MAX: ".." components fit no deeper
		if same(&st) {
			return true
		}
		p += "/.."
		var up vfs.Stat
		if c.t.Stat(p, &up) != nil || up.Dev == st.Dev && up.Ino == st.Ino {
			return false // the root: ".." is itself
		}
		st = up
	}
	return false
}

// targets resolves the destination of cp and mv: into a directory
// (several sources, or an existing directory), or onto one name.
func (c *cmd) targets(ops []string, noTargetDir bool) (dir, dest string, srcs []string, status int, ok bool) {
	if len(ops) == 0 {
		return "", "", nil, c.usageError(1, "missing file operand"), false
	}
	if len(ops) == 1 {
		return "", "", nil, c.usageError(1, "missing destination file operand after %s", quote(ops[0])), false
	}
	last := ops[len(ops)-1]
	srcs = ops[:len(ops)-1]
	if noTargetDir {
		if len(ops) > 2 {
			return "", "", nil, c.usageError(1, "extra operand %s", quote(ops[2])), false
		}
		return "", last, srcs, 0, true
	}
	if c.isDir(last) {
		return last, "", srcs, 0, true
	}
	if len(ops) > 2 {
		c.targetError(last)
		return "", "", nil, 1, false
	}
	return "", last, srcs, 0, true
}

// targetError complains about a last operand that is not a directory
// when several sources need one.
func (c *cmd) targetError(last string) {
	var st vfs.Stat
	err := c.t.Stat(last, &st)
	if err == nil {
		err = vfs.ENOTDIR
	}
	c.errorf("target %s: %s", quote(last), errText(err))
}

// cp is cp(1): files onto files or into a directory; -r for trees.
func cmdCp(c *cmd) int {
	o, ops, st, ok := c.getopt("rRTfv", map[string]byte{"recursive": 'r', "no-target-directory": 'T', "force": 'f', "verbose": 'v'}, 1)
	if !ok {
		return st
	}
	dir, dest, srcs, st, ok := c.targets(ops, o.has('T'))
	if !ok {
		return st
	}
	recursive := o.has('r') || o.has('R')
	status := 0
	for _, src := range srcs {
		to := dest
		if dir != "" {
			to = joinPath(dir, baseName(src))
		}
		var sst vfs.Stat
		var err error
		if recursive {
			err = c.t.Lstat(src, &sst)
		} else {
			err = c.t.Stat(src, &sst)
		}
		if err != nil {
			c.errorf("cannot stat %s: %s", quote(src), errText(err))
			status = 1
			continue
		}
		if vfs.IsDir(sst.Mode) {
			if !recursive {
				c.errorf("-r not specified; omitting directory %s", quote(src))
				status = 1
				continue
			}
			if c.intoItself(&sst, to) {
				c.errorf("cannot copy a directory, %s, into itself, %s", quote(src), quote(to))
				status = 1
				continue
			}
		}
		if !c.copyTree(src, to, &sst, o.has('v'), o.has('f'), false, recursive) {
			status = 1
		}
	}
	return status
}

// copyTree copies src (whose lstat or stat is sst) to dst. A regular
// file cp creates gets src's permission bits without the set-user-ID,
// set-group-ID and sticky bits (copy.c passes dst_mode_bits &
// S_IRWXUGO without --preserve=mode); for mv (move), which preserves
// the mode, it keeps them. A device node, FIFO or socket is made
// again with mknod(2) when nodes is set (cp -r, mv); otherwise, as cp
// without -r, it is opened and what it reads goes into a regular file
// (copy.c copies special files as such only for -R).
func (c *cmd) copyTree(src, dst string, sst *vfs.Stat, verbose, force, move, nodes bool) bool {
	if !c.copyNode(src, dst, sst, verbose, force, move, nodes) {
		return false
	}
	if move {
		return c.preserve(dst, sst)
	}
	return true
}

// preserve gives dst, a copy mv made across filesystems, the owner,
// group, mode and times of its source, whose lstat is sst (copy.c with
// --preserve=all): the owner before the mode, as chown(2) clears the
// set-id bits. A user who may not give the file away keeps at least
// the group if it can, and no error is said (chown_failure_ok).
func (c *cmd) preserve(dst string, sst *vfs.Stat) bool {
	if err := c.t.Lchown(dst, sst.UID, sst.GID); err != nil {
		if err != vfs.EPERM && err != vfs.EINVAL {
			c.errorf("failed to preserve ownership for %s: %s", quote(dst), errText(err))
			return false
		}
		c.t.Lchown(dst, vfs.NoID, sst.GID) // the group if it can; else as it is
	}
	if sst.Mode&vfs.S_IFMT != vfs.S_IFLNK {
		if err := c.t.Chmod(dst, sst.Mode&0o7777); err != nil {
			c.errorf("preserving permissions for %s: %s", quote(dst), errText(err))
			return false
		}
	}
	times := [2]vfs.Timespec{nsTimespec(sst.Atime), nsTimespec(sst.Mtime)}
	if err := c.t.Utimensat(vfs.AT_FDCWD, dst, &times, vfs.AT_SYMLINK_NOFOLLOW); err != nil {
		c.errorf("preserving times for %s: %s", quote(dst), errText(err))
		return false
	}
	return true
}

// nsTimespec is the timespec of a time in nanoseconds since the epoch.
func nsTimespec(ns int64) vfs.Timespec {
	sec, nsec := ns/1e9, ns%1e9
	if nsec < 0 {
		sec, nsec = sec-1, nsec+1e9
	}
	return vfs.Timespec{Sec: sec, Nsec: nsec}
}

// copyNode makes dst as a copy of src for copyTree; a directory with
// its entries.
func (c *cmd) copyNode(src, dst string, sst *vfs.Stat, verbose, force, move, nodes bool) bool {
	var dstSt vfs.Stat
	dstErr := c.t.Stat(dst, &dstSt)
	exists := dstErr == nil
	if dstErr != nil && dstErr != vfs.ENOENT && !nodes && !move {
		// copy.c stats the destination of a plain cp (lstats it for
		// cp -r and mv): "t/" naming a file, a symlink loop.
		c.errorf("cannot stat %s: %s", quote(dst), errText(dstErr))
		return false
	}
	if exists && dstSt.Dev == sst.Dev && dstSt.Ino == sst.Ino {
		c.errorf("%s and %s are the same file", quote(src), quote(dst))
		return false
	}
	if verbose {
		c.printf("%s -> %s\n", quote(src), quote(dst))
	}
	kind := sst.Mode & vfs.S_IFMT
	if !nodes && kind != vfs.S_IFDIR && kind != vfs.S_IFLNK {
		kind = vfs.S_IFREG
	}
	switch kind {
	case vfs.S_IFDIR:
		if exists && !vfs.IsDir(dstSt.Mode) {
			c.errorf("cannot overwrite non-directory %s with directory %s", quote(dst), quote(src))
			return false
		}
		// restore is the mode a new directory ends with, once its
		// entries are in: cp's is the one mkdir(2) gave it (umask
		// applied, set-group-ID from the parent); mv's is set with its
		// owner (preserve). Until then its owner may search and write it
		// (copy.c adds S_IRWXU and restores the mode after), or
		// nothing could be created in the copy of a 0555 directory.
		restore, setMode := uint32(0), false
		if !exists {
			if err := c.t.Mkdir(dst, sst.Mode&0o7777); err != nil {
				c.errorf("cannot create directory %s: %s", quote(dst), errText(err))
				return false
			}
			var nst vfs.Stat
			if err := c.t.Lstat(dst, &nst); err != nil {
				c.errorf("cannot stat %s: %s", quote(dst), errText(err))
				return false
			}
			restore = nst.Mode & 0o7777
			if nst.Mode&0o700 != 0o700 {
				setMode = true
				if err := c.t.Chmod(dst, nst.Mode&0o7777|0o700); err != nil {
					c.errorf("setting permissions for %s: %s", quote(dst), errText(err))
					return false
				}
			}
		}
		ok := c.copyEntries(src, dst, verbose, force, move)
		if setMode && !move { // mv's mode comes with its owner (preserve)
			if err := c.t.Chmod(dst, restore); err != nil {
				c.errorf("preserving permissions for %s: %s", quote(dst), errText(err))
				ok = false
			}
		}
		return ok
	case vfs.S_IFLNK:
		target, err := c.t.Readlink(src)
		if err != nil {
			c.errorf("cannot read symbolic link %s: %s", quote(src), errText(err))
			return false
		}
		if err := c.t.Symlink(target, dst); err != nil {
			c.errorf("cannot create symbolic link %s: %s", quote(dst), errText(err))
			return false
		}
		return true
	case vfs.S_IFREG:
		if exists && vfs.IsDir(dstSt.Mode) {
			c.errorf("cannot overwrite directory %s with non-directory", quote(dst))
			return false
		}
		var lst vfs.Stat
		if !exists && c.t.Lstat(dst, &lst) == nil && lst.Mode&vfs.S_IFMT == vfs.S_IFLNK {
			// copy.c: a symlink to nothing is not followed to create
			// its target (POSIX leaves it to the implementation).
			c.errorf("not writing through dangling symlink %s", quote(dst))
			return false
		}
		mode := sst.Mode & 0o777
		if move {
			mode = sst.Mode & 0o7777 // mv keeps the set-id bits
		}
		return c.copyFile(src, dst, mode, force)
	default:
		if err := c.t.Mknod(dst, sst.Mode, sst.Rdev); err != nil {
			c.errorf("cannot create special file %s: %s", quote(dst), errText(err))
			return false
		}
		return true
	}
}

// copyEntries copies the entries of the directory src into dst.
func (c *cmd) copyEntries(src, dst string, verbose, force, move bool) bool {
	ents, err := readDir(c.t, src)
	if err != nil {
		c.errorf("cannot access %s: %s", quote(src), errText(err))
		return false
	}
	ok := true
	for _, e := range ents {
		if e.Name == "." || e.Name == ".." {
			continue
		}
		s, d := joinPath(src, e.Name), joinPath(dst, e.Name)
		var est vfs.Stat
		if err := c.t.Lstat(s, &est); err != nil {
			c.errorf("cannot stat %s: %s", quote(s), errText(err))
			ok = false
			continue
		}
		ok = c.copyTree(s, d, &est, verbose, force, move, true) && ok
	}
	return ok
}

func (c *cmd) copyFile(src, dst string, mode uint32, force bool) bool {
	in, err := c.t.Open(src, vfs.O_RDONLY, 0)
	if err != nil {
		c.errorf("cannot open %s for reading: %s", quote(src), errText(err))
		return false
	}
	defer c.t.Close(in)
	out, err := c.t.Open(dst, vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC, mode)
	if err != nil && force && err != vfs.ENOENT {
		if c.t.Unlink(dst) == nil {
			out, err = c.t.Open(dst, vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC, mode)
		}
	}
	if err == vfs.EISDIR && strings.HasSuffix(dst, "/") {
		// copy.c: open(2) of a missing "g/" with O_CREAT says EISDIR;
		// the name asked for a directory that is not there.
		err = vfs.ENOTDIR
	}
	if err != nil {
		c.errorf("cannot create regular file %s: %s", quote(dst), errText(err))
		return false
	}
	defer c.t.Close(out)
	rerr, werr := copyOut(c.t, in, &fdWriter{t: c.t, fd: out}, 0) // a regular file ends
	if rerr == errKilled {
		return false
	}
	if rerr != nil {
		c.errorf("error reading %s: %s", quote(src), errText(rerr))
		return false
	}
	if werr != nil {
		c.errorf("error writing %s: %s", quote(dst), errText(werr))
		return false
	}
	return true
}

// moveSameFileOK is coreutils' same_file_ok (copy.c) for mv, which
// never dereferences: sst and dst are the lstats of src and to. Moving a
// symlink onto the file it points to would leave a link to itself and
// lose the file, so the referents (stat) are compared too.
func (c *cmd) moveSameFileOK(src, to string, sst, dst *vfs.Stat) bool {
	same := sst.Dev == dst.Dev && sst.Ino == dst.Ino
	srcLnk := sst.Mode&vfs.S_IFMT == vfs.S_IFLNK
	dstLnk := dst.Mode&vfs.S_IFMT == vfs.S_IFLNK
	if srcLnk && dstLnk {
		// Two distinct symlinks are fine, unless hard-linked together.
		return !same && !c.sameName(src, to)
	}
	if dstLnk {
		// The destination symlink is replaced, not written through.
		return true
	}
	if !srcLnk && !dstLnk && !same {
		return true
	}
	if srcLnk && dst.Nlink > 1 {
		// "mv s l" where s -> f and l is another link to f: one of
		// f's names goes, s still points to the other.
		if ref, ok := c.referent(src); ok {
			return !c.sameName(ref, to)
		}
	}
	var a, b vfs.Stat
	if c.t.Stat(src, &a) != nil || c.t.Stat(to, &b) != nil {
		return true
	}
	return a.Dev != b.Dev || a.Ino != b.Ino
}

// sameName is coreutils' same_nameat: a and b are one directory entry
// (the same name in the same directory).
func (c *cmd) sameName(a, b string) bool {
	if baseName(a) != baseName(b) {
		return false
	}
	var da, db vfs.Stat
	if c.t.Stat(dirName(a), &da) != nil || c.t.Stat(dirName(b), &db) != nil {
		return false
	}
	return da.Dev == db.Dev && da.Ino == db.Ino
}

// dirName is dirname(1).
func dirName(p string) string {
	p = strings.TrimRight(p, "/")
	i := strings.LastIndexByte(p, '/')
	switch {
	case p == "":
		return "/"
	case i < 0:
		return "."
	case i == 0:
		return "/"
	}
	return strings.TrimRight(p[:i], "/")
}

// referent follows the symlink p to the name of the file it ends on
// (canonicalize_file_name's last component), at most 40 links deep
// (MAXSYMLINKS, as namei).
func (c *cmd) referent(p string) (string, bool) {
	for range 40 {
		var st vfs.Stat
		if c.t.Lstat(p, &st) != nil {
			return "", false
		}
		if st.Mode&vfs.S_IFMT != vfs.S_IFLNK {
			return p, true
		}
		target, err := c.t.Readlink(p)
		if err != nil {
			return "", false
		}
		if !strings.HasPrefix(target, "/") {
			target = joinPath(dirName(p), target)
		}
		p = target
	}
	return "", false
}

// mv is mv(1): rename, or copy and remove across filesystems.
func cmdMv(c *cmd) int {
	o, ops, st, ok := c.getopt("fTv", map[string]byte{"force": 'f', "no-target-directory": 'T', "verbose": 'v'}, 1)
	if !ok {
		return st
	}
	dir, dest, srcs, st, ok := c.targets(ops, o.has('T'))
	if !ok {
		return st
	}
	status := 0
	for _, src := range srcs {
		to := dest
		if dir != "" {
			to = joinPath(dir, baseName(src))
		}
		if !c.move(src, to) {
			status = 1
		} else if o.has('v') {
			c.printf("renamed %s -> %s\n", quote(src), quote(to))
		}
	}
	return status
}

func (c *cmd) move(src, to string) bool {
	var sst, dst vfs.Stat
	if err := c.t.Lstat(src, &sst); err != nil {
		c.errorf("cannot stat %s: %s", quote(src), errText(err))
		return false
	}
	if c.t.Lstat(to, &dst) == nil {
		if !c.moveSameFileOK(src, to, &sst, &dst) {
			c.errorf("%s and %s are the same file", quote(src), quote(to))
			return false
		}
		if vfs.IsDir(sst.Mode) && !vfs.IsDir(dst.Mode) {
			c.errorf("cannot overwrite non-directory %s with directory %s", quote(to), quote(src))
			return false
		}
		if !vfs.IsDir(sst.Mode) && vfs.IsDir(dst.Mode) {
			c.errorf("cannot overwrite directory %s with non-directory", quote(to))
			return false
		}
	}
	err := c.t.Rename(src, to)
	switch err {
	case nil:
		return true
	case vfs.EXDEV:
		// Across filesystems: remove the destination, as rename(2)
		// would replace it (an empty directory only), then copy and
		// remove the source (copy.c). A directory cannot go into
		// itself this way either (a bind mount of its filesystem shows
		// it again): rename(2) said EXDEV before its EINVAL.
		if vfs.IsDir(sst.Mode) && c.intoItself(&sst, to) {
			c.errorf("cannot copy a directory, %s, into itself, %s", quote(src), quote(to))
			return false
		}
		var rerr error
		if vfs.IsDir(sst.Mode) {
			rerr = c.t.Rmdir(to)
		} else {
			rerr = c.t.Unlink(to)
		}
		if rerr != nil && rerr != vfs.ENOENT {
			c.errorf("inter-device move failed: %s to %s; unable to remove target: %s", quote(src), quote(to), errText(rerr))
			return false
		}
		if !c.copyTree(src, to, &sst, false, true, true, true) {
			return false
		}
		if vfs.IsDir(sst.Mode) {
			return c.removeTree(src, false)
		}
		if err := c.t.Unlink(src); err != nil {
			c.errorf("cannot remove %s: %s", quote(src), errText(err))
			return false
		}
		return true
	case vfs.EINVAL:
		c.errorf("cannot move %s to a subdirectory of itself, %s", quote(src), quote(to))
	default:
		c.errorf("cannot move %s to %s: %s", quote(src), quote(to), errText(err))
	}
	return false
}
