package vfs_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestDelegationTouchPermission: notify_change asks may_setattr before
// it breaks a delegation, so a touch (utimensat with no times, or both
// UTIME_NOW) by a task that may not write the file fails with EACCES at
// once and recalls nobody's delegation. The owner-or-capable checks of
// setattr_prepare come after the break, so a chmod by a non-owner does
// recall it before it fails.
func TestDelegationTouchPermission(t *testing.T) {
	now := &[2]vfs.Timespec{{Nsec: vfs.UTIME_NOW}, {Nsec: vfs.UTIME_NOW}}
	cases := []struct {
		name   string
		mode   uint32 // of root's /a
		op     func(b *vfs.Task) error
		want   error
		breaks int32
	}{
		{"touch by non-writer", 0o644, func(b *vfs.Task) error { return b.Utimensat(vfs.AT_FDCWD, "/a", nil, 0) }, vfs.EACCES, 0},
		{"now,now by non-writer", 0o644, func(b *vfs.Task) error { return b.Utimensat(vfs.AT_FDCWD, "/a", now, 0) }, vfs.EACCES, 0},
		{"touch by writer", 0o666, func(b *vfs.Task) error { return b.Utimensat(vfs.AT_FDCWD, "/a", nil, 0) }, nil, 1},
		{"chmod by non-owner", 0o666, func(b *vfs.Task) error { return b.Chmod("/a", 0o600) }, vfs.EPERM, 1},
	}
	// The holder returns a recalled delegation at once: a wait of the
	// whole break time means nobody answered.
	const breakTime = 5 * time.Second
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := vfstest.New(t)
			tk := e.Root
			e.WriteFile("/a", "a", c.mode)
			e.V.SetLeaseBreakTime(breakTime)
			b := tk.Fork("toucher")
			defer b.Exit()
			b.SetCred(&vfs.Cred{UID: 1000, GID: 1000})
			f, err := tk.OpenFile(vfs.AT_FDCWD, "/a", vfs.O_RDONLY, 0)
			e.Must(err)
			defer vfs.FputForTest(tk, f)
			var breaks atomic.Int32
			recalled := make(chan struct{}, 1)
			fl := &vfs.FileLock{Flags: vfs.FL_DELEG, Type: vfs.F_RDLCK, Owner: f, File: f, PID: tk.PID(), End: vfs.OFFSET_MAX,
				LMOps: &vfs.LockManagerOperations{
					Break: func(_ *vfs.Task, fl *vfs.FileLock) bool {
						breaks.Add(1)
						recalled <- struct{}{}
						return false
					},
					Change: vfs.LeaseModify,
				}}
			e.Must(tk.GenericSetlease(f, vfs.F_RDLCK, fl))
			holderDone := make(chan struct{})
			stop := make(chan struct{})
			go func() {
				defer close(holderDone)
				select {
				case <-recalled:
					e.Must(tk.GenericSetlease(f, vfs.F_UNLCK, nil))
				case <-stop:
				}
			}()
			start := time.Now()
			err = c.op(b)
			took := time.Since(start)
			close(stop)
			<-holderDone
			if err != c.want && !(c.want == nil && err == nil) {
				t.Errorf("got %v, want %v", err, c.want)
			}
			if n := breaks.Load(); n != c.breaks {
				t.Errorf("->lm_break called %d times, want %d", n, c.breaks)
			}
			if took >= breakTime {
				t.Errorf("took %v, the whole break time", took)
			}
		})
	}
}
