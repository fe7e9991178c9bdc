package vfs

// PutMntNS is put_mnt_ns() for the VFS's one mount namespace, called when
// its last user has gone: the whole mount tree, the root mount included,
// is detached as umount_tree() does for free_mnt_ns (no busy check), and
// each mount dies with its last reference. A superblock whose last mount
// dies is killed (->kill_sb: sync, its inodes evicted, their pages back
// in the process's pool of free pages, as Linux's go back to the page
// allocator), so that a VFS given up by its application returns its
// memory at once instead of leaving it to the collector.
//
// A task that still holds a path (its root or working directory) or an
// open file keeps that mount, and so its superblock, until it lets go, as
// a lazily unmounted tree does: callers exit their tasks first. After
// PutMntNS the namespace has no root: new tasks get none, and MountRoot
// may mount another. Safe to call more than once.
func (v *VFS) PutMntNS() {
	t := v.newKthread("put_mnt_ns")
	defer func() {
		if v.validator != nil {
			v.validator.Forget(t.o)
		}
	}()
	v.namespaceSem.Lock(t.o)
	root := v.root.Load()
	if root == nil {
		v.namespaceSem.Unlock(t.o)
		return
	}
	// A root that umount2(MNT_DETACH) took off has gone with its tree
	// already.
	var drop []*Mount
	if root.attached.Load() {
		t.umountTree(root, &drop)
	}
	v.root.Store(nil)
	v.namespaceSem.Unlock(t.o)
	// namespace_unlock: the tree's references go after namespace_sem,
	// since a last put kills a superblock under s_umount.
	putMounts(t, drop)
}
