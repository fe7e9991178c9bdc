package conformance

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// fakeRun is what one run of a fake test binary prints and exits with.
type fakeRun struct {
	out    string
	status int
	err    error
}

// fakeRunner plays runs in order (the last one again when they run out)
// and records each run's -test.skip flag.
func fakeRunner(runs []fakeRun, skips *[]string) Runner {
	i := 0
	return func(ctx context.Context, args []string, out io.Writer) (int, error) {
		skip := ""
		for _, a := range args {
			if v, ok := strings.CutPrefix(a, "-test.skip="); ok {
				skip = v
			}
		}
		*skips = append(*skips, skip)
		f := runs[min(i, len(runs)-1)]
		i++
		io.WriteString(out, f.out)
		return f.status, f.err
	}
}

// TestRunTestsResults drives RunTests with fake test binaries: what
// fails, what counts as crashed, which reruns skip what.
func TestRunTestsResults(t *testing.T) {
	const passX = "=== RUN   TestX\n--- PASS: TestX (0.00s)\n"
	for _, c := range []struct {
		name string
		runs []fakeRun
		// Failed, Crashed and each run's -test.skip; or the error.
		want string
	}{
		{"clean", []fakeRun{{passX + "PASS\n", 0, nil}}, "[] [] []"},
		{"result after unended output", []fakeRun{{"=== RUN   TestX\nno newline--- FAIL: TestX (0.00s)\nFAIL\n", 1, nil}},
			"[TestX] [] []"},
		{"status 1 after PASS lines", []fakeRun{{passX + "FAIL\n", 1, nil}}, "[<binary>] [] []"},
		{"status 1 after PASS summary", []fakeRun{{passX + "PASS\n", 1, nil}}, "[<binary>] [] []"},
		{"stopped after PASS summary", []fakeRun{{passX + "PASS\n", 0, context.DeadlineExceeded}}, "[<binary>] [] []"},
		{"no summary", []fakeRun{{passX, 0, nil}}, "[<binary>] [] []"},
		{"PASS printed by a test", []fakeRun{{passX + "=== RUN   TestY\nPASS\n--- PASS: TestY (0.00s)\nFAIL\n", 1, nil}},
			"[<binary>] [] []"},
		{"test started after the summary", []fakeRun{
			{passX + "PASS\n=== RUN   TestY\npanic: boom\n", 2, nil},
			{passX + "PASS\n", 0, nil}},
			"[TestY] [TestY] [^(TestY)$]"},
		{"crash in a subtest", []fakeRun{
			{passX + "=== RUN   TestY\n=== RUN   TestY/a\npanic: boom\n", 2, nil},
			{passX + "PASS\n", 0, nil}},
			"[TestY TestY/a] [TestY/a TestY] [^(TestY)$]"},
		{"paused parallel tests never continued", []fakeRun{
			{"=== RUN   TestP\n=== PAUSE TestP\n=== RUN   TestQ\n=== PAUSE TestQ\n=== RUN   TestZ\npanic: boom\n", 2, nil},
			{"=== RUN   TestP\n=== PAUSE TestP\n=== CONT  TestP\n--- PASS: TestP (0.00s)\nPASS\n", 0, nil}},
			"[TestZ] [TestZ] [^(TestZ)$]"},
		{"the test whose output came last", []fakeRun{
			{"=== RUN   TestP\n=== PAUSE TestP\n=== RUN   TestQ\n=== PAUSE TestQ\n=== CONT  TestQ\n=== CONT  TestP\n" +
				"=== NAME  TestQ\n    q_test.go:1: here\npanic: boom\n", 2, nil},
			{"=== RUN   TestP\n=== PAUSE TestP\n=== CONT  TestP\n--- PASS: TestP (0.00s)\nPASS\n", 0, nil}},
			"[TestQ] [TestQ] [^(TestQ)$]"},
		{"a timeout blames the quiet parallel test", []fakeRun{
			{"=== RUN   TestP\n=== PAUSE TestP\n=== RUN   TestQ\n=== PAUSE TestQ\n=== CONT  TestP\n=== CONT  TestQ\n" +
				"    q_test.go:1: still here\npanic: test timed out after 1m0s\n\trunning tests:\n\t\tTestP (1m0s)\n\t\tTestQ (2s)\n\n" +
				"goroutine 1 [running]:\n", 2, nil},
			{"=== RUN   TestQ\n=== PAUSE TestQ\n=== CONT  TestQ\n--- PASS: TestQ (0.00s)\nPASS\n", 0, nil}},
			"[TestP] [TestP] [^(TestP)$]"},
		{"a timeout blames a quiet subtest", []fakeRun{
			{"=== RUN   TestP\n=== RUN   TestP/a\n=== PAUSE TestP/a\n=== RUN   TestQ\n=== PAUSE TestQ\n=== CONT  TestP/a\n=== CONT  TestQ\n" +
				"    q_test.go:1: still here\npanic: test timed out after 1m0s\n\trunning tests:\n\t\tTestP/a (59s)\n\t\tTestQ (2s)\n\n" +
				"goroutine 1 [running]:\n", 2, nil},
			{"=== RUN   TestQ\n=== PAUSE TestQ\n=== CONT  TestQ\n--- PASS: TestQ (0.00s)\nPASS\n", 0, nil}},
			"[TestP TestP/a] [TestP/a TestP] [^(TestP)$]"},
		{"a timeout blames every test hung as long", []fakeRun{
			{"=== RUN   TestP\n=== PAUSE TestP\n=== RUN   TestQ\n=== PAUSE TestQ\n=== CONT  TestP\n=== CONT  TestQ\n" +
				"panic: test timed out after 1m0s\n\trunning tests:\n\t\tTestQ (1m0s)\n\t\tTestP (1m0s)\n", 2, nil},
			{"PASS\n", 0, nil}},
			"[TestP TestQ] [TestQ TestP] [^(TestP|TestQ)$]"},
		{"nothing ran", []fakeRun{{"fatal error: no memory\n", 2, nil}}, "error"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var skips []string
			r, err := RunTests(context.Background(), fakeRunner(c.runs, &skips), time.Minute)
			got := "error"
			if err == nil {
				got = fmt.Sprint(keys(r.Failed), r.Crashed, skips[1:])
			}
			if got != c.want {
				t.Errorf("got %s, want %s (error %v)\n%s", got, c.want, err, r.Output)
			}
		})
	}
}

// TestCompareExpected drives RunTests with fake test binaries and checks
// what fails the comparison with an expected_failures.txt.
func TestCompareExpected(t *testing.T) {
	const list = `native os TestA wasi: a
native os TestTypo wasi: b
native os TestS wasi: c
native os TestB wasi: d
native os TestC/z wasi: e
# go: go1.26
`
	es, _, err := ParseExpected(strings.NewReader(list))
	if err != nil {
		t.Fatal(err)
	}
	exp := For(es, "native", "os")
	for _, c := range []struct {
		name string
		out  string
		all  bool
		want []string // in each problem, in order
	}{
		{"listed test passes", "=== RUN   TestA\n--- PASS: TestA (0.00s)\n", false,
			[]string{":1: os TestA now passes"}},
		{"listed tests unseen in a run of every test", "=== RUN   TestA\n--- FAIL: TestA (0.00s)\n=== RUN   TestS\n--- SKIP: TestS (0.00s)\n" +
			"=== RUN   TestB\n--- FAIL: TestB (0.00s)\n=== RUN   TestC\n=== RUN   TestC/z\n--- FAIL: TestC/z (0.00s)\n--- FAIL: TestC (0.00s)\n", true,
			[]string{":2: os TestTypo did not run", ":3: os TestS skips"}},
		{"listed tests unseen in a run of some", "=== RUN   TestA\n--- FAIL: TestA (0.00s)\n", false, nil},
		{"a listed parent does not hide its subtests", "=== RUN   TestB\n=== RUN   TestB/y\n--- FAIL: TestB/y (0.00s)\n--- FAIL: TestB (0.00s)\n", false,
			[]string{"TestB/y fails on the native path"}},
		{"a listed subtest covers its parent", "=== RUN   TestC\n=== RUN   TestC/z\n--- FAIL: TestC/z (0.00s)\n--- FAIL: TestC (0.00s)\n", false, nil},
		{"a listed subtest crashes", "=== RUN   TestC\n=== RUN   TestC/z\npanic: boom\n", false, nil},
		{"an unlisted sibling crashes", "=== RUN   TestC\n=== RUN   TestC/w\npanic: boom\n", false,
			[]string{"TestC/w fails on the native path"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			first := fakeRun{c.out + "PASS\n", 0, nil}
			if strings.Contains(c.out, "--- FAIL") {
				first = fakeRun{c.out + "FAIL\n", 1, nil}
			}
			var skips []string
			r, err := RunTests(context.Background(), fakeRunner([]fakeRun{first, {"PASS\n", 0, nil}}, &skips), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := problems("native", r, Compare(exp, map[string]Expectation{"TestS": {Test: "TestS"}}, r, c.all, sameGo))
			ok := len(got) == len(c.want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.Contains(got[i], c.want[i])
			}
			if !ok {
				t.Errorf("problems:\n%s\nwant, in order, ones with %q", strings.Join(got, "\n"), c.want)
			}
		})
	}
}

// TestCompareCrashed: the listed failures and skips under a top-level
// test that crashed, and so did not run again, are not reported as did
// not run or no longer skips; the crash fails the run already.
func TestCompareCrashed(t *testing.T) {
	exp := map[string]Expectation{"TestC/z": {Pkg: "os", Test: "TestC/z", Line: 1}, "TestGone": {Pkg: "os", Test: "TestGone", Line: 2}}
	skips := map[string]Expectation{"TestC/s": {Pkg: "os", Test: "TestC/s", Line: 1}}
	var runs []string
	r, err := RunTests(context.Background(), fakeRunner([]fakeRun{
		{"=== RUN   TestC\n=== RUN   TestC/w\npanic: boom\n", 2, nil},
		{"PASS\n", 0, nil}}, &runs), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	errs, _ := problems("native", r, Compare(exp, skips, r, true, sameGo))
	if want := []string{"TestC/w fails on the native path", "os TestGone did not run"}; !inOrder(errs, want) {
		t.Errorf("problems:\n%s\nwant, in order, ones with %q", strings.Join(errs, "\n"), want)
	}
}

// sameGo is a run of the tests of the Go release the lists were made with.
var sameGo = GoReleases{Run: "go1.26", Failures: "go1.26", Skips: "go1.26"}

// TestCompareOtherGo: with the tests of another Go release than the
// lists', the checks that hang on which tests it has and which skip are
// logged, not failed; an unexpected failure still fails.
func TestCompareOtherGo(t *testing.T) {
	exp := map[string]Expectation{"TestGone": {Pkg: "os", Test: "TestGone", Line: 1}, "TestFixed": {Pkg: "os", Test: "TestFixed", Line: 2}}
	skips := map[string]Expectation{"TestOldSkip": {Pkg: "os", Test: "TestOldSkip", Line: 1}}
	const out = "=== RUN   TestOldSkip\n--- PASS: TestOldSkip (0.00s)\n=== RUN   TestNewSkip\n--- SKIP: TestNewSkip (0.00s)\n" +
		"=== RUN   TestFixed\n--- PASS: TestFixed (0.00s)\n=== RUN   TestBroken\n--- FAIL: TestBroken (0.00s)\nFAIL\n"
	for _, c := range []struct {
		name       string
		gos        GoReleases
		errs, logs []string // in each problem, in order
	}{
		{"same release", sameGo,
			[]string{"TestBroken fails", "os TestFixed now passes", "os TestGone did not run", "TestNewSkip", "os TestOldSkip no longer skips"}, nil},
		{"another release", GoReleases{Run: "go1.27", Failures: "go1.26", Skips: "go1.26"},
			[]string{"TestBroken fails"},
			[]string{"expected_failures.txt was made with the tests of go1.26", "os TestFixed now passes", "os TestGone did not run",
				"expected_skips.txt was made with the tests of go1.26", "TestNewSkip", "os TestOldSkip no longer skips"}},
		{"only the skips of another release", GoReleases{Run: "go1.27", Failures: "go1.27", Skips: "go1.26"},
			[]string{"TestBroken fails", "os TestFixed now passes", "os TestGone did not run"},
			[]string{"expected_skips.txt was made with the tests of go1.26", "TestNewSkip", "os TestOldSkip no longer skips"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var runs []string
			r, err := RunTests(context.Background(), fakeRunner([]fakeRun{{out, 1, nil}}, &runs), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			errs, logs := problems("native", r, Compare(exp, skips, r, true, c.gos))
			if !inOrder(errs, c.errs) || !inOrder(logs, c.logs) {
				t.Errorf("errors:\n%s\nlogs:\n%s\nwant, in order, errors with %q and logs with %q",
					strings.Join(errs, "\n"), strings.Join(logs, "\n"), c.errs, c.logs)
			}
		})
	}
}

// inOrder says whether got has as many messages as want, each holding
// the string of want at its place.
func inOrder(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !strings.Contains(got[i], want[i]) {
			return false
		}
	}
	return true
}

// TestListGoRelease: each list names the Go release it was made with.
func TestListGoRelease(t *testing.T) {
	for _, c := range []struct{ list, want string }{
		{"# go: go1.26\nboth os TestX wasi: x\n", "go1.26"},
		{"#go:go1.27\n", "go1.27"},
		{"# a comment\nboth os TestX wasi: x\n", "error"},
		{"# go: go1.26.8\n", "error"},
		{"# go: go1.26\n# go: go1.27\n", "error"},
	} {
		for _, parse := range []func(io.Reader) ([]Expectation, string, error){ParseExpected, ParseSkips} {
			_, got, err := parse(strings.NewReader(c.list))
			if err != nil {
				got = "error"
			}
			if got != c.want {
				t.Errorf("%q: release %s (%v), want %s", c.list, got, err, c.want)
			}
		}
	}
	for v, want := range map[string]string{"go1.26.8": "go1.26", "go1.27rc1": "go1.27", "devel go1.27-0123abcd Mon Jan 1": "go1.27", "go1.26": "go1.26", "": ""} {
		if got := Release(v); got != want {
			t.Errorf("Release(%q) = %q, want %q", v, got, want)
		}
	}
}

// TestRunTestsArgs: the binary runs verbose and not -test.short, which
// would skip tests of os that take little time on the VFS.
func TestRunTestsArgs(t *testing.T) {
	var got []string
	run := func(ctx context.Context, args []string, out io.Writer) (int, error) {
		got = args
		io.WriteString(out, "PASS\n")
		return 0, nil
	}
	if _, err := RunTests(context.Background(), run, time.Minute, "-test.run=^TestX$"); err != nil {
		t.Fatal(err)
	}
	if want := "[-test.v -test.timeout=1m0s -test.run=^TestX$]"; fmt.Sprint(got) != want {
		t.Errorf("args %v, want %s", got, want)
	}
}

// TestCompareSkips drives RunTests with fake test binaries and checks
// what fails the comparison with an expected_skips.txt: a pass turned
// into a skip, and a listed skip that no longer skips.
func TestCompareSkips(t *testing.T) {
	es, _, err := ParseSkips(strings.NewReader("native os TestS wasi: no chmod\nboth os TestGone\nsysfs os TestP\n# go: go1.26\n"))
	if err != nil {
		t.Fatal(err)
	}
	skips := For(es, "native", "os")
	const (
		skipS    = "=== RUN   TestS\n    s_test.go:1: no chmod\n--- SKIP: TestS (0.00s)\n"
		skipGone = "=== RUN   TestGone\n--- SKIP: TestGone (0.00s)\n"
	)
	for _, c := range []struct {
		name string
		out  string
		all  bool
		want []string // in each problem, in order
	}{
		{"as listed", skipS + skipGone, true, nil},
		{"a pass turned into a skip", skipS + skipGone + "=== RUN   TestP\n    p_test.go:2: cannot\n--- SKIP: TestP (0.00s)\n", false,
			[]string{"1 test(s) skip on the native path and are not in expected_skips.txt (a test that passed and now skips is a failure; list a skip only if it is a WASI limit): TestP\nTestP:\n    p_test.go:2: cannot\n"}},
		{"a listed skip runs", skipS + "=== RUN   TestGone\n--- PASS: TestGone (0.00s)\n", true,
			[]string{"expected_skips.txt:2: os TestGone no longer skips on the native path"}},
		{"a listed skip runs in a run of some", skipS, false, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var runs []string
			r, err := RunTests(context.Background(), fakeRunner([]fakeRun{{c.out + "PASS\n", 0, nil}}, &runs), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := problems("native", r, Compare(nil, skips, r, c.all, sameGo))
			ok := len(got) == len(c.want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.Contains(got[i], c.want[i])
			}
			if !ok {
				t.Errorf("problems:\n%s\nwant, in order, ones with %q", strings.Join(got, "\n"), c.want)
			}
		})
	}
}
