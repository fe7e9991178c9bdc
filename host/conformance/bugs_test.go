package conformance

// Reproductions of the vfscope bugs the standard-library tests found,
// each named by a "bug:" line of expected_failures.txt. While the bug is
// there and listed, its test skips with what it saw (so make test stays
// green; VFSCOPE_KNOWN_BUGS=fail makes them fail); once fixed it passes,
// TestStdlib reports the standard-library test passing, the line goes, and
// the reproduction stays as a regression test.

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"

	"github.com/vfscope/vfscope/host"
)

// TestBugSysFSPathNUL: a path with a NUL byte cannot name a Linux file
// (the C string would end there): Linux's syscalls and wazero's DirFS
// (through os) refuse it with EINVAL. host.SysFS passed it to the VFS,
// which created a file whose name holds the NUL. os's TestErrPathNUL
// (os.CreateTemp with "_\x00_" in its pattern must fail) caught it on
// the --sysfs path; vfscope's own ABI already refuses it.
func TestBugSysFSPathNUL(t *testing.T) {
	b := knownBug(t)
	defer b.done()
	task := newVFS(t)
	fs := host.NewSysFS(task, "/")
	defer fs.Close()
	for _, name := range []string{"/tmp/a\x00b", "/tmp/\x00"} {
		f, errno := fs.OpenFile(name, experimentalsys.O_CREAT|experimentalsys.O_RDWR, 0o644)
		if errno == 0 {
			f.Close()
		}
		if errno != experimentalsys.EINVAL {
			b.Errorf("SysFS.OpenFile(%q, O_CREAT|O_RDWR) = errno %v, want EINVAL", name, errno)
		}
		if errno := fs.Mkdir(name, 0o755); errno != experimentalsys.EINVAL {
			b.Errorf("SysFS.Mkdir(%q) = errno %v, want EINVAL", name, errno)
		}
		if _, errno := fs.Stat(name); errno != experimentalsys.EINVAL {
			b.Errorf("SysFS.Stat(%q) = errno %v, want EINVAL", name, errno)
		}
	}
}

// bugCheck collects a reproduction's failures; done fails the test, or
// skips it when expected_failures.txt lists the bug.
type bugCheck struct {
	t    *testing.T
	errs []string
}

func knownBug(t *testing.T) *bugCheck { return &bugCheck{t: t} }

func (b *bugCheck) Errorf(format string, args ...any) {
	b.t.Helper()
	b.errs = append(b.errs, fmt.Sprintf(format, args...))
}

func (b *bugCheck) done() {
	b.t.Helper()
	if len(b.errs) == 0 {
		return
	}
	msg := strings.Join(b.errs, "\n")
	if os.Getenv("VFSCOPE_KNOWN_BUGS") != "fail" {
		if f, err := os.Open(expectedFile); err == nil {
			defer f.Close()
			if es, _, err := ParseExpected(f); err == nil {
				if e, ok := bugLine(es, b.t.Name()); ok {
					b.t.Skipf("known vfscope bug (%s:%d, %s %s); still there:\n%s", expectedFile, e.Line, e.Pkg, e.Test, msg)
				}
			}
		}
	}
	b.t.Errorf("%s", msg)
}

// bugLine returns the "bug:" line of es whose reason names the
// reproducing test name as a whole word (TestBugX is not TestBugXY's).
func bugLine(es []Expectation, name string) (Expectation, bool) {
	word := regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`)
	for _, e := range es {
		if strings.HasPrefix(e.Reason, "bug:") && word.MatchString(e.Reason) {
			return e, true
		}
	}
	return Expectation{}, false
}

func TestBugLine(t *testing.T) {
	es := []Expectation{
		{Line: 1, Reason: "wasi: TestBugA is not a bug line"},
		{Line: 2, Reason: "bug: reproduced by TestBugAB"},
		{Line: 3, Reason: "bug: reproduced by TestBugA, see TestBugAB"},
		{Line: 4, Reason: "bug: TestBugC."},
	}
	for _, c := range []struct {
		name string
		line int // 0: none
	}{
		{"TestBugA", 3},
		{"TestBugAB", 2},
		{"TestBug", 0},
		{"TestBugC", 4},
		{"TestBugD", 0},
	} {
		e, ok := bugLine(es, c.name)
		if got := map[bool]int{true: e.Line}[ok]; got != c.line {
			t.Errorf("bugLine(%s) = line %d, want %d", c.name, got, c.line)
		}
	}
}
