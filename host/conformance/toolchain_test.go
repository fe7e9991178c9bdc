package conformance

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestCheckoutGuests builds guests/hello of two modules at once with one
// cache directory, as two checkouts testing at once do: each gets a
// guest built from its own sources.
func TestCheckoutGuests(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short mode: builds two wasip1 programs")
	}
	t.Setenv("VFSCOPE_CONFORMANCE_CACHE", t.TempDir())
	checkouts := []struct {
		module, says string
	}{
		{"example.com/one", "checkout one says hello"},
		{"example.com/two", "checkout two says hello"},
	}
	tcs := make([]*Toolchain, len(checkouts))
	for i, c := range checkouts {
		dir := t.TempDir()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+c.module+"\n\ngo 1.25\n"), 0o644))
		must(os.MkdirAll(filepath.Join(dir, "guests", "hello"), 0o755))
		must(os.WriteFile(filepath.Join(dir, "guests", "hello", "main.go"),
			[]byte("package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\""+c.says+"\\n\") }\n"), 0o644))
		tc, err := NewToolchain(dir)
		if err != nil {
			t.Skipf("skipping: %v", err)
		}
		tcs[i] = tc
	}
	paths := make([]string, len(checkouts))
	errs := make([]error, len(checkouts))
	var wg sync.WaitGroup
	for i := range checkouts {
		wg.Go(func() { paths[i], errs[i] = tcs[i].Guest(context.Background(), "hello") })
	}
	wg.Wait()
	for i, c := range checkouts {
		if errs[i] != nil {
			t.Fatalf("%s: %v", c.module, errs[i])
		}
		wasm, err := os.ReadFile(paths[i])
		if err != nil {
			t.Fatal(err)
		}
		for j, o := range checkouts {
			if has := bytes.Contains(wasm, []byte(o.says)); has != (i == j) {
				t.Errorf("%s: its guest %s holds %q: %v", c.module, paths[i], o.says, has)
			}
		}
	}
}

// TestReplaceWith: builds of one file running at once each write a file
// of their own, renamed to the file's name when done, so that both
// succeed and the file is one build's whole output.
func TestReplaceWith(t *testing.T) {
	tests := []struct {
		name   string
		builds []string // what each build writes, all at once
	}{
		{"one build", []string{"A"}},
		{"two builds at once", []string{"AAAA", "BBBBBBBB"}},
		{"three builds at once", []string{"A", "BB", "CCC"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "bin")
			var written sync.WaitGroup
			written.Add(len(tc.builds))
			errs := make([]error, len(tc.builds))
			var wg sync.WaitGroup
			for i, content := range tc.builds {
				wg.Go(func() {
					errs[i] = replaceWith(out, 0o755, func(tmp string) error {
						err := os.WriteFile(tmp, []byte(content), 0o600)
						// Every build has written before any renames.
						written.Done()
						written.Wait()
						return err
					})
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("build %d: %v", i, err)
				}
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			whole := false
			for _, content := range tc.builds {
				whole = whole || string(got) == content
			}
			if !whole {
				t.Errorf("%s holds %q, no build's whole output", out, got)
			}
			if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o755 {
				t.Errorf("stat %s: %v %v, want mode 0755", out, fi.Mode(), err)
			}
			if ents, err := os.ReadDir(filepath.Dir(out)); err != nil || len(ents) != 1 {
				t.Errorf("the directory holds %d entries (%v), want only %s", len(ents), err, out)
			}
		})
	}
}
