package vfs_test

import (
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestLeaseBreakPollNotTimedSleep: a breaker of a lease with no break
// time (lease-break-time 0) looks again every jiffy for as long as the
// holder keeps the lease; that wait does not end by itself, so it must
// not count in TimedSleeps (a stall watchdog reads a timed sleep as "it
// wakes by itself" and would never interrupt it). A breaker with a break
// time does sleep timed.
func TestLeaseBreakPollNotTimedSleep(t *testing.T) {
	tests := []struct {
		name      string
		breakTime time.Duration
		wantTimed bool
	}{
		{"lease-break-time 0: jiffy poll", 0, false},
		{"lease-break-time 10s: timed", 10 * time.Second, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := vfstest.New(t)
			tk := e.Root
			e.WriteFile("/f", "x", 0o644)
			e.V.SetLeaseBreakTime(tc.breakTime)
			rd, err := tk.Open("/f", vfs.O_RDONLY, 0)
			e.Must(err)
			_, err = tk.Fcntl(rd, vfs.F_SETLEASE, vfs.F_RDLCK)
			e.Must(err)
			b := tk.Fork("breaker")
			defer b.Exit()
			done := make(chan error, 1)
			go func() {
				fd, err := b.Open("/f", vfs.O_WRONLY, 0)
				if err == nil {
					err = b.Close(fd)
				}
				done <- err
			}()
			vfstest.WaitFor(t, "the break to be pending", func() bool {
				n, _ := tk.Fcntl(rd, vfs.F_GETLEASE, 0)
				return n == vfs.F_UNLCK
			})
			// Sample across many jiffies of the poll.
			sawTimed := false
			for end := time.Now().Add(100 * time.Millisecond); time.Now().Before(end); {
				if e.V.TimedSleeps() > 0 {
					sawTimed = true
				}
				time.Sleep(100 * time.Microsecond)
			}
			if sawTimed != tc.wantTimed {
				t.Errorf("TimedSleeps() > 0 while the breaker waits: %v, want %v", sawTimed, tc.wantTimed)
			}
			_, err = tk.Fcntl(rd, vfs.F_SETLEASE, vfs.F_UNLCK)
			e.Must(err)
			e.Must(<-done)
			e.Must(tk.Close(rd))
		})
	}
}
