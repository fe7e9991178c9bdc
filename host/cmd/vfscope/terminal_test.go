package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// childEnv makes the test binary run main() instead of the tests (see
// TestMain), so a test can run vfscope as a process with its own stdin.
const childEnv = "VFSCOPE_TEST_RUN_MAIN"

// runChild runs vfscope with args and stdin /dev/null, as
// `vfscope ARGS </dev/null` does, and returns its output and status;
// it fails the test if vfscope has not exited within a minute.
func runChild(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = null, &out, &errb
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("vfscope %q </dev/null still running after a minute; stderr:\n%s", args, errb.String())
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), 0
}

// TestStdinDevNull runs vfscope with standard input on /dev/null, a
// character device but no terminal (isatty(3) is false: its tcgetattr
// fails with ENOTTY, drivers/tty/tty_io.c serves TCGETS to ttys only).
// The shell prints no prompt, and run --serve stops with its guest
// instead of waiting for an interrupt.
func TestStdinDevNull(t *testing.T) {
	tests := []struct {
		name           string
		args           []string
		stdout, stderr string // stderr "": any (the run --serve URL)
		status         int
	}{
		{name: "sh prints no prompt", args: []string{"sh"}},
		{name: "sh -c reads nothing from stdin", args: []string{"sh", "-c", "cat; echo done"}, stdout: "done\n"},
		{name: "run --serve stops with the guest", args: []string{"run", "--serve", "127.0.0.1:0", "GUEST"},
			stdout: "ready\nentry a.txt\nentry sub\n", stderr: "-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args[len(args)-1] == "GUEST" {
				args = append(args[:len(args)-1:len(args)-1], buildWasip1(t, "./testdata/liveguest"))
			}
			stdout, stderr, status := runChild(t, args...)
			if stdout != tc.stdout {
				t.Errorf("stdout %q, want %q", stdout, tc.stdout)
			}
			if tc.stderr != "-" && stderr != tc.stderr {
				t.Errorf("stderr %q, want %q", stderr, tc.stderr)
			}
			if status != tc.status {
				t.Errorf("status %d, want %d; stderr:\n%s", status, tc.status, stderr)
			}
		})
	}
}

// TestIsTerminal asks isTerminal about files that are not terminals,
// /dev/null among them, and about a pseudo-terminal, which is.
func TestIsTerminal(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	reg, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	tests := []struct {
		name string
		f    *os.File
		want bool
	}{
		{"/dev/null", null, false},
		{"a regular file", reg, false},
		{"a pipe", r, false},
	}
	if pts := openPTY(t); pts != nil {
		tests = append(tests, struct {
			name string
			f    *os.File
			want bool
		}{"a pseudo-terminal", pts, true})
	}
	for _, tc := range tests {
		if got := isTerminal(tc.f); got != tc.want {
			t.Errorf("isTerminal(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
