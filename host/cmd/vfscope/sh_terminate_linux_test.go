package main

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestShTerminate: SIGTERM (kill(1)), SIGHUP (the terminal hung up) or
// SIGPIPE (standard output's reader went away) to `vfscope sh` ends the
// session, interactive or not: the running
// command is interrupted as by ^C, the shell reads no further (its
// standard input is at its end), the billyfs stores are written back,
// and vfscope exits with 128 plus the signal's number, as vfscope run
// does (and as a shell reports a process the signal killed).
func TestShTerminate(t *testing.T) {
	const mount = "mkdir /mnt; mount -t billyfs -o store=os:%s none /mnt; "
	tests := []struct {
		name        string
		interactive bool   // on a terminal; else sh -c script
		script      string // after the mount; prints "started" when ready
		pipe        bool   // stdin: a pipe the test keeps open
		delay       bool   // sleep between the handler's steps (shellSignalStep)
		sig         syscall.Signal
		status      int
	}{
		{name: "script: SIGTERM", script: "echo kept > /mnt/f; echo started; cat /dev/zero > /dev/null; echo not reached",
			sig: syscall.SIGTERM, status: 143},
		{name: "script: SIGHUP", script: "echo kept > /mnt/f; echo started; cat /dev/zero > /dev/null; echo not reached",
			sig: syscall.SIGHUP, status: 129},
		{name: "script: SIGPIPE", script: "echo kept > /mnt/f; echo started; cat /dev/zero > /dev/null; echo not reached",
			sig: syscall.SIGPIPE, status: 141},
		{name: "script: cat reading an open pipe", script: "echo kept > /mnt/f; echo started; cat; echo not reached",
			pipe: true, sig: syscall.SIGTERM, status: 143},
		{name: "script: cat reading an open pipe (slow handler)", script: "echo kept > /mnt/f; echo started; cat; echo not reached",
			pipe: true, delay: true, sig: syscall.SIGTERM, status: 143},
		{name: "script: SIGHUP to cat reading an open pipe (slow handler)", script: "echo kept > /mnt/f; echo started; cat; echo not reached",
			pipe: true, delay: true, sig: syscall.SIGHUP, status: 129},
		{name: "interactive: SIGTERM at the prompt", interactive: true, script: "echo kept > /mnt/f; echo started",
			sig: syscall.SIGTERM, status: 143},
		{name: "interactive: SIGHUP in cat reading the terminal", interactive: true, script: "echo kept > /mnt/f; echo started; cat",
			sig: syscall.SIGHUP, status: 129},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var err error
			var stderr string
			if tc.interactive {
				c := startShChild(t)
				c.waitPrompts(1)
				c.typeLine(strings.ReplaceAll(mount, "%s", dir) + tc.script)
				c.waitFor("started", func() bool { return strings.Contains(c.stdout.String(), "started") })
				if !strings.Contains(tc.script, "cat") {
					c.waitPrompts(2)
				}
				c.cmd.Process.Signal(tc.sig)
				select {
				case err = <-c.exited:
					c.exited <- err
				case <-time.After(30 * time.Second):
					t.Fatalf("vfscope did not stop at %v; stderr %q", tc.sig, c.stderr.String())
				}
				stderr = c.stderr.String()
			} else {
				cmd := exec.Command(os.Args[0], "sh", "-c", strings.ReplaceAll(mount, "%s", dir)+tc.script)
				if tc.pipe {
					r, w, perr := os.Pipe()
					if perr != nil {
						t.Fatal(perr)
					}
					defer r.Close()
					defer w.Close()
					cmd.Stdin = r
				}
				if tc.delay {
					cmd.Env = append(os.Environ(), signalStepDelayEnv+"=1")
				}
				var stdout, errb lockedBuffer
				err = signalWhenStarted(t, cmd, &stdout, &errb, tc.sig)
				if got := stdout.String(); got != "started\n" {
					t.Errorf("stdout %q, want %q", got, "started\n")
				}
				stderr = errb.String()
			}
			if strings.Contains(stderr, "interrupted") {
				t.Errorf("stderr %q: an interrupt after the handler stopped", stderr)
			}
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != tc.status {
				t.Errorf("vfscope: %v, want exit status %d; stderr %q", err, tc.status, stderr)
			}
			out, errOut, st := runCmd("sh", "-c", strings.ReplaceAll(mount, "%s", dir)+"cat /mnt/f")
			if st != 0 || out != "kept\n" || errOut != "" {
				t.Errorf("the store after the signal: status %d, stdout %q, stderr %q; want \"kept\\n\"", st, out, errOut)
			}
		})
	}
}
