// Package conformance runs Go's own standard-library tests on vfscope: the
// tests of os, io/fs, path/filepath and testing/fstest, compiled with
// GOOS=wasip1 GOARCH=wasm, run under `vfscope run` on a fresh VFS through
// both WASI paths (vfscope's own preview1 ABI, and wazero's WASI over
// host.SysFS with --sysfs). The set of failing tests is compared with
// expected_failures.txt, where every entry gives its reason: a limit of
// WASI preview1 (or of wazero's WASI layer on the --sysfs path), or a
// known vfscope bug with a test of its own in this package that
// reproduces it. The list only shrinks: a failure outside it fails the
// test, and so does a listed test that passes or, in a run of every
// test, does not run, until its line goes. The tests that skip are
// compared the same way with expected_skips.txt, so that a test turning
// from a pass into a skip fails too.
//
// The harness also builds the guests (guests/busybox, guests/workload)
// for the benchmark beside it, which runs guests/workload on vfscope
// through both WASI paths and on wazero's own DirFS over /dev/shm.
//
// Test binaries are built with the go command on PATH into a cache
// directory ($VFSCOPE_CONFORMANCE_CACHE, by default <user cache
// dir>/vfscope/conformance), keyed by the Go version, so that only the
// first run pays for the standard library's test builds. The vfscope
// command and the guests, built from the checkout's own sources, go into
// a directory of that cache keyed by the checkout's module directory, so
// that checkouts testing at once do not run each other's binaries. Every
// binary is written to a file of its own beside its name and renamed to
// it, so that builds running at once neither write into one file nor run
// a half-written one.
package conformance

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// Packages are the standard-library packages whose tests run on the VFS,
// in the order they run.
var Packages = []string{"os", "io/fs", "path/filepath", "testing/fstest"}

// Modes are the two WASI paths: vfscope's own ABI and wazero's WASI over
// host.SysFS (`vfscope run --sysfs`).
var Modes = []string{"native", "sysfs"}

// Toolchain is the go command and what the harness built with it.
type Toolchain struct {
	Go      string // the go command
	Version string // `go env GOVERSION`
	GOROOT  string // `go env GOROOT`
	Cache   string // cache directory for this Go version
	Module  string // the vfscope module's root directory
	// Checkout is the directory, in Cache, of what is built from
	// Module's sources: the vfscope command and the guests.
	Checkout string
}

// NewToolchain finds the go command and the module root (from dir
// upwards) and prepares the cache directories.
func NewToolchain(dir string) (*Toolchain, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("no go command on PATH: %w", err)
	}
	cmd := exec.Command(gobin, "env", "GOVERSION", "GOROOT", "GOMOD")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	f := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(f) != 3 || f[2] == "" || f[2] == os.DevNull {
		return nil, fmt.Errorf("go env GOVERSION GOROOT GOMOD: %q", out)
	}
	tc := &Toolchain{Go: gobin, Version: f[0], GOROOT: f[1], Module: filepath.Dir(f[2])}
	base := os.Getenv("VFSCOPE_CONFORMANCE_CACHE")
	if base == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			c = os.TempDir()
		}
		base = filepath.Join(c, "vfscope", "conformance")
	}
	tc.Cache = filepath.Join(base, tc.Version+"-"+runtime.GOARCH)
	mod, err := filepath.Abs(tc.Module)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(mod))
	tc.Checkout = filepath.Join(tc.Cache, "checkout-"+hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(tc.Checkout, 0o755); err != nil {
		return nil, err
	}
	return tc, nil
}

func (tc *Toolchain) goCmd(ctx context.Context, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, tc.Go, args...)
	cmd.Dir = tc.Module
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

var wasip1Env = []string{"GOOS=wasip1", "GOARCH=wasm"}

// replaceWith makes the file out by build, which writes the file it is
// given: a new file beside out (os.CreateTemp), renamed to out once
// build succeeds. Builds of out running at once (two test processes)
// each write a file of their own, and a process that runs out meanwhile
// runs a whole binary, the old or the new.
func replaceWith(out string, mode os.FileMode, build func(tmp string) error) error {
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = f.Close()
	if err == nil {
		err = build(tmp)
	}
	if err == nil {
		err = os.Chmod(tmp, mode)
	}
	if err == nil {
		err = os.Rename(tmp, out)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// goBuild makes out, of the given mode, through replaceWith with
// `go VERB -o TMP ARGS...` in env; its error holds the go command's
// output.
func (tc *Toolchain) goBuild(ctx context.Context, env []string, out string, mode os.FileMode, verb string, args ...string) error {
	return replaceWith(out, mode, func(tmp string) error {
		cmd := tc.goCmd(ctx, env, append([]string{verb, "-o", tmp}, args...)...)
		if msg, err := cmd.CombinedOutput(); err != nil {
			what := strings.TrimSpace(strings.Join(env, " ") + " go " + verb + " " + strings.Join(args, " "))
			return fmt.Errorf("%s: %v\n%s", what, err, msg)
		}
		return nil
	})
}

// TestBinary returns the GOOS=wasip1 test binary of pkg, building it with
// `go test -c` unless the cache already holds it for this Go version (the
// standard library's tests change only with Go).
func (tc *Toolchain) TestBinary(ctx context.Context, pkg string) (string, error) {
	out := filepath.Join(tc.Cache, strings.ReplaceAll(pkg, "/", "_")+".test.wasm")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	err := tc.goBuild(ctx, wasip1Env, out, 0o644, "test", "-c", pkg)
	if err != nil {
		return "", err
	}
	return out, nil
}

// Guest builds a guest of guests/ (its directory name, e.g. "workload")
// for wasip1 into the checkout's directory and returns its path. The go
// command's build cache makes it cheap when nothing changed.
func (tc *Toolchain) Guest(ctx context.Context, name string) (string, error) {
	out := filepath.Join(tc.Checkout, name+".wasm")
	err := tc.goBuild(ctx, wasip1Env, out, 0o644, "build", "./guests/"+name)
	if err != nil {
		return "", err
	}
	return out, nil
}

// Vfscope builds the vfscope command for the host into the checkout's
// directory and returns its path.
func (tc *Toolchain) Vfscope(ctx context.Context) (string, error) {
	out := filepath.Join(tc.Checkout, "vfscope")
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	if err := tc.goBuild(ctx, nil, out, 0o755, "build", "./host/cmd/vfscope"); err != nil {
		return "", err
	}
	return out, nil
}

// Missing says what the vfscope command lacks for mode ("" when it has
// it): the run subcommand, or its --sysfs flag.
func Missing(vfscope, mode string) string {
	help, _ := exec.Command(vfscope, "help").CombinedOutput()
	if !regexp.MustCompile(`(?m)^\s*vfscope run\b`).Match(help) {
		return "`vfscope run` (no run subcommand in ./host/cmd/vfscope yet)"
	}
	// The tests read their package's testdata from GOROOT, mounted from
	// the host: a mount error exits 2 before the (absent) module is read.
	probe := exec.Command(vfscope, "run", "--mount", "host:"+os.TempDir()+":/probe:ro", filepath.Join(os.TempDir(), "vfscope-no-such-module.wasm"))
	if msg, err := probe.CombinedOutput(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 2 {
			return "`vfscope run --mount host:SRC:DST:ro` to give the tests GOROOT; it says: " + strings.TrimSpace(string(msg))
		}
	}
	if mode == "sysfs" {
		runHelp, _ := exec.Command(vfscope, "run", "--help").CombinedOutput()
		if !bytes.Contains(runHelp, []byte("--sysfs")) {
			return "`vfscope run --sysfs` (host.SysFS path not wired into vfscope run yet)"
		}
	}
	return ""
}

// RunArgs are the vfscope run arguments that run a wasip1 test binary of
// pkg: GOROOT mounted read-only from the host at its own path (the tests
// read their testdata and, for some, GOROOT), the package directory as the
// working directory (Go's wasip1 port takes it from PWD).
func (tc *Toolchain) RunArgs(mode, pkg, wasm string, args ...string) []string {
	a := []string{"run"}
	if mode == "sysfs" {
		a = append(a, "--sysfs")
	}
	dir := filepath.ToSlash(filepath.Join(tc.GOROOT, "src", pkg))
	a = append(a,
		"--mount", "host:"+tc.GOROOT+":"+filepath.ToSlash(tc.GOROOT)+":ro",
		"--env", "PWD="+dir,
		"--env", "HOME=/tmp",
		"--env", "TMPDIR=/tmp",
		wasm)
	return append(a, args...)
}

// Result is what one run of a test binary gave.
type Result struct {
	Failed  map[string]bool // failing tests and subtests, by full name
	Passed  map[string]bool
	Skipped map[string]bool
	// Crashed names the tests that were running when the binary died
	// (panic, timeout, trap); each rerun skipped them.
	Crashed []string
	// Problems are what the lock validator reported (LockFailure).
	Problems []string
	Runs     int
	Output   []byte // every run's output, one after the other
	Elapsed  time.Duration
}

// MaxCrashes bounds the reruns after crashes.
const MaxCrashes = 8

// Runner runs a test binary once with args (flags for the binary),
// writing its output to out. It returns the exit status; err is for a
// binary that could not run, or that was stopped (trap, deadline), when
// the status means little, and holds a *ValidatorError when the lock
// validator reported during the run.
type Runner func(ctx context.Context, args []string, out io.Writer) (status int, err error)

// CLIRunner runs the test binary of pkg under the vfscope command,
// `vfscope run [--sysfs] --mount host:GOROOT:GOROOT:ro ...`.
func (tc *Toolchain) CLIRunner(vfscope string, mode Path, pkg, wasm string) Runner {
	return func(ctx context.Context, args []string, out io.Writer) (int, error) {
		cmd := exec.CommandContext(ctx, vfscope, tc.RunArgs(string(mode), pkg, wasm, args...)...)
		cmd.Stdout, cmd.Stderr = out, out
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ctx.Err() != nil {
				return ee.ExitCode(), ctx.Err()
			}
			return ee.ExitCode(), nil
		}
		if err != nil {
			return 1, err
		}
		return 0, nil
	}
}

// GuestEnv is the environment of a test binary of pkg: Go's wasip1 port
// takes its working directory, the package's directory, from PWD.
func (tc *Toolchain) GuestEnv(pkg string) []string {
	return []string{"PWD=" + path.Join(filepath.ToSlash(tc.GOROOT), "src", pkg), "HOME=/tmp", "TMPDIR=/tmp"}
}

// GOROOTFiles lists the trees of GOROOT the tests of pkg read, besides
// the files at GOROOT's top (go.env, LICENSE...: os's tests list and stat
// them): the package's directory, and what its tests walk.
func GOROOTFiles(pkg string) []string {
	rels := []string{"src/" + pkg}
	switch pkg {
	case "path/filepath":
		rels = append(rels, "src/unicode") // TestBug3486 walks it
	}
	return rels
}

// InProcessRunner runs the test binary of pkg in this process, on a fresh
// VFS each run (boot.New, as `vfscope run`), through the WASI path mode,
// with the parts of GOROOT its tests read (GOROOTFiles) copied to the
// same path on a read-only tmpfs (where the CLI runner mounts GOROOT
// from the host with --mount host:...:ro).
func (tc *Toolchain) InProcessRunner(g *Guest, mode Path, pkg string) Runner {
	return func(ctx context.Context, args []string, out io.Writer) (int, error) {
		v, t, err := boot.New(vfs.Options{Lockdep: true})
		if err != nil {
			return 1, err
		}
		if err := CopyIn(t, tc.GOROOT, GOROOTFiles(pkg)...); err != nil {
			return 1, fmt.Errorf("copying GOROOT into the VFS: %w", err)
		}
		code, err := g.Run(ctx, RunConfig{Path: mode, Task: t, Args: append([]string{pkg + ".test"}, args...),
			Env: tc.GuestEnv(pkg), Stdout: out, Stderr: out})
		return Validated(v, out, int(code), err)
	}
}

// LockFailure is the name under which what the lock validator reported
// during a run counts as a failure.
const LockFailure = "<lockdep>"

// ValidatorError is a Runner's error when the VFS's lock validator
// reported during the run, or was off; Err is the run's own error.
type ValidatorError struct {
	Problems []string
	Err      error
}

func (e *ValidatorError) Error() string {
	s := "lock validator: " + strings.Join(e.Problems, "\n")
	if e.Err != nil {
		s = e.Err.Error() + "; " + s
	}
	return s
}

func (e *ValidatorError) Unwrap() error { return e.Err }

// ValidatorProblems returns what v's lock validator reported (lock order
// cycles, sleeping in atomic context...) and the calls made into a
// filesystem with the wrong locks held; a VFS without the validator is a
// problem too.
func ValidatorProblems(v *vfs.VFS) []string {
	val := v.Validator()
	if val == nil {
		return []string{"the lock validator is off"}
	}
	var s []string
	for _, r := range val.Reports() {
		s = append(s, fmt.Sprintf("lockdep report:\n%s", r))
	}
	for _, x := range v.LockingViolations() {
		s = append(s, "locking violation: "+x)
	}
	return s
}

// Validated ends a Runner's run on v: the validator's problems, if any,
// are written to out and err becomes a *ValidatorError around it.
func Validated(v *vfs.VFS, out io.Writer, status int, err error) (int, error) {
	probs := ValidatorProblems(v)
	if len(probs) == 0 {
		return status, err
	}
	fmt.Fprintf(out, "### %s:\n%s\n", LockFailure, strings.Join(probs, "\n"))
	return status, &ValidatorError{Problems: probs, Err: err}
}

// BinaryFailure is the name under which a test binary's failure counts
// when no test of it failed: a non-zero exit status (or a run stopped, or
// a FAIL summary) after every test that started has ended.
const BinaryFailure = "<binary>"

// RunTests runs a test binary through run with -test.v and extra (e.g.
// -test.run); not -test.short, which skips tests of os
// (TestReaddirNValues, TestRemoveAllLarge...) that take little time on
// the VFS. When the binary dies in the middle (panic, trap, timeout, an
// exit), the tests that were running under the top-level test to blame
// (blamed) count as failed and the binary runs again skipping that
// top-level test. A run whose binary exits with a non-zero status,
// or is stopped, or says FAIL, without any test failing fails as
// BinaryFailure.
func RunTests(ctx context.Context, run Runner, timeout time.Duration, extra ...string) (*Result, error) {
	r := &Result{Failed: map[string]bool{}, Passed: map[string]bool{}, Skipped: map[string]bool{}}
	start := time.Now()
	var skip []string
	for {
		args := []string{"-test.v", "-test.timeout=" + timeout.String()}
		if len(skip) > 0 {
			args = append(args, "-test.skip=^("+strings.Join(skip, "|")+")$")
		}
		args = append(args, extra...)
		cctx, cancel := context.WithTimeout(ctx, timeout+30*time.Second)
		var out bytes.Buffer
		status, err := run(cctx, args, &out)
		cancel()
		if ve, ok := err.(*ValidatorError); ok {
			r.Failed[LockFailure] = true
			r.Problems = append(r.Problems, ve.Problems...)
			err = ve.Err
		}
		r.Runs++
		r.Output = append(r.Output, fmt.Sprintf("### run %d: %s\n", r.Runs, strings.Join(args, " "))...)
		r.Output = append(r.Output, out.Bytes()...)
		if err != nil {
			r.Output = append(r.Output, fmt.Sprintf("### stopped: %v\n", err)...)
		}
		p := ParseVerbose(out.Bytes())
		for n := range p.Failed {
			r.Failed[n] = true
		}
		for n := range p.Passed {
			r.Passed[n] = true
		}
		for n := range p.Skipped {
			r.Skipped[n] = true
		}
		if len(p.Running) == 0 {
			if (status != 0 || err != nil || p.Summary != "PASS") && len(p.Failed) == 0 {
				if p.Summary == "" && len(p.Passed)+len(p.Skipped) == 0 {
					return r, fmt.Errorf("the test binary exited with status %d (%v) before any test ran:\n%s", status, err, tail(out.Bytes(), 30))
				}
				r.Failed[BinaryFailure] = true
				r.Output = append(r.Output, fmt.Sprintf("### %s: exit status %d (%v), summary %q, after every test ended\n", BinaryFailure, status, err, p.Summary)...)
			}
			break
		}
		// The binary died (or exited) in the middle of a test.
		tops := blamed(p)
		crashed := map[string]bool{}
		for _, n := range append(p.Running, namesOf(p.TimedOut)...) {
			if t, _, _ := strings.Cut(n, "/"); tops[t] && !crashed[n] {
				crashed[n] = true
				r.Crashed = append(r.Crashed, n)
				r.Failed[n] = true
			}
		}
		for _, top := range sortedKeys(tops) {
			skip = append(skip, regexp.QuoteMeta(top))
		}
		if len(skip) >= MaxCrashes {
			return r, fmt.Errorf("gave up after %d crashes (%s)", len(skip), strings.Join(r.Crashed, ", "))
		}
	}
	r.Elapsed = time.Since(start)
	return r, nil
}

// blamed returns the top-level tests a crash is blamed on. After a
// -test.timeout panic, which lists the tests running and for how long,
// those that had run the longest: the hung test of parallel ones is
// usually the quiet one, whose output did not come last, while the tests
// that ran beside it after it hung started later. Otherwise, the one
// whose output came last.
func blamed(p Parsed) map[string]bool {
	tops := map[string]bool{}
	var longest time.Duration
	for _, h := range p.TimedOut {
		longest = max(longest, h.For)
	}
	for _, h := range p.TimedOut {
		if h.For == longest {
			top, _, _ := strings.Cut(h.Name, "/")
			tops[top] = true
		}
	}
	if len(tops) == 0 {
		top, _, _ := strings.Cut(p.Running[0], "/")
		tops[top] = true
	}
	return tops
}

func namesOf(ts []RunningTest) []string {
	var s []string
	for _, t := range ts {
		s = append(s, t.Name)
	}
	return s
}

func sortedKeys(m map[string]bool) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// RunningTest is a line of the list of tests running that a
// -test.timeout panic prints: a test, and how long it had been running.
type RunningTest struct {
	Name string
	For  time.Duration
}

// Parsed is what ParseVerbose reads from `-test.v` output.
type Parsed struct {
	Failed, Passed, Skipped map[string]bool
	// Running lists tests started (=== RUN) without a result line, but
	// not parallel tests paused (=== PAUSE) and never continued (=== CONT):
	// those a crash interrupted, the one whose output came last first.
	Running []string
	// TimedOut are the tests a -test.timeout panic says were running
	// ("panic: test timed out after 3m0s" then "running tests:" and a
	// line "\tTestName (3m0s)" for each, the panic's lines indented).
	TimedOut []RunningTest
	// Summary is the binary's last PASS or FAIL line, "" without one.
	Summary string
}

var (
	// A result line may follow a test's output that did not end its line.
	resultLine = regexp.MustCompile(`--- (PASS|FAIL|SKIP): (\S+) \(`)
	// RUN starts a test; PAUSE stops a parallel one until CONT; NAME
	// says whose output follows.
	eventLine = regexp.MustCompile(`^=== (RUN|PAUSE|CONT|NAME)\s+(\S+)`)
	// A test running at a -test.timeout panic, and for how long.
	runningLine = regexp.MustCompile(`^\s+(\S+) \(([0-9][0-9a-zµ.]*)\)$`)
)

// ParseVerbose reads the results out of a test binary's -test.v output.
func ParseVerbose(out []byte) Parsed {
	p := Parsed{Failed: map[string]bool{}, Passed: map[string]bool{}, Skipped: map[string]bool{}}
	started := map[string]int{} // test to when its output came last
	paused := map[string]bool{}
	order := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	inRunning := false // in a timeout panic's list of running tests
	for sc.Scan() {
		line := sc.Text()
		if inRunning {
			if m := runningLine.FindStringSubmatch(line); m != nil {
				if d, err := time.ParseDuration(m[2]); err == nil {
					p.TimedOut = append(p.TimedOut, RunningTest{Name: m[1], For: d})
					continue
				}
			}
			inRunning = false
		}
		if strings.TrimSpace(line) == "running tests:" {
			inRunning = true
			continue
		}
		if m := eventLine.FindStringSubmatch(line); m != nil {
			_, running := started[m[2]]
			switch {
			case m[1] == "RUN":
				running = true
			case m[1] == "PAUSE":
				paused[m[2]] = true
				continue
			}
			if running {
				order++
				started[m[2]] = order
				delete(paused, m[2])
			}
			continue
		}
		if m := resultLine.FindStringSubmatch(line); m != nil {
			switch m[1] {
			case "PASS":
				p.Passed[m[2]] = true
			case "FAIL":
				p.Failed[m[2]] = true
			case "SKIP":
				p.Skipped[m[2]] = true
			}
			delete(started, m[2])
			delete(paused, m[2])
			continue
		}
		if line == "PASS" || line == "FAIL" {
			p.Summary = line
		}
	}
	for n := range started {
		if !paused[n] {
			p.Running = append(p.Running, n)
		}
	}
	sort.Slice(p.Running, func(i, j int) bool { return started[p.Running[i]] > started[p.Running[j]] })
	return p
}

// Excerpt returns the output lines that belong to test name (its log
// lines and result line), at most max of them.
func Excerpt(out []byte, name string, max int) string {
	var b strings.Builder
	cur := ""
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() && n < max {
		line := sc.Text()
		if strings.HasPrefix(line, "=== ") {
			f := strings.Fields(line)
			if len(f) >= 3 {
				cur = f[2]
			}
			continue
		}
		if m := resultLine.FindStringSubmatch(line); m != nil {
			cur = m[2]
		}
		if strings.HasPrefix(line, "panic:") || strings.HasPrefix(line, "### ") {
			cur = "" // a crash's trace or the next run: no test's lines
		}
		if cur == name || strings.HasPrefix(cur, name+"/") {
			b.WriteString(line)
			b.WriteByte('\n')
			n++
		}
	}
	return b.String()
}

func tail(out []byte, lines int) string {
	s := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(s) > lines {
		s = s[len(s)-lines:]
	}
	return strings.Join(s, "\n")
}

// Expectation is one line of expected_failures.txt.
type Expectation struct {
	Mode   string // native, sysfs or both
	Pkg    string
	Test   string // full name, subtests with "/"
	Reason string
	Line   int
}

// Reason kinds: every reason starts with one of these.
var reasonKinds = []string{
	"wasi:",   // a limit of WASI preview1 itself (or of Go's wasip1 port of it)
	"wazero:", // a limit of wazero's WASI layer (the --sysfs path)
	"bug:",    // a known vfscope bug; the reason names its reproducing test
}

// goLine is a list's header line: the Go release (major.minor) whose
// standard-library tests the list was made with.
var goLine = regexp.MustCompile(`^#\s*go:\s*(\S*)\s*$`)

// goHeader reads line as a list's "# go: goX.Y" header into *rel: ok
// says it is one, err that it is malformed or a second one.
func goHeader(line string, ln int, rel *string) (ok bool, err error) {
	m := goLine.FindStringSubmatch(line)
	if m == nil {
		return false, nil
	}
	if *rel != "" {
		return true, fmt.Errorf("line %d: a second \"# go:\" line", ln)
	}
	if Release(m[1]) != m[1] {
		return true, fmt.Errorf("line %d: %q is not a Go release as goX.Y", ln, m[1])
	}
	*rel = m[1]
	return true, nil
}

// noGoHeader is the error of a list without its "# go:" line.
var noGoHeader = errors.New(`no "# go: goX.Y" line naming the Go release whose tests the list was made with`)

// goRelease matches the major.minor of a Go version: go1.26.8,
// go1.27rc1, devel go1.27-abcdef...
var goRelease = regexp.MustCompile(`go[1-9][0-9]*\.[0-9]+`)

// Release returns the major.minor of Go version v ("go1.26" of
// "go1.26.8"), "" when v names none.
func Release(v string) string {
	return goRelease.FindString(v)
}

// ParseExpected reads expected_failures.txt: "#" comments and blank lines,
// else "MODE PACKAGE TEST REASON..." with MODE native, sysfs or both and a
// reason that starts with wasi:, wazero: or bug: (bug: lines name the
// Test... function of this package that reproduces the bug). One comment
// line, "# go: goX.Y", names the Go release whose standard-library tests
// the list was made with; it returns that release too.
func ParseExpected(r io.Reader) (es []Expectation, goRel string, err error) {
	return parseList(r, 4, "MODE PACKAGE TEST REASON", func(e Expectation) error {
		for _, k := range reasonKinds {
			if strings.HasPrefix(e.Reason, k) {
				return nil
			}
		}
		return fmt.Errorf("reason %q does not start with one of %v", e.Reason, reasonKinds)
	})
}

// ParseSkips reads expected_skips.txt: "#" comments and blank lines, else
// "MODE PACKAGE TEST [WHY...]" with MODE native, sysfs or both, WHY what
// the test says when it skips; and, as ParseExpected, the "# go: goX.Y"
// line's Go release.
func ParseSkips(r io.Reader) (es []Expectation, goRel string, err error) {
	return parseList(r, 3, "MODE PACKAGE TEST [WHY]", nil)
}

// parseList reads a list of ParseExpected's and ParseSkips's form: lines
// of at least minFields fields (want names them), a known MODE, no test
// listed twice for one mode, each line passing check (nil: none), and
// one "# go:" line.
func parseList(r io.Reader, minFields int, want string, check func(Expectation) error) (es []Expectation, goRel string, err error) {
	sc := bufio.NewScanner(r)
	ln := 0
	seen := map[string]int{}
	for sc.Scan() {
		ln++
		line := strings.TrimSpace(sc.Text())
		if ok, err := goHeader(line, ln, &goRel); ok || err != nil {
			if err != nil {
				return nil, "", err
			}
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < minFields {
			return nil, "", fmt.Errorf("line %d: want %s, got %q", ln, want, line)
		}
		e := Expectation{Mode: f[0], Pkg: f[1], Test: f[2], Reason: strings.Join(f[3:], " "), Line: ln}
		switch e.Mode {
		case "native", "sysfs", "both":
		default:
			return nil, "", fmt.Errorf("line %d: mode %q is not native, sysfs or both", ln, e.Mode)
		}
		if check != nil {
			if err := check(e); err != nil {
				return nil, "", fmt.Errorf("line %d: %w", ln, err)
			}
		}
		for _, m := range []string{"native", "sysfs"} {
			if e.Mode == m || e.Mode == "both" {
				key := m + " " + e.Pkg + " " + e.Test
				if prev, dup := seen[key]; dup {
					return nil, "", fmt.Errorf("line %d: %s %s already listed for %s on line %d", ln, e.Pkg, e.Test, m, prev)
				}
				seen[key] = ln
			}
		}
		es = append(es, e)
	}
	if err := sc.Err(); err != nil {
		return nil, "", err
	}
	if goRel == "" {
		return nil, "", noGoHeader
	}
	return es, goRel, nil
}

// For returns the expectations of pkg in mode, by test name.
func For(es []Expectation, mode, pkg string) map[string]Expectation {
	m := map[string]Expectation{}
	for _, e := range es {
		if e.Pkg == pkg && (e.Mode == mode || e.Mode == "both") {
			m[e.Test] = e
		}
	}
	return m
}

// GoReleases are the Go release (major.minor) whose standard-library
// tests ran and those expected_failures.txt and expected_skips.txt were
// made with (their "# go:" lines).
type GoReleases struct{ Run, Failures, Skips string }

// Comparison is a run's results against the expectations of its
// package and mode.
type Comparison struct {
	// Unexpected are the failing tests the list does not expect: a test
	// that is not listed, is not the parent of a listed subtest (a
	// failing subtest fails its parent) and, when a listed test's
	// subtests fail, the subtests not listed themselves (a listed parent
	// does not hide new failures beneath it).
	Unexpected []string
	// Passing are the listed tests that ran and passed.
	Passing []Expectation
	// Unseen are, in a run of every test, the listed tests that neither
	// failed nor passed: misspelt, gone, or now skipped; not those under
	// a top-level test that crashed, which did not run again.
	Unseen []Expectation
	// NewSkips are the skipped tests the list of skips does not hold: a
	// test that passed turning into a skip is a failure too.
	NewSkips []string
	// Unskipped are, in a run of every test, the listed skips that did
	// not skip (but for those under a crashed top-level test): their
	// lines must go, lest they hide a later skip.
	Unskipped []Expectation
	// FailuresOtherGo and SkipsOtherGo are the Go release of
	// expected_failures.txt and of expected_skips.txt when it is not the
	// one whose tests ran, else "": then Passing and Unseen, and
	// NewSkips and Unskipped, are to be logged rather than failed.
	FailuresOtherGo, SkipsOtherGo string
}

// Compare splits a run's results against the expected failures and
// skips of its package and mode; all says the run was of every test (no
// -test.run pattern). The checks that hang on which tests a Go release's
// standard library has, which of them pass and which skip (Passing and
// Unseen against expected_failures.txt; NewSkips and Unskipped against
// expected_skips.txt) hold only when the list was made with the Go
// release whose tests ran (gos): another release adds, renames and
// removes tests and skips, and would fail a run spuriously. Comparison's
// FailuresOtherGo and SkipsOtherGo say when they are to be logged
// instead (another release may fix a listed test as well as rename
// it). Unexpected failures fail whatever the release.
func Compare(exp, skips map[string]Expectation, r *Result, all bool, gos GoReleases) Comparison {
	var c Comparison
	if gos.Failures != gos.Run {
		c.FailuresOtherGo = gos.Failures
	}
	if gos.Skips != gos.Run {
		c.SkipsOtherGo = gos.Skips
	}
	for name := range r.Skipped {
		if _, ok := skips[name]; !ok {
			c.NewSkips = append(c.NewSkips, name)
		}
	}
	sort.Strings(c.NewSkips)
	// A crashed top-level test did not run again: its listed subtests
	// neither failed, passed nor skipped after it, and the crash fails
	// the run already.
	crashed := map[string]bool{}
	for _, n := range r.Crashed {
		top, _, _ := strings.Cut(n, "/")
		crashed[top] = true
	}
	under := func(name string) bool {
		top, _, _ := strings.Cut(name, "/")
		return crashed[top]
	}
	for name, e := range skips {
		if all && !r.Skipped[name] && !under(name) {
			c.Unskipped = append(c.Unskipped, e)
		}
	}
	for name := range r.Failed {
		if !covered(exp, name) {
			c.Unexpected = append(c.Unexpected, name)
		}
	}
	sort.Strings(c.Unexpected)
	for name, e := range exp {
		switch {
		case r.Failed[name]:
		case r.Passed[name]:
			c.Passing = append(c.Passing, e)
		case all && !under(name):
			c.Unseen = append(c.Unseen, e)
		}
	}
	byLine := func(es []Expectation) {
		sort.Slice(es, func(i, j int) bool { return es[i].Line < es[j].Line })
	}
	byLine(c.Passing)
	byLine(c.Unseen)
	byLine(c.Unskipped)
	return c
}

// covered says whether the failure of name is expected: it is listed, or
// is the parent of a listed subtest.
func covered(exp map[string]Expectation, name string) bool {
	if _, ok := exp[name]; ok {
		return true
	}
	for listed := range exp {
		if strings.HasPrefix(listed, name+"/") {
			return true
		}
	}
	return false
}
