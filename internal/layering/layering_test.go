// Package layering checks the import rules of DESIGN.md: data flows down,
// nothing below imports anything above, the core uses only the standard
// library, syscall/js lives only in wasm/, wazero only in host/.
package layering

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/vfscope/vfscope"

type pkg struct {
	ImportPath string
	Standard   bool
	Deps       []string
	Imports    []string
}

// list runs `go list -deps -json` on the patterns and returns the
// packages by path.
func list(t *testing.T, patterns ...string) map[string]pkg {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go tool on PATH")
	}
	out, err := exec.Command("go", append([]string{"list", "-deps", "-json"}, patterns...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

// layer orders the project's packages: a package may import only from
// its own layer or below.
func layer(path string) int {
	rel := strings.TrimPrefix(path, module+"/")
	switch {
	case rel == "vfs/internal/atomic":
		return -2 // sync/atomic's subset, below everything (see its doc)
	case rel == "vfs/trace":
		return -1 // the lowest: events and snapshots, standard library only
	case rel == "vfs/lock" || strings.HasPrefix(rel, "vfs/lock/"):
		return 0
	case rel == "vfs":
		return 1
	case strings.HasPrefix(rel, "vfs/"):
		return 2 // filesystem types, boot, test helpers
	default:
		return 3 // host, wasm, web, playground, internal tools
	}
}

// storeDeps are the modules a filesystem type under vfs/ may depend on
// besides the standard library: go-billy, for billyfs's backing store
// (DESIGN.md: "a disk-like type backed by any go-billy filesystem"), and
// what go-billy's osfs needs on the host.
var storeDeps = []string{
	"github.com/go-git/go-billy/v5",
	"github.com/cyphar/filepath-securejoin",
	"golang.org/x/sys/",
}

// core reports whether a package is the VFS core, which may use the
// standard library only.
func core(path string) bool {
	rel := strings.TrimPrefix(path, module+"/")
	return rel == "vfs" || rel == "vfs/internal/atomic" || rel == "vfs/trace" || rel == "vfs/lock" || strings.HasPrefix(rel, "vfs/lock/")
}

func TestCoreImportsOnlyTheStandardLibrary(t *testing.T) {
	pkgs := list(t, "./../../vfs/...")
	for path, p := range pkgs {
		if !strings.HasPrefix(path, module+"/vfs") {
			continue
		}
		for _, d := range p.Deps {
			dp := pkgs[d]
			if dp.Standard || strings.HasPrefix(d, module+"/vfs") {
				continue
			}
			if !core(path) && hasAnyPrefix(d, storeDeps) {
				continue
			}
			t.Errorf("%s depends on %s, which is neither the standard library nor vfs", path, d)
		}
		for _, d := range p.Deps {
			if d == "syscall/js" {
				t.Errorf("%s depends on syscall/js, which belongs in wasm/ only", path)
			}
		}
	}
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func TestNoImportFromAHigherLayer(t *testing.T) {
	pkgs := list(t, "./../../...")
	for path, p := range pkgs {
		if !strings.HasPrefix(path, module+"/") {
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			if layer(imp) > layer(path) {
				t.Errorf("%s (layer %d) imports %s (layer %d)", path, layer(path), imp, layer(imp))
			}
		}
		rel := strings.TrimPrefix(path, module+"/")
		for _, imp := range p.Imports {
			inHost := rel == "host" || strings.HasPrefix(rel, "host/")
			if strings.HasPrefix(imp, "github.com/tetratelabs/wazero") && !inHost && !strings.HasPrefix(rel, "internal/") {
				t.Errorf("%s imports wazero, which belongs in host/ only", path)
			}
			if imp == "syscall/js" && !strings.HasPrefix(rel, "wasm/") {
				t.Errorf("%s imports syscall/js, which belongs in wasm/ only", path)
			}
		}
	}
}
