package conformance

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

var (
	runPattern = flag.String("conformance.run", "", "run only the standard-library tests matching this (passed as -test.run)")
	verbose    = flag.Bool("conformance.v", false, "print the test binaries' whole output")
	pkgList    = flag.String("conformance.pkgs", strings.Join(Packages, ","), "comma-separated standard-library packages to run")
	modeList   = flag.String("conformance.modes", strings.Join(Modes, ","), "comma-separated WASI paths: native, sysfs")
	logDir     = flag.String("conformance.log", "", "also write each run's output to DIR/MODE_PKG.log")
	useCLI     = flag.Bool("conformance.cli", false, "run the test binaries with the vfscope command (vfscope run --mount host:GOROOT...) instead of in-process")
	pkgTimeout = flag.Duration("conformance.timeout", 3*time.Minute, "-test.timeout of each test binary")
)

const (
	expectedFile = "expected_failures.txt"
	skipsFile    = "expected_skips.txt"
)

func loadSkips(t *testing.T) ([]Expectation, string) {
	t.Helper()
	f, err := os.Open(skipsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	es, rel, err := ParseSkips(f)
	if err != nil {
		t.Fatalf("%s: %v", skipsFile, err)
	}
	return es, rel
}

func loadExpected(t *testing.T) ([]Expectation, string) {
	t.Helper()
	f, err := os.Open(expectedFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	es, rel, err := ParseExpected(f)
	if err != nil {
		t.Fatalf("%s: %v", expectedFile, err)
	}
	return es, rel
}

func toolchain(t testing.TB) *Toolchain {
	t.Helper()
	tc, err := NewToolchain(".")
	if err != nil {
		t.Skipf("skipping: %v", err)
	}
	return tc
}

// TestStdlib runs the standard library's os, io/fs, path/filepath and
// testing/fstest tests on the VFS through both WASI paths, in sequence,
// and compares the failures with expected_failures.txt. By default each
// binary runs in-process exactly as `vfscope run` runs a guest (same boot,
// same ABI and SysFS wiring), its package directory copied into the VFS,
// with compiled code cached on disk; -conformance.cli runs the vfscope
// command itself, which needs --mount host: for GOROOT.
func TestStdlib(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short mode: runs Go's os, io/fs, path/filepath and testing/fstest tests under vfscope run (a few minutes)")
	}
	exp, expGo := loadExpected(t)
	skips, skipsGo := loadSkips(t)
	tc := toolchain(t)
	// The release of the go command that builds the test binaries: its
	// standard library's tests are the ones that run.
	gos := GoReleases{Run: Release(tc.Version), Failures: expGo, Skips: skipsGo}
	ctx := context.Background()
	modes := strings.Split(*modeList, ",")
	var vfscope string
	if *useCLI {
		var err error
		if vfscope, err = tc.Vfscope(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var extra []string
	if *runPattern != "" {
		extra = append(extra, "-test.run="+*runPattern)
	}
	for _, pkg := range strings.Split(*pkgList, ",") {
		t.Run(pkg, func(t *testing.T) {
			wasm, err := tc.TestBinary(ctx, pkg)
			if err != nil {
				t.Fatal(err)
			}
			var g *Guest
			if !*useCLI {
				bin, err := os.ReadFile(wasm)
				if err != nil {
					t.Fatal(err)
				}
				g = NewGuest(bin, filepath.Join(tc.Cache, "wazero"))
				defer g.Close()
			}
			for _, mode := range modes {
				t.Run(mode, func(t *testing.T) {
					var run Runner
					if *useCLI {
						if m := Missing(vfscope, mode); m != "" {
							t.Skipf("skipping: -conformance.cli needs %s", m)
						}
						run = tc.CLIRunner(vfscope, Path(mode), pkg, wasm)
					} else {
						run = tc.InProcessRunner(g, Path(mode), pkg)
					}
					r, err := RunTests(ctx, run, *pkgTimeout, extra...)
					if r != nil && *logDir != "" {
						os.MkdirAll(*logDir, 0o755)
						os.WriteFile(filepath.Join(*logDir, mode+"_"+strings.ReplaceAll(pkg, "/", "_")+".log"), r.Output, 0o644)
					}
					if r != nil && *verbose {
						t.Logf("output:\n%s", r.Output)
					}
					if err != nil {
						t.Fatal(err)
					}
					report(t, mode, pkg, For(exp, mode, pkg), For(skips, mode, pkg), r, *runPattern == "", gos)
				})
			}
		})
	}
}

func report(t *testing.T, mode, pkg string, exp, skips map[string]Expectation, r *Result, all bool, gos GoReleases) {
	t.Helper()
	c := Compare(exp, skips, r, all, gos)
	t.Logf("%s %s: %d passed, %d failed (%d expected), %d skipped, in %v (%d run(s))",
		mode, pkg, len(r.Passed), len(r.Failed), len(r.Failed)-len(c.Unexpected), len(r.Skipped), r.Elapsed.Round(time.Millisecond), r.Runs)
	for _, n := range r.Crashed {
		t.Logf("%s crashed the test binary; it ran again without it", n)
	}
	errs, logs := problems(mode, r, c)
	for _, msg := range errs {
		t.Errorf("%s", msg)
	}
	for _, msg := range logs {
		t.Logf("%s", msg)
	}
}

// problems words what fails a run of the tests of one package and mode
// (errs) and, for a list made with another Go release than the one whose
// tests ran, what would fail it with that release (logs).
func problems(mode string, r *Result, c Comparison) (errs, logs []string) {
	var s []string
	for _, name := range c.Unexpected {
		excerpt := Excerpt(r.Output, name, 40)
		switch name {
		case BinaryFailure:
			excerpt = tail(r.Output, 40)
		case LockFailure:
			excerpt = strings.Join(r.Problems, "\n")
		}
		s = append(s, fmt.Sprintf("%s fails on the %s path and is not in %s (add it with its reason only if it is a WASI limit or a bug with its own reproducing test):\n%s",
			name, mode, expectedFile, excerpt))
	}
	errs, s = s, nil
	for _, e := range c.Passing {
		s = append(s, fmt.Sprintf("%s:%d: %s %s now passes on the %s path: remove its line (%s)", expectedFile, e.Line, e.Pkg, e.Test, mode, e.Reason))
	}
	for _, e := range c.Unseen {
		why := "did not run"
		if r.Skipped[e.Test] {
			why = "skips"
		}
		s = append(s, fmt.Sprintf("%s:%d: %s %s %s on the %s path: fix its name or remove its line (%s)", expectedFile, e.Line, e.Pkg, e.Test, why, mode, e.Reason))
	}
	otherGo(&errs, &logs, s, expectedFile, c.FailuresOtherGo)
	s = nil
	if len(c.NewSkips) > 0 {
		var b strings.Builder
		for _, name := range c.NewSkips {
			fmt.Fprintf(&b, "%s:\n%s", name, Excerpt(r.Output, name, 10))
		}
		s = append(s, fmt.Sprintf("%d test(s) skip on the %s path and are not in %s (a test that passed and now skips is a failure; list a skip only if it is a WASI limit): %s\n%s",
			len(c.NewSkips), mode, skipsFile, strings.Join(c.NewSkips, " "), b.String()))
	}
	for _, e := range c.Unskipped {
		s = append(s, fmt.Sprintf("%s:%d: %s %s no longer skips on the %s path: remove its line", skipsFile, e.Line, e.Pkg, e.Test, mode))
	}
	otherGo(&errs, &logs, s, skipsFile, c.SkipsOtherGo)
	return errs, logs
}

// otherGo adds msgs, which say what in list does not match the tests of
// the Go release that ran, to errs; or to logs, after a line saying so,
// when list was made with another Go release (rel).
func otherGo(errs, logs *[]string, msgs []string, list, rel string) {
	if len(msgs) == 0 {
		return
	}
	if rel == "" {
		*errs = append(*errs, msgs...)
		return
	}
	*logs = append(*logs, fmt.Sprintf("%s was made with the tests of %s, not of the Go release that ran them: what follows is not a failure", list, rel))
	*logs = append(*logs, msgs...)
}

// TestExpectedFailuresFile checks the lists themselves: their syntax,
// and that every "bug:" line names a test of this package that reproduces it.
func TestExpectedFailuresFile(t *testing.T) {
	es, _ := loadExpected(t)
	loadSkips(t)
	tests := map[string]bool{}
	files, _ := filepath.Glob("*_test.go")
	funcRE := regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range funcRE.FindAllStringSubmatch(string(src), -1) {
			tests[m[1]] = true
		}
	}
	if !tests["TestBugSysFSPathNUL"] {
		t.Fatalf("found no reproduction in %v", files)
	}
	for _, e := range withoutReproducer(es, tests) {
		t.Errorf("%s:%d: a bug: reason must name its reproducing test in host/conformance (%q)", expectedFile, e.Line, e.Reason)
	}
}

// withoutReproducer returns the "bug:" lines of es that name no test of
// tests.
func withoutReproducer(es []Expectation, tests map[string]bool) []Expectation {
	var bad []Expectation
	word := regexp.MustCompile(`\bTest\w+\b`)
	for _, e := range es {
		if !strings.HasPrefix(e.Reason, "bug:") {
			continue
		}
		found := false
		for _, name := range word.FindAllString(e.Reason, -1) {
			found = found || tests[name]
		}
		if !found {
			bad = append(bad, e)
		}
	}
	return bad
}

func TestWithoutReproducer(t *testing.T) {
	tests := map[string]bool{"TestBugX": true}
	es := []Expectation{
		{Line: 1, Reason: "bug: reproduced by TestBugX"},
		{Line: 2, Reason: "bug: reproduced by TestBugMissing"},
		{Line: 3, Reason: "bug: no reproduction named"},
		{Line: 4, Reason: "wasi: TestBugMissing is no bug"},
		{Line: 5, Reason: "bug: os's TestFoo fails the same way; reproduced by TestBugX"},
		{Line: 6, Reason: "bug: reproduced by TestBugXY"},
	}
	var lines []int
	for _, e := range withoutReproducer(es, tests) {
		lines = append(lines, e.Line)
	}
	if fmt.Sprint(lines) != "[2 3 6]" {
		t.Errorf("lines without a reproduction: %v, want [2 3 6]", lines)
	}
}

func TestParseVerbose(t *testing.T) {
	out := `=== RUN   TestA
--- PASS: TestA (0.00s)
=== RUN   TestB
=== RUN   TestB/x
    b_test.go:1: boom
=== RUN   TestB/y
--- FAIL: TestB (0.00s)
    --- FAIL: TestB/x (0.00s)
    --- PASS: TestB/y (0.00s)
=== RUN   TestC
    c_test.go:2: not here
--- SKIP: TestC (0.00s)
=== RUN   TestD
=== RUN   TestD/z
panic: oops
`
	p := ParseVerbose([]byte(out))
	if got := fmt.Sprintf("%v %v %v %v %q", keys(p.Failed), keys(p.Passed), keys(p.Skipped), p.Running, p.Summary); got != `[TestB TestB/x] [TestA TestB/y] [TestC] [TestD/z TestD] ""` {
		t.Errorf("parsed %s", got)
	}
	if got := Excerpt([]byte(out), "TestB/x", 10); got != "    b_test.go:1: boom\n    --- FAIL: TestB/x (0.00s)\n" {
		t.Errorf("excerpt %q", got)
	}
}

func keys(m map[string]bool) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}
