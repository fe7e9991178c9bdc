package main

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// catMain is cat(1): each FILE ("-" is standard input) to standard output.
func catMain(p *proc, args []string) int {
	f, ok := flagsOrUsage(p, args, "u", "")
	if !ok {
		return 1
	}
	ops := f.operands
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	buf := make([]byte, 128<<10)
	for _, name := range ops {
		var r io.Reader = p.stdin
		if name != "-" {
			file, err := os.Open(name)
			if err != nil {
				p.errorf("%s: %s", name, strerror(err))
				continue
			}
			defer file.Close()
			r = file
		}
		if _, err := io.CopyBuffer(struct{ io.Writer }{p.stdout}, struct{ io.Reader }{r}, buf); err != nil {
			p.errorf("%s: %s", name, strerror(err))
		}
	}
	return 0
}

// echoMain is coreutils echo: -n (no newline), -e (backslash escapes), -E.
// Like coreutils, an argument is an option only if all its letters are.
func echoMain(p *proc, args []string) int {
	newline, escapes := true, false
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && strings.Trim(args[0][1:], "neE") == "" {
		for _, c := range args[0][1:] {
			switch c {
			case 'n':
				newline = false
			case 'e':
				escapes = true
			case 'E':
				escapes = false
			}
		}
		args = args[1:]
	}
	s := strings.Join(args, " ")
	if escapes {
		var stop bool
		s, stop = unescape(s)
		if stop {
			newline = false
		}
	}
	if newline {
		s += "\n"
	}
	io.WriteString(p.stdout, s)
	return 0
}

// unescape interprets echo -e's escapes; stop reports \c (no more output).
func unescape(s string) (out string, stop bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '\\':
			b.WriteByte('\\')
		case 'c':
			return b.String(), true
		case '0':
			v, n := 0, 0
			for n < 3 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7' {
				i++
				v = v*8 + int(s[i]-'0')
				n++
			}
			b.WriteByte(byte(v))
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String(), false
}

// mkdirMain is mkdir(1) with -p (parents, no error if existing).
func mkdirMain(p *proc, args []string) int {
	f, ok := flagsOrUsage(p, args, "p", "")
	if !ok {
		return 1
	}
	if len(f.operands) == 0 {
		return p.usage(1, "missing operand")
	}
	for _, dir := range f.operands {
		var err error
		if !f.set['p'] {
			if err = os.Mkdir(dir, 0o777); err != nil {
				p.errorf("cannot create directory '%s': %s", dir, strerror(err))
			}
			continue
		}
		// -p names the component that failed; a non-directory where the
		// operand itself should be is "File exists", as coreutils says.
		if err = os.MkdirAll(dir, 0o777); err != nil {
			name := dir
			var pe *fs.PathError
			if errors.As(err, &pe) {
				name = pe.Path
			}
			if filepath.Clean(name) == filepath.Clean(dir) && isErrno(err, syscall.ENOTDIR) {
				err = syscall.EEXIST
			}
			p.errorf("cannot create directory '%s': %s", name, strerror(err))
		}
	}
	return 0
}

// destination resolves the last operand of mv, cp and ln: the target for
// src is inside dest when dest is a directory. With several sources, dest
// must be one ("target 'f': Not a directory", as coreutils 9 says).
func destination(p *proc, srcs []string, dest string) (into bool, ok bool) {
	fi, err := os.Stat(dest)
	into = err == nil && fi.IsDir()
	if len(srcs) > 1 && !into {
		if err == nil {
			err = syscall.ENOTDIR
		}
		p.errorf("target '%s': %s", dest, strerror(err))
		return false, false
	}
	return into, true
}

func target(src, dest string, into bool) string {
	if !into {
		return dest
	}
	// Concatenated as coreutils does ("./x", "d/x"), not cleaned.
	if strings.HasSuffix(dest, "/") {
		return dest + filepath.Base(src)
	}
	return dest + "/" + filepath.Base(src)
}

// mvMain is mv(1): rename, or copy and remove across filesystems (EXDEV).
func mvMain(p *proc, args []string) int {
	f, ok := flagsOrUsage(p, args, "fv", "")
	if !ok {
		return 1
	}
	ops := f.operands
	switch len(ops) {
	case 0:
		return p.usage(1, "missing file operand")
	case 1:
		return p.usage(1, "missing destination file operand after '%s'", ops[0])
	}
	srcs, dest := ops[:len(ops)-1], ops[len(ops)-1]
	into, ok := destination(p, srcs, dest)
	if !ok {
		return 1
	}
	for _, src := range srcs {
		dst := target(src, dest, into)
		sfi, err := os.Lstat(src)
		if err != nil {
			p.errorf("cannot stat '%s': %s", src, strerror(err))
			continue
		}
		if dfi, err := os.Lstat(dst); err == nil {
			switch {
			case os.SameFile(sfi, dfi):
				p.errorf("'%s' and '%s' are the same file", src, dst)
				continue
			case dfi.IsDir() && !sfi.IsDir():
				p.errorf("cannot overwrite directory '%s' with non-directory", dst)
				continue
			case !dfi.IsDir() && sfi.IsDir():
				p.errorf("cannot overwrite non-directory '%s' with directory '%s'", dst, src)
				continue
			}
		}
		err = os.Rename(src, dst)
		if isErrno(err, syscall.EXDEV) {
			// Across filesystems: copy, then remove the source.
			c := &copier{p: p, recursive: true}
			if c.copy(src, dst, true) {
				rm := &remover{p: p, recursive: true}
				rm.remove(src)
			}
			continue
		}
		if isErrno(err, syscall.EINVAL) && sfi.IsDir() && inside(src, dst) {
			p.errorf("cannot move '%s' to a subdirectory of itself, '%s'", src, dst)
		} else if err != nil {
			p.errorf("cannot move '%s' to '%s': %s", src, dst, strerror(err))
		}
	}
	return 0
}

// cpMain is cp(1) with -r/-R (recursive, symbolic links copied as links).
func cpMain(p *proc, args []string) int {
	f, ok := flagsOrUsage(p, args, "rRfaP", "")
	if !ok {
		return 1
	}
	ops := f.operands
	switch len(ops) {
	case 0:
		return p.usage(1, "missing file operand")
	case 1:
		return p.usage(1, "missing destination file operand after '%s'", ops[0])
	}
	srcs, dest := ops[:len(ops)-1], ops[len(ops)-1]
	into, ok := destination(p, srcs, dest)
	if !ok {
		return 1
	}
	c := &copier{p: p, recursive: f.set['r'] || f.set['R'] || f.set['a']}
	for _, src := range srcs {
		c.copy(src, target(src, dest, into), true)
	}
	return 0
}

type copier struct {
	p         *proc
	recursive bool
	buf       []byte
}

// copy copies src to dst and reports whether it all went well. top is
// true for a command-line operand: without -r its symbolic links are
// followed.
func (c *copier) copy(src, dst string, top bool) bool {
	p := c.p
	var sfi fs.FileInfo
	var err error
	if c.recursive {
		sfi, err = os.Lstat(src)
	} else {
		sfi, err = os.Stat(src)
	}
	if err != nil {
		p.errorf("cannot stat '%s': %s", src, strerror(err))
		return false
	}
	dfi, derr := os.Lstat(dst)
	if derr == nil && os.SameFile(sfi, dfi) {
		p.errorf("'%s' and '%s' are the same file", src, dst)
		return false
	}
	switch {
	case sfi.IsDir():
		if !c.recursive {
			p.errorf("-r not specified; omitting directory '%s'", src)
			return false
		}
		if top && inside(src, dst) {
			p.errorf("cannot copy a directory, '%s', into itself, '%s'", src, dst)
			return false
		}
		if derr == nil && !dfi.IsDir() {
			p.errorf("cannot overwrite non-directory '%s' with directory '%s'", dst, src)
			return false
		}
		if derr != nil {
			if err := os.Mkdir(dst, sfi.Mode().Perm()|0o700); err != nil {
				p.errorf("cannot create directory '%s': %s", dst, strerror(err))
				return false
			}
		}
		entries, err := readDirUnsorted(src)
		if err != nil {
			p.errorf("cannot access '%s': %s", src, strerror(err))
			return false
		}
		good := true
		for _, e := range entries {
			if !c.copy(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()), false) {
				good = false
			}
		}
		return good
	case sfi.Mode()&fs.ModeSymlink != 0:
		link, err := os.Readlink(src)
		if err != nil {
			p.errorf("cannot read symbolic link '%s': %s", src, strerror(err))
			return false
		}
		if err := os.Symlink(link, dst); err != nil {
			p.errorf("cannot create symbolic link '%s': %s", dst, strerror(err))
			return false
		}
		return true
	}
	if derr == nil && dfi.IsDir() {
		p.errorf("cannot overwrite directory '%s' with non-directory", dst)
		return false
	}
	in, err := os.Open(src)
	if err != nil {
		p.errorf("cannot open '%s' for reading: %s", src, strerror(err))
		return false
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, sfi.Mode().Perm())
	if err != nil {
		p.errorf("cannot create regular file '%s': %s", dst, strerror(err))
		return false
	}
	if c.buf == nil {
		c.buf = make([]byte, 128<<10)
	}
	for {
		n, rerr := in.Read(c.buf)
		if n > 0 {
			if _, err := out.Write(c.buf[:n]); err != nil {
				out.Close()
				p.errorf("error writing '%s': %s", dst, strerror(err))
				return false
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			out.Close()
			p.errorf("error reading '%s': %s", src, strerror(rerr))
			return false
		}
	}
	if err := out.Close(); err != nil {
		p.errorf("failed to close '%s': %s", dst, strerror(err))
		return false
	}
	return true
}

// inside reports whether dst names src or a path under it.
func inside(src, dst string) bool {
	a, err1 := filepath.Abs(src)
	b, err2 := filepath.Abs(dst)
	if err1 != nil || err2 != nil {
		return false
	}
	return a == b || strings.HasPrefix(b, a+string(filepath.Separator))
}

// readDirUnsorted lists a directory in the order the filesystem returns
// it (what readdir gives coreutils), unlike os.ReadDir which sorts.
func readDirUnsorted(name string) ([]fs.DirEntry, error) {
	d, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.ReadDir(-1)
}

// lnMain is ln(1): hard links by default, -s symbolic, -f replace.
func lnMain(p *proc, args []string) int {
	f, ok := flagsOrUsage(p, args, "sfnv", "")
	if !ok {
		return 1
	}
	ops := f.operands
	var srcs []string
	var dest string
	into := true
	switch len(ops) {
	case 0:
		return p.usage(1, "missing file operand")
	case 1:
		srcs, dest = ops, "."
	default:
		srcs, dest = ops[:len(ops)-1], ops[len(ops)-1]
		if f.set['n'] {
			fi, err := os.Lstat(dest)
			into = err == nil && fi.IsDir()
			if len(srcs) > 1 && !into {
				p.errorf("target '%s': Not a directory", dest)
				return 1
			}
		} else if into, ok = destination(p, srcs, dest); !ok {
			return 1
		}
	}
	for _, src := range srcs {
		dst := target(src, dest, into)
		if !f.set['s'] {
			fi, err := os.Lstat(src)
			if err != nil {
				p.errorf("failed to access '%s': %s", src, strerror(err))
				continue
			}
			if fi.IsDir() {
				p.errorf("%s: hard link not allowed for directory", src)
				continue
			}
		}
		if f.set['f'] {
			if fi, err := os.Lstat(dst); err == nil && !fi.IsDir() {
				if err := os.Remove(dst); err != nil {
					p.errorf("cannot remove '%s': %s", dst, strerror(err))
					continue
				}
			}
		}
		// coreutils names only the link when it exists, both ends otherwise.
		if f.set['s'] {
			if err := os.Symlink(src, dst); isErrno(err, syscall.EEXIST) {
				p.errorf("failed to create symbolic link '%s': %s", dst, strerror(err))
			} else if err != nil {
				p.errorf("failed to create symbolic link '%s' -> '%s': %s", dst, src, strerror(err))
			}
		} else if err := os.Link(src, dst); isErrno(err, syscall.EEXIST) {
			p.errorf("failed to create hard link '%s': %s", dst, strerror(err))
		} else if err != nil {
			p.errorf("failed to create hard link '%s' => '%s': %s", dst, src, strerror(err))
		}
	}
	return 0
}

// rmMain is rm(1) with -r/-R (recursive), -f (ignore missing, no
// complaint without operands) and -d (remove empty directories).
func rmMain(p *proc, args []string) int {
	f, ok := flagsOrUsage(p, args, "rRfdv", "")
	if !ok {
		return 1
	}
	rm := &remover{p: p, recursive: f.set['r'] || f.set['R'], force: f.set['f'], dirs: f.set['d']}
	if len(f.operands) == 0 {
		if rm.force {
			return 0
		}
		return p.usage(1, "missing operand")
	}
	for _, name := range f.operands {
		switch base := filepath.Base(name); {
		case base == "." || base == "..":
			p.errorf("refusing to remove '.' or '..' directory: skipping '%s'", name)
			continue
		case rm.recursive && filepath.Clean(name) == "/":
			p.errorf("it is dangerous to operate recursively on '/'")
			p.errorf("use --no-preserve-root to override this failsafe")
			continue
		}
		rm.remove(name)
	}
	return 0
}

type remover struct {
	p                      *proc
	recursive, force, dirs bool
}

// remove removes name (a whole tree when recursive) and reports success.
func (rm *remover) remove(name string) bool {
	p := rm.p
	fi, err := os.Lstat(name)
	if err != nil {
		if rm.force && isErrno(err, syscall.ENOENT) {
			return true
		}
		p.errorf("cannot remove '%s': %s", name, strerror(err))
		return false
	}
	if fi.IsDir() {
		switch {
		case rm.recursive:
			entries, err := readDirUnsorted(name)
			if err != nil {
				p.errorf("cannot remove '%s': %s", name, strerror(err))
				return false
			}
			good := true
			for _, e := range entries {
				if !rm.remove(filepath.Join(name, e.Name())) {
					good = false
				}
			}
			if !good {
				return false
			}
		case !rm.dirs:
			p.errorf("cannot remove '%s': Is a directory", name)
			return false
		}
	}
	if err := os.Remove(name); err != nil {
		if rm.force && isErrno(err, syscall.ENOENT) {
			return true
		}
		p.errorf("cannot remove '%s': %s", name, strerror(err))
		return false
	}
	return true
}

// touchMain is touch(1): create missing files (not with -c), set the
// access and modification times of existing ones to now.
func touchMain(p *proc, args []string) int {
	f, ok := flagsOrUsage(p, args, "cam", "")
	if !ok {
		return 1
	}
	if len(f.operands) == 0 {
		return p.usage(1, "missing file operand")
	}
	for _, name := range f.operands {
		now := time.Now()
		err := os.Chtimes(name, now, now)
		if isErrno(err, syscall.ENOENT) {
			if f.set['c'] {
				continue
			}
			var file *os.File
			if file, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE, 0o666); err == nil {
				err = file.Close()
			}
		}
		if err != nil {
			p.errorf("cannot touch '%s': %s", name, strerror(err))
		}
	}
	return 0
}

// syncMain is sync(1). WASI preview1 has no sync(2) or syncfs(2): with
// FILE operands it fsyncs each (fd_sync); without, it fsyncs the root
// directory, which is all a WASI guest can ask for.
func syncMain(p *proc, args []string) int {
	f, ok := flagsOrUsage(p, args, "df", "")
	if !ok {
		return 1
	}
	if len(f.operands) == 0 {
		if d, err := os.Open("/"); err == nil {
			d.Sync()
			d.Close()
		}
		return 0
	}
	for _, name := range f.operands {
		file, err := os.Open(name)
		if err != nil {
			p.errorf("error opening '%s': %s", name, strerror(err))
			continue
		}
		if err := file.Sync(); err != nil {
			p.errorf("error syncing '%s': %s", name, strerror(err))
		}
		file.Close()
	}
	return 0
}
