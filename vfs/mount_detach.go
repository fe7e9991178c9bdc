package vfs

// detachMountsBelow is the mount half of d_invalidate(): its d_walk with
// find_submount, and detach_mounts() on each victim. Every mount whose
// mountpoint is d or below it, in whichever mount of d's superblock it
// hangs, is detached as umount -l does (umount_tree, with the mounts
// stacked on it), so a stale directory such as /proc/<pid> of a task
// that ended does not keep them, and they do not pin the filesystem
// they hang in. The tree's references go after namespaceSem, as
// namespace_unlock puts them.
//
// Where Linux walks d's cached subtree looking for DCACHE_MOUNTED, this
// walks the mount list (a handful of mounts, against a subtree that may
// be large) and asks whether each mountpoint lies below d; rename_lock's
// sequence makes that ancestry a snapshot, as in is_subdir.
func (t *Task) detachMountsBelow(d *Dentry) {
	v := t.vfs
	if !mountpointOnSB(v.mounts.Load(), d.sb) {
		return
	}
	v.namespaceSem.Lock(t.o)
	var victims []*Mount
	for {
		seq := v.renameLock.ReadBeginBy(t.o)
		victims = victims[:0]
		for _, m := range v.mounts.Load().list {
			mp := m.mountpoint.Load()
			if m.parent.Load() != m && mp.sb == d.sb && IsAncestor(mp, d) {
				victims = append(victims, m)
			}
		}
		if !v.renameLock.ReadRetry(seq) {
			break
		}
	}
	// Every victim's tree leaves in one mountLock section and one mount
	// table, so a reader of the table never sees one victim gone and
	// another still there. Linux's detach_mounts unhashes the mounts
	// on one victim dentry in one lock_mount_hash() section, and
	// d_invalidate calls it once per mountpoint it finds, so a reader
	// there may see the invalidation between two mountpoints; every
	// table this publishes is one Linux may show too, and none is
	// half of one. A victim mounted inside another goes with it, once.
	var drop []*Mount
	if len(victims) > 0 {
		v.mountLock.WriteLock(t.o) // detach_mounts' lock_mount_hash
		t.umountTreesLocked(victims, &drop)
		v.mountLock.WriteUnlock(t.o)
	}
	v.namespaceSem.Unlock(t.o)
	putMounts(t, drop)
}

// mountpointOnSB reports whether any mount in mt hangs on a dentry of
// sb: most invalidations have nothing to detach, and this spares them
// namespaceSem.
func mountpointOnSB(mt *mountTable, sb *SuperBlock) bool {
	for _, m := range mt.list {
		if m.parent.Load() != m && m.mountpoint.Load().sb == sb {
			return true
		}
	}
	return false
}
