package shell

import (
	"go/parser"
	gotoken "go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoHostAccess keeps the package free of the host: the browser runs
// it, so no os, os/exec, path/filepath or syscall in its non-test files.
func TestNoHostAccess(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(gotoken.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			switch p {
			case "os", "os/exec", "path/filepath", "syscall", "syscall/js":
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
