package vfs

import (
	"strings"

	"github.com/vfscope/vfscope/vfs/lock"
)

// The checked calls of file_lock_operations and lock_manager_operations
// (locking.rst's rows in locking_rules.go), and of the file_operations
// lock methods. With validation on, each asserts its row:
//   - file_lock_operations' "inode->i_lock" column is the lock of the
//     inode's lock lists, which Linux moved from i_lock to the context's
//     flc_lock (3.18) without renaming the column: "yes" asserts flc_lock
//     held on the lock's context, "maybe" asserts nothing.
//   - lock_manager_operations' flc_lock "yes" asserts it held; "no" is
//     not asserted (Linux wakes blocked requests, and so calls
//     ->lm_notify, both with and without flc_lock). blocked_lock_lock is
//     asserted both ways.
//   - "may block: no" runs the method in a no-block section; "maybe[1]"
//     (fl_release_private) is "no" for a lease and "yes" otherwise.

// enterFL is enter for these rows. As enter does, it counts the row, reports the
// call to a trace listener (leaveFL its return), and asserts the row only
// with a validator: without one Owner.Holds answers "not held" for every
// lock, so a traced VFS (Options.Trace without lockdep) would record each
// "yes" cell as broken. It returns the row, for leaveFL's exit event
// (nil when neither checks nor trace are on), and whether it entered a
// no-block section.
func (t *Task) enterFL(key string, fl *FileLock) (*rule, bool) {
	v := t.vfs
	tr := v.trace.on.Load()
	if v.validator == nil && tr == nil {
		return nil, false // Options.Trace, nobody listening
	}
	r := rulesByKey[key]
	v.rules.hits[r.id].Add(1)
	if tr != nil {
		var s subjects
		if fl != nil && fl.File != nil {
			s.inode = fl.File.inode
		}
		emitMethod(tr, t, r.key, &s)
	}
	if v.validator == nil {
		return r, false // traced, not validated (Options.Trace)
	}
	o := t.o
	g := v.fileLocks()
	var bad []string
	var flc *lock.SpinLock
	if fl != nil && fl.ctx != nil {
		flc = &fl.ctx.flcLock
	}
	want := r.row.cells["flc_lock"]
	if s, ok := r.row.cells["inode->i_lock"]; ok {
		want = s
	}
	if want == "yes" {
		switch {
		case flc == nil && !o.HoldsClass(classFlcLock):
			bad = append(bad, "flc_lock not held, row says yes")
		case flc != nil && o.Holds(flc) == lock.Unheld:
			bad = append(bad, "the lock's flc_lock not held, row says yes")
		}
	}
	switch r.row.cells["blocked_lock_lock"] {
	case "yes":
		if o.Holds(&g.blockedLock) == lock.Unheld {
			bad = append(bad, "blocked_lock_lock not held, row says yes")
		}
	case "no":
		if o.Holds(&g.blockedLock) != lock.Unheld {
			bad = append(bad, "blocked_lock_lock held, row says no")
		}
	}
	if len(bad) > 0 {
		t.lockingViolation(r.key + " called by " + o.Name() + ": " + strings.Join(bad, "; "))
	}
	mayBlock := r.mayBlock
	if strings.HasPrefix(r.row.cells["may block"], "maybe") {
		mayBlock = fl == nil || fl.Flags&FL_LEASE == 0
	}
	if mayBlock {
		o.MightSleep(r.key)
		return r, false
	}
	o.BeginNoBlock(r.key)
	return r, true
}

func (t *Task) leaveFL(r *rule, noBlock bool) {
	if r == nil {
		return
	}
	if noBlock {
		t.o.EndNoBlock()
	}
	if tr := t.vfs.trace.on.Load(); tr != nil {
		emitMethodExit(tr, t, r.key)
	}
}

// file_lock_operations

func (t *Task) flopCopyLock(dst, src *FileLock) {
	if t.checking() {
		defer t.leaveFL(t.enterFL("file_lock_operations.fl_copy_lock", src))
	}
	src.Ops.CopyLock(t, dst, src)
}

func (t *Task) flopReleasePrivate(fl *FileLock) {
	if t.checking() {
		defer t.leaveFL(t.enterFL("file_lock_operations.fl_release_private", fl))
	}
	fl.Ops.ReleasePrivate(t, fl)
}

// lock_manager_operations

func (t *Task) lmNotify(fl *FileLock) {
	if t.checking() {
		defer t.leaveFL(t.enterFL("lock_manager_operations.lm_notify", fl))
	}
	fl.LMOps.Notify(t, fl)
}

func (t *Task) lmBreak(fl *FileLock) bool {
	if t.checking() {
		defer t.leaveFL(t.enterFL("lock_manager_operations.lm_break", fl))
	}
	return fl.LMOps.Break(t, fl)
}

func (t *Task) lmChange(fl *FileLock, arg int16, dispose *[]*FileLock) error {
	if t.checking() {
		defer t.leaveFL(t.enterFL("lock_manager_operations.lm_change", fl))
	}
	if fl.LMOps == nil || fl.LMOps.Change == nil {
		return t.leaseModify(fl, arg, dispose)
	}
	return fl.LMOps.Change(t, fl, arg, dispose)
}

func (t *Task) lmBreakerOwnsLease(fl *FileLock) bool {
	if t.checking() {
		defer t.leaveFL(t.enterFL("lock_manager_operations.lm_breaker_owns_lease", fl))
	}
	return fl.LMOps.BreakerOwnsLease(t, fl)
}

func (t *Task) lmLockExpirable(fl *FileLock) bool {
	if t.checking() {
		defer t.leaveFL(t.enterFL("lock_manager_operations.lm_lock_expirable", fl))
	}
	return fl.LMOps.LockExpirable(t, fl)
}

func (t *Task) lmExpireLock(ops *LockManagerOperations) {
	if t.checking() {
		defer t.leaveFL(t.enterFL("lock_manager_operations.lm_expire_lock", nil))
	}
	ops.ExpireLock(t)
}

// LockManagerGrant is how a filesystem's ->lock that answered an
// asynchronous request with ErrLockDeferred reports the outcome to the
// request's lock manager (fl->fl_lmops->lm_grant(fl, result)): result 0
// for granted, or a negative errno. conf is the conflicting lock or nil.
// It returns what ->lm_grant returns (0 if fl has none).
func (t *Task) LockManagerGrant(fl, conf *FileLock, result int) int {
	if fl.LMOps == nil || fl.LMOps.Grant == nil {
		return 0
	}
	if t.checking() {
		defer t.leaveFL(t.enterFL("lock_manager_operations.lm_grant", fl))
	}
	return fl.LMOps.Grant(t, fl, conf, result)
}

// file_operations' lock methods, checked against their rows of the
// file_operations table ("All may block").

func (t *Task) fopLock(f *File, cmd int, fl *FileLock) error {
	if t.checking() {
		return checked(t, "file_operations.lock", subjects{}, func() error { return f.fop.Lock(t, f, cmd, fl) })
	}
	return f.fop.Lock(t, f, cmd, fl)
}

func (t *Task) fopFlock(f *File, cmd int, fl *FileLock) error {
	if t.checking() {
		return checked(t, "file_operations.flock", subjects{}, func() error { return f.fop.Flock(t, f, cmd, fl) })
	}
	return f.fop.Flock(t, f, cmd, fl)
}

func (t *Task) fopSetlease(f *File, arg int16, fl *FileLock) error {
	if t.checking() {
		return checked(t, "file_operations.setlease", subjects{}, func() error { return f.fop.Setlease(t, f, arg, fl) })
	}
	return f.fop.Setlease(t, f, arg, fl)
}
