package vfs

// SpliceAliasInto runs d_splice_alias as a ->lookup of name in the
// directory dir would, with the inode of the directory found at target:
// a new dentry for name under dir, DSpliceAlias, and the result put.
// The caller holds no locks; dir's i_rwsem is taken shared, as around
// ->lookup.
func SpliceAliasInto(t *Task, dir, name, target string) error {
	tp, err := t.pathLookup(AT_FDCWD, target, 0)
	if err != nil {
		return err
	}
	in := tp.Dentry.inode.Load()
	ihold(in)
	tp.Put(t)
	dp, err := t.pathLookup(AT_FDCWD, dir, LOOKUP_DIRECTORY)
	if err != nil {
		iput(t, in)
		return err
	}
	defer dp.Put(t)
	d, err := dAlloc(t, dp.Dentry.sb, dp.Dentry, QStr{Name: name, Hash: dp.Dentry.sb.vfs.hashName(name)})
	if err != nil {
		iput(t, in)
		return err
	}
	dirIn := dp.Dentry.inode.Load()
	dirIn.rwsem.RLock(t.o)
	alias, err := DSpliceAlias(t, in, d)
	dirIn.rwsem.RUnlock(t.o)
	if alias != nil {
		dput(t, alias)
	}
	dput(t, d)
	return err
}
