package vfs

// Rename is rename(2).
func (t *Task) Rename(oldpath, newpath string) error {
	return t.Renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0)
}

// lockRename is lock_rename(p1, p2) with p1 the source's parent: lock
// two directories for a rename and return the "trap", the child of one
// parent that is an ancestor of the other (nil if neither is an
// ancestor). For two different parents s_vfs_rename_mutex comes first;
// it keeps the ancestry stable while the parents are locked.
func (t *Task) lockRename(p1, p2 *Dentry) *Dentry {
	o := t.o
	i1, i2 := p1.inode.Load(), p2.inode.Load()
	if p1 == p2 {
		i1.rwsem.LockNested(o, I_MUTEX_PARENT)
		return nil
	}
	p1.sb.renameMutex.Lock(o)
	if p := dAncestor(p2, p1); p != nil {
		i2.rwsem.LockNested(o, I_MUTEX_PARENT)
		i1.rwsem.LockNested(o, I_MUTEX_CHILD)
		return p
	}
	if p := dAncestor(p1, p2); p != nil {
		i1.rwsem.LockNested(o, I_MUTEX_PARENT)
		i2.rwsem.LockNested(o, I_MUTEX_CHILD)
		return p
	}
	// Neither is an ancestor: the source's parent first.
	i1.rwsem.LockNested(o, I_MUTEX_PARENT)
	i2.rwsem.LockNested(o, I_MUTEX_PARENT2)
	return nil
}

// unlockRename is unlock_rename().
func (t *Task) unlockRename(p1, p2 *Dentry) {
	o := t.o
	p1.inode.Load().rwsem.Unlock(o)
	if p1 != p2 {
		p2.inode.Load().rwsem.Unlock(o)
		p1.sb.renameMutex.Unlock(o)
	}
}

// Renameat2 is renameat2(2) with RENAME_NOREPLACE, RENAME_EXCHANGE and
// RENAME_WHITEOUT. The VFS passes RENAME_WHITEOUT to ->rename, which
// leaves the whiteout at the old name (tmpfs) or answers EINVAL, as a
// filesystem that makes none does.
//
// Its stages are separate functions; each releases what it took once
// the next stage returns, in do_renameat2's order. They use no defer:
// every deferred call is one more Go call (the compiler's deferwrap
// closure), and a call is the expensive thing in Go's WebAssembly code.
// A panic in the core is a bug that ends the process, so nothing needs
// unwinding.
func (t *Task) Renameat2(olddfd int, oldpath string, newdfd int, newpath string, flags uint32) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("renameat2"))
	}
	if flags&^(RENAME_NOREPLACE|RENAME_EXCHANGE|RENAME_WHITEOUT) != 0 {
		return EINVAL
	}
	// An exchange leaves no name free: neither for a whiteout nor for
	// NOREPLACE to protect. No capability check follows: since Linux
	// 5.8 a whiteout is a plain file operation (vfs_mknod exempts
	// WHITEOUT_DEV), left to the walks, the permission checks and the
	// filesystem's ->rename.
	if flags&(RENAME_NOREPLACE|RENAME_WHITEOUT) != 0 && flags&RENAME_EXCHANGE != 0 {
		return EINVAL
	}
	return t.renamePaths(olddfd, oldpath, newdfd, newpath, flags)
}

// renamePaths walks to both parents and checks the last components.
// Both names are checked first, as renameat2's two getname() calls do.
// When the two paths name their parents alike (the same characters up
// to the last component, from the same starting point), the second walk
// would repeat the first: the new name's last component is taken on the
// first walk's parent instead, as if both walks had run at the same
// moment.
func (t *Task) renamePaths(olddfd int, oldpath string, newdfd int, newpath string, flags uint32) error {
	if err := checkName(oldpath, 0); err != nil {
		return err
	}
	if err := checkName(newpath, 0); err != nil {
		return err
	}
	// do_renameat2: an ESTALE past the walk to the source's parent (its
	// own retry done) makes the call again with LOOKUP_REVAL.
	var reval uint32
	for {
		var ond nameidata
		if err := t.walkParentChecked(&ond, olddfd, oldpath, reval); err != nil {
			return err
		}
		err := t.renameNewPath(&ond, olddfd, oldpath, newdfd, newpath, flags, reval)
		ond.terminate()
		if !retryEstale(err, reval) {
			return err
		}
		reval = LOOKUP_REVAL
	}
}

// renameNewPath walks to the new name's parent, or takes it from ond,
// and checks the last components; reval is LOOKUP_REVAL or 0, for every
// lookup.
func (t *Task) renameNewPath(ond *nameidata, olddfd int, oldpath string, newdfd int, newpath string, flags, reval uint32) error {
	var nnd nameidata
	walked := false
	if last, ok := sameParentPath(olddfd, oldpath, newdfd, newpath, t.resolve&LOOKUP_IN_ROOT == 0); ok && ond.path.Dentry.flags.Load()&DCACHE_OP_WEAK_REVALIDATE == 0 {
		// nnd shares ond's references: it is not terminated.
		if err := ond.lastOnParent(&nnd, last, reval); err != nil {
			return err
		}
	} else {
		if err := t.walkParentChecked(&nnd, newdfd, newpath, reval); err != nil {
			return err
		}
		walked = true
	}
	var err error
	switch {
	case ond.path.Mnt != nnd.path.Mnt:
		err = EXDEV
	case ond.lastType != LAST_NORM:
		err = EBUSY
	case nnd.lastType != LAST_NORM && flags&RENAME_NOREPLACE != 0:
		// "." and ".." exist: do_renameat2 says EEXIST to NOREPLACE.
		err = EEXIST
	case nnd.lastType != LAST_NORM:
		err = EBUSY
	default:
		err = t.renameParents(ond, &nnd, flags, reval)
	}
	if walked {
		nnd.terminate()
	}
	return err
}

// sameParentPath reports whether two paths name the same parent the same
// way (the same characters before their last components, relative to the
// same starting point), and returns the second's last component with any
// trailing slashes. absFromRoot says an absolute path starts at the root
// whatever the descriptor (not so for a RESOLVE_IN_ROOT walk, which
// starts it at the descriptor).
func sameParentPath(olddfd int, oldpath string, newdfd int, newpath string, absFromRoot bool) (string, bool) {
	k := lastStart(oldpath)
	if k < 0 || lastStart(newpath) != k || oldpath[:k] != newpath[:k] {
		return "", false
	}
	return newpath[k:], absFromRoot && k > 0 && oldpath[0] == '/' || olddfd == newdfd
}

// lastStart returns where a path's last component starts (after the
// slash that ends its parent's part; 0 for a path of one component), or
// -1 when it has none (a path of slashes only, or empty). Trailing
// slashes belong to the last component.
func lastStart(path string) int {
	e := len(path)
	for e > 0 && path[e-1] == '/' {
		e--
	}
	if e == 0 {
		return -1
	}
	for e > 0 && path[e-1] != '/' {
		e--
	}
	return e
}

// renameParents takes write access to the mount and locks both parents
// (lock_rename).
func (t *Task) renameParents(ond, nnd *nameidata, flags, reval uint32) error {
	m := ond.path.Mnt
	if err := t.mntWantWrite(m); err != nil {
		return err
	}
	op, np := ond.path.Dentry, nnd.path.Dentry
	var delegated *Inode
	for {
		trap := t.lockRename(op, np)
		err := t.renameChildren(ond, nnd, trap, flags, reval, &delegated)
		t.unlockRename(op, np)
		// do_renameat2's retry_deleg: a delegation on the source or
		// the target was being broken; wait for it with the parents
		// unlocked, then look both up again.
		if delegated != nil {
			if err = t.breakDelegWait(&delegated); err == nil {
				continue
			}
		}
		t.mntDropWrite(m)
		return err
	}
}

// renameChildren looks the source and the target up under the locked
// parents and makes rename's last checks.
func (t *Task) renameChildren(ond, nnd *nameidata, trap *Dentry, flags, reval uint32, delegated **Inode) error {
	oldDir := ond.path.Dentry.inode.Load()
	od, err := t.lockedChild(ond, oldDir, reval)
	if err != nil {
		return err
	}
	oin := od.inode.Load()
	if oin == nil {
		dput(t, od)
		return ENOENT
	}
	newDir := nnd.path.Dentry.inode.Load()
	// The target is looked up as such (LOOKUP_RENAME_TARGET), so that
	// ->d_revalidate can refuse a negative dentry of another spelling.
	targetFlags := uint32(LOOKUP_RENAME_TARGET)
	if flags&RENAME_EXCHANGE != 0 {
		targetFlags = 0
	}
	nd, err := lookupOneExcl(t, nnd.path.Dentry, newDir, nnd.last, targetFlags|reval)
	if err != nil {
		dput(t, od)
		return err
	}
	exchange := flags&RENAME_EXCHANGE != 0
	nin := nd.inode.Load()
	switch {
	case exchange && nin == nil:
		err = ENOENT
	case exchange && !nin.isDir() && nnd.trailing:
		err = ENOTDIR
	case flags&RENAME_NOREPLACE != 0 && nin != nil:
		err = EEXIST
	case !oin.isDir() && (ond.trailing || !exchange && nnd.trailing):
		err = ENOTDIR
	case od == trap:
		// The source must not be an ancestor of the target...
		err = EINVAL
	case nd == trap && exchange:
		// ...nor the target of the source.
		err = EINVAL
	case nd == trap:
		err = ENOTEMPTY
	default:
		err = t.vfsRename(oldDir, od, newDir, nd, flags, delegated)
	}
	dput(t, nd)
	dput(t, od)
	return err
}

// vfsRename is vfs_rename(): permissions, then the victims' locks
// (subdirectories changing parent, source before target; then the
// non-directories in inode order), then the delegations on the
// non-directories (try_break_deleg: EWOULDBLOCK with *delegated set
// while one is still held), then ->rename and the dcache update.
func (t *Task) vfsRename(oldDir *Inode, od *Dentry, newDir *Inode, nd *Dentry, flags uint32, delegated **Inode) error {
	source, target := od.inode.Load(), nd.inode.Load()
	if source == target {
		return nil
	}
	isDir := source.isDir()
	newIsDir := target != nil && target.isDir()
	if err := t.mayDelete(oldDir, od, isDir); err != nil {
		return err
	}
	// In one directory the check of the source's directory stands for
	// the target's when only the mode bits decide.
	perm := newDir != oldDir || !sameDirPermitted(newDir)
	var err error
	switch {
	case target == nil:
		err = t.mayCreateIn(newDir, nd, perm)
	case flags&RENAME_EXCHANGE != 0:
		err = t.mayDeleteIn(newDir, nd, newIsDir, perm)
	default:
		err = t.mayDeleteIn(newDir, nd, isDir, perm)
	}
	if err != nil {
		return err
	}
	if oldDir.Ops == nil || oldDir.Ops.Rename == nil {
		return EPERM
	}
	// A directory moving to another parent rewrites its "..": it needs
	// write permission on itself.
	if oldDir != newDir {
		if isDir {
			if err := t.inodePermission(source, MAY_WRITE); err != nil {
				return err
			}
		}
		if flags&RENAME_EXCHANGE != 0 && newIsDir {
			if err := t.inodePermission(target, MAY_WRITE); err != nil {
				return err
			}
		}
	}
	locked := t.lockRenameVictims(source, target, oldDir != newDir, flags)
	// vfs_rename: across directories, a parent that would gain a
	// subdirectory must have room: the target's for a directory that
	// replaces no directory, the source's for a directory an exchange
	// sends back.
	max := newDir.sb.MaxLinks
	capped := max > 0 && oldDir != newDir
	switch {
	case isMountpoint(od) || isMountpoint(nd):
		err = EBUSY
	case capped && isDir && !newIsDir && newDir.nlink.Load() >= max:
		err = EMLINK
	case capped && flags&RENAME_EXCHANGE != 0 && !isDir && newIsDir && oldDir.nlink.Load() >= max:
		err = EMLINK
	default:
		// The source if it is not a directory, and the target (which
		// an exchange moves too) if it is not one.
		if !isDir {
			err = t.tryBreakDeleg(source, delegated)
		}
		if err == nil && target != nil && !newIsDir {
			err = t.tryBreakDeleg(target, delegated)
		}
		if err == nil {
			err = t.iopRename(oldDir, od, newDir, nd, flags)
		}
	}
	if err == nil {
		if target != nil && flags&RENAME_EXCHANGE == 0 {
			nd.flags.Or(DCACHE_CANT_MOUNT)
			if newIsDir {
				// As vfs_rmdir: prune what is cached below the
				// replaced directory before it is dead.
				shrinkDcacheParent(t, nd)
				t.markDead(target)
			}
		}
		if flags&RENAME_EXCHANGE != 0 {
			DExchange(t, od, nd)
		} else {
			DMove(t, od, nd)
		}
	}
	locked.unlock(t)
	return err
}

func (t *Task) markDead(in *Inode) {
	in.lock.Lock(t.o)
	in.state.Or(S_DEAD)
	in.lock.Unlock(t.o)
}

// lockRenameVictims takes the i_rwsem of every inode ->rename needs
// locked besides the parents and returns them in locking order.
func (t *Task) lockRenameVictims(source, target *Inode, cross bool, flags uint32) renameVictims {
	// At most two inodes: directories first, then non-directories in
	// inode-number order. Fixed arrays: a rename allocates nothing here.
	var dirs, nondirs [2]*Inode
	nd, nn := 0, 0
	add := func(in *Inode, isVictimDir bool) {
		if in == nil {
			return
		}
		if in.isDir() {
			if isVictimDir {
				dirs[nd] = in
				nd++
			}
			return
		}
		nondirs[nn] = in
		nn++
	}
	// The source directory is locked if it changes parent; a target
	// directory is locked as the victim (it is removed, or for an
	// exchange across directories it changes parent too).
	add(source, cross)
	add(target, flags&RENAME_EXCHANGE == 0 || cross)
	if nn == 2 && nondirs[1].ino < nondirs[0].ino {
		nondirs[0], nondirs[1] = nondirs[1], nondirs[0]
	}
	var out renameVictims
	sub := uint8(I_MUTEX_NORMAL)
	lock := func(in *Inode) {
		in.rwsem.LockNested(t.o, sub)
		out.in[out.n] = in
		out.n++
		sub = I_MUTEX_NONDIR2
	}
	for _, in := range dirs[:nd] {
		lock(in)
	}
	for _, in := range nondirs[:nn] {
		lock(in)
	}
	return out
}

// renameVictims are the inodes lockRenameVictims locked, in order.
type renameVictims struct {
	in [2]*Inode
	n  int
}

// unlock releases them in reverse order.
func (v *renameVictims) unlock(t *Task) {
	for i := v.n - 1; i >= 0; i-- {
		v.in[i].rwsem.Unlock(t.o)
	}
}
