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

// TestFastPathsInline checks that the small fast paths whose docs say
// they inline do, natively and in the WebAssembly build (without its
// profile, which only adds inlining): each is on every read, write, put
// or eviction, and under WebAssembly a call is the cost that counts. Each
// keeps its slow part in a function of its own, which is what makes it
// small enough; a change that makes one too costly fails here instead of
// silently adding a call per page.
func TestFastPathsInline(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the package twice")
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	fast := []string{`fput`, `FolioPut`, `\(\*Task\)\.fileAtFast`, `\(\*Task\)\.fileFast`, `\(\*Folio\)\.Data`, `wakeUpInode`, `unmapMappingFolio`, `\(\*VFS\)\.now`,
		`FolioUnlock`, `FolioMarkUptodate`, `\(\*AddressSpace\)\.takeSpare`}
	for _, build := range []struct {
		name string
		env  []string
		more []string // inline natively only
	}{
		{"native", nil, []string{`mntput`}},
		{"js/wasm", []string{"GOOS=js", "GOARCH=wasm"}, []string{`newFolio`}},
	} {
		cmd := exec.Command(gobin, "build", "-pgo=off", "-gcflags=-m", "-o", "/dev/null", ".")
		cmd.Env = append(cmd.Environ(), build.env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: go build: %v\n%s", build.name, err, out)
		}
		for _, f := range append(fast, build.more...) {
			if !regexp.MustCompile(`(?m): can inline ` + f + `( with cost|$)`).Match(out) {
				t.Errorf("%s: %s does not inline", build.name, f)
			}
		}
	}
}
