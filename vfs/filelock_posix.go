package vfs

// POSIX byte-range locks and OFD locks (fcntl F_GETLK, F_SETLK, F_SETLKW
// and their F_OFD_ forms), after fs/locks.c. A context's flc_posix list
// keeps each owner's locks together, sorted by start, never overlapping
// and never adjacent when of one type: posixLockInode merges and splits
// to keep it so.

// maxDeadlkIterations is MAX_DEADLK_ITERATIONS: deadlock detection gives
// up (and reports none) after this many hops.
const maxDeadlkIterations = 10

// posixSameOwner is posix_same_owner().
func posixSameOwner(a, b *FileLock) bool { return a.Owner == b.Owner }

// posixLocksConflict is posix_locks_conflict().
func posixLocksConflict(caller, sys *FileLock) bool {
	if posixSameOwner(caller, sys) {
		return false
	}
	if !locksOverlap(caller, sys) {
		return false
	}
	return locksConflict(caller, sys)
}

// posixTestLocksConflict is posix_test_locks_conflict(): an F_UNLCK
// probe (F_OFD_GETLK) finds the caller's own overlapping locks.
func posixTestLocksConflict(caller, sys *FileLock) bool {
	if caller.Type == F_UNLCK {
		return posixSameOwner(caller, sys) && locksOverlap(caller, sys)
	}
	return posixLocksConflict(caller, sys)
}

// flockToPosixLock is flock64_to_posix_lock(): the byte range of l
// relative to whence, owned by the calling task's descriptor table.
//
// Errors: EINVAL for a bad whence, a range starting before 0 or a bad
// type; EOVERFLOW for a range past OFFSET_MAX.
func (t *Task) flockToPosixLock(f *File, fl *FileLock, l *Flock) error {
	var start int64
	switch l.Whence {
	case SEEK_SET:
	case SEEK_CUR:
		start = f.pos.Load() // as Linux reads f_pos here, unlocked
	case SEEK_END:
		start = f.inode.size.Load()
	default:
		return EINVAL
	}
	if l.Start > OFFSET_MAX-start {
		return EOVERFLOW
	}
	start += l.Start
	if start < 0 {
		return EINVAL
	}
	fl.Start = start
	switch {
	case l.Len > 0:
		if l.Len-1 > OFFSET_MAX-start {
			return EOVERFLOW
		}
		fl.End = start + l.Len - 1
	case l.Len < 0:
		if start+l.Len < 0 {
			return EINVAL
		}
		fl.End = start - 1
		fl.Start = start + l.Len
	default:
		fl.End = OFFSET_MAX
	}
	fl.Owner = t.files.Load()
	fl.PID = t.pid
	fl.File = f
	fl.Flags = FL_POSIX
	fl.Ops, fl.LMOps = nil, nil
	switch l.Type {
	case F_RDLCK, F_WRLCK, F_UNLCK:
		fl.Type = l.Type
	default:
		return EINVAL
	}
	return nil
}

// posixLockToFlock is posix_lock_to_flock(): report fl through l.
func posixLockToFlock(l *Flock, fl *FileLock) {
	l.PID = fl.PID
	if fl.Flags&FL_OFDLCK != 0 {
		l.PID = -1
	}
	l.Start = fl.Start
	if fl.End == OFFSET_MAX {
		l.Len = 0
	} else {
		l.Len = fl.End - fl.Start + 1
	}
	l.Whence = SEEK_SET
	l.Type = fl.Type
}

// posixTestLock is posix_test_lock(): fl becomes the first lock that
// conflicts with it, or its type F_UNLCK if none does. A conflicting
// lock that its manager says is expirable is expired (outside flc_lock)
// and the list looked at again, as posixLockInode does.
func (t *Task) posixTestLock(f *File, fl *FileLock) {
	c := f.inode.flctx.Load()
	if c == nil {
		fl.Type = F_UNLCK
		return
	}
retry:
	c.flcLock.Lock(t.o)
	for cfl := c.posix.next; cfl != &c.posix; cfl = cfl.next {
		if !posixTestLocksConflict(fl, cfl) {
			continue
		}
		if cfl.LMOps != nil && cfl.LMOps.LockExpirable != nil && t.lmLockExpirable(cfl) {
			ops := cfl.LMOps
			c.flcLock.Unlock(t.o)
			if ops.ExpireLock != nil {
				t.lmExpireLock(ops)
			}
			goto retry
		}
		locksCopyConflock(fl, cfl)
		c.flcLock.Unlock(t.o)
		return
	}
	fl.Type = F_UNLCK
	c.flcLock.Unlock(t.o)
}

// whatOwnerIsWaitingFor is what_owner_is_waiting_for(): the applied lock
// that a waiting request of blockFl's owner is (transitively) behind.
// Preconditions: blocked_lock_lock held.
func (g *fileLocks) whatOwnerIsWaitingFor(blockFl *FileLock) *FileLock {
	l := g.blockedHash[blockFl.Owner]
	if len(l) == 0 {
		return nil
	}
	fl := l[len(l)-1] // hash_add puts the newest first
	for {
		b := fl.blocker.Load()
		if b == nil {
			return fl
		}
		fl = b
	}
}

// posixLocksDeadlock is posix_locks_deadlock(): would callerFl, waiting
// behind blockFl, close a cycle of owners each waiting for the next?
// OFD locks have no process owner to follow and are never checked.
// Preconditions: blocked_lock_lock held.
func (g *fileLocks) posixLocksDeadlock(callerFl, blockFl *FileLock) bool {
	if callerFl.Flags&FL_OFDLCK != 0 {
		return false
	}
	i := 0
	for blocker := g.whatOwnerIsWaitingFor(blockFl); blocker != nil; blocker = g.whatOwnerIsWaitingFor(blocker) {
		if i > maxDeadlkIterations {
			return false
		}
		i++
		if posixSameOwner(callerFl, blocker) {
			return true
		}
	}
	return false
}

// posixLockInode is posix_lock_inode(): apply (or, for F_UNLCK, remove)
// request on in's POSIX list, merging with the owner's adjacent or
// overlapping locks of the same type and splitting those of another
// type. On a conflict: EAGAIN, or with FL_SLEEP errLockDeferred (queued
// behind the conflicting lock) or EDEADLK; conflock, if not nil, gets a
// copy of the conflicting lock.
func (t *Task) posixLockInode(in *Inode, request, conflock *FileLock) error {
	c := locksGetLockContext(in, request.Type)
	if c == nil {
		return nil // an unlock where nothing was ever locked
	}
	g := t.vfs.fileLocks()
	var dispose []*FileLock
	defer func() { t.locksDisposeList(dispose) }()
retry:
	g.rwsem.RLock(t.o)
	c.flcLock.Lock(t.o)
	unlock := func() {
		c.flcLock.Unlock(t.o)
		g.rwsem.RUnlock(t.o)
	}
	if request.Type != F_UNLCK {
		for fl := c.posix.next; fl != &c.posix; fl = fl.next {
			if !posixLocksConflict(request, fl) {
				continue
			}
			if fl.LMOps != nil && fl.LMOps.LockExpirable != nil && t.lmLockExpirable(fl) {
				// The operations are read before the locks go:
				// once flc_lock is dropped fl may leave the list
				// and be freed (posix_lock_inode saves
				// lm_expire_lock first too).
				ops := fl.LMOps
				unlock()
				if ops.ExpireLock != nil {
					t.lmExpireLock(ops)
				}
				goto retry
			}
			if conflock != nil {
				locksCopyConflock(conflock, fl)
			}
			if request.Flags&FL_SLEEP == 0 {
				unlock()
				return EAGAIN
			}
			// Deadlock detection and the insertion into the blocked
			// hash happen under one hold of blocked_lock_lock.
			err := EDEADLK
			g.blockedLock.Lock(t.o)
			t.locksWakeUpBlocksLocked(request)
			if !g.posixLocksDeadlock(request, fl) {
				err = errLockDeferred
				t.locksInsertBlockLocked(fl, request, posixLocksConflict)
			}
			g.blockedLock.Unlock(t.o)
			unlock()
			return err
		}
	}
	if request.Flags&FL_ACCESS != 0 {
		unlock()
		return nil
	}

	// Find the first lock of the owner, then process its locks.
	fl := c.posix.next
	for fl != &c.posix && !posixSameOwner(request, fl) {
		fl = fl.next
	}
	var left, right *FileLock
	added := false
	for fl != &c.posix {
		next := fl.next
		if !posixSameOwner(request, fl) {
			break
		}
		if request.Type == fl.Type {
			// "start - 1" rather than "end + 1": end may be
			// OFFSET_MAX.
			if fl.End < request.Start-1 {
				fl = next
				continue
			}
			if fl.Start-1 > request.End {
				break
			}
			// Same type, adjacent or overlapping: one lock from the
			// lower start to the higher end.
			if fl.Start > request.Start {
				fl.Start = request.Start
			} else {
				request.Start = fl.Start
			}
			if fl.End < request.End {
				fl.End = request.End
			} else {
				request.End = fl.End
			}
			if added {
				t.locksDeleteLockCtx(fl, &dispose)
				fl = next
				continue
			}
			request = fl
			added = true
		} else {
			if fl.End < request.Start {
				fl = next
				continue
			}
			if fl.Start > request.End {
				break
			}
			if request.Type == F_UNLCK {
				added = true
			}
			if fl.Start < request.Start {
				left = fl
			}
			if fl.End > request.End {
				right = fl
				break
			}
			if fl.Start >= request.Start {
				// The new lock replaces an old one entirely.
				if added {
					t.locksDeleteLockCtx(fl, &dispose)
					fl = next
					continue
				}
				nfl := newLock()
				t.locksCopyLock(nfl, request)
				t.locksMoveBlocks(nfl, request)
				request = nfl
				t.locksInsertLockCtx(c, request, fl)
				t.locksDeleteLockCtx(fl, &dispose)
				added = true
			}
		}
		fl = next
	}

	if !added {
		if request.Type == F_UNLCK {
			unlock()
			if request.Flags&FL_EXISTS != 0 {
				return ENOENT
			}
			return nil
		}
		nfl := newLock()
		t.locksCopyLock(nfl, request)
		t.locksMoveBlocks(nfl, request)
		t.locksInsertLockCtx(c, nfl, fl)
		fl = nfl
	}
	if right != nil {
		if left == right {
			// The new lock splits the old one in two.
			left = newLock()
			t.locksCopyLock(left, right)
			t.locksInsertLockCtx(c, left, fl)
		}
		right.Start = request.End + 1
		t.locksWakeUpBlocks(right)
	}
	if left != nil {
		left.End = request.Start - 1
		t.locksWakeUpBlocks(left)
	}
	unlock()
	return nil
}

// vfsLockFile is vfs_lock_file(): the file's ->lock, or the generic code.
func (t *Task) vfsLockFile(f *File, cmd int, fl, conf *FileLock) error {
	if f.fop != nil && f.fop.Lock != nil {
		return t.fopLock(f, cmd, fl)
	}
	return t.posixLockInode(f.inode, fl, conf)
}

// vfsTestLock is vfs_test_lock().
func (t *Task) vfsTestLock(f *File, fl *FileLock) error {
	if f.fop != nil && f.fop.Lock != nil {
		return t.fopLock(f, F_GETLK, fl)
	}
	t.posixTestLock(f, fl)
	return nil
}

// PosixLockFile is posix_lock_file(), for a filesystem's ->lock that
// keeps the generic semantics (and for lock managers): apply fl to the
// file's inode. It returns EAGAIN on a conflict, or with FL_SLEEP
// ErrLockDeferred once fl is queued (the caller then waits, or its
// ->lm_notify is called); EINVAL for an Owner that is not comparable.
func (t *Task) PosixLockFile(f *File, fl, conflock *FileLock) error {
	if !lockOwnerComparable(fl.Owner) {
		return EINVAL
	}
	return t.posixLockInode(f.inode, fl, conflock)
}

// PosixTestLock is posix_test_lock(), for a filesystem's ->lock F_GETLK.
// It needs no owner check: with every applied lock's Owner comparable
// (the entry points refuse others), comparing fl.Owner with them cannot
// panic.
func (t *Task) PosixTestLock(f *File, fl *FileLock) { t.posixTestLock(f, fl) }

// ErrLockDeferred is FILE_LOCK_DEFERRED, as returned by PosixLockFile.
const ErrLockDeferred = errLockDeferred

// posixLockInodeWait is posix_lock_inode_wait(): apply request to in's
// POSIX list, waiting after each deferral until woken.
func (t *Task) posixLockInodeWait(in *Inode, fl *FileLock) error {
	return t.lockWaitLoop(fl, "posix_lock_inode_wait", func() error { return t.posixLockInode(in, fl, nil) })
}

// lockWaitLoop is the loop of posix_lock_inode_wait,
// flock_lock_inode_wait and do_lock_file_wait: apply the request with
// try and, while it is deferred behind a conflicting lock, sleep until
// woken (wait_event_interruptible: a signal ends the wait with EINTR)
// and try again; then leave the blocker's list. what names the wait.
func (t *Task) lockWaitLoop(fl *FileLock, what string, try func() error) error {
	var err error
	for {
		err = try()
		if err != errLockDeferred {
			break
		}
		if _, err = t.waitUnblocked(fl, 0, false, what); err != nil {
			break
		}
	}
	t.locksDeleteBlock(fl)
	return err
}

// doLockFileWait is do_lock_file_wait(): retry after each wake-up while
// the request is deferred.
func (t *Task) doLockFileWait(f *File, cmd int, fl *FileLock) error {
	return t.lockWaitLoop(fl, "fcntl(F_SETLKW)", func() error { return t.vfsLockFile(f, cmd, fl, nil) })
}

// checkFmodeForSetlk is check_fmode_for_setlk(): a read lock needs a
// description open for reading, a write lock one open for writing.
func checkFmodeForSetlk(fl *FileLock) error {
	switch fl.Type {
	case F_RDLCK:
		if fl.File.mode&FMODE_READ == 0 {
			return EBADF
		}
	case F_WRLCK:
		if fl.File.mode&FMODE_WRITE == 0 {
			return EBADF
		}
	}
	return nil
}

// FcntlLock is fcntl(fd, cmd, l) for the lock commands F_GETLK, F_SETLK,
// F_SETLKW, F_OFD_GETLK, F_OFD_SETLK and F_OFD_SETLKW. POSIX locks
// belong to the task's descriptor table and go away when it closes any
// descriptor of the file; OFD locks belong to the open file description.
// F_SETLKW and F_OFD_SETLKW sleep until the lock is granted.
//
// Errors: EBADF for a bad descriptor, an O_PATH one, or a lock type the
// open mode does not allow (read lock: FMODE_READ; write lock:
// FMODE_WRITE); EINVAL for a bad command, type or whence, a range
// starting before 0, or F_OFD_* with l.PID != 0; EOVERFLOW for a range
// past the largest offset; EAGAIN for a conflict with F_SETLK; EDEADLK
// when F_SETLKW would wait on a task waiting for this one.
func (t *Task) FcntlLock(fd, cmd int, l *Flock) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fcntl"))
	}
	f, err := t.fdget(fd)
	if err != nil {
		return err
	}
	defer fput(t, f)
	switch cmd {
	case F_GETLK, F_OFD_GETLK:
		return t.fcntlGetlk(f, cmd, l)
	case F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW:
		return t.fcntlSetlk(fd, f, cmd, l)
	}
	return EINVAL
}

// fcntlGetlk is fcntl_getlk().
func (t *Task) fcntlGetlk(f *File, cmd int, l *Flock) error {
	if cmd != F_OFD_GETLK && l.Type != F_RDLCK && l.Type != F_WRLCK {
		return EINVAL
	}
	fl := newLock()
	if err := t.flockToPosixLock(f, fl, l); err != nil {
		return err
	}
	if cmd == F_OFD_GETLK {
		if l.PID != 0 {
			return EINVAL
		}
		fl.Flags |= FL_OFDLCK
		fl.Owner = f
	}
	if err := t.vfsTestLock(f, fl); err != nil {
		return err
	}
	l.Type = fl.Type
	if fl.Type != F_UNLCK {
		posixLockToFlock(l, fl)
	}
	return nil
}

// fcntlSetlk is fcntl_setlk().
func (t *Task) fcntlSetlk(fd int, f *File, cmd int, l *Flock) error {
	fl := newLock()
	if err := t.flockToPosixLock(f, fl, l); err != nil {
		return err
	}
	if err := checkFmodeForSetlk(fl); err != nil {
		return err
	}
	switch cmd {
	case F_OFD_SETLK, F_OFD_SETLKW:
		if l.PID != 0 {
			return EINVAL
		}
		fl.Flags |= FL_OFDLCK
		fl.Owner = f
		if cmd == F_OFD_SETLKW {
			fl.Flags |= FL_SLEEP
			cmd = F_SETLKW
		} else {
			cmd = F_SETLK
		}
	case F_SETLKW:
		fl.Flags |= FL_SLEEP
	}
	err := t.doLockFileWait(f, cmd, fl)
	// A close of fd racing with the lock: drop what was just taken, as
	// filp_flush would have.
	if err == nil && fl.Type != F_UNLCK && fl.Flags&FL_OFDLCK == 0 {
		ft := t.files.Load()
		ft.lock.Lock(t.o)
		var cur *File
		if fd >= 0 && fd < len(ft.fds) {
			cur = ft.fds[fd].f
		}
		ft.lock.Unlock(t.o)
		if cur != f {
			t.locksRemovePosix(f, t.files.Load())
			err = EBADF
		}
	}
	t.locksReleasePrivate(fl)
	return err
}

// locksRemovePosix is locks_remove_posix(): drop every POSIX lock owner
// holds on f's inode. filp_flush calls it with the closing task's
// descriptor table on every close of a descriptor; __fput with the file
// itself (its OFD locks).
func (t *Task) locksRemovePosix(f *File, owner any) {
	c := f.inode.flctx.Load()
	if c == nil {
		return
	}
	c.flcLock.Lock(t.o)
	empty := c.posix.empty()
	c.flcLock.Unlock(t.o)
	if empty {
		return
	}
	fl := newLock()
	fl.Type = F_UNLCK
	fl.Flags = FL_POSIX | FL_CLOSE
	fl.Start, fl.End = 0, OFFSET_MAX
	fl.Owner = owner
	fl.PID = t.pid
	fl.File = f
	t.vfsLockFile(f, F_SETLK, fl, nil)
	t.locksReleasePrivate(fl)
}

// locksRemoveFile is locks_remove_file(): on the last close of a
// description (__fput), its OFD locks, flock locks and leases go.
func (t *Task) locksRemoveFile(f *File) {
	c := f.inode.flctx.Load()
	if c == nil {
		return
	}
	t.locksRemovePosix(f, f)
	t.locksRemoveFlock(f, c)
	t.locksRemoveLease(f, c)
}

// filpFlushLocks is the file-lock part of filp_flush(): a close of any
// descriptor drops the closing task's POSIX locks on the file.
func (t *Task) filpFlushLocks(f *File) {
	if f.mode&FMODE_PATH == 0 {
		t.locksRemovePosix(f, t.files.Load())
	}
}
