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
