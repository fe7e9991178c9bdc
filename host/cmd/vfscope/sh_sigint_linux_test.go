package main

import (
	"bytes"
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

// TestShSIGINT: ^C in the interactive shell (SIGINT to vfscope, which
// runs it on a terminal) ends the running line only, as an interactive
// sh ignores SIGINT itself (dash's onint: the shell survives, $? is
// 130, a newline and a new prompt; bash likewise). The session goes on,
// and at exit the billyfs store on a host directory is written back.
func TestShSIGINT(t *testing.T) {
	tests := []struct {
		name    string
		running string // the line ^C interrupts
		after   string // a line typed after it
		stdout  string
	}{
		{"cat /dev/zero", "cat /dev/zero > /dev/null; echo not reached", "echo after $?", "after 130\n"},
		{"flock waiting", "flock /tmp/l -c 'flock /tmp/l -c true'; echo not reached", "echo after $?", "after 130\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			master, slave := openPTYPair(t)
			go io.Copy(io.Discard, master) // the terminal's echo
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "sh")
			cmd.Env = append(os.Environ(), childEnv+"=1")
			var stdout, stderr lockedBuffer
			cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			defer func() {
				cmd.Process.Kill()
				<-exited
			}()
			typeLine := func(line string) {
				if _, err := master.Write([]byte(line + "\n")); err != nil {
					t.Fatal(err)
				}
			}
			// waitPrompts waits for the n-th prompt; while it has not
			// come, each tick runs tick (nil: nothing).
			waitPrompts := func(n int, tick func()) {
				deadline := time.Now().Add(30 * time.Second)
				for strings.Count(stderr.String(), "vfscope:") < n {
					select {
					case err := <-exited:
						exited <- err
						t.Fatalf("vfscope exited waiting for prompt %d: %v; stdout %q, stderr %q", n, err, stdout.String(), stderr.String())
					case <-time.After(50 * time.Millisecond):
					}
					if time.Now().After(deadline) {
						t.Fatalf("no prompt %d; stdout %q, stderr %q", n, stdout.String(), stderr.String())
					}
					if tick != nil {
						tick()
					}
				}
			}
			waitPrompts(1, nil)
			typeLine("mkdir /mnt; mount -t billyfs -o store=os:" + dir + " none /mnt; echo kept > /mnt/f")
			waitPrompts(2, nil)
			typeLine(tc.running)
			// SIGINT until the line ends: one sent before the shell
			// read the line is a ^C at the prompt, which it ignores.
			waitPrompts(3, func() { cmd.Process.Signal(os.Interrupt) })
			// A signal sent just before the line ended may still be on
			// its way: let it land at the prompt, where it is ignored.
			time.Sleep(300 * time.Millisecond)
			typeLine(tc.after)
			waitPrompts(4, nil)
			typeLine("exit")
			select {
			case err := <-exited:
				exited <- err
				if err != nil {
					t.Errorf("vfscope: %v; stderr %q", err, stderr.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("vfscope did not exit; stderr %q", stderr.String())
			}
			if got := stdout.String(); got != tc.stdout {
				t.Errorf("stdout %q, want %q", got, tc.stdout)
			}
			// Prompts, and the newline after ^C (dash's main loop on EXINT).
			if want := "vfscope:/# vfscope:/# \nvfscope:/# vfscope:/# "; stderr.String() != want {
				t.Errorf("stderr %q, want %q", stderr.String(), want)
			}
			// A second session finds what the first wrote to the store.
			out, errOut, st := runCmd("sh", "-c", "mkdir /mnt; mount -t billyfs -o store=os:"+dir+" none /mnt; cat /mnt/f")
			if st != 0 || out != "kept\n" || errOut != "" {
				t.Errorf("the store after the session: status %d, stdout %q, stderr %q; want \"kept\\n\"", st, out, errOut)
			}
		})
	}
}
