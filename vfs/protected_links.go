package vfs

// fs.protected_hardlinks (fs/namei.c: sysctl_protected_hardlinks,
// may_linkat, safe_hardlink_source). With it set, a task that neither
// owns a file nor has CAP_FOWNER (root here) may hardlink it only if it
// is a "safe" source: a regular file, not set-user-ID, not set-group-ID
// with group execute, that the task may both read and write. The
// kernel's built-in default is 0; systemd's 50-default.conf sets 1.

// ProtectedHardlinks returns fs.protected_hardlinks (0 or 1).
func (v *VFS) ProtectedHardlinks() int64 { return int64(v.protectedHardlinks.Load()) }

// SetProtectedHardlinks sets fs.protected_hardlinks. Errors: EINVAL for
// a value other than 0 or 1 (proc_dointvec_minmax with extra1 0 and
// extra2 1); nothing changes then.
func (v *VFS) SetProtectedHardlinks(n int64) error {
	if n < 0 || n > 1 {
		return EINVAL
	}
	v.protectedHardlinks.Store(int32(n))
	return nil
}

// mayLinkat is may_linkat(): EPERM when protected_hardlinks is set and
// the task neither owns the source, nor is capable, nor has a safe
// source. Asked by linkat after the new name's lookup and EXDEV, before
// vfs_link.
func (t *Task) mayLinkat(old Path) error {
	if t.vfs.protectedHardlinks.Load() == 0 {
		return nil
	}
	in := old.Dentry.inode.Load()
	if in == nil {
		return nil // vfs_link reports the vanished source (ENOENT)
	}
	if t.cred.ownerOrCapable(in.uid.Load()) || t.safeHardlinkSource(in) {
		return nil
	}
	return EPERM
}

// safeHardlinkSource is safe_hardlink_source().
func (t *Task) safeHardlinkSource(in *Inode) bool {
	m := in.mode.Load()
	switch {
	case !IsReg(m): // special files should not get pinned to the filesystem
		return false
	case m&S_ISUID != 0:
		return false
	case m&(S_ISGID|S_IXGRP) == S_ISGID|S_IXGRP:
		return false
	}
	// Hardlinking to unreadable or unwritable sources is dangerous.
	return t.inodePermission(in, MAY_READ|MAY_WRITE) == nil
}
