package vfs

// inodePermission is inode_permission(): a read-only superblock refuses
// writes to files, directories and symlinks; then ->permission or the
// mode bits decide.
func (t *Task) inodePermission(in *Inode, mask int) error {
	if mask&MAY_WRITE != 0 {
		m := in.mode.Load()
		if in.sb.ReadOnly() && (IsReg(m) || IsDir(m) || IsLnk(m)) {
			return EROFS
		}
	}
	if in.Ops != nil && in.Ops.Permission != nil {
		return t.iopPermission(in, mask)
	}
	if e := t.cred.genericPermission(in.mode.Load(), in.uid.Load(), in.gid.Load(), mask); e != 0 {
		return e
	}
	return nil
}

// GenericPermission is generic_permission() for filesystems whose
// ->permission adds to the mode bits.
func (t *Task) GenericPermission(in *Inode, mask int) error {
	if e := t.cred.genericPermission(in.mode.Load(), in.uid.Load(), in.gid.Load(), mask); e != 0 {
		return e
	}
	return nil
}

// isDeadDir is IS_DEADDIR(): a removed directory takes no new entries.
func isDeadDir(in *Inode) bool { return in.isDir() && in.nlink.Load() == 0 }

// mayCreate is may_create(): the child must not exist; the directory
// must be alive and writable and searchable.
func (t *Task) mayCreate(dir *Inode, child *Dentry) error {
	return t.mayCreateIn(dir, child, true)
}

// mayCreateIn is mayCreate; perm false skips the permission check, for a
// caller that has just made it on dir (see sameDirPermitted).
func (t *Task) mayCreateIn(dir *Inode, child *Dentry, perm bool) error {
	if child.inode.Load() != nil {
		return EEXIST
	}
	if isDeadDir(dir) {
		return ENOENT
	}
	if !perm {
		return nil
	}
	return t.inodePermission(dir, MAY_WRITE|MAY_EXEC)
}

// sameDirPermitted reports whether a permission check of MAY_WRITE |
// MAY_EXEC on dir that has just passed stands for a second one in the
// same operation: dir has no ->permission (the mode bits, owner and
// group decide, and whoever changes them takes dir's i_rwsem, which the
// caller holds exclusive), so the second would give the same answer.
// Linux's vfs_rename asks may_delete and may_create each; a filesystem's
// ->permission is still asked twice.
func sameDirPermitted(dir *Inode) bool { return dir.Ops == nil || dir.Ops.Permission == nil }

// checkSticky is check_sticky(): in a sticky directory only the owner of
// the file or of the directory (or CAP_FOWNER) may remove or rename it.
func (t *Task) checkSticky(dir, in *Inode) bool {
	if dir.mode.Load()&S_ISVTX == 0 {
		return false
	}
	c := t.cred
	return c.UID != in.uid.Load() && c.UID != dir.uid.Load() && !c.capable()
}

// mayDelete is may_delete(): victim exists, the directory is writable
// and searchable, the sticky bit allows it, types agree, and it is not a
// root or in use as a mountpoint.
func (t *Task) mayDelete(dir *Inode, victim *Dentry, isdir bool) error {
	return t.mayDeleteIn(dir, victim, isdir, true)
}

// mayDeleteIn is mayDelete; perm false skips the permission check, as
// mayCreateIn's does.
func (t *Task) mayDeleteIn(dir *Inode, victim *Dentry, isdir, perm bool) error {
	in := victim.inode.Load()
	if in == nil {
		return ENOENT
	}
	if perm {
		if err := t.inodePermission(dir, MAY_WRITE|MAY_EXEC); err != nil {
			return err
		}
	}
	if t.checkSticky(dir, in) {
		return EPERM
	}
	if isdir {
		if !in.isDir() {
			return ENOTDIR
		}
		if victim.IsRoot() {
			return EBUSY
		}
	} else if in.isDir() {
		return EISDIR
	}
	if isDeadDir(dir) {
		return ENOENT
	}
	return nil
}

// isMountpoint is d_mountpoint() / is_local_mountpoint().
func isMountpoint(d *Dentry) bool { return d.flags.Load()&DCACHE_MOUNTED != 0 }
