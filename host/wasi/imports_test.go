package wasi

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestImports: the ABI imports the standard library and vfscope's vfs
// only, so the browser build (GOOS=js) reuses it; no wasm runtime, no
// syscall/js.
func TestImports(t *testing.T) {
	ents, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range ents {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(p, "/")
			if p == "syscall/js" || strings.Contains(first, ".") && !strings.HasPrefix(p, "github.com/vfscope/vfscope/vfs") {
				t.Errorf("%s imports %s", n, p)
			}
		}
	}
}
