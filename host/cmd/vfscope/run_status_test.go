package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/host/wasihost/wasmtest"
)

// TestRunStatus: vfscope run's exit status for each way a guest ends,
// through both WASI paths. Only a module wazero cannot compile, or one
// that is not a preview1 command the host can link and start, is 126
// (what a shell reports for a file execve(2) refuses); a trap is 1
// whatever its message or the module's path says. The paths are
// relative, as a user types them: argv[0] names no module of wazero's.
func TestRunStatus(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, c := range []struct {
		name   string
		path   string // under dir
		wasm   []byte
		status int
		stderr string // a line of stderr; "" for none at all
	}{
		{"junk", "junk.wasm", wasmtest.Junk(), 126, "invalid magic number"},
		{"unreachable", "u.wasm", wasmtest.Unreachable(), 1, "wasm error: unreachable"},
		{"NaN to i32", "conv.wasm", wasmtest.NaNTrunc(), 1, "wasm error: invalid conversion to integer"},
		{"a path saying invalid section", "invalid/section/magic.wasm", wasmtest.Unreachable(), 1, "wasm error: unreachable"},
		{"named wasi_snapshot_preview1", "wasi_snapshot_preview1", wasmtest.Exit(5), 5, ""},
		{"exit 256", "exit256.wasm", wasmtest.Exit(256), 256, ""},
		{"exit 3", "exit3.wasm", wasmtest.Exit(3), 3, ""},
		{"reactor", "reactor.wasm", wasmtest.Reactor(), 126, "not a WASI preview1 command: it exports no function _start (it exports _initialize"},
		{"import of env", "env.wasm", wasmtest.Importing("env", "f"), 126, "it imports function env.f, which the host does not provide"},
		{"import of an unknown preview1 function", "unknown.wasm", wasmtest.Importing("wasi_snapshot_preview1", "fd_frobnicate"), 126,
			"it imports function wasi_snapshot_preview1.fd_frobnicate, which the host does not provide"},
	} {
		app := c.path
		if err := os.MkdirAll(filepath.Dir(app), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(app, c.wasm, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, abi := range []string{"native", "sysfs"} {
			t.Run(c.name+"/"+abi, func(t *testing.T) {
				args := []string{"run", app}
				if abi == "sysfs" {
					args = []string{"run", "--sysfs", app}
				}
				_, errs, st := runCmd(args...)
				if st != c.status {
					t.Errorf("status %d, want %d; stderr %q", st, c.status, errs)
				}
				switch {
				case c.stderr == "" && errs != "":
					t.Errorf("stderr %q, want none", errs)
				case c.stderr != "" && (!strings.HasPrefix(errs, "vfscope run: "+app+": ") || !strings.Contains(errs, c.stderr)):
					t.Errorf("stderr %q, want the app's error with %q", errs, c.stderr)
				}
			})
		}
	}
	// A guest with no memory for the ABI is told so before it runs.
	app := "nomem.wasm"
	os.WriteFile(app, wasmtest.NoMemory(), 0o644)
	_, errs, st := runCmd("run", app)
	if want := "vfscope run: " + app + ": the module exports no memory\n"; st != 1 || errs != want {
		t.Errorf("no memory: status %d, stderr %q; want 1, %q", st, errs, want)
	}
}
