package vfs_test

import (
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestLocksLockFileWaitPosix: a driver's ->lock may hand a POSIX request
// to LocksLockFileWait, which applies it and, for F_SETLKW, waits while
// it is deferred (fs/locks.c locks_lock_inode_wait: FL_POSIX goes to
// posix_lock_inode_wait, which ends with EINTR on a signal; 9p's
// v9fs_file_do_lock, gfs2_lock and ceph_lock call it so).
func TestLocksLockFileWaitPosix(t *testing.T) {
	tests := []struct {
		name string
		cmd  int
		// held says another task holds a write lock on 0-9 first.
		held bool
		// interrupt signals the waiter instead of releasing the lock.
		interrupt bool
		want      error
		// layout is the locks after (the other task's released).
		layout string
	}{
		{"F_SETLK, no conflict", vfs.F_SETLK, false, false, nil, "POSIX WRITE 0-9"},
		{"F_SETLK, conflict", vfs.F_SETLK, true, false, vfs.EAGAIN, ""},
		{"F_SETLKW, conflict released", vfs.F_SETLKW, true, false, nil, "POSIX WRITE 0-9"},
		{"F_SETLKW, conflict, signal", vfs.F_SETLKW, true, true, vfs.EINTR, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := vfstest.New(t)
			tk := e.Root
			fops := &vfs.FileOperations{
				Lock: func(t *vfs.Task, f *vfs.File, cmd int, fl *vfs.FileLock) error {
					if cmd == vfs.F_GETLK {
						t.PosixTestLock(f, fl)
						return nil
					}
					return t.LocksLockFileWait(f, fl)
				},
			}
			e.Must(e.V.RegisterChrdev("locker", 240, 0, fops))
			e.Must(tk.Mknod("/dev/locker", vfs.S_IFCHR|0o666, vfs.MkDev(240, 0)))
			other := tk.Fork("other")
			defer other.Exit()
			ofd, err := other.Open("/dev/locker", vfs.O_RDWR, 0)
			e.Must(err)
			if tc.held {
				e.Must(other.FcntlLock(ofd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 10}))
			}
			fd, err := tk.Open("/dev/locker", vfs.O_RDWR, 0)
			e.Must(err)
			done := make(chan error, 1)
			go func() { done <- tk.FcntlLock(fd, tc.cmd, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 10}) }()
			if tc.cmd == vfs.F_SETLKW {
				waitBlocked(t, other, 1)
				if tc.interrupt {
					e.V.Interrupt()
				} else {
					e.Must(other.FcntlLock(ofd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_UNLCK}))
				}
			}
			select {
			case err := <-done:
				if err != tc.want {
					t.Errorf("%d through ->lock: %v, want %v", tc.cmd, err, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%d through ->lock still waits", tc.cmd)
			}
			e.V.ClearInterrupt()
			e.Must(other.Close(ofd))
			if got := lockLayout(t, tk, "/dev/locker"); got != tc.layout {
				t.Errorf("locks %q, want %q", got, tc.layout)
			}
			e.Must(tk.Close(fd))
		})
	}
}

// TestLocksLockFileWaitBadRequest: a request that is neither a POSIX
// nor a flock lock is refused with EINVAL (Linux BUG()s).
func TestLocksLockFileWaitBadRequest(t *testing.T) {
	tests := []struct {
		name  string
		flags uint32
		want  error
	}{
		{"lease", vfs.FL_LEASE, vfs.EINVAL},
		{"no kind", 0, vfs.EINVAL},
		{"both kinds", vfs.FL_POSIX | vfs.FL_FLOCK, vfs.EINVAL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := vfstest.New(t)
			tk := e.Root
			e.WriteFile("/f", "", 0o644)
			f, err := tk.OpenFile(vfs.AT_FDCWD, "/f", vfs.O_RDWR, 0)
			e.Must(err)
			defer vfs.FputForTest(tk, f)
			fl := &vfs.FileLock{Flags: tc.flags, Type: vfs.F_WRLCK, Owner: f, File: f, End: vfs.OFFSET_MAX}
			if err := tk.LocksLockFileWait(f, fl); err != tc.want {
				t.Errorf("LocksLockFileWait: %v, want %v", err, tc.want)
			}
		})
	}
}
