package shell_test

import (
	"strings"
	"testing"
	"time"
)

// TestInterruptEndsTheLine: a signal made pending on the VFS while a
// command sleeps (vfs.VFS.Interrupt, as wasm/bridge's watchdog does for a
// call that cannot finish) ends the command as ^C ends a job: its
// interruptible wait fails with EINTR, nothing after it on the line, or
// on the lines after it, runs, and the status is 130 (bash drops the
// rest of a command line a SIGINT killed).
func TestInterruptEndsTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, line string
	}{
		{"list", "flock /tmp/l -c 'flock /tmp/l -c true'; echo after; touch /tmp/created"},
		{"and-or", "flock /tmp/l -c 'flock /tmp/l -c true' || echo after && touch /tmp/created"},
		{"pipeline", "flock /tmp/l -c 'flock /tmp/l -c true' | cat; echo after; touch /tmp/created"},
		{"next line", "flock /tmp/l -c 'flock /tmp/l -c true'\necho after\ntouch /tmp/created"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sh, v, out := newShell(t, "")
			done := make(chan int)
			go func() { done <- sh.RunString(tc.line) }()
			// The inner flock waits for the outer one's lock for ever:
			// interrupt it once it sleeps.
			var status int
			for waited := false; ; {
				select {
				case status = <-done:
				case <-time.After(20 * time.Millisecond):
					v.Interrupt()
					waited = true
					continue
				}
				if !waited {
					t.Fatalf("the line ended by itself: %d, %q", status, out)
				}
				break
			}
			v.ClearInterrupt()
			if status != 130 {
				t.Errorf("status %d, want 130; output %q", status, out)
			}
			if strings.Contains(out.String(), "after") {
				t.Errorf("the rest of the line ran: %q", out)
			}
			if got := sh.RunString("ls /tmp; echo $?"); got != 0 {
				t.Errorf("after the interrupt, a new line: status %d", got)
			}
			if strings.Contains(out.String(), "created") {
				t.Errorf("the rest of the line ran: %q", out)
			}
		})
	}
}
