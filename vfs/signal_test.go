package vfs_test

import (
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestInterruptEndsLockWaits: a signal ends an interruptible wait with
// EINTR, and the waiter leaves the blocked list (flock(2), fcntl(2)
// F_SETLKW and open(2) breaking a lease all sleep in
// wait_event_interruptible*: fs/locks.c flock_lock_inode_wait,
// do_lock_file_wait, __break_lease; the man pages list EINTR). After
// ClearInterrupt the same request sleeps again and the holder's unlock
// wakes it.
func TestInterruptEndsLockWaits(t *testing.T) {
	type lockCase struct {
		name string
		// hold takes the conflicting lock through fd (a's descriptor).
		hold func(a *vfs.Task, fd int) error
		// wait is b's blocking request on fd (b's descriptor of the
		// same file, opened O_RDWR except for the lease case).
		wait func(b *vfs.Task, fd int) error
		// release drops the conflicting lock.
		release func(a *vfs.Task, fd int) error
	}
	cases := []lockCase{
		{"flock",
			func(a *vfs.Task, fd int) error { return a.Flock(fd, vfs.LOCK_EX) },
			func(b *vfs.Task, fd int) error { return b.Flock(fd, vfs.LOCK_EX) },
			func(a *vfs.Task, fd int) error { return a.Flock(fd, vfs.LOCK_UN) }},
		{"F_SETLKW",
			func(a *vfs.Task, fd int) error {
				return a.FcntlLock(fd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK})
			},
			func(b *vfs.Task, fd int) error {
				return b.FcntlLock(fd, vfs.F_SETLKW, &vfs.Flock{Type: vfs.F_WRLCK})
			},
			func(a *vfs.Task, fd int) error {
				return a.FcntlLock(fd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_UNLCK})
			}},
		{"lease break",
			func(a *vfs.Task, fd int) error { _, err := a.Fcntl(fd, vfs.F_SETLEASE, vfs.F_RDLCK); return err },
			func(b *vfs.Task, _ int) error {
				fd, err := b.Open("/f", vfs.O_WRONLY, 0)
				if err == nil {
					err = b.Close(fd)
				}
				return err
			},
			func(a *vfs.Task, fd int) error { _, err := a.Fcntl(fd, vfs.F_SETLEASE, vfs.F_UNLCK); return err }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := vfstest.New(t)
			a := e.Root
			e.WriteFile("/f", "x", 0o644)
			e.V.SetLeaseBreakTime(time.Hour)
			b := a.Fork("b")
			defer b.Exit()
			mode := vfs.O_RDWR
			if c.name == "lease break" {
				mode = vfs.O_RDONLY // a read lease needs no writer
			}
			fa, err := a.Open("/f", mode, 0)
			e.Must(err)
			fb, err := b.Open("/f", vfs.O_RDWR, 0)
			if c.name == "lease break" {
				// b opens inside wait; no descriptor of its own yet.
				e.Must(b.Close(fb))
				fb = -1
			} else {
				e.Must(err)
			}
			e.Must(c.hold(a, fa))

			done := make(chan error, 1)
			go func() { done <- c.wait(b, fb) }()
			waitBlocked(t, a, 1)
			e.V.Interrupt()
			if err := <-done; err != vfs.EINTR {
				t.Fatalf("interrupted wait returned %v, want EINTR", err)
			}
			waitBlocked(t, a, 0)
			// While the signal is pending, a new wait ends at once.
			if err := c.wait(b, fb); err != vfs.EINTR {
				t.Fatalf("wait with a signal pending returned %v, want EINTR", err)
			}
			e.V.ClearInterrupt()
			go func() { done <- c.wait(b, fb) }()
			waitBlocked(t, a, 1)
			select {
			case err := <-done:
				t.Fatalf("wait after ClearInterrupt returned %v while the lock was held", err)
			default:
			}
			e.Must(c.release(a, fa))
			if err := <-done; err != nil {
				t.Fatalf("wait after the release: %v", err)
			}
		})
	}
}
