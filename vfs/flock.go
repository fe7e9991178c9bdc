package vfs

// flock(2) locks, after fs/locks.c: whole-file shared or exclusive locks
// owned by the open file description, so that every descriptor of it
// (dup, fork) shares one lock, and released on its last close.

// flockLocksConflict is flock_locks_conflict(): locks of one description
// never conflict.
func flockLocksConflict(caller, sys *FileLock) bool {
	if caller.File == sys.File {
		return false
	}
	return locksConflict(caller, sys)
}

// flockTranslateCmd is flock_translate_cmd().
func flockTranslateCmd(cmd int) (int16, error) {
	switch cmd {
	case LOCK_SH:
		return F_RDLCK, nil
	case LOCK_EX:
		return F_WRLCK, nil
	case LOCK_UN:
		return F_UNLCK, nil
	}
	return 0, EINVAL
}

// flockMakeLock is flock_make_lock().
func (t *Task) flockMakeLock(f *File, typ int16) *FileLock {
	fl := newLock()
	fl.File = f
	fl.Owner = f
	fl.PID = t.pid
	fl.Flags = FL_FLOCK
	fl.Type = typ
	fl.End = OFFSET_MAX
	return fl
}

// flockLockInode is flock_lock_inode(). A description's existing lock
// of another type is removed before the new one is tried: a conversion
// is not atomic, so a waiter may get the file in between, and a failed
// LOCK_NB conversion leaves no lock at all (as Linux).
func (t *Task) flockLockInode(in *Inode, request *FileLock) error {
	c := locksGetLockContext(in, request.Type)
	if c == nil {
		if request.Flags&FL_EXISTS != 0 {
			return ENOENT
		}
		return nil
	}
	g := t.vfs.fileLocks()
	var dispose []*FileLock
	err := func() error {
		g.rwsem.RLock(t.o)
		defer g.rwsem.RUnlock(t.o)
		c.flcLock.Lock(t.o)
		defer c.flcLock.Unlock(t.o)
		if request.Flags&FL_ACCESS == 0 {
			found := false
			for fl := c.flock.next; fl != &c.flock; fl = fl.next {
				if request.File != fl.File {
					continue
				}
				if request.Type == fl.Type {
					return nil
				}
				found = true
				t.locksDeleteLockCtx(fl, &dispose)
				break
			}
			if request.Type == F_UNLCK {
				if request.Flags&FL_EXISTS != 0 && !found {
					return ENOENT
				}
				return nil
			}
		}
		for fl := c.flock.next; fl != &c.flock; fl = fl.next {
			if !flockLocksConflict(request, fl) {
				continue
			}
			if request.Flags&FL_SLEEP == 0 {
				return EAGAIN
			}
			t.locksInsertBlock(fl, request, flockLocksConflict)
			return errLockDeferred
		}
		if request.Flags&FL_ACCESS != 0 {
			return nil
		}
		nfl := newLock()
		t.locksCopyLock(nfl, request)
		t.locksMoveBlocks(nfl, request)
		t.locksInsertLockCtx(c, nfl, &c.flock)
		return nil
	}()
	t.locksDisposeList(dispose)
	return err
}

// flockLockInodeWait is flock_lock_inode_wait(): retry after each
// wake-up while deferred.
func (t *Task) flockLockInodeWait(in *Inode, fl *FileLock) error {
	return t.lockWaitLoop(fl, "flock", func() error { return t.flockLockInode(in, fl) })
}

// locksLockFileWait is locks_lock_file_wait(): apply fl, a POSIX or a
// flock request, to f's inode, waiting (with FL_SLEEP) while it is
// deferred behind a conflicting lock.
//
// Errors: EINVAL for a request that is neither (Linux BUG()s).
func (t *Task) locksLockFileWait(f *File, fl *FileLock) error {
	switch fl.Flags & (FL_POSIX | FL_FLOCK) {
	case FL_POSIX:
		return t.posixLockInodeWait(f.inode, fl)
	case FL_FLOCK:
		return t.flockLockInodeWait(f.inode, fl)
	}
	return EINVAL
}

// LocksLockFileWait is locks_lock_file_wait(), for a filesystem's ->lock
// or ->flock that keeps the generic semantics (as 9p, ceph or gfs2 do
// with the requests they do not send to a server). Errors: EINVAL for
// an Owner that is not comparable, and as locksLockFileWait.
func (t *Task) LocksLockFileWait(f *File, fl *FileLock) error {
	if !lockOwnerComparable(fl.Owner) {
		return EINVAL
	}
	return t.locksLockFileWait(f, fl)
}

// Flock is flock(2): LOCK_SH, LOCK_EX or LOCK_UN, with LOCK_NB not to
// wait. The lock belongs to the open file description.
//
// Errors: EINVAL for a bad operation (checked first); EBADF for a bad or
// O_PATH descriptor, or a description open neither for reading nor
// writing; EWOULDBLOCK (EAGAIN) with LOCK_NB on a conflict.
func (t *Task) Flock(fd int, how int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("flock"))
	}
	if how&LOCK_MAND != 0 {
		// LOCK_MAND never worked; Linux ignores it (and warns).
		return nil
	}
	typ, err := flockTranslateCmd(how &^ LOCK_NB)
	if err != nil {
		return err
	}
	f, err := t.fdget(fd)
	if err != nil {
		return err
	}
	defer fput(t, f)
	if typ != F_UNLCK && f.mode&(FMODE_READ|FMODE_WRITE) == 0 {
		return EBADF
	}
	fl := t.flockMakeLock(f, typ)
	canSleep := how&LOCK_NB == 0
	if canSleep {
		fl.Flags |= FL_SLEEP
	}
	if f.fop != nil && f.fop.Flock != nil {
		cmd := F_SETLK
		if canSleep {
			cmd = F_SETLKW
		}
		err = t.fopFlock(f, cmd, fl)
	} else {
		err = t.locksLockFileWait(f, fl)
	}
	t.locksReleasePrivate(fl)
	return err
}

// locksRemoveFlock is locks_remove_flock(): the description's flock
// lock goes on its last close.
func (t *Task) locksRemoveFlock(f *File, c *FileLockContext) {
	c.flcLock.Lock(t.o)
	empty := c.flock.empty()
	c.flcLock.Unlock(t.o)
	if empty {
		return
	}
	fl := t.flockMakeLock(f, F_UNLCK)
	fl.Flags |= FL_CLOSE
	if f.fop != nil && f.fop.Flock != nil {
		t.fopFlock(f, F_SETLKW, fl)
	} else {
		t.flockLockInode(f.inode, fl)
	}
	t.locksReleasePrivate(fl)
}
