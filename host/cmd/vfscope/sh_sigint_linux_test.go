package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTYPair opens a pseudo-terminal, both sides (posix_openpt(3),
// unlockpt(3), ptsname(3)); the test is skipped where there are none.
func openPTYPair(t *testing.T) (master, slave *os.File) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// lockedBuffer is a bytes.Buffer a child process writes while the test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex // protects b; a leaf
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// shChild is `vfscope sh` run on a pseudo-terminal, as a user at a
// terminal runs it.
type shChild struct {
	t              *testing.T
	cmd            *exec.Cmd
	master         *os.File
	stdout, stderr lockedBuffer
	exited         chan error
}

func startShChild(t *testing.T) *shChild {
	master, slave := openPTYPair(t)
	go io.Copy(io.Discard, master) // the terminal's echo
	c := &shChild{t: t, master: master, exited: make(chan error, 1)}
	c.cmd = exec.Command(os.Args[0], "sh")
	c.cmd.Env = append(os.Environ(), childEnv+"=1")
	c.cmd.Stdin, c.cmd.Stdout, c.cmd.Stderr = slave, &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.exited <- c.cmd.Wait() }()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.exited
	})
	return c
}

func (c *shChild) typeLine(line string) {
	if _, err := c.master.Write([]byte(line + "\n")); err != nil {
		c.t.Fatal(err)
	}
}

// waitFor waits until done says yes, failing the test if vfscope exits
// or 30 seconds pass.
func (c *shChild) waitFor(what string, done func() bool) {
	deadline := time.Now().Add(30 * time.Second)
	for !done() {
		select {
		case err := <-c.exited:
			c.exited <- err
			c.t.Fatalf("vfscope exited waiting for %s: %v; stdout %q, stderr %q", what, err, c.stdout.String(), c.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("no %s; stdout %q, stderr %q", what, c.stdout.String(), c.stderr.String())
		}
	}
}

// waitPrompts waits for the n-th prompt.
func (c *shChild) waitPrompts(n int) {
	c.waitFor(fmt.Sprintf("prompt %d", n), func() bool { return strings.Count(c.stderr.String(), "vfscope:") >= n })
}

// exit types exit and waits for vfscope to end with status 0.
func (c *shChild) exit() {
	c.typeLine("exit")
	select {
	case err := <-c.exited:
		c.exited <- err
		if err != nil {
			c.t.Errorf("vfscope: %v; stderr %q", err, c.stderr.String())
		}
	case <-time.After(30 * time.Second):
		c.t.Fatalf("vfscope did not exit; stderr %q", c.stderr.String())
	}
}

// TestShSIGINT: ^C in the interactive shell (SIGINT to vfscope, which
// runs it on a terminal) ends the running line only, as an interactive
// sh ignores SIGINT itself (dash's onint: the shell survives, $? is
// 130, a newline and a new prompt; bash likewise). The session goes on,
// and at exit the billyfs store on a host directory is written back.
func TestShSIGINT(t *testing.T) {
	tests := []struct {
		name    string
		running string // the line ^C interrupts, once it printed "started"
	}{
		{"cat /dev/zero", "echo started; cat /dev/zero > /dev/null; echo not reached"},
		{"cat reading the terminal", "echo started; cat; echo not reached"},
		{"flock waiting", "echo started; flock /tmp/l -c 'flock /tmp/l -c true'; echo not reached"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			c := startShChild(t)
			c.waitPrompts(1)
			c.typeLine("mkdir /mnt; mount -t billyfs -o store=os:" + dir + " none /mnt; echo kept > /mnt/f")
			c.waitPrompts(2)
			c.typeLine(tc.running)
			c.waitFor("started", func() bool { return strings.Contains(c.stdout.String(), "started") })
			c.cmd.Process.Signal(os.Interrupt)
			c.waitPrompts(3)
			c.typeLine("echo after $?")
			c.waitPrompts(4)
			c.exit()
			if got, want := c.stdout.String(), "started\nafter 130\n"; got != want {
				t.Errorf("stdout %q, want %q", got, want)
			}
			// Prompts, and the newline after ^C (dash's main loop on EXINT).
			if got, want := c.stderr.String(), "vfscope:/# vfscope:/# \nvfscope:/# vfscope:/# "; got != want {
				t.Errorf("stderr %q, want %q", got, want)
			}
			// A second session finds what the first wrote to the store.
			out, errOut, st := runCmd("sh", "-c", "mkdir /mnt; mount -t billyfs -o store=os:"+dir+" none /mnt; cat /mnt/f")
			if st != 0 || out != "kept\n" || errOut != "" {
				t.Errorf("the store after the session: status %d, stdout %q, stderr %q; want \"kept\\n\"", st, out, errOut)
			}
		})
	}
}

// TestShSIGINTAtPrompt: ^C at the prompt drops the line and prompts
// again on a new line, $? = 130 (dash).
func TestShSIGINTAtPrompt(t *testing.T) {
	c := startShChild(t)
	c.waitPrompts(1)
	c.cmd.Process.Signal(os.Interrupt)
	c.waitPrompts(2)
	c.typeLine("echo after $?")
	c.waitPrompts(3)
	c.exit()
	if got, want := c.stdout.String(), "after 130\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if got, want := c.stderr.String(), "vfscope:/# \nvfscope:/# vfscope:/# "; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

// TestShSIGINTScript: ^C to `vfscope sh -c` (not interactive) stops the
// script there with status 130 (128 + SIGINT, what a shell reports for
// a script a SIGINT ended), and the store is written back first.
func TestShSIGINTScript(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "sh", "-c", "mkdir /mnt; mount -t billyfs -o store=os:"+dir+" none /mnt; "+
		"echo kept > /mnt/f; echo started; cat /dev/zero > /dev/null; echo not reached")
	var stdout, stderr lockedBuffer
	err := signalWhenStarted(t, cmd, &stdout, &stderr, os.Interrupt)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Errorf("vfscope: %v, want exit status 130; stderr %q", err, stderr.String())
	}
	if got := stdout.String(); got != "started\n" {
		t.Errorf("stdout %q, want %q", got, "started\n")
	}
	out, errOut, st := runCmd("sh", "-c", "mkdir /mnt; mount -t billyfs -o store=os:"+dir+" none /mnt; cat /mnt/f")
	if st != 0 || out != "kept\n" || errOut != "" {
		t.Errorf("the store after the session: status %d, stdout %q, stderr %q", st, out, errOut)
	}
}

// signalWhenStarted runs cmd (this test binary as vfscope) with its
// output in stdout and stderr, sends it sig once stdout says "started",
// and returns what cmd.Wait returned; it fails the test if vfscope ends
// before, never says it, or does not stop within 30 seconds.
func signalWhenStarted(t *testing.T, cmd *exec.Cmd, stdout, stderr *lockedBuffer, sig os.Signal) error {
	t.Helper()
	cmd.Env = append(cmd.Environ(), childEnv+"=1") // cmd.Env's, if set
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(stdout.String(), "started") {
		select {
		case err := <-exited:
			t.Fatalf("vfscope exited early: %v; stderr %q", err, stderr.String())
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("no output; stderr %q", stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cmd.Process.Signal(sig)
	select {
	case err := <-exited:
		return err
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("vfscope did not stop at %v", sig)
	}
	return nil
}
