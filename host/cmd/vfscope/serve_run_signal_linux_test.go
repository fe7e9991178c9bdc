package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vfscope/vfscope/host/wasihost/wasmtest"
)

// TestServeRunSignalWhileServing: `vfscope run --serve` from a terminal
// keeps serving once the guest has exited, until a signal: SIGINT (^C),
// SIGTERM (kill(1)) or SIGHUP (the terminal hung up) each end the
// serving, and the --mount mounts are then unmounted, which writes the
// billyfs store back, as run's help promises; the status is the
// guest's. The store is written before the waiting already, so that
// even SIGKILL, which nothing catches, finds what the guest wrote kept.
func TestServeRunSignalWhileServing(t *testing.T) {
	app := filepath.Join(t.TempDir(), "writer.wasm")
	if err := os.WriteFile(app, wasmtest.WriteThenSleep("data/f", "kept\n", 0), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		sig    os.Signal
		status int // -1: killed by sig
	}{
		{"SIGINT", os.Interrupt, 0},
		{"SIGTERM", syscall.SIGTERM, 0},
		{"SIGHUP", syscall.SIGHUP, 0},
		{"SIGKILL", syscall.SIGKILL, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			store := t.TempDir()
			_, slave := openPTYPair(t)
			cmd := exec.Command(os.Args[0], "run", "--serve", "127.0.0.1:0", "--mount", "billyfs:os:"+store+":/data", app)
			cmd.Env = append(os.Environ(), childEnv+"=1")
			var stdout, stderr lockedBuffer
			cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			deadline := time.After(30 * time.Second)
			for !strings.Contains(stderr.String(), "still serving") {
				select {
				case err := <-exited:
					t.Fatalf("vfscope exited early: %v; stderr %q", err, stderr.String())
				case <-deadline:
					cmd.Process.Kill()
					<-exited
					t.Fatalf("not serving; stderr %q", stderr.String())
				case <-time.After(10 * time.Millisecond):
				}
			}
			cmd.Process.Signal(c.sig)
			var err error
			select {
			case err = <-exited:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				<-exited
				t.Fatalf("vfscope did not stop at %v; stderr %q", c.sig, stderr.String())
			}
			ee, _ := err.(*exec.ExitError)
			switch {
			case c.status < 0:
				if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != c.sig {
					t.Errorf("vfscope: %v, want killed by %v", err, c.sig)
				}
			case c.status == 0 && err != nil, ee != nil && ee.ExitCode() != c.status:
				t.Errorf("vfscope: %v, want exit status %d; stderr %q", err, c.status, stderr.String())
			}
			out, errOut, st := runCmd("sh", "-c", "mkdir /mnt; mount -t billyfs -o store=os:"+store+" none /mnt; cat /mnt/f")
			if st != 0 || out != "kept\n" || errOut != "" {
				t.Errorf("the store after the signal: status %d, stdout %q, stderr %q; want \"kept\\n\"", st, out, errOut)
			}
		})
	}
}

// TestServeRunSignalStopsGuest: `vfscope run --serve` from a terminal
// whose guest a signal stops ends with it, after the write-back, as
// run's help says of one signal: it does not keep serving for a second.
func TestServeRunSignalStopsGuest(t *testing.T) {
	app := filepath.Join(t.TempDir(), "sleeper.wasm")
	if err := os.WriteFile(app, wasmtest.WriteThenSleep("data/f", "kept\n", 3600), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		sig    os.Signal
		status int
	}{
		{"SIGINT", os.Interrupt, 130},
		{"SIGTERM", syscall.SIGTERM, 143},
	} {
		t.Run(c.name, func(t *testing.T) {
			store := t.TempDir()
			_, slave := openPTYPair(t)
			cmd := exec.Command(os.Args[0], "run", "--serve", "127.0.0.1:0", "--mount", "billyfs:os:"+store+":/data", app)
			cmd.Stdin = slave
			var stdout, stderr lockedBuffer
			err := signalWhenStarted(t, cmd, &stdout, &stderr, c.sig)
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != c.status {
				t.Errorf("vfscope: %v, want exit status %d; stderr %q", err, c.status, stderr.String())
			}
			if strings.Contains(stderr.String(), "still serving") {
				t.Errorf("stderr %q: kept serving after the signal that stopped the guest", stderr.String())
			}
			out, errOut, st := runCmd("sh", "-c", "mkdir /mnt; mount -t billyfs -o store=os:"+store+" none /mnt; cat /mnt/f")
			if st != 0 || out != "kept\n" || errOut != "" {
				t.Errorf("the store after the signal: status %d, stdout %q, stderr %q; want \"kept\\n\"", st, out, errOut)
			}
		})
	}
}
