package vfs

// Hooks for calling filesystem methods through their checking wrappers
// (calls.go) with whatever locks the caller chose, so that tests can make
// the mistakes the wrappers exist to catch.

// LookupDentryForTest resolves path to its dentry, holding a reference
// that PutPathForTest drops.
func (t *Task) LookupDentryForTest(path string) (Path, error) {
	return t.pathLookup(AT_FDCWD, path, 0)
}

// CallRenameForTest calls ->rename of oldDir through its wrapper.
func (t *Task) CallRenameForTest(oldDir *Inode, old *Dentry, newDir *Inode, nd *Dentry, flags uint32) error {
	return t.iopRename(oldDir, old, newDir, nd, flags)
}

// CallUnlinkForTest calls ->unlink of dir through its wrapper.
func (t *Task) CallUnlinkForTest(dir *Inode, d *Dentry) error { return t.iopUnlink(dir, d) }

// RenameMutexLockForTest takes s_vfs_rename_mutex of sb.
func (sb *SuperBlock) RenameMutexLockForTest(t *Task) { sb.renameMutex.Lock(t.o) }

// RenameMutexUnlockForTest releases it.
func (sb *SuperBlock) RenameMutexUnlockForTest(t *Task) { sb.renameMutex.Unlock(t.o) }

// RwsemLockNestedForTest takes i_rwsem exclusive with a subclass.
func (i *Inode) RwsemLockNestedForTest(t *Task, sub uint8) { i.rwsem.LockNested(t.o, sub) }

// CallDeleteForTest calls ->d_delete of d through its wrapper.
func (t *Task) CallDeleteForTest(d *Dentry) bool { return t.dopDelete(d) }

// CallRevalidateForTest calls ->d_revalidate of d in ref-walk through
// its wrapper.
func (t *Task) CallRevalidateForTest(d *Dentry) (int, error) { return t.dopRevalidate(d, 0) }

// CallSyncFSForTest calls ->sync_fs of sb through its wrapper.
func (t *Task) CallSyncFSForTest(sb *SuperBlock) error { return t.sopSyncFS(sb, true) }

// CallPutSuperForTest calls ->put_super of sb through its wrapper.
func (t *Task) CallPutSuperForTest(sb *SuperBlock) { t.sopPutSuper(sb) }

// DLockForTest takes d->d_lock.
func (d *Dentry) DLockForTest(t *Task) { d.lock.Lock(t.o) }

// DUnlockForTest releases it.
func (d *Dentry) DUnlockForTest(t *Task) { d.lock.Unlock(t.o) }

// UmountLockForTest takes s_umount, shared or exclusive.
func (sb *SuperBlock) UmountLockForTest(t *Task, shared bool) {
	if shared {
		sb.umount.RLock(t.o)
	} else {
		sb.umount.Lock(t.o)
	}
}

// UmountUnlockForTest releases what UmountLockForTest took.
func (sb *SuperBlock) UmountUnlockForTest(t *Task, shared bool) {
	if shared {
		sb.umount.RUnlock(t.o)
	} else {
		sb.umount.Unlock(t.o)
	}
}

// RenameLockWriteForTest takes rename_lock's write side.
func (v *VFS) RenameLockWriteForTest(t *Task) { v.renameLock.WriteLock(t.o) }

// RenameUnlockWriteForTest releases it.
func (v *VFS) RenameUnlockWriteForTest(t *Task) { v.renameLock.WriteUnlock(t.o) }
