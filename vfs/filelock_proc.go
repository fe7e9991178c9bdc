package vfs

// What /proc/locks reads (fs/locks.c: locks_show, lock_get_status).

// ProcLock is one line of /proc/locks: an applied lock (Level 0), or a
// request waiting in its tree (Level n: n deep), which repeats its
// root's ID.
type ProcLock struct {
	ID    int64
	Level int
	// Class is "POSIX", "OFDLCK", "ACCESS", "FLOCK", "LEASE" (a lease
	// or a layout) or "DELEG" (a delegation).
	Class string
	// LeaseState is a lease's or a delegation's "ACTIVE", "BREAKING" or
	// "BREAKER".
	LeaseState string
	// Type is F_RDLCK, F_WRLCK or F_UNLCK; for a lease the type it is
	// being broken to (target_leasetype).
	Type int16
	// PID is the taking task; -1 for OFD locks.
	PID int32
	// Dev and Ino identify the file; HasInode is false for a lock
	// without a file (a lease breaker).
	Dev      uint64
	Ino      uint64
	HasInode bool
	// Start and End are the range of a POSIX or OFD lock (End
	// OFFSET_MAX: "EOF"); flock locks and leases show "0 EOF".
	Start, End int64
}

// ProcLocks lists every file lock of the VFS as /proc/locks does:
// applied locks newest first, each followed by the requests blocked
// behind it, depth first. It holds file_rwsem for write and
// blocked_lock_lock, so no list or tree changes meanwhile (locks_start).
func (t *Task) ProcLocks() []ProcLock {
	g := t.vfs.fileLocks()
	g.rwsem.Lock(t.o)
	g.blockedLock.Lock(t.o)
	var out []ProcLock
	id := int64(0)
	for fl := g.list.gnext; fl != &g.list; fl = fl.gnext {
		id++
		// The tree as a binary tree: first blocked request is the left
		// child, the next sibling the right one.
		var walk func(fl *FileLock, level int)
		walk = func(fl *FileLock, level int) {
			out = append(out, procLockOf(fl, id, level))
			for _, w := range fl.blocked {
				walk(w, level+1)
			}
		}
		walk(fl, 0)
	}
	g.blockedLock.Unlock(t.o)
	g.rwsem.Unlock(t.o)
	return out
}

// procLockOf is lock_get_status() without the formatting.
func procLockOf(fl *FileLock, id int64, level int) ProcLock {
	p := ProcLock{ID: id, Level: level, Type: fl.Type, PID: fl.PID, Start: 0, End: OFFSET_MAX}
	if fl.File != nil {
		in := fl.File.inode
		p.Dev, p.Ino, p.HasInode = in.sb.dev, in.ino, true
	}
	switch {
	case fl.Flags&FL_POSIX != 0:
		switch {
		case fl.Flags&FL_ACCESS != 0:
			p.Class = "ACCESS"
		case fl.Flags&FL_OFDLCK != 0:
			p.Class = "OFDLCK"
			p.PID = -1
		default:
			p.Class = "POSIX"
		}
		p.Start, p.End = fl.Start, fl.End
	case fl.Flags&FL_FLOCK != 0:
		p.Class = "FLOCK"
	case fl.Flags&(FL_LEASE|FL_DELEG|FL_LAYOUT) != 0:
		p.Class = "LEASE"
		if fl.Flags&FL_DELEG != 0 {
			p.Class = "DELEG"
		}
		p.Type = targetLeasetype(fl)
		switch {
		case leaseBreaking(fl):
			p.LeaseState = "BREAKING"
		case fl.File != nil:
			p.LeaseState = "ACTIVE"
		default:
			p.LeaseState = "BREAKER"
		}
	}
	return p
}

// fdLocks is show_fd_locks(): the flock, POSIX and lease locks of f's
// inode set through f and owned by f (flock, OFD, leases) or by the
// descriptor table files (POSIX), in that order, numbered from 1.
func (t *Task) fdLocks(f *File, files *FDTable) []ProcLock {
	ctx := f.inode.flctx.Load()
	if ctx == nil {
		return nil
	}
	var out []ProcLock
	ctx.flcLock.Lock(t.o)
	for _, head := range []*FileLock{&ctx.flock, &ctx.posix, &ctx.lease} {
		for fl := head.next; fl != head; fl = fl.next {
			if fl.File != f || (fl.Owner != any(files) && fl.Owner != any(f)) {
				continue
			}
			out = append(out, procLockOf(fl, int64(len(out)+1), 0))
		}
	}
	ctx.flcLock.Unlock(t.o)
	return out
}
