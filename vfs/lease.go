package vfs

// Leases (fcntl F_SETLEASE, F_GETLEASE), after fs/locks.c. A lease lets
// its holder learn that another open (or a truncate) wants the file: the
// opener's break_lease marks the lease as breaking and waits up to
// lease_break_time for the holder to release (F_UNLCK) or downgrade
// (F_RDLCK) it, then breaks it by force. Linux tells the holder with
// SIGIO; vfscope has no signals, so the pending break is recorded on the
// lease, and the holder sees it through F_GETLEASE, which reports the
// type the lease is being broken to, as Linux's does.

// leaseManagerOps is lease_manager_ops: the lock manager of leases taken
// through fcntl.
var leaseManagerOps = &LockManagerOperations{
	Break:  leaseBreakCallback,
	Change: leaseModifyOp,
}

// leaseBreakCallback is lease_break_callback(): Linux sends SIGIO to the
// holder here; the pending state on the lease is the notification.
func leaseBreakCallback(t *Task, fl *FileLock) bool { return false }

func leaseModifyOp(t *Task, fl *FileLock, arg int16, dispose *[]*FileLock) error {
	return t.leaseModify(fl, arg, dispose)
}

// leaseBreaking is lease_breaking().
func leaseBreaking(fl *FileLock) bool {
	return fl.Flags&(FL_UNLOCK_PENDING|FL_DOWNGRADE_PENDING) != 0
}

// targetLeasetype is target_leasetype(): what the lease is becoming.
func targetLeasetype(fl *FileLock) int16 {
	if fl.Flags&FL_UNLOCK_PENDING != 0 {
		return F_UNLCK
	}
	if fl.Flags&FL_DOWNGRADE_PENDING != 0 {
		return F_RDLCK
	}
	return fl.Type
}

// leaseClearPending is lease_clear_pending(): the pending flags go, the
// deadlines stay, as Linux leaves fl_break_time and fl_downgrade_time.
// So a lease the holder downgraded before its deadline, then took for
// writing again, is still downgraded when that deadline passes
// (time_out_leases).
func leaseClearPending(fl *FileLock, arg int16) {
	switch arg {
	case F_UNLCK:
		fl.Flags &^= FL_UNLOCK_PENDING
		fallthrough
	case F_RDLCK:
		fl.Flags &^= FL_DOWNGRADE_PENDING
	}
}

// leaseModify is lease_modify(): set the lease's type; F_UNLCK removes
// it. Waiting breakers are woken either way. Preconditions: flc_lock.
func (t *Task) leaseModify(fl *FileLock, arg int16, dispose *[]*FileLock) error {
	switch arg {
	case F_RDLCK, F_WRLCK, F_UNLCK:
	default:
		return EINVAL
	}
	fl.Type = arg
	leaseClearPending(fl, arg)
	t.locksWakeUpBlocks(fl)
	if arg == F_UNLCK {
		t.locksDeleteLockCtx(fl, dispose)
	}
	return nil
}

// LeaseModify is lease_modify(), the generic ->lm_change of a lease
// manager. Preconditions: flc_lock held (it is, in ->lm_change).
func LeaseModify(t *Task, fl *FileLock, arg int16, dispose *[]*FileLock) error {
	return t.leaseModify(fl, arg, dispose)
}

// timeOutLeases is time_out_leases(): leases whose holder let the break
// time pass are downgraded or removed, by leaseModify itself and not
// through ->lm_change, as Linux does: the holder's manager had its
// chance and cannot refuse. Preconditions: flc_lock.
func (t *Task) timeOutLeases(c *FileLockContext, dispose *[]*FileLock) {
	now := monoNow()
	for fl := c.lease.next; fl != &c.lease; {
		next := fl.next
		if fl.downgradeTime != 0 && now > fl.downgradeTime {
			t.leaseModify(fl, F_RDLCK, dispose)
		}
		if fl.breakTime != 0 && now > fl.breakTime {
			t.leaseModify(fl, F_UNLCK, dispose)
		}
		fl = next
	}
}

// leasesConflict is leases_conflict(). Preconditions: flc_lock (for
// ->lm_breaker_owns_lease).
func (t *Task) leasesConflict(lease, breaker *FileLock) bool {
	if lease.LMOps != nil && lease.LMOps.BreakerOwnsLease != nil && t.lmBreakerOwnsLease(lease) {
		return false
	}
	if breaker.Flags&FL_LAYOUT != lease.Flags&FL_LAYOUT {
		return false
	}
	if breaker.Flags&FL_DELEG != 0 && lease.Flags&FL_LEASE != 0 {
		return false
	}
	return locksConflict(breaker, lease)
}

// anyLeasesConflict is any_leases_conflict(). Preconditions: flc_lock.
func (t *Task) anyLeasesConflict(c *FileLockContext, breaker *FileLock) bool {
	for fl := c.lease.next; fl != &c.lease; fl = fl.next {
		if t.leasesConflict(fl, breaker) {
			return true
		}
	}
	return false
}

// breakLease is break_lease(): before an open with flags mode (or a
// truncate, as O_WRONLY) proceeds, break the leases it conflicts with,
// waiting for their holders unless mode has O_NONBLOCK.
//
// Errors: EWOULDBLOCK with O_NONBLOCK while a conflicting lease remains.
func (t *Task) breakLease(in *Inode, mode int) error { return t.breakLeases(in, mode, FL_LEASE) }

// breakLeases is __break_lease()'s entry for a breaker of the given kind
// (FL_LEASE, or FL_DELEG, which leaves leases alone): nothing to do
// without a lease on in, else breakLeaseSlow.
func (t *Task) breakLeases(in *Inode, mode int, kind uint32) error {
	c := in.flctx.Load()
	if c == nil {
		return nil
	}
	c.flcLock.Lock(t.o)
	empty := c.lease.empty()
	c.flcLock.Unlock(t.o)
	if empty {
		return nil
	}
	return t.breakLeaseSlow(c, mode, kind)
}

// breakLeaseSlow is __break_lease(): typ is the breaker's kind, FL_LEASE
// for an open or truncate (it breaks leases and delegations alike) or
// FL_DELEG for break_deleg (it breaks delegations only).
func (t *Task) breakLeaseSlow(c *FileLockContext, mode int, typ uint32) error {
	wantWrite := mode&O_ACCMODE != O_RDONLY
	breaker := newLock()
	breaker.Flags = typ
	breaker.Type = F_RDLCK
	if wantWrite {
		breaker.Type = F_WRLCK
	}
	breaker.PID = t.pid
	breaker.End = OFFSET_MAX
	g := t.vfs.fileLocks()
	var dispose []*FileLock
	defer func() { t.locksDisposeList(dispose) }()

	g.rwsem.RLock(t.o)
	c.flcLock.Lock(t.o)
	unlock := func() {
		c.flcLock.Unlock(t.o)
		g.rwsem.RUnlock(t.o)
	}
	t.timeOutLeases(c, &dispose)
	if !t.anyLeasesConflict(c, breaker) {
		unlock()
		return nil
	}
	var breakTime int64
	if bt := g.leaseBreakTime.Load(); bt > 0 {
		breakTime = monoNow() + bt
	}
	for fl := c.lease.next; fl != &c.lease; {
		next := fl.next
		if !t.leasesConflict(fl, breaker) {
			fl = next
			continue
		}
		if wantWrite {
			if fl.Flags&FL_UNLOCK_PENDING != 0 {
				fl = next
				continue
			}
			fl.Flags |= FL_UNLOCK_PENDING
			fl.breakTime = breakTime
		} else {
			if leaseBreaking(fl) {
				fl = next
				continue
			}
			fl.Flags |= FL_DOWNGRADE_PENDING
			fl.downgradeTime = breakTime
		}
		if t.lmBreak(fl) {
			t.locksDeleteLockCtx(fl, &dispose)
		}
		fl = next
	}
	if c.lease.empty() {
		unlock()
		return nil
	}
	if mode&O_NONBLOCK != 0 {
		unlock()
		return EWOULDBLOCK
	}
	for {
		// Wait behind the first lease until its holder acts or the
		// break time passes. (Linux sleeps on the first lease's break
		// time and, for a reader, polls each jiffy until the downgrade
		// time; sleeping until the earliest pending time is the same.)
		first := c.lease.next
		deadline := first.breakTime
		if deadline == 0 || first.downgradeTime != 0 && first.downgradeTime < deadline {
			deadline = first.downgradeTime
		}
		// timed: the wait ends by itself at a break time. Without one
		// (lease_break_time 0, or a lease this breaker does not break
		// itself) Linux looks again after a jiffy, for ever: that poll
		// is not a sleep that ends by itself, and is not counted as a
		// timed sleep, so a stall watchdog may interrupt it.
		timed := deadline != 0
		if !timed {
			deadline = monoNow() + int64(jiffy)
		}
		t.locksInsertBlock(first, breaker, t.leasesConflict)
		unlock()
		t.locksDisposeList(dispose)
		dispose = nil
		woken, werr := t.waitUnblocked(breaker, deadline, timed, "break_lease")

		g.rwsem.RLock(t.o)
		c.flcLock.Lock(t.o)
		// __locks_delete_block(): the breakers queued behind this one
		// are woken before it leaves, whether it goes on waiting,
		// returns or was interrupted; otherwise they would sleep until
		// their own deadline after the lease is gone.
		t.locksDeleteBlock(breaker)
		if werr != nil {
			// wait_event_interruptible_timeout() < 0: a signal.
			unlock()
			return werr
		}
		if !woken {
			t.timeOutLeases(c, &dispose)
		}
		if !t.anyLeasesConflict(c, breaker) {
			unlock()
			return nil
		}
	}
}

// BreakLease is break_lease() for filesystems and front ends that open
// or truncate by other paths: mode is the open flags (O_WRONLY for a
// truncate).
func (t *Task) BreakLease(in *Inode, mode int) error { return t.breakLease(in, mode) }

// breakDeleg is break_deleg(): break the delegations on in (an FL_DELEG
// breaker leaves leases alone), waiting for their holders unless mode
// has O_NONBLOCK.
//
// Errors: EWOULDBLOCK with O_NONBLOCK while a delegation remains; EINTR.
func (t *Task) breakDeleg(in *Inode, mode int) error { return t.breakLeases(in, mode, FL_DELEG) }

// tryBreakDeleg is try_break_deleg(): what notify_change, vfs_link,
// vfs_rename and vfs_unlink call with the inode's i_rwsem (and its
// parents') held. It never waits: a delegation still held is recalled
// (->lm_break) and the result is EWOULDBLOCK, with *delegated set to in
// and a reference taken when delegated is not nil. The caller then
// drops its locks, calls breakDelegWait, and starts again.
func (t *Task) tryBreakDeleg(in *Inode, delegated **Inode) error {
	// Inline, as Linux's: unlink and rename pay a load, not a call, on
	// an inode that never had a lease.
	if in.flctx.Load() == nil {
		return nil
	}
	return t.tryBreakDelegSlow(in, delegated)
}

// tryBreakDelegSlow is tryBreakDeleg for an inode with a lock context.
func (t *Task) tryBreakDelegSlow(in *Inode, delegated **Inode) error {
	err := t.breakDeleg(in, O_WRONLY|O_NONBLOCK)
	if err == EWOULDBLOCK && delegated != nil {
		*delegated = in
		ihold(in)
	}
	return err
}

// breakDelegWait is break_deleg_wait(): with no lock held, wait for the
// delegations on *delegated to go (returned, or the break time passed),
// then drop the reference and clear it. Errors: EINTR.
func (t *Task) breakDelegWait(delegated **Inode) error {
	err := t.breakDeleg(*delegated, O_WRONLY)
	iput(t, *delegated)
	*delegated = nil
	return err
}

// FL_LAYOUT marks a pNFS layout lease (include/linux/filelock.h): a
// lease that only breakers of its own kind (break_layout) break.
const FL_LAYOUT = 2048

// checkConflictingOpen is check_conflicting_open(): a read lease needs
// the file open for writing by no one; a write lease needs it open by no
// one but f itself. Delegations and layouts leave these checks to their
// lock manager, which knows the opens of its own clients.
func checkConflictingOpen(f *File, arg int16, flags uint32) error {
	if flags&(FL_LAYOUT|FL_DELEG) != 0 {
		return nil
	}
	in := f.inode
	switch arg {
	case F_RDLCK:
		if in.writecount.Load() > 0 {
			return EAGAIN
		}
		return nil
	case F_WRLCK:
	default:
		return nil
	}
	var selfW, selfR int32
	if f.mode&FMODE_WRITE != 0 {
		selfW = 1
	} else if f.mode&FMODE_READ != 0 {
		selfR = 1
	}
	if in.writecount.Load() != selfW || in.readcount.Load() != selfR {
		return EAGAIN
	}
	return nil
}

// genericAddLease is generic_add_lease(): take or change f's lease.
//
// A delegation is given only if the inode's i_rwsem can be taken
// without waiting, and holds it meanwhile: the namespace operations
// that break delegations (unlink, rename, link, setattr) do so under
// it, so none can slip in between their break and the new delegation.
// Delegations are an optional optimisation for their manager, so a
// contended inode gets EAGAIN rather than a wait.
func (t *Task) genericAddLease(f *File, arg int16, lease *FileLock) error {
	if lease.Flags&FL_DELEG != 0 {
		if !f.inode.rwsem.TryLock(t.o) {
			return EAGAIN
		}
		defer f.inode.rwsem.Unlock(t.o)
	}
	c := locksGetLockContext(f.inode, arg)
	g := t.vfs.fileLocks()
	var dispose []*FileLock
	err := func() error {
		g.rwsem.RLock(t.o)
		defer g.rwsem.RUnlock(t.o)
		c.flcLock.Lock(t.o)
		defer c.flcLock.Unlock(t.o)
		t.timeOutLeases(c, &dispose)
		if err := checkConflictingOpen(f, arg, lease.Flags); err != nil {
			return err
		}
		// An exclusive lease held by another would have blocked our
		// own open, so only f's lease or read leases can be here.
		var mine *FileLock
		for fl := c.lease.next; fl != &c.lease; fl = fl.next {
			if fl.File == f && fl.Owner == lease.Owner {
				mine = fl
				continue
			}
			if arg == F_WRLCK {
				return EAGAIN // no write lease while others hold one
			}
			if fl.Flags&FL_UNLOCK_PENDING != 0 {
				return EAGAIN // someone is opening for write
			}
		}
		if mine != nil {
			return t.lmChange(mine, arg, &dispose)
		}
		if g.leasesDisable.Load() == -1 { // leases-enable 0
			return EINVAL
		}
		t.locksInsertLockCtx(c, lease, &c.lease)
		// An open may have raced in between the first check and the
		// insertion; check again.
		if err := checkConflictingOpen(f, arg, lease.Flags); err != nil {
			g.listLock.Lock(t.o)
			lease.gprev.gnext, lease.gnext.gprev = lease.gnext, lease.gprev
			lease.gnext, lease.gprev = nil, nil
			g.listLock.Unlock(t.o)
			unlinkList(lease)
			lease.ctx = nil
			return err
		}
		return nil
	}()
	t.locksDisposeList(dispose)
	return err
}

// genericDeleteLease is generic_delete_lease(): remove the lease that
// owner holds through f; EAGAIN if there is none.
func (t *Task) genericDeleteLease(f *File, owner any) error {
	c := f.inode.flctx.Load()
	if c == nil {
		return EAGAIN
	}
	g := t.vfs.fileLocks()
	var dispose []*FileLock
	err := func() error {
		g.rwsem.RLock(t.o)
		defer g.rwsem.RUnlock(t.o)
		c.flcLock.Lock(t.o)
		defer c.flcLock.Unlock(t.o)
		for fl := c.lease.next; fl != &c.lease; fl = fl.next {
			if fl.File == f && fl.Owner == owner {
				return t.lmChange(fl, F_UNLCK, &dispose)
			}
		}
		return EAGAIN
	}()
	t.locksDisposeList(dispose)
	return err
}

// GenericSetlease is generic_setlease(): what a filesystem's ->setlease
// calls to record the lease. For F_UNLCK, lease only names the owner of
// the lease to remove (Linux's *priv: nfsd passes its delegation); nil
// means f's own lease, as fcntl_setlease passes &filp. EINVAL for a
// lease whose Owner is not comparable.
func (t *Task) GenericSetlease(f *File, arg int16, lease *FileLock) error {
	if !IsReg(f.inode.mode.Load()) {
		return EINVAL
	}
	if lease != nil && !lockOwnerComparable(lease.Owner) {
		return EINVAL
	}
	switch arg {
	case F_UNLCK:
		var owner any = f
		if lease != nil {
			owner = lease.Owner
		}
		return t.genericDeleteLease(f, owner)
	case F_RDLCK, F_WRLCK:
		if lease == nil || lease.LMOps == nil || lease.LMOps.Break == nil || lease.LMOps.Change == nil {
			return ENOLCK
		}
		return t.genericAddLease(f, arg, lease)
	}
	return EINVAL
}

// vfsSetlease is vfs_setlease(): only the file's owner (or root) may
// take a lease, and only on a regular file.
func (t *Task) vfsSetlease(f *File, arg int16, lease *FileLock) error {
	if t.cred.UID != f.inode.uid.Load() && !t.cred.capable() {
		return EACCES
	}
	if !IsReg(f.inode.mode.Load()) {
		return EINVAL
	}
	if f.fop != nil && f.fop.Setlease != nil {
		return t.fopSetlease(f, arg, lease)
	}
	return t.GenericSetlease(f, arg, lease)
}

// leaseInit is lease_init().
func (t *Task) leaseInit(f *File, typ int16) *FileLock {
	fl := newLock()
	fl.Owner = f
	fl.PID = t.pid
	fl.File = f
	fl.Flags = FL_LEASE
	fl.Type = typ
	fl.End = OFFSET_MAX
	fl.LMOps = leaseManagerOps
	return fl
}

// fcntlSetlease is fcntl_setlease().
func (t *Task) fcntlSetlease(f *File, arg int) error {
	switch arg {
	case F_UNLCK:
		return t.vfsSetlease(f, F_UNLCK, nil)
	case F_RDLCK, F_WRLCK:
		return t.vfsSetlease(f, int16(arg), t.leaseInit(f, int16(arg)))
	}
	return EINVAL // lease_alloc's assign_type, before any other check
}

// fcntlGetlease is fcntl_getlease(): the type of f's lease, or the type
// it is being broken to.
func (t *Task) fcntlGetlease(f *File) int {
	c := f.inode.flctx.Load()
	if c == nil {
		return F_UNLCK
	}
	g := t.vfs.fileLocks()
	typ := int16(F_UNLCK)
	var dispose []*FileLock
	g.rwsem.RLock(t.o)
	c.flcLock.Lock(t.o)
	t.timeOutLeases(c, &dispose)
	for fl := c.lease.next; fl != &c.lease; fl = fl.next {
		if fl.File == f {
			typ = targetLeasetype(fl)
			break
		}
	}
	c.flcLock.Unlock(t.o)
	g.rwsem.RUnlock(t.o)
	t.locksDisposeList(dispose)
	return int(typ)
}

// fcntlLease is fcntl(fd, F_SETLEASE, arg) and fcntl(fd, F_GETLEASE).
// F_GETLEASE returns F_RDLCK, F_WRLCK or F_UNLCK; while a break is
// pending it returns the type the lease is being broken to.
//
// Errors: EBADF for an O_PATH descriptor; EACCES unless the task's fsuid
// owns the file or is root; EINVAL for a bad type or a file that is not
// regular; EAGAIN when the file is open in a way the lease conflicts
// with, or for F_UNLCK without a lease.
func (t *Task) fcntlLease(f *File, cmd, arg int) (int, error) {
	if f.mode&FMODE_PATH != 0 {
		return -1, EBADF
	}
	if cmd == F_GETLEASE {
		return t.fcntlGetlease(f), nil
	}
	if err := t.fcntlSetlease(f, arg); err != nil {
		return -1, err
	}
	return 0, nil
}

// locksRemoveLease is locks_remove_lease(): f's lease goes on its last
// close, by leaseModify itself (as Linux): no ->lm_change may keep a
// lease whose file is gone.
func (t *Task) locksRemoveLease(f *File, c *FileLockContext) {
	g := t.vfs.fileLocks()
	var dispose []*FileLock
	g.rwsem.RLock(t.o)
	c.flcLock.Lock(t.o)
	for fl := c.lease.next; fl != &c.lease; {
		next := fl.next
		if fl.File == f {
			t.leaseModify(fl, F_UNLCK, &dispose)
		}
		fl = next
	}
	c.flcLock.Unlock(t.o)
	g.rwsem.RUnlock(t.o)
	t.locksDisposeList(dispose)
}
