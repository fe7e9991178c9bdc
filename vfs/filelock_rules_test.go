package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// reachFileLockRows drives every file_lock_operations and
// lock_manager_operations row on tk's VFS, as a filesystem's ->lock and
// a lock manager (lockd, nfsd) would use them, and the lease manager of
// fcntl(F_SETLEASE). TestLockingRows checks each row was reached with the
// locks its cells list.
func reachFileLockRows(t *testing.T, tk *vfs.Task) {
	t.Helper()
	must := func(what string, err error) { t.Helper(); rulesMust(t, what, err) }
	fd, err := tk.Open("/flrows", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	must("create /flrows", err)
	f, err := tk.OpenFile(vfs.AT_FDCWD, "/flrows", vfs.O_RDWR, 0)
	must("open /flrows", err)
	type owner struct{ name string }
	x, y, z, w := &owner{"x"}, &owner{"y"}, &owner{"z"}, &owner{"w"}
	posix := func(o *owner, typ int16, start, end int64) *vfs.FileLock {
		return &vfs.FileLock{Flags: vfs.FL_POSIX, Type: typ, Owner: o, PID: tk.PID(), File: f, Start: start, End: end}
	}

	// fl_copy_lock when the request is applied; fl_release_private when
	// the applied copy is removed.
	copies, releases := 0, 0
	private := &vfs.FileLockOperations{
		CopyLock:       func(t *vfs.Task, dst, src *vfs.FileLock) { copies++ },
		ReleasePrivate: func(t *vfs.Task, fl *vfs.FileLock) { releases++ },
	}
	req := posix(x, vfs.F_WRLCK, 0, 9)
	req.Ops = private
	must("lock with fl_ops", tk.PosixLockFile(f, req, nil))
	must("unlock it", tk.PosixLockFile(f, posix(x, vfs.F_UNLCK, 0, vfs.OFFSET_MAX), nil))
	if copies == 0 || releases == 0 {
		t.Errorf("fl_copy_lock %d, fl_release_private %d calls", copies, releases)
	}

	// lm_notify: a lock manager's blocked request is notified, not woken.
	must("x locks", tk.PosixLockFile(f, posix(x, vfs.F_WRLCK, 0, 9), nil))
	notified := 0
	waiter := posix(y, vfs.F_WRLCK, 0, 9)
	waiter.Flags |= vfs.FL_SLEEP
	waiter.LMOps = &vfs.LockManagerOperations{Notify: func(t *vfs.Task, fl *vfs.FileLock) { notified++ }}
	if err := tk.PosixLockFile(f, waiter, nil); err != vfs.ErrLockDeferred {
		t.Fatalf("blocked lock manager request: %v", err)
	}
	must("x unlocks", tk.PosixLockFile(f, posix(x, vfs.F_UNLCK, 0, vfs.OFFSET_MAX), nil))
	if notified != 1 {
		t.Errorf("lm_notify called %d times", notified)
	}

	// lm_lock_expirable and lm_expire_lock: a conflicting lock its
	// manager lets expire does not block the request.
	zl := posix(z, vfs.F_WRLCK, 0, 9)
	zl.LMOps = &vfs.LockManagerOperations{
		LockExpirable: func(t *vfs.Task, fl *vfs.FileLock) bool { return true },
		ExpireLock: func(t *vfs.Task) {
			must("expire z", t.PosixLockFile(f, posix(z, vfs.F_UNLCK, 0, vfs.OFFSET_MAX), nil))
		},
	}
	must("z locks", tk.PosixLockFile(f, zl, nil))
	must("w over an expirable lock", tk.PosixLockFile(f, posix(w, vfs.F_WRLCK, 0, 9), nil))
	must("w unlocks", tk.PosixLockFile(f, posix(w, vfs.F_UNLCK, 0, vfs.OFFSET_MAX), nil))

	// lm_grant: a filesystem's asynchronous ->lock reports the outcome.
	granted := -1
	async := posix(x, vfs.F_RDLCK, 0, 0)
	async.LMOps = &vfs.LockManagerOperations{Grant: func(t *vfs.Task, fl, conf *vfs.FileLock, result int) int {
		granted = result
		return 0
	}}
	tk.LockManagerGrant(async, nil, 0)
	if granted != 0 {
		t.Errorf("lm_grant result %d", granted)
	}

	// lm_break and lm_change: fcntl leases.
	rfd, err := tk.Open("/flrows", vfs.O_RDONLY, 0)
	must("open read-only", err)
	must("close the writers", tk.Close(fd))
	if _, err := tk.Fcntl(rfd, vfs.F_SETLEASE, vfs.F_RDLCK); err != vfs.EAGAIN {
		t.Fatalf("read lease while f is open for writing: %v", err)
	}
	vfs.FputForTest(tk, f)
	_, err = tk.Fcntl(rfd, vfs.F_SETLEASE, vfs.F_RDLCK)
	must("F_SETLEASE", err)
	if _, err := tk.Open("/flrows", vfs.O_WRONLY|vfs.O_NONBLOCK, 0); err != vfs.EWOULDBLOCK {
		t.Fatalf("open over a lease: %v", err)
	}
	_, err = tk.Fcntl(rfd, vfs.F_SETLEASE, vfs.F_UNLCK)
	must("F_SETLEASE F_UNLCK", err)

	// lm_breaker_owns_lease: a lease whose manager says the breaker is
	// its own holder is not broken.
	rf, err := tk.OpenFile(vfs.AT_FDCWD, "/flrows", vfs.O_RDONLY, 0)
	must("open", err)
	must("close", tk.Close(rfd))
	owns := &vfs.FileLock{Flags: vfs.FL_LEASE, Type: vfs.F_RDLCK, Owner: rf, File: rf, End: vfs.OFFSET_MAX,
		LMOps: &vfs.LockManagerOperations{
			Break: func(t *vfs.Task, fl *vfs.FileLock) bool { return false },
			Change: func(t *vfs.Task, fl *vfs.FileLock, arg int16, dispose *[]*vfs.FileLock) error {
				return vfs.LeaseModify(t, fl, arg, dispose)
			},
			BreakerOwnsLease: func(t *vfs.Task, fl *vfs.FileLock) bool { return true },
		}}
	must("generic_setlease", tk.GenericSetlease(rf, vfs.F_RDLCK, owns))
	wfd, err := tk.Open("/flrows", vfs.O_WRONLY|vfs.O_NONBLOCK, 0)
	must("open by the lease's owner", err)
	must("close", tk.Close(wfd))
	vfs.FputForTest(tk, rf)
}
