package vfs

import "math"

// ATTR_KILL_PRIV is the Iattr bit (beside ATTR_KILL_SUID and
// ATTR_KILL_SGID) that removes the file's capabilities (killPriv).
const ATTR_KILL_PRIV = 1 << 14

// setattrPrepare is setattr_prepare(): may the task make these changes?
// A new size is checked first (inode_newsize_ok), even with ATTR_FORCE.
func (t *Task) setattrPrepare(in *Inode, a *Iattr) error {
	c := t.cred
	if a.Valid&ATTR_SIZE != 0 {
		if err := InodeNewsizeOk(t, in, a.Size); err != nil {
			return err
		}
	}
	if a.Valid&ATTR_FORCE != 0 {
		return nil
	}
	if a.Valid&ATTR_UID != 0 && !(c.UID == in.uid.Load() && a.UID == in.uid.Load()) && !c.capable() {
		return EPERM
	}
	if a.Valid&ATTR_GID != 0 && !(c.UID == in.uid.Load() && (a.GID == in.gid.Load() || c.inGroup(a.GID))) && !c.capable() {
		return EPERM
	}
	if a.Valid&ATTR_MODE != 0 {
		if !c.ownerOrCapable(in.uid.Load()) {
			return EPERM
		}
		gid := in.gid.Load()
		if a.Valid&ATTR_GID != 0 {
			gid = a.GID
		}
		if !c.inGroup(gid) && !c.capable() {
			a.Mode &^= S_ISGID
		}
	}
	if a.Valid&(ATTR_ATIME_SET|ATTR_MTIME_SET|ATTR_TIMES_SET) != 0 && !c.ownerOrCapable(in.uid.Load()) {
		return EPERM
	}
	return nil
}

// InodeNewsizeOk is inode_newsize_ok(): may in's size become size? A
// size below zero is EINVAL; growing the file past the task's
// RLIMIT_FSIZE or past s_maxbytes is EFBIG (Linux sends SIGXFSZ too for
// the first; vfscope has no signals, rlimit.go). Shrinking, or keeping
// the size, is always allowed. setattr_prepare asks it for every
// ATTR_SIZE; a filesystem's ->fallocate asks it for the end of the range
// it allocates. Caller holds in's i_rwsem.
func InodeNewsizeOk(t *Task, in *Inode, size int64) error {
	if size < 0 {
		return EINVAL
	}
	if in.size.Load() < size {
		// An unsigned compare, as Linux's unsigned long limit makes it.
		if lim := t.rlimFsize.Cur; lim != RLIM_INFINITY && uint64(size) > lim {
			return EFBIG
		}
		if size > in.sb.MaxBytes {
			return EFBIG
		}
	}
	return nil
}

// maySetattr is may_setattr(), notify_change's first check: a touch
// (utimensat with no times, or both UTIME_NOW) needs write permission
// unless the task owns the file or is capable. It comes before the
// delegation break, so a task that may not touch the file fails at once
// and breaks nobody's delegation. IS_IMMUTABLE and IS_APPEND are not
// modelled.
func (t *Task) maySetattr(in *Inode, valid uint32) error {
	if valid&ATTR_TOUCH != 0 && !t.cred.ownerOrCapable(in.uid.Load()) {
		return t.inodePermission(in, MAY_WRITE)
	}
	return nil
}

// SetattrCopy is setattr_copy(): apply a validated Iattr to the inode.
// Size is the filesystem's business (truncate_setsize). Unlike Linux's,
// it also marks the inode I_DIRTY_SYNC, as the ->setattr of a
// filesystem that writes inodes back does after it (mark_inode_dirty
// there, or its own journalling), so that every caller's change reaches
// ->write_inode.
func SetattrCopy(t *Task, in *Inode, a *Iattr) {
	if a.Valid&ATTR_UID != 0 {
		in.uid.Store(a.UID)
	}
	if a.Valid&ATTR_GID != 0 {
		in.gid.Store(a.GID)
	}
	if a.Valid&ATTR_ATIME != 0 {
		in.atime.Store(a.Atime)
	}
	if a.Valid&ATTR_MTIME != 0 {
		in.mtime.Store(a.Mtime)
	}
	if a.Valid&ATTR_CTIME != 0 {
		in.ctime.Store(a.Ctime)
	}
	if a.Valid&ATTR_MODE != 0 {
		in.mode.Store(in.mode.Load()&S_IFMT | a.Mode&S_IALLUGO)
	}
	MarkInodeDirty(t, in, I_DIRTY_SYNC)
}

// notifyChange is notify_change(): fill in the times and the suid/sgid
// kills, break the inode's delegations, check, then ->setattr (or
// setattr_copy). The caller holds the inode's i_rwsem exclusive.
// delegated is the delegated-inode out-parameter of try_break_deleg: a
// delegation still held sets it (with a reference) and the result is
// EWOULDBLOCK; the caller drops i_rwsem, waits in breakDelegWait and
// tries again. With a nil delegated a delegation is just EWOULDBLOCK.
func (t *Task) notifyChange(d *Dentry, a *Iattr, delegated **Inode) error {
	in := d.inode.Load()
	if err := t.maySetattr(in, a.Valid); err != nil {
		return err
	}
	now := t.vfs.now()
	m := in.mode.Load()
	// A symlink's mode is never changed; asked before setattr_prepare's
	// owner check, after the caller's mnt_want_write.
	if a.Valid&ATTR_MODE != 0 && IsLnk(m) {
		return EOPNOTSUPP
	}
	if a.Valid&ATTR_MODE == 0 {
		if a.Valid&ATTR_KILL_SUID != 0 && m&S_ISUID != 0 {
			a.Valid |= ATTR_MODE
			a.Mode = m &^ S_ISUID
		}
		// The callers decided (setattr_should_drop_sgid), as in Linux
		// 6.2+: the kill applies to any set-group-ID bit.
		if a.Valid&ATTR_KILL_SGID != 0 && m&S_ISGID != 0 {
			if a.Valid&ATTR_MODE == 0 {
				a.Mode = m
			}
			a.Valid |= ATTR_MODE
			a.Mode &^= S_ISGID
		}
	}
	a.Valid |= ATTR_CTIME
	a.Ctime = now
	if a.Valid&ATTR_ATIME != 0 && a.Valid&ATTR_ATIME_SET == 0 {
		a.Atime = now
	}
	if a.Valid&ATTR_MTIME != 0 && a.Valid&ATTR_MTIME_SET == 0 {
		a.Mtime = now
	}
	// Before ->setattr, whose setattr_prepare makes the checks below.
	if err := t.tryBreakDeleg(in, delegated); err != nil {
		return err
	}
	if err := t.setattrPrepare(in, a); err != nil {
		return err
	}
	// setattr_prepare's kill_priv, once the change is allowed: the
	// file's capabilities go (cap_inode_killpriv), whoever the caller.
	if a.Valid&ATTR_KILL_PRIV != 0 {
		t.killPriv(d, in)
	}
	if in.Ops != nil && in.Ops.Setattr != nil {
		return t.iopSetattr(d, a)
	}
	simpleSetattr(t, in, a)
	return nil
}

// simpleSetattr is simple_setattr(), what notify_change does for an
// inode without ->setattr once setattr_prepare has passed: a new size
// through truncate_setsize, the attributes copied, and the inode marked
// dirty whole (mark_inode_dirty: I_DIRTY_SYNC and I_DIRTY_DATASYNC, so
// that fdatasync writes it too).
func simpleSetattr(t *Task, in *Inode, a *Iattr) {
	if a.Valid&ATTR_SIZE != 0 {
		TruncateSetsize(t, in, a.Size)
	}
	SetattrCopy(t, in, a)
	MarkInodeDirty(t, in, I_DIRTY_INODE)
}

// setattrShouldDropSgid is setattr_should_drop_sgid(): ATTR_KILL_SGID
// if the inode's set-group-ID bit must go when it changes: always with
// group execute (a set-group-ID executable), and without it (mandatory
// locking's mark, which Linux 6.2+ treats the same) when the task is
// neither in the file's group nor capable (in_group_or_capable).
func (t *Task) setattrShouldDropSgid(in *Inode) uint32 {
	m := in.mode.Load()
	if m&S_ISGID == 0 {
		return 0
	}
	if m&S_IXGRP != 0 || !t.cred.inGroup(in.gid.Load()) && !t.cred.capable() {
		return ATTR_KILL_SGID
	}
	return 0
}

// setattrShouldDropSuidgid is setattr_should_drop_suidgid(): the kills
// a write or truncate by this task makes, for a regular file and a task
// without CAP_FSETID only.
func (t *Task) setattrShouldDropSuidgid(in *Inode) uint32 {
	m := in.mode.Load()
	var kill uint32
	if m&S_ISUID != 0 {
		kill = ATTR_KILL_SUID
	}
	kill |= t.setattrShouldDropSgid(in)
	if kill != 0 && !t.cred.capable() && IsReg(m) {
		return kill
	}
	return 0
}

// setattrPath takes write access, locks the inode, and notifies; while
// a delegation is in the way it waits for it unlocked and tries again
// (chmod_common's, chown_common's and vfs_utimes' retry_deleg).
// locked, if not nil, completes each attempt's request under i_rwsem.
func (t *Task) setattrPath(p Path, a *Iattr, locked func(in *Inode, a *Iattr)) error {
	if err := t.mntWantWrite(p.Mnt); err != nil {
		return err
	}
	defer t.mntDropWrite(p.Mnt)
	in := p.Dentry.inode.Load()
	var delegated *Inode
	for {
		// notify_change fills in what it decides: each attempt
		// starts from the caller's request.
		na := *a
		in.rwsem.Lock(t.o)
		if locked != nil {
			locked(in, &na)
		}
		err := t.notifyChange(p.Dentry, &na, &delegated)
		in.rwsem.Unlock(t.o)
		if delegated == nil {
			return err
		}
		if err := t.breakDelegWait(&delegated); err != nil {
			return err
		}
	}
}

// lookupOrFd resolves (dfd, path) with AT_EMPTY_PATH meaning the
// descriptor itself: an empty walk (LOOKUP_EMPTY), which completes as
// any walk does (->d_weak_revalidate on the descriptor's dentry, as
// user_path_at's path_init and complete_walk). reval is 0, or
// LOOKUP_REVAL for a call made again after ESTALE (retryEstale).
func (t *Task) lookupOrFd(dfd int, path string, flags int, follow bool, reval uint32) (Path, error) {
	lf := reval
	if follow {
		lf |= LOOKUP_FOLLOW
	}
	if flags&AT_EMPTY_PATH != 0 {
		lf |= LOOKUP_EMPTY
	}
	return t.pathLookup(dfd, path, lf)
}

// Chmod is chmod(2).
func (t *Task) Chmod(path string, mode uint32) error { return t.Fchmodat(AT_FDCWD, path, mode, 0) }

// fdgetPath is fdget() for the calls that act on the descriptor's path:
// an O_PATH descriptor is EBADF (fchmod, fchown, utimensat(fd, NULL)),
// unlike the AT_EMPTY_PATH forms, whose LOOKUP_EMPTY walk accepts it.
func (t *Task) fdgetPath(fd int) (Path, error) {
	f, err := t.fdget(fd)
	if err != nil {
		return Path{}, err
	}
	p := f.path.Get()
	fput(t, f)
	return p, nil
}

// Fchmod is fchmod(2): fdget, so an O_PATH descriptor is EBADF.
func (t *Task) Fchmod(fd int, mode uint32) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fchmod"))
	}
	p, err := t.fdgetPath(fd)
	if err != nil {
		return err
	}
	defer p.Put(t)
	return t.chmodCommon(p, mode)
}

// Fchmodat is fchmodat2(2).
func (t *Task) Fchmodat(dfd int, path string, mode uint32, flags int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fchmodat"))
	}
	if flags&^(AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH) != 0 {
		return EINVAL
	}
	var reval uint32
	for {
		p, err := t.lookupOrFd(dfd, path, flags, flags&AT_SYMLINK_NOFOLLOW == 0, reval)
		if err != nil {
			return err
		}
		err = t.chmodCommon(p, mode)
		p.Put(t)
		if !retryEstale(err, reval) {
			return err
		}
		reval = LOOKUP_REVAL
	}
}

// chmodCommon is chmod_common(): mnt_want_write (EROFS) first, then
// notify_change, which refuses a symlink's mode (EOPNOTSUPP).
func (t *Task) chmodCommon(p Path, mode uint32) error {
	return t.setattrPath(p, &Iattr{Valid: ATTR_MODE, Mode: mode & S_IALLUGO}, nil)
}

// Chown is chown(2); uid or gid ^0 leaves it unchanged.
func (t *Task) Chown(path string, uid, gid uint32) error {
	return t.Fchownat(AT_FDCWD, path, uid, gid, 0)
}

// Lchown is lchown(2).
func (t *Task) Lchown(path string, uid, gid uint32) error {
	return t.Fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW)
}

// Fchown is fchown(2): fdget, so an O_PATH descriptor is EBADF.
func (t *Task) Fchown(fd int, uid, gid uint32) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fchown"))
	}
	p, err := t.fdgetPath(fd)
	if err != nil {
		return err
	}
	defer p.Put(t)
	return t.chownCommon(p, uid, gid)
}

// NoID is the "leave unchanged" uid or gid of chown(2) (-1).
const NoID = ^uint32(0)

// Fchownat is fchownat(2): chown_common().
func (t *Task) Fchownat(dfd int, path string, uid, gid uint32, flags int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fchownat"))
	}
	if flags&^(AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH) != 0 {
		return EINVAL
	}
	var reval uint32
	for {
		p, err := t.lookupOrFd(dfd, path, flags, flags&AT_SYMLINK_NOFOLLOW == 0, reval)
		if err != nil {
			return err
		}
		err = t.chownCommon(p, uid, gid)
		p.Put(t)
		if !retryEstale(err, reval) {
			return err
		}
		reval = LOOKUP_REVAL
	}
}

// chownCommon is chown_common().
func (t *Task) chownCommon(p Path, uid, gid uint32) error {
	a := &Iattr{}
	if uid != NoID {
		a.Valid |= ATTR_UID
		a.UID = uid
	}
	if gid != NoID {
		a.Valid |= ATTR_GID
		a.GID = gid
	}
	return t.setattrPath(p, a, func(in *Inode, na *Iattr) {
		// Under i_rwsem, of the group before the change
		// (chown_common); a chown by anyone removes a file's
		// capabilities (ATTR_KILL_PRIV).
		if !in.isDir() {
			na.Valid |= ATTR_KILL_SUID | ATTR_KILL_PRIV | t.setattrShouldDropSgid(in)
		}
	})
}

// Timespec is struct timespec for utimensat.
type Timespec struct {
	Sec  int64
	Nsec int64
}

// TimeMin and TimeMax are the superblocks' s_time_min and s_time_max:
// the seconds an inode's int64 nanosecond times can hold (about 1677-09
// to 2262-04). A time set outside them is clamped, with its nanoseconds
// dropped at a bound, as timestamp_truncate() does.
const (
	TimeMax = math.MaxInt64 / 1_000_000_000
	TimeMin = -TimeMax
)

// timestampTruncate is timestamp_truncate(): ts (Nsec in [0, 1e9)) in
// nanoseconds, clamped to [TimeMin, TimeMax] seconds.
func timestampTruncate(ts Timespec) int64 {
	switch {
	case ts.Sec >= TimeMax:
		return TimeMax * 1e9
	case ts.Sec <= TimeMin:
		return TimeMin * 1e9
	}
	return ts.Sec*1e9 + ts.Nsec
}

// Utimensat is utimensat(2): times nil means both now; Nsec UTIME_NOW
// or UTIME_OMIT as in Linux.
func (t *Task) Utimensat(dfd int, path string, times *[2]Timespec, flags int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("utimensat"))
	}
	if times != nil && times[0].Nsec == UTIME_OMIT && times[1].Nsec == UTIME_OMIT {
		// Nothing to do: as Linux, not even the path is checked.
		return nil
	}
	if flags&^(AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH) != 0 {
		return EINVAL
	}
	a := &Iattr{Valid: ATTR_ATIME | ATTR_MTIME}
	badNsec := false
	if times == nil || times[0].Nsec == UTIME_NOW && times[1].Nsec == UTIME_NOW {
		a.Valid |= ATTR_TOUCH
	} else {
		for _, ts := range times {
			if ts.Nsec != UTIME_NOW && ts.Nsec != UTIME_OMIT && (ts.Nsec < 0 || ts.Nsec >= 1e9) {
				badNsec = true
			}
		}
		// Any explicit request other than "both now" is for the owner
		// (vfs_utimes: ATTR_TIMES_SET).
		a.Valid |= ATTR_TIMES_SET
		set := func(ts Timespec, bit, setBit uint32, dst *int64) {
			switch ts.Nsec {
			case UTIME_OMIT:
				a.Valid &^= bit
			case UTIME_NOW:
			default:
				a.Valid |= setBit
				*dst = timestampTruncate(ts)
			}
		}
		set(times[0], ATTR_ATIME, ATTR_ATIME_SET, &a.Atime)
		set(times[1], ATTR_MTIME, ATTR_MTIME_SET, &a.Mtime)
	}
	if path == "" && flags&AT_EMPTY_PATH == 0 && dfd != AT_FDCWD {
		// utimensat(fd, NULL, ...) on a descriptor: do_utimes_fd takes
		// no flags, and fdget no O_PATH descriptor.
		if flags != 0 {
			return EINVAL
		}
		p, err := t.fdgetPath(dfd)
		if err != nil {
			return err
		}
		defer p.Put(t)
		return t.vfsUtimes(p, a, badNsec)
	}
	// do_utimes_path: made again with LOOKUP_REVAL after ESTALE.
	var reval uint32
	for {
		p, err := t.lookupOrFd(dfd, path, flags, flags&AT_SYMLINK_NOFOLLOW == 0, reval)
		if err != nil {
			return err
		}
		err = t.vfsUtimes(p, a, badNsec)
		p.Put(t)
		if !retryEstale(err, reval) {
			return err
		}
		reval = LOOKUP_REVAL
	}
}

// vfsUtimes is vfs_utimes(): the times, checked after the lookup, then
// notify_change.
func (t *Task) vfsUtimes(p Path, a *Iattr, badNsec bool) error {
	if badNsec {
		return EINVAL
	}
	return t.setattrPath(p, a, nil)
}

// Truncate is truncate(2).
func (t *Task) Truncate(path string, length int64) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("truncate"))
	}
	if length < 0 {
		return EINVAL
	}
	lf := uint32(LOOKUP_FOLLOW)
	for {
		p, err := t.pathLookup(AT_FDCWD, path, lf)
		if err != nil {
			return err
		}
		err = t.vfsTruncate(p, length)
		p.Put(t)
		if !retryEstale(err, lf) {
			return err
		}
		lf |= LOOKUP_REVAL
	}
}

// vfsTruncate is vfs_truncate(): truncate(2) on the path its walk found.
func (t *Task) vfsTruncate(p Path, length int64) error {
	in := p.Dentry.inode.Load()
	if in.isDir() {
		return EISDIR
	}
	if !IsReg(in.mode.Load()) {
		return EINVAL
	}
	// vfs_truncate: inode_permission before mnt_want_write, so on a
	// read-only mount a task that may not write the file gets EACCES.
	if err := t.inodePermission(in, MAY_WRITE); err != nil {
		return err
	}
	if err := t.mntWantWrite(p.Mnt); err != nil {
		return err
	}
	defer t.mntDropWrite(p.Mnt)
	in.writecount.Add(1) // get_write_access
	defer in.writecount.Add(-1)
	if err := t.breakLease(in, O_WRONLY); err != nil {
		return err
	}
	// mtime and ctime change even when the size does not, as ftruncate
	// has them change: what this machine's kernel (6.18) does for
	// truncate(2) on tmpfs, which TestTruncateSameSizeTimesLinux checks.
	return t.doTruncate(p.Dentry, length, ATTR_MTIME|ATTR_CTIME)
}

// Ftruncate is ftruncate(2).
func (t *Task) Ftruncate(fd int, length int64) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("ftruncate"))
	}
	if length < 0 {
		return EINVAL
	}
	f, err := t.fdget(fd)
	if err != nil {
		return err
	}
	defer fput(t, f)
	if !IsReg(f.inode.mode.Load()) || f.mode&FMODE_WRITE == 0 {
		return EINVAL
	}
	if IsAppend(f.inode) { // do_ftruncate: whatever the open flags
		return EPERM
	}
	sb := f.inode.sb
	sbStartWrite(t, sb, SB_FREEZE_WRITE)
	defer sbEndWrite(t, sb, SB_FREEZE_WRITE)
	return t.doTruncateFile(f.path.Dentry, length, ATTR_MTIME|ATTR_CTIME, f)
}

// doTruncate is do_truncate() by name (filp NULL): truncate(2).
func (t *Task) doTruncate(d *Dentry, length int64, timeAttrs uint32) error {
	return t.doTruncateFile(d, length, timeAttrs, nil)
}

// doTruncateFile is do_truncate(): ATTR_SIZE through notify_change under
// the inode's i_rwsem; set-user-ID and set-group-ID drop as for a write.
// A truncation through an open file (filp, not nil) passes it on as
// ATTR_FILE and Iattr.File, as Linux's ia_file.
func (t *Task) doTruncateFile(d *Dentry, length int64, timeAttrs uint32, filp *File) error {
	in := d.inode.Load()
	if length > in.sb.MaxBytes {
		return EFBIG
	}
	a := &Iattr{Valid: ATTR_SIZE | timeAttrs, Size: length}
	if filp != nil {
		a.Valid |= ATTR_FILE
		a.File = filp
	}
	in.rwsem.Lock(t.o)
	defer in.rwsem.Unlock(t.o)
	// do_truncate (dentry_needs_remove_privs): the kill is forced, the
	// caller's write access having been checked already (a non-owner
	// may not chmod); the file's capabilities go too, for root as well
	// (cap_inode_need_killpriv: ATTR_KILL_PRIV). Asked under i_rwsem,
	// which S_FCAPS needs.
	kill := t.setattrShouldDropSuidgid(in)
	if in.state.Load()&S_FCAPS != 0 {
		kill |= ATTR_KILL_PRIV
	}
	if kill != 0 {
		a.Valid |= kill | ATTR_FORCE
	}
	// do_truncate passes no delegated inode: break_lease(O_WRONLY)
	// before it already broke the delegations.
	return t.notifyChange(d, a, nil)
}

// Access is access(2).
func (t *Task) Access(path string, mode int) error { return t.Faccessat(AT_FDCWD, path, mode, 0) }

// Faccessat is faccessat2(2). The task has one identity, so AT_EACCESS
// changes nothing.
func (t *Task) Faccessat(dfd int, path string, mode int, flags int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("faccessat"))
	}
	if mode&^(R_OK|W_OK|X_OK) != 0 {
		return EINVAL
	}
	if flags&^(AT_SYMLINK_NOFOLLOW|AT_EACCESS|AT_EMPTY_PATH) != 0 {
		return EINVAL
	}
	var reval uint32
	for {
		p, err := t.lookupOrFd(dfd, path, flags, flags&AT_SYMLINK_NOFOLLOW == 0, reval)
		if err != nil {
			return err
		}
		err = t.accessPath(p, mode)
		p.Put(t)
		if !retryEstale(err, reval) {
			return err
		}
		reval = LOOKUP_REVAL
	}
}

// accessPath is do_faccessat() on the path its walk found.
func (t *Task) accessPath(p Path, mode int) error {
	in := p.Dentry.inode.Load()
	// An executable on a noexec mount is not one (path_noexec).
	if mode&X_OK != 0 && IsReg(in.mode.Load()) && p.Mnt.flags.Load()&MNT_NOEXEC != 0 {
		return EACCES
	}
	// F_OK too asks ->permission, with an empty mask the mode bits
	// grant: /proc/<pid>/fdinfo refuses a stranger whatever it asks.
	if err := t.inodePermission(in, mode|MAY_ACCESS); err != nil {
		return err
	}
	// do_faccessat: a read-only mount is reported (SuS) only to a
	// caller who may write, and not for a device, FIFO or socket.
	if mode&W_OK != 0 && p.Mnt.ReadOnly() {
		m := in.mode.Load()
		if IsReg(m) || IsDir(m) || IsLnk(m) {
			return EROFS
		}
	}
	return nil
}
