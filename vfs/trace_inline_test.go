//go:build !js && !wasip1

package vfs_test

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
)

// TestEventSitesInline compiles the package with the compiler's inlining
// report and checks that every ev* method inlines: an event site must
// cost one load and one branch while nobody listens, not a call (a call
// is what a WebAssembly build pays most for).
func TestEventSitesInline(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the package")
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(gobin, "build", "-gcflags=-m", "-o", "/dev/null", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	can := regexp.MustCompile(`can inline \(\*VFS\)\.(ev\w+)`)
	cannot := regexp.MustCompile(`cannot inline \(\*VFS\)\.(ev\w+): (.*)`)
	n := len(can.FindAllSubmatch(out, -1))
	for _, m := range cannot.FindAllSubmatch(out, -1) {
		t.Errorf("%s does not inline: %s", m[1], m[2])
	}
	if n < 9 {
		t.Errorf("%d ev* methods inline, want the 9 event sites' methods", n)
	}
}
