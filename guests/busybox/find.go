package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// findMain is find(1) with the predicates -name, -iname, -type f|d|l|p|s|c|b,
// -maxdepth, -mindepth and -print, all joined by an implicit -and. Symbolic
// links are not followed (-P); entries come in directory order, as readdir
// returns them.
func findMain(p *proc, args []string) int {
	var paths []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") && args[0] != "!" && args[0] != "(" {
		paths = append(paths, args[0])
		args = args[1:]
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	fd := &finder{p: p, maxdepth: -1}
	for i := 0; i < len(args); i++ {
		a := args[i]
		needArg := func() (string, bool) {
			if i+1 >= len(args) {
				p.errorf("missing argument to '%s'", a)
				return "", false
			}
			i++
			return args[i], true
		}
		switch a {
		case "-print":
		case "-name", "-iname":
			v, ok := needArg()
			if !ok {
				return 1
			}
			if _, err := filepath.Match(v, ""); err != nil {
				p.errorf("invalid pattern '%s'", v)
				return 1
			}
			fold := a == "-iname"
			fd.tests = append(fd.tests, func(path string, fi fs.FileInfo) bool {
				name := filepath.Base(path)
				pat := v
				if fold {
					name, pat = strings.ToLower(name), strings.ToLower(pat)
				}
				ok, _ := filepath.Match(pat, name)
				return ok
			})
		case "-type":
			v, ok := needArg()
			if !ok {
				return 1
			}
			want, known := map[string]func(fs.FileMode) bool{
				"f": fs.FileMode.IsRegular,
				"d": fs.FileMode.IsDir,
				"l": func(m fs.FileMode) bool { return m&fs.ModeSymlink != 0 },
				"p": func(m fs.FileMode) bool { return m&fs.ModeNamedPipe != 0 },
				"s": func(m fs.FileMode) bool { return m&fs.ModeSocket != 0 },
				"c": func(m fs.FileMode) bool { return m&fs.ModeCharDevice != 0 },
				"b": func(m fs.FileMode) bool { return m&fs.ModeDevice != 0 && m&fs.ModeCharDevice == 0 },
			}[v]
			if !known {
				p.errorf("Unknown argument to -type: %s", v)
				return 1
			}
			fd.tests = append(fd.tests, func(_ string, fi fs.FileInfo) bool { return want(fi.Mode()) })
		case "-maxdepth", "-mindepth":
			v, ok := needArg()
			if !ok {
				return 1
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				p.errorf("Expected a positive decimal integer argument to %s, but got '%s'", a, v)
				return 1
			}
			if a == "-maxdepth" {
				fd.maxdepth = n
			} else {
				fd.mindepth = n
			}
		default:
			if strings.HasPrefix(a, "-") {
				p.errorf("unknown predicate `%s'", a)
			} else {
				p.errorf("paths must precede expression: '%s'", a)
			}
			return 1
		}
	}
	for _, path := range paths {
		fd.visit(path, 0)
	}
	return 0
}

type finder struct {
	p                  *proc
	tests              []func(path string, fi fs.FileInfo) bool
	maxdepth, mindepth int
}

func (fd *finder) visit(path string, depth int) {
	fi, err := os.Lstat(path)
	if err != nil {
		fd.p.errorf("'%s': %s", path, strerror(err))
		return
	}
	if depth >= fd.mindepth {
		match := true
		for _, t := range fd.tests {
			if !t(path, fi) {
				match = false
				break
			}
		}
		if match {
			fmt.Fprintln(fd.p.stdout, path)
		}
	}
	if !fi.IsDir() || (fd.maxdepth >= 0 && depth >= fd.maxdepth) {
		return
	}
	d, err := os.Open(path)
	if err != nil {
		fd.p.errorf("'%s': %s", path, strerror(err))
		return
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		fd.p.errorf("'%s': %s", path, strerror(err))
	}
	prefix := path
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	for _, n := range names {
		fd.visit(prefix+n, depth+1)
	}
}
