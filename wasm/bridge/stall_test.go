package bridge

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// TestWatchdogEndsStalledCalls: a call that sleeps with nothing able to
// wake it is ended as Linux ends a process's wait on ^C, and leaves the
// bridge, and the other VFSes, usable. flock(2)'s wait is interruptible
// (fs/locks.c flock_lock_inode_wait: wait_event_interruptible, EINTR;
// the shell's job then ends with 128+SIGINT); sb_start_write on a
// frozen filesystem is not (fs/super.c __sb_start_write:
// percpu_down_read), so that call is abandoned with an error that says
// why, and only its VFS becomes unusable.
func TestWatchdogEndsStalledCalls(t *testing.T) {
	tests := []struct {
		name  string
		setup string
		line  string
		// status is the line's status when the call ends by an
		// interrupt; abandoned is a part of the error when it is
		// abandoned instead.
		status    int64
		abandoned string
	}{
		{"flock behind its own shell's lock", "", "flock /tmp/l -c 'flock /tmp/l -c true'", 130, ""},
		{"flock, then the rest of the line", "", "flock /tmp/l -c 'flock /tmp/l -c true; flock /tmp/l -c true'; echo after", 130, ""},
		{"a write to a frozen filesystem", "mkdir /mnt && mount -t billyfs -o store=mem none /mnt && fsfreeze -f /mnt", "touch /mnt/x", 0,
			"shellRun sleeps in a wait no signal ends"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := New()
			errs := make(chan error, 1)
			w := b.NewWatchdog(func(err error) { errs <- err })
			other := newVFS(t, b)
			d := exec(t, b, new(req).op("writeFile", other).str("/tmp/precious").raw([]byte("unsaved work")).num(int64(vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC)).num(0o644), nil)
			if e := d.u32(); e != 0 {
				t.Fatalf("writeFile: errno %d", e)
			}
			id := newVFS(t, b)
			sh := newShell(t, b, id, tc.setup)

			type result struct {
				out []byte
				err error
			}
			done := make(chan result, 1)
			go func() {
				w.Begin()
				out, err := b.Exec(new(req).op("shellRun", 0).num(sh).str(tc.line).raw(nil).bytes(), NoEnv{})
				w.End()
				done <- result{append([]byte(nil), out...), err}
			}()
			select {
			case r := <-done:
				if tc.abandoned != "" {
					t.Fatalf("the call returned (%v), want it abandoned", r.err)
				}
				if r.err != nil {
					t.Fatalf("Exec: %v", r.err)
				}
				d := &decoder{b: r.out}
				if e := d.u32(); e != 0 {
					t.Fatalf("shellRun: errno %d", e)
				}
				if st := d.num(); st != tc.status {
					t.Fatalf("status %d, want %d", st, tc.status)
				}
				// The signal was delivered: the VFS waits again, and
				// its shell runs.
				if st, out := shellRun(t, b, sh, "flock /tmp/l -c 'echo locked'; echo $?"); st != 0 || out != "locked\n0\n" {
					t.Fatalf("after the interrupt: status %d, %q", st, out)
				}
			case err := <-errs:
				if tc.abandoned == "" || !strings.Contains(err.Error(), tc.abandoned) {
					t.Fatalf("abandoned: %v, want an error with %q", err, tc.abandoned)
				}
				// Only the stalled VFS is unusable.
				_, err = b.Exec(new(req).op("stat", id).str("/").bytes(), NoEnv{})
				if err == nil || !strings.Contains(err.Error(), "unusable") {
					t.Fatalf("stat on the stalled VFS: %v, want it refused", err)
				}
				if _, err := b.Exec(new(req).op("vfsClose", id).bytes(), NoEnv{}); err != nil {
					t.Fatalf("vfsClose of the stalled VFS: %v", err)
				}
			// A bound for "never", not a speed: natively the watchdog
			// counts a check as stalled only when no other goroutine of
			// the process is runnable (TestNothingRunnable), and the
			// frozen-filesystem case gathers its StallGrace in about a
			// second, loaded or not.
			case <-time.After(StallGrace + 90*time.Second):
				t.Fatal("the call neither returned nor was abandoned")
			}
			d = exec(t, b, new(req).op("readFile", other).str("/tmp/precious"), nil)
			if e := d.u32(); e != 0 {
				t.Fatalf("readFile on the other VFS: errno %d", e)
			}
			if got := string(d.bytes()); got != "unsaved work" {
				t.Fatalf("the other VFS reads %q", got)
			}
		})
	}
}

// TestNothingRunnable: the watchdog's check of the scheduler's counts,
// natively with two Ps (the CI's two cores). A P held for less than
// spinSettle, as by a thread spinning in search of work that the kernel
// descheduled on a loaded machine, is not a goroutine that runs; one
// held longer is.
func TestNothingRunnable(t *testing.T) {
	if runtime.GOARCH == "wasm" {
		t.Skip("one thread without preemption: no second P, and a busy goroutine would run to its end before the check")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	tests := []struct {
		name string
		// busy is how long another goroutine runs, on the other P,
		// while the check is made; 0 for none.
		busy time.Duration
		want bool
	}{
		{"nothing else", 0, true},
		{"another P held 2ms", 2 * time.Millisecond, true},
		{"another P held past spinSettle", 10 * spinSettle, false},
	}
	w := new(Watchdog)
	w.initSamples()
	check := func(busy time.Duration) bool {
		done := make(chan struct{})
		if busy > 0 {
			started := make(chan struct{})
			go func() {
				close(started)
				for end := time.Now().Add(busy); time.Now().Before(end); {
				}
				close(done)
			}()
			<-started
		} else {
			close(done)
		}
		got := w.nothingRunnable()
		<-done
		return got
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A true answer may take a few tries on a loaded machine
			// (a collection, another test's goroutine may run then);
			// a false one may not.
			tries := 1
			if tc.want {
				tries = 5
			}
			got := !tc.want
			for i := 0; i < tries && got != tc.want; i++ {
				time.Sleep(50 * time.Millisecond)
				got = check(tc.busy)
			}
			if got != tc.want {
				t.Errorf("nothingRunnable() = %v, want %v", got, tc.want)
			}
		})
	}
}
