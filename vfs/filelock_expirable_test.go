package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestTestLockExpiresCourteousLocks: F_GETLK and F_OFD_GETLK, like
// F_SETLK, let a lock manager expire a conflicting lock it says is
// expirable, then look again (fs/locks.c posix_test_lock: the same
// lm_lock_expirable / lm_expire_lock retry as posix_lock_inode; nfsd's
// courteous server keeps an expired client's locks until they
// conflict).
func TestTestLockExpiresCourteousLocks(t *testing.T) {
	tests := []struct {
		name      string
		cmd       int
		expirable bool
		wantType  int16
		wantCalls int
	}{
		{"F_GETLK, expirable", vfs.F_GETLK, true, vfs.F_UNLCK, 1},
		{"F_OFD_GETLK, expirable", vfs.F_OFD_GETLK, true, vfs.F_UNLCK, 1},
		{"F_SETLK, expirable", vfs.F_SETLK, true, vfs.F_WRLCK, 1},
		{"F_GETLK, not expirable", vfs.F_GETLK, false, vfs.F_WRLCK, 0},
		{"F_OFD_GETLK, not expirable", vfs.F_OFD_GETLK, false, vfs.F_WRLCK, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := vfstest.New(t)
			tk := e.Root
			e.WriteFile("/f", "0123456789", 0o644)
			f, err := tk.OpenFile(vfs.AT_FDCWD, "/f", vfs.O_RDWR, 0)
			e.Must(err)
			defer vfs.FputForTest(tk, f)
			type client struct{}
			owner := &client{}
			expires := 0
			manager := &vfs.LockManagerOperations{
				LockExpirable: func(t *vfs.Task, fl *vfs.FileLock) bool { return tc.expirable },
				ExpireLock: func(t *vfs.Task) {
					expires++
					e.Must(t.PosixLockFile(f, &vfs.FileLock{Flags: vfs.FL_POSIX, Type: vfs.F_UNLCK, Owner: owner,
						File: f, Start: 0, End: vfs.OFFSET_MAX}, nil))
				},
			}
			e.Must(tk.PosixLockFile(f, &vfs.FileLock{Flags: vfs.FL_POSIX, Type: vfs.F_WRLCK, Owner: owner, PID: 4242,
				File: f, Start: 0, End: 9, LMOps: manager}, nil))
			b := tk.Fork("b")
			defer b.Exit()
			fd, err := b.Open("/f", vfs.O_RDWR, 0)
			e.Must(err)
			l := vfs.Flock{Type: vfs.F_WRLCK, Whence: vfs.SEEK_SET, Start: 0, Len: 10}
			e.Must(b.FcntlLock(fd, tc.cmd, &l))
			if tc.cmd == vfs.F_SETLK {
				// The request was applied in place of the manager's lock.
				if got := lockLayout(t, tk, "/f"); got != "POSIX WRITE 0-9" {
					t.Errorf("locks after F_SETLK: %q", got)
				}
				q := vfs.Flock{Type: vfs.F_WRLCK, Whence: vfs.SEEK_SET, Start: 0, Len: 10}
				tfd, err := tk.Open("/f", vfs.O_RDWR, 0)
				e.Must(err)
				e.Must(tk.FcntlLock(tfd, vfs.F_GETLK, &q))
				e.Must(tk.Close(tfd))
				if q.PID != b.PID() {
					t.Errorf("lock held by pid %d, want %d", q.PID, b.PID())
				}
			}
			if l.Type != tc.wantType || expires != tc.wantCalls {
				t.Errorf("%d: type %d (pid %d), lm_expire_lock calls %d; want type %d, %d calls",
					tc.cmd, l.Type, l.PID, expires, tc.wantType, tc.wantCalls)
			}
			if tc.wantType == vfs.F_WRLCK && tc.cmd != vfs.F_SETLK && (l.Start != 0 || l.Len != 10) {
				t.Errorf("conflicting lock %d+%d, want 0+10", l.Start, l.Len)
			}
		})
	}
}
