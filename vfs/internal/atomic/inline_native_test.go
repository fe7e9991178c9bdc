//go:build !js && !wasip1

package atomic

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestMethodsInline compiles testdata/inlineprobe, which imports this
// package and calls every method, and checks that the compiler inlined
// each call: an alias alone does not give importers sync/atomic's inline
// bodies (see exportInlineBodies), and a call per atomic operation costs
// the VFS's lock-free paths a quarter of their time.
func TestMethodsInline(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a package")
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(gobin, "build", "-gcflags=-m", "-o", "/dev/null", "./testdata/inlineprobe").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	text := string(out)
	for _, typ := range []string{"Bool", "Int32", "Int64", "Uint32", "Uint64"} {
		methods := []string{"Load", "Store", "Swap", "CompareAndSwap"}
		if typ != "Bool" {
			methods = append(methods, "Add", "And", "Or")
		}
		for _, m := range methods {
			want := "inlining call to atomic.(*" + typ + ")." + m
			if !strings.Contains(text, want) {
				t.Errorf("no %q in the compiler's report", want)
			}
		}
	}
}
