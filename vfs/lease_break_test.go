package vfs_test

import (
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestLeaseSecondBreakerWoken: two tasks open a leased file for writing;
// the second waits behind the first (__locks_insert_block). When the
// holder lets the lease go, the first breaker leaves its wait with
// __locks_delete_block(), which wakes the requests queued behind it
// (__locks_wake_up_blocks), so both opens return at once, as the host
// kernel's do (two `: >> file` against F_SETLEASE F_RDLCK on tmpfs, the
// lease released at 200 ms: both shells end at about 200 ms), and not
// the second after the whole lease-break-time.
func TestLeaseSecondBreakerWoken(t *testing.T) {
	tests := []struct {
		name string
		// closeLease lets the lease go by closing its file rather
		// than by F_SETLEASE F_UNLCK.
		closeLease bool
	}{
		{"holder sets F_UNLCK", false},
		{"holder closes the file", true},
	}
	const breakTime = 5 * time.Second
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := vfstest.New(t)
			tk := e.Root
			e.WriteFile("/f", "x", 0o644)
			e.V.SetLeaseBreakTime(breakTime)
			// Forked before the lease's file is opened, so that its
			// close is the last.
			breakers := []*vfs.Task{tk.Fork("breaker 1"), tk.Fork("breaker 2")}
			rd, err := tk.Open("/f", vfs.O_RDONLY, 0)
			e.Must(err)
			_, err = tk.Fcntl(rd, vfs.F_SETLEASE, vfs.F_RDLCK)
			e.Must(err)
			done := make(chan error, 2)
			for _, b := range breakers {
				go func() {
					fd, err := b.Open("/f", vfs.O_WRONLY, 0)
					if err == nil {
						err = b.Close(fd)
					}
					done <- err
				}()
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(50 * time.Millisecond)
			start := time.Now()
			if tc.closeLease {
				e.Must(tk.Close(rd))
			} else {
				_, err = tk.Fcntl(rd, vfs.F_SETLEASE, vfs.F_UNLCK)
				e.Must(err)
			}
			for i := 0; i < 2; i++ {
				err := <-done
				if err != nil {
					t.Errorf("opener %d: %v", i+1, err)
				}
				if d := time.Since(start); d > breakTime/2 {
					t.Errorf("opener %d returned %v after the lease went (break time %v), want at once", i+1, d, breakTime)
				}
			}
			if !tc.closeLease {
				e.Must(tk.Close(rd))
			}
			for _, b := range breakers {
				b.Exit()
			}
		})
	}
}

// TestLeaseDowngradeDeadlineKept: a break gives a write lease a deadline
// to be downgraded by; the holder downgrading first clears the pending
// state (lease_clear_pending) but not the deadline, so a write lease
// taken again before it is downgraded when it passes (time_out_leases),
// as the host kernel does: F_SETLEASE F_WRLCK, a reader's open, the
// holder's F_RDLCK and F_WRLCK, then past lease-break-time F_GETLEASE
// says F_RDLCK.
func TestLeaseDowngradeDeadlineKept(t *testing.T) {
	e := vfstest.New(t)
	tk := e.Root
	e.WriteFile("/f", "x", 0o644)
	const breakTime = 200 * time.Millisecond
	e.V.SetLeaseBreakTime(breakTime)
	b := tk.Fork("opener")
	defer b.Exit()
	// Read-only: a read lease needs the file open for writing nowhere,
	// the holder's own descriptor included (check_conflicting_open).
	holder, err := tk.Open("/f", vfs.O_RDONLY, 0)
	e.Must(err)
	_, err = tk.Fcntl(holder, vfs.F_SETLEASE, vfs.F_WRLCK)
	e.Must(err)
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		fd, err := b.Open("/f", vfs.O_RDONLY, 0)
		if err == nil {
			err = b.Close(fd)
		}
		done <- err
	}()
	waitLeaseTarget(t, tk, holder, vfs.F_RDLCK) // the break is pending
	_, err = tk.Fcntl(holder, vfs.F_SETLEASE, vfs.F_RDLCK)
	e.Must(err)
	e.Must(<-done)
	_, err = tk.Fcntl(holder, vfs.F_SETLEASE, vfs.F_WRLCK)
	e.Must(err)
	if got, _ := tk.Fcntl(holder, vfs.F_GETLEASE, 0); got != vfs.F_WRLCK {
		t.Fatalf("lease after taking it again: %d, want F_WRLCK", got)
	}
	time.Sleep(breakTime - time.Since(start) + 50*time.Millisecond)
	if got, _ := tk.Fcntl(holder, vfs.F_GETLEASE, 0); got != vfs.F_RDLCK {
		t.Errorf("lease past the first break's deadline: %d, want F_RDLCK", got)
	}
	e.Must(tk.Close(holder))
}
