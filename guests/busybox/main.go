// Command busybox is a small busybox-like guest for vfscope: one binary,
// many applets, written against os, io, io/fs and path/filepath only so
// that every file operation goes through WASI when it is compiled with
// GOOS=wasip1 GOARCH=wasm (the playground and the conformance tests run it
// that way). The same source builds for Linux, where its tests run.
//
//	busybox APPLET [ARGS...]     (or argv[0] named after the applet)
//	busybox --list
//
// Applets: cat cp dd df echo false find ln ls mkdir mv rm stat sync touch
// true.
// Messages and exit codes follow GNU coreutils (and findutils for find),
// with the C locale's plain quotes: "mkdir: cannot create directory 'a':
// File exists", exit 1.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// proc is what an applet runs with: its name for messages, its streams and
// the exit status it has accumulated. Applets get their streams from here
// rather than from os so that the tests drive them without a process.
type proc struct {
	name   string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	status int
}

// errorf prints "NAME: MESSAGE" to stderr and records exit status 1 (use
// fail for another status).
func (p *proc) errorf(format string, args ...any) {
	p.fail(1, format, args...)
}

// fail prints "NAME: MESSAGE" and raises the exit status to code.
func (p *proc) fail(code int, format string, args ...any) {
	p.flush()
	fmt.Fprintf(p.stderr, "%s: %s\n", p.name, fmt.Sprintf(format, args...))
	if code > p.status {
		p.status = code
	}
}

// flush writes out buffered standard output, so that it keeps its order
// with the messages on standard error.
func (p *proc) flush() {
	if f, ok := p.stdout.(interface{ Flush() error }); ok {
		f.Flush()
	}
}

// usage reports a usage error the way coreutils does and returns code.
func (p *proc) usage(code int, format string, args ...any) int {
	p.flush()
	fmt.Fprintf(p.stderr, "%s: %s\n", p.name, fmt.Sprintf(format, args...))
	fmt.Fprintf(p.stderr, "Try '%s --help' for more information.\n", p.name)
	return code
}

type applet struct {
	run func(p *proc, args []string) int
	// usageStatus is the exit status for a usage error (2 for ls, 1 for
	// most of coreutils).
	usageStatus int
	help        string
}

var applets map[string]applet

func init() {
	applets = map[string]applet{
		"cat":   {catMain, 1, "[FILE]..."},
		"cp":    {cpMain, 1, "[-r] SOURCE... DEST"},
		"dd":    {ddMain, 1, "[if=FILE] [of=FILE] [bs=N] [count=N] [seek=N] [skip=N] [conv=notrunc,fsync] [status=none]"},
		"df":    {dfMain, 1, "[-a] [FILE]..."},
		"echo":  {echoMain, 1, "[-n] [STRING]..."},
		"false": {func(*proc, []string) int { return 1 }, 1, "[ignored]..."},
		"find":  {findMain, 1, "[PATH]... [-name PATTERN] [-type f|d|l] [-maxdepth N] [-mindepth N]"},
		"ln":    {lnMain, 1, "[-s] [-f] TARGET [LINK_NAME]"},
		"ls":    {lsMain, 2, "[-a] [-l] [-i] [-d] [-1] [FILE]..."},
		"mkdir": {mkdirMain, 1, "[-p] DIRECTORY..."},
		"mv":    {mvMain, 1, "SOURCE... DEST"},
		"rm":    {rmMain, 1, "[-r] [-f] FILE..."},
		"stat":  {statMain, 1, "[-L] [-c FORMAT] FILE..."},
		"sync":  {syncMain, 1, "[FILE]..."},
		"touch": {touchMain, 1, "[-c] FILE..."},
		"true":  {func(*proc, []string) int { return 0 }, 0, "[ignored]..."},
	}
}

func main() {
	// Standard output is buffered: under WASI every write is a host call.
	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	code := run(os.Args, os.Stdin, out, os.Stderr)
	out.Flush()
	os.Exit(code)
}

// run picks the applet from argv[0]'s base name (without .wasm) or, when
// that is not an applet's name, from the first argument, runs it and
// returns the exit status.
func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	name := "busybox"
	if len(argv) > 0 {
		name = strings.TrimSuffix(filepath.Base(argv[0]), ".wasm")
		argv = argv[1:]
	}
	if _, ok := applets[name]; !ok {
		if len(argv) == 0 || argv[0] == "--help" || argv[0] == "--list" {
			listApplets(stdout)
			return 0
		}
		name, argv = argv[0], argv[1:]
	}
	a, ok := applets[name]
	if !ok {
		fmt.Fprintf(stderr, "busybox: applet not found: %s\n", name)
		return 127
	}
	p := &proc{name: name, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(argv) == 1 && argv[0] == "--help" {
		fmt.Fprintf(stdout, "Usage: %s %s\n", name, a.help)
		return 0
	}
	code := a.run(p, argv)
	p.flush()
	if code == 0 {
		code = p.status
	}
	return code
}

func listApplets(w io.Writer) {
	names := make([]string, 0, len(applets))
	for n := range applets {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "busybox: a busybox-like guest for vfscope. Usage: busybox APPLET [ARGS...]")
	for _, n := range names {
		fmt.Fprintf(w, "  %-6s %s\n", n, applets[n].help)
	}
}

// flags is the result of parsing coreutils-style short options: combined
// ("-rf"), "--" ends them, a lone "-" is an operand. Options listed in
// withArg take a value ("-c FMT" or "-cFMT").
type flags struct {
	set      map[byte]bool
	values   map[byte]string
	operands []string
}

// parseFlags parses args against the letters in allowed. On an unknown
// option it reports the coreutils message through p and returns ok false.
func parseFlags(p *proc, args []string, allowed, withArg string) (f flags, ok bool) {
	f.set = map[byte]bool{}
	f.values = map[byte]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			f.operands = append(f.operands, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			f.operands = append(f.operands, a)
			continue
		}
		if strings.HasPrefix(a, "--") {
			p.fail(0, "unrecognized option '%s'", a)
			return f, false
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			switch {
			case strings.IndexByte(withArg, c) >= 0:
				v := a[j+1:]
				if v == "" {
					if i+1 >= len(args) {
						p.fail(0, "option requires an argument -- '%c'", c)
						return f, false
					}
					i++
					v = args[i]
				}
				f.set[c] = true
				f.values[c] = v
				j = len(a)
			case strings.IndexByte(allowed, c) >= 0:
				f.set[c] = true
			default:
				p.fail(0, "invalid option -- '%c'", c)
				return f, false
			}
		}
	}
	return f, true
}

// flagsOrUsage is parseFlags that finishes the usage message on failure.
func flagsOrUsage(p *proc, args []string, allowed, withArg string) (flags, bool) {
	f, ok := parseFlags(p, args, allowed, withArg)
	if !ok {
		fmt.Fprintf(p.stderr, "Try '%s --help' for more information.\n", p.name)
	}
	return f, ok
}
