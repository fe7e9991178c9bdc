package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestWorkloadSmall(t *testing.T) {
	root := filepath.Join(t.TempDir(), "w")
	var out bytes.Buffer
	if err := run(config{root: root, dirs: 3, files: 5, size: 100, check: true}, &out); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^create +\d+ ns 15 files \(.*\)
stat +\d+ ns 15 files \(.*\)
read +\d+ ns 15 files 1500 bytes \(.*\)
delete +\d+ ns 18 entries \(.*\)
total +\d+ ns \(.*\)
$`)
	if !re.MatchString(out.String()) {
		t.Errorf("output:\n%s", out.String())
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Errorf("tree still there after the run: %v", err)
	}
}

func TestWorkloadKeepAndExisting(t *testing.T) {
	root := filepath.Join(t.TempDir(), "w")
	var out bytes.Buffer
	if err := run(config{root: root, dirs: 1, files: 2, size: 0, keep: true}, &out); err != nil {
		t.Fatal(err)
	}
	if names, _ := os.ReadDir(filepath.Join(root, "d0")); len(names) != 2 {
		t.Errorf("kept tree has %d files, want 2", len(names))
	}
	if err := run(config{root: root, dirs: 1, files: 1, size: 1}, &out); err == nil {
		t.Errorf("a second run over an existing root succeeded")
	}
}
