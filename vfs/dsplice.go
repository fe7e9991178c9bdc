package vfs

// DSpliceAlias is d_splice_alias(): how a ->lookup that found inode (nil:
// nothing there) ends. It consumes the caller's reference on inode.
//
// A directory has at most one dentry. If inode is a directory that has
// one already (an alias the dcache kept while the name it stood for
// changed under the VFS: a host directory renamed outside, a rename
// whose record a filesystem wrote but reported as failed, a dentry
// ->d_revalidate dropped while a task still stood in it), that alias is
// moved to d's name and parent and returned with a reference: ->lookup
// returns it, and the VFS walks on through it and puts d. Otherwise d is
// bound to inode and hashed (d_add), and nil is returned.
//
// Moving the alias to another parent takes s_vfs_rename_mutex and the
// alias's parent's i_rwsem shared, as a rename would; they are only
// tried (the caller holds d's parent's i_rwsem, after which they come in
// the lock order), and when either is busy the lookup fails with ESTALE,
// as __d_unalias does. An alias that is an ancestor of d (a directory
// found inside itself) is ELOOP.
func DSpliceAlias(t *Task, inode *Inode, d *Dentry) (*Dentry, error) {
	if inode == nil || !inode.isDir() {
		DAdd(t, d, inode)
		return nil, nil
	}
	o := t.owner()
	inode.lock.Lock(o)
	alias := inode.aliases
	if alias == nil {
		inode.lock.Unlock(o)
		DAdd(t, d, inode)
		return nil, nil
	}
	// Under i_lock the alias is not being killed (dentryKillLocked
	// holds i_lock from before it marks the dentry dead until it is
	// off the list, and re-checks the count when it had to wait for
	// i_lock), so a reference keeps it.
	dgetTask(t, alias)
	inode.lock.Unlock(o)
	iput(t, inode) // the alias holds the inode

	if err := dUnalias(t, alias, d); err != nil {
		dput(t, alias)
		return nil, err
	}
	return alias, nil
}

// dUnalias is __d_unalias() with d_splice_alias's ancestor test: move
// alias to d's place, taking what a rename across the two parents takes.
func dUnalias(t *Task, alias, d *Dentry) error {
	newParent := d.parent.Load()
	oldParent := alias.parent.Load()
	if oldParent == newParent {
		// A move within one directory needs no more locks and cannot
		// make a loop (alias is d's sibling).
		dMove(t, alias, d, false)
		return nil
	}
	sb := d.sb
	if !sb.renameMutex.TryLock(t.o) {
		return ESTALE
	}
	defer sb.renameMutex.Unlock(t.o)
	// With s_vfs_rename_mutex held no directory changes parent
	// (cross-directory renames and moves take it), so the ancestry
	// below stays as tested.
	if alias.IsRoot() || dAncestor(alias, d) != nil {
		return ELOOP
	}
	oldParent = alias.parent.Load()
	dir := oldParent.inode.Load()
	if !dir.rwsem.TryRLock(t.o) {
		return ESTALE
	}
	defer dir.rwsem.RUnlock(t.o)
	dMove(t, alias, d, false)
	return nil
}
