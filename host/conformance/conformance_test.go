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

const expectedFile = "expected_failures.txt"

func loadExpected(t *testing.T) []Expectation {
	t.Helper()
	f, err := os.Open(expectedFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	es, err := ParseExpected(f)
	if err != nil {
		t.Fatalf("%s: %v", expectedFile, err)
	}
	return es
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
	exp := loadExpected(t)
	tc := toolchain(t)
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
					report(t, mode, pkg, For(exp, mode, pkg), r)
				})
			}
		})
	}
}

func report(t *testing.T, mode, pkg string, exp map[string]Expectation, r *Result) {
	t.Helper()
	unexpected, fixed := Compare(exp, r)
	t.Logf("%s %s: %d passed, %d failed (%d expected), %d skipped, in %v (%d run(s))",
		mode, pkg, len(r.Passed), len(r.Failed), len(r.Failed)-len(unexpected), len(r.Skipped), r.Elapsed.Round(time.Millisecond), r.Runs)
	for _, c := range r.Crashed {
		t.Logf("%s crashed the test binary; it ran again without it", c)
	}
	for _, name := range unexpected {
		excerpt := Excerpt(r.Output, name, 40)
		switch name {
		case BinaryFailure:
			excerpt = tail(r.Output, 40)
		case LockFailure:
			excerpt = strings.Join(r.Problems, "\n")
		}
		t.Errorf("%s fails on the %s path and is not in %s (add it with its reason only if it is a WASI limit or a bug with its own reproducing test):\n%s",
			name, mode, expectedFile, excerpt)
	}
	for _, e := range fixed {
		t.Logf("%s:%d: %s %s now passes on the %s path: remove its line (%s)", expectedFile, e.Line, e.Pkg, e.Test, mode, e.Reason)
	}
}

// TestExpectedFailuresFile checks the list itself: its syntax, and that
// every "bug:" line names a test of this package that reproduces it.
func TestExpectedFailuresFile(t *testing.T) {
	es := loadExpected(t)
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
	repro := regexp.MustCompile(`\b(Test\w+)\b`)
	for _, e := range es {
		if !strings.HasPrefix(e.Reason, "bug:") {
			continue
		}
		m := repro.FindStringSubmatch(e.Reason)
		if m == nil || !tests[m[1]] {
			t.Errorf("%s:%d: a bug: reason must name its reproducing test in host/conformance (%q)", expectedFile, e.Line, e.Reason)
		}
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
	exp := map[string]Expectation{"TestB/x": {Test: "TestB/x"}, "TestE": {Test: "TestE"}, "TestA": {Test: "TestA", Line: 3}}
	r := &Result{Failed: map[string]bool{"TestB": true, "TestB/x": true, "TestD": true, "TestE/sub": true}, Passed: p.Passed}
	unexpected, fixed := Compare(exp, r)
	if fmt.Sprint(unexpected) != "[TestD]" || len(fixed) != 1 || fixed[0].Test != "TestA" {
		t.Errorf("Compare: unexpected %v fixed %v", unexpected, fixed)
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
