package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/vfscope/vfscope/host/wasihost/wasmtest"
)

// TestRunSignal: SIGINT (^C), SIGTERM, SIGHUP (the terminal hung up) or
// SIGPIPE (standard output's reader went away) to `vfscope run` while the guest
// sleeps stops the guest, and vfscope exits with 128 plus the signal's
// number, as a shell reports a process the signal killed, having first
// written back what the guest wrote to a billyfs store on a host
// directory (the file is still open: the mount is busy, detached).
func TestRunSignal(t *testing.T) {
	app := filepath.Join(t.TempDir(), "sleeper.wasm")
	if err := os.WriteFile(app, wasmtest.WriteThenSleep("data/f", "kept\n", 3600), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		sysfs  bool
		sig    os.Signal
		status int
	}{
		{"SIGINT", false, os.Interrupt, 130},
		{"SIGTERM", false, syscall.SIGTERM, 143},
		{"SIGHUP", false, syscall.SIGHUP, 129},
		{"SIGPIPE", false, syscall.SIGPIPE, 141},
		{"SIGINT through sysfs", true, os.Interrupt, 130},
	} {
		t.Run(c.name, func(t *testing.T) {
			store := t.TempDir()
			args := []string{"run", "--mount", "billyfs:os:" + store + ":/data"}
			if c.sysfs {
				args = append(args, "--sysfs")
			}
			cmd := exec.Command(os.Args[0], append(args, app)...)
			var stdout, stderr lockedBuffer
			err := signalWhenStarted(t, cmd, &stdout, &stderr, c.sig)
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != c.status {
				t.Errorf("vfscope: %v, want exit status %d; stderr %q", err, c.status, stderr.String())
			}
			if stderr.String() != "" {
				t.Errorf("stderr %q, want none", stderr.String())
			}
			out, errOut, st := runCmd("sh", "-c", "mkdir /mnt; mount -t billyfs -o store=os:"+store+" none /mnt; cat /mnt/f")
			if st != 0 || out != "kept\n" || errOut != "" {
				t.Errorf("the store after the signal: status %d, stdout %q, stderr %q; want \"kept\\n\"", st, out, errOut)
			}
		})
	}
}
