package vfs

import (
	"strings"

	"github.com/vfscope/vfscope/vfs/trace"
)

// Mount is mount(2): a new mount, a bind mount (MS_BIND, MS_REC), or a
// remount (MS_REMOUNT, with MS_BIND for the per-mount flags only).
// Errors come in do_mount's order: the target's lookup, then
// path_mount's EINVAL for MS_NOUSER (a flag only the kernel's own
// mounts carry), then EPERM.
func (t *Task) Mount(source, target, fstype string, flags uint32, data string) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("mount"))
	}
	// The kernel copies the type, source and options as C strings
	// (copy_mount_string, copy_mount_options) before the lookup: a NUL
	// inside would cut them short, or end up in /proc/mounts.
	if strings.IndexByte(source, 0) >= 0 || strings.IndexByte(fstype, 0) >= 0 || strings.IndexByte(data, 0) >= 0 {
		return EINVAL
	}
	tp, err := t.pathLookup(AT_FDCWD, target, LOOKUP_FOLLOW)
	if err != nil {
		return err
	}
	defer tp.Put(t)
	if flags&MS_MGC_MSK == MS_MGC_VAL {
		flags &^= MS_MGC_MSK
	}
	if flags&MS_NOUSER != 0 {
		return EINVAL
	}
	if !t.cred.capable() {
		return EPERM
	}
	switch {
	case flags&MS_REMOUNT != 0:
		return t.doRemount(tp, flags, data)
	case flags&MS_BIND != 0:
		return t.doLoopback(tp, source, flags)
	case flags&(MS_SHARED|MS_PRIVATE|MS_SLAVE|MS_UNBINDABLE) != 0:
		return t.doChangeType(tp, flags)
	case flags&MS_MOVE != 0:
		return t.doMoveMount(tp, source)
	}
	return t.doNewMount(tp, fstype, source, flags, data)
}

// doChangeType is do_change_type(): EINVAL unless tp is a mount's root
// and flags name one propagation type (with MS_REC, MS_SILENT). vfscope
// has no mount propagation: every mount is private, so MS_PRIVATE
// changes nothing and MS_SLAVE (a slave of no master is private, as
// Linux makes a private mount that is asked to be a slave) neither.
// MS_SHARED and MS_UNBINDABLE would need what vfscope does not keep
// (peer groups, a copy that skips unbindable mounts): EINVAL, the
// errno Linux gives a propagation change it refuses, rather than a
// success that would claim them.
func (t *Task) doChangeType(tp Path, flags uint32) error {
	if tp.Dentry != tp.Mnt.root {
		return EINVAL
	}
	typ := flags &^ (MS_REC | MS_SILENT)
	if typ&^(MS_SHARED|MS_PRIVATE|MS_SLAVE|MS_UNBINDABLE) != 0 || typ&(typ-1) != 0 {
		return EINVAL
	}
	v := t.vfs
	v.namespaceSem.Lock(t.o)
	defer v.namespaceSem.Unlock(t.o)
	if !tp.Mnt.attached.Load() { // check_mnt
		return EINVAL
	}
	if typ == MS_SHARED || typ == MS_UNBINDABLE {
		return EINVAL
	}
	return nil
}

// msSBMask is the mount(2) flags path_mount passes on to the superblock
// (sb_flags): MS_NOSUID, MS_NODEV and MS_NOEXEC are per-mount only.
const msSBMask = SB_RDONLY | SB_SYNCHRONOUS | SB_DIRSYNC | SB_SILENT | SB_LAZYTIME

// msRmtMask is MS_RMT_MASK: the superblock flags a remount changes,
// the others (MS_DIRSYNC among them) keeping what the mount set.
// MS_MANDLOCK and MS_I_VERSION, its other bits, are not kept by
// vfscope's superblocks.
const msRmtMask = SB_RDONLY | SB_SYNCHRONOUS | SB_LAZYTIME

// doNewMount is do_new_mount(): ->mount, then attach on top of whatever
// is mounted at the target (lock_mount).
func (t *Task) doNewMount(tp Path, fstype, source string, flags uint32, data string) error {
	if fstype == "" {
		return EINVAL
	}
	fst, err := t.vfs.getFSType(t, fstype)
	if err != nil {
		return err
	}
	sbFlags := flags & msSBMask
	root, err := t.fstMount(fst, sbFlags, source, data)
	if err != nil {
		return err
	}
	root.sb.umount.Unlock(t.o)
	m := t.newMount(root, mntFlagsFromMS(flags), source)
	if err := t.graftTree(m, tp, nil); err != nil {
		m.doomed.Store(true)
		mntget(m)
		mntput(t, m)
		return err
	}
	return nil
}

// KernMount is vfs_kern_mount(): mount a filesystem of type fstype
// without attaching it anywhere. A filesystem's ->d_automount returns such
// a mount for the VFS to attach (finish_automount); nothing else can make
// one from outside this package.
func (t *Task) KernMount(fstype, source string, flags uint32, data string) (*Mount, error) {
	fst, err := t.vfs.getFSType(t, fstype)
	if err != nil {
		return nil, err
	}
	sbFlags := flags & msSBMask
	root, err := t.fstMount(fst, sbFlags, source, data)
	if err != nil {
		return nil, err
	}
	root.sb.umount.Unlock(t.o)
	return t.newMount(root, mntFlagsFromMS(flags), source), nil
}

// graftTree is lock_mount() + graft_tree(): attach m on the topmost
// mount at tp. A bind passes its source mount, src: EINVAL if it is no
// longer attached (do_loopback's check_mnt, made under namespace_sem so
// that an umount cannot come between the check and the graft).
func (t *Task) graftTree(m *Mount, tp Path, src *Mount) error {
	v := t.vfs
	v.namespaceSem.Lock(t.o)
	defer v.namespaceSem.Unlock(t.o)
	return t.graftTreeLocked(m, tp, src)
}

// graftTreeLocked is graftTree with namespaceSem held for write. m may
// carry copies linked below it (doLoopback's copy_tree): they are
// attached with it, in the same mountLock section.
func (t *Task) graftTreeLocked(m *Mount, tp Path, src *Mount) error {
	v := t.vfs
	if src != nil && !src.attached.Load() {
		return EINVAL
	}
	if m.root.sb.flags.Load()&SB_NOUSER != 0 {
		return EINVAL // graft_tree: a kernel-internal superblock
	}
	mnt, d, err := t.lockMountTarget(tp)
	if err != nil {
		return err
	}
	if IsDir(d.inode.Load().mode.Load()) != IsDir(m.root.inode.Load().mode.Load()) {
		return ENOTDIR
	}
	v.attachMount(t, m, mnt, d)
	return nil
}

// lockMountTarget is lock_mount()'s choice of where to attach: the
// topmost mount at tp and its root. ENOENT if that directory is dead
// (cant_mount, or unlinked), EINVAL if its mount is not in the tree
// (check_mnt: a lazily detached mount). namespaceSem held for write.
func (t *Task) lockMountTarget(tp Path) (*Mount, *Dentry, error) {
	v := t.vfs
	mnt, d := tp.Mnt, tp.Dentry
	for top := v.lookupMnt(mnt, d); top != nil; top = v.lookupMnt(mnt, d) {
		mnt, d = top, top.root
	}
	if d.flags.Load()&DCACHE_CANT_MOUNT != 0 || !d.IsRoot() && !d.hashed() {
		return nil, nil, ENOENT
	}
	if !mnt.attached.Load() {
		return nil, nil, EINVAL
	}
	return mnt, d, nil
}

// doLoopback is do_loopback(): bind the tree at source (and, with
// MS_REC, every mount below it) at the target. As copy_tree() does, the
// copy is built whole before anything of it is attached: the copies of
// the submounts are linked below the copy of the root, where no walk
// can reach them, and graftTreeLocked then makes the whole copy
// reachable at once. The mounts to copy are listed from the source's
// tree as it was before the graft: a bind into the source's own subtree
// must not copy the copy. A failed graft drops the copy, none of which
// was ever visible.
func (t *Task) doLoopback(tp Path, source string, flags uint32) error {
	if source == "" {
		return EINVAL
	}
	sp, err := t.pathLookup(AT_FDCWD, source, LOOKUP_FOLLOW)
	if err != nil {
		return err
	}
	defer sp.Put(t)
	v := t.vfs
	m := t.cloneMount(sp.Mnt, sp.Dentry)
	v.namespaceSem.Lock(t.o)
	if flags&MS_REC != 0 {
		subs := collectSubmounts(sp.Mnt, sp.Dentry, -1, nil)
		clones := make([]*Mount, len(subs))
		for i, s := range subs {
			parent := m
			if s.parent >= 0 {
				parent = clones[s.parent]
			}
			clones[i] = t.cloneMount(s.src, s.src.root)
			linkCopy(clones[i], parent, s.src.mountpoint.Load())
		}
	}
	if err := t.graftTreeLocked(m, tp, sp.Mnt); err != nil {
		v.namespaceSem.Unlock(t.o)
		dropDetachedTree(t, m)
		return err
	}
	v.namespaceSem.Unlock(t.o)
	return nil
}

// cloneMount is clone_mnt(): a new mount of the same superblock rooted
// at root.
func (t *Task) cloneMount(old *Mount, root *Dentry) *Mount {
	old.sb.active.Add(1)
	return t.newMount(dget(root), old.flags.Load()&^MNT_WRITE_HOLD, old.devName)
}

// submount is one mount copy_tree() copies: src, to be linked below
// the copy of the mount at index parent of the list (-1: the copy of
// the tree's root).
type submount struct {
	src    *Mount
	parent int
}

// collectSubmounts appends, parents before children, every mount below
// (src, root) to subs: copy_tree()'s walk, made before anything is
// copied. namespaceSem held.
func collectSubmounts(src *Mount, root *Dentry, parent int, subs []submount) []submount {
	for _, c := range src.children {
		if !IsAncestor(c.mountpoint.Load(), root) {
			continue
		}
		subs = append(subs, submount{c, parent})
		subs = collectSubmounts(c, c.root, len(subs)-1, subs)
	}
	return subs
}

// doMoveMount is do_move_mount(): move the mount whose root is source to
// the target; ELOOP if the target lies inside it.
func (t *Task) doMoveMount(tp Path, source string) error {
	sp, err := t.pathLookup(AT_FDCWD, source, LOOKUP_FOLLOW)
	if err != nil {
		return err
	}
	defer sp.Put(t)
	m := sp.Mnt
	v := t.vfs
	if sp.Dentry != m.root || m == v.root.Load() {
		return EINVAL
	}
	var drop []*Mount
	v.namespaceSem.Lock(t.o)
	defer func() {
		v.namespaceSem.Unlock(t.o)
		putMounts(t, drop)
	}()
	if !m.attached.Load() { // attached changes under namespace_sem
		return EINVAL
	}
	// The target must be in the tree too (check_mnt of the target's
	// mount): a move onto a lazily detached mount would strand m.
	mnt, d, err := t.lockMountTarget(tp)
	if err != nil {
		return err
	}
	if IsDir(d.inode.Load().mode.Load()) != IsDir(m.root.inode.Load().mode.Load()) {
		return ENOTDIR
	}
	// ELOOP if m is the mount it would hang on or one of its
	// ancestors, looked for from the mount lock_mount chose: the
	// topmost at the target, which may be m itself (m covering the
	// directory a working directory names) or a mount above it.
	for p := mnt; ; p = p.parent.Load() {
		if p == m {
			return ELOOP
		}
		if p.parent.Load() == p {
			break
		}
	}
	// Off the old place and onto the new one in one mountLock
	// section (attach_recursive_mnt with moving set); the references
	// the old place held go once namespace_sem is released.
	dput(t, v.moveMount(t, m, mnt, d, &drop))
	return nil
}

// doRemount is do_remount() / do_reconfigure_mnt().
func (t *Task) doRemount(tp Path, flags uint32, data string) error {
	m := tp.Mnt
	// check_mnt, then path_mounted: a mount out of the tree (lazily
	// detached; a task may still stand in it) is not remounted, nor is
	// a path that is not a mount's root.
	if !m.attached.Load() || tp.Dentry != m.root {
		return EINVAL
	}
	v := t.vfs
	if flags&MS_BIND != 0 {
		// Per-mount flags only (do_reconfigure_mnt): under the
		// superblock's s_umount, as a remount of the superblock, and
		// mount_lock (lock_mount_hash) inside it.
		m.sb.umount.Lock(t.o)
		defer m.sb.umount.Unlock(t.o)
		v.mountLock.WriteLock(t.o)
		defer v.mountLock.WriteUnlock(t.o)
		nf := remountMntFlags(m, flags)
		if nf&MNT_READONLY != 0 && m.flags.Load()&MNT_READONLY == 0 {
			// mnt_make_readonly: hold the writers (a writer that
			// comes now waits for the hold to go, then sees the
			// answer), count them, and make the mount read-only only
			// if there are none, so that a remount that fails never
			// shows a writer a read-only mount.
			m.flags.Or(MNT_WRITE_HOLD)
			if m.writers.Load() > 0 {
				m.flags.And(^uint32(MNT_WRITE_HOLD))
				return EBUSY
			}
			m.flags.Or(MNT_READONLY)
			m.flags.And(^uint32(MNT_WRITE_HOLD))
		}
		m.flags.Store(nf)
		v.evMount(t, trace.MountChange, m)
		return nil
	}
	sb := m.sb
	sb.umount.Lock(t.o)
	defer sb.umount.Unlock(t.o)
	if err := t.reconfigureSuper(sb, flags&msSBMask, msRmtMask, data); err != nil {
		return err
	}
	// set_mount_attributes: the mount's own flags, MNT_READONLY with
	// MS_RDONLY included.
	v.mountLock.WriteLock(t.o)
	m.flags.Store(remountMntFlags(m, flags))
	v.mountLock.WriteUnlock(t.o)
	v.evMount(t, trace.MountChange, m)
	return nil
}

// reconfigureSuper is reconfigure_super(): change the bits of mask in
// sb's flags to those of sbFlags, with ->remount_fs given data. A
// change to read-only first checks that nothing writes
// (sb_prepare_remount_readonly) and syncs. sb.umount held for write.
func (t *Task) reconfigureSuper(sb *SuperBlock, sbFlags, mask uint32, data string) error {
	// A frozen superblock keeps its state until the thaw, which must
	// release what the freeze took.
	if sb.frozen.Load() != SB_UNFROZEN {
		return EBUSY
	}
	switch {
	case mask&sbFlags&SB_RDONLY != 0 && !sb.ReadOnly():
		// sb_prepare_remount_readonly: no writer on any mount of the
		// superblock, no unlinked inode in use.
		if err := t.sbPrepareRemountReadonly(sb); err != nil {
			return err
		}
		syncFilesystem(t, sb)
	case mask&SB_RDONLY != 0 && sbFlags&SB_RDONLY == 0 && sb.ReadOnly():
		sb.readonlyRemount.Store(true) // sb_start_ro_state_change
	}
	if sb.Ops != nil && sb.Ops.RemountFS != nil {
		if err := t.sopRemountFS(sb, &sbFlags, data); err != nil {
			sb.readonlyRemount.Store(false)
			return err
		}
	} else if data != "" {
		sb.readonlyRemount.Store(false)
		return EINVAL
	}
	sb.flags.Store(sb.flags.Load()&^mask | sbFlags&mask)
	sb.readonlyRemount.Store(false) // sb_end_ro_state_change
	return nil
}

// umountRoot is do_umount_root(): umount2 without MNT_DETACH of the
// mount the task's root is in cannot take that mount away from under
// it, and remounts its superblock read-only instead (what shutdown
// scripts rely on), with the EBUSY of a remount if something writes.
func (t *Task) umountRoot(sb *SuperBlock) error {
	sb.umount.Lock(t.o)
	defer sb.umount.Unlock(t.o)
	if sb.ReadOnly() {
		return nil
	}
	return t.reconfigureSuper(sb, SB_RDONLY, SB_RDONLY, "")
}

// Umount2 is umount2(2): MNT_FORCE, MNT_DETACH, MNT_EXPIRE,
// UMOUNT_NOFOLLOW. Errors come in Linux's order: unknown flags
// (ksys_umount), the lookup, then can_umount (EPERM, EINVAL), then
// do_umount (MNT_EXPIRE's EINVAL, EBUSY, EAGAIN). Without MNT_DETACH,
// the mount that holds the task's root is remounted read-only instead
// (do_umount_root).
func (t *Task) Umount2(target string, flags int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("umount2"))
	}
	if flags&^(MNT_FORCE|MNT_DETACH|MNT_EXPIRE|UMOUNT_NOFOLLOW) != 0 {
		return EINVAL
	}
	// ksys_umount: LOOKUP_MOUNTPOINT, so that "." or "/" names the
	// mount stacked on top of the directory, not the directory.
	lf := uint32(LOOKUP_MOUNTPOINT | LOOKUP_FOLLOW)
	if flags&UMOUNT_NOFOLLOW != 0 {
		lf = LOOKUP_MOUNTPOINT
	}
	p, err := t.pathLookup(AT_FDCWD, target, lf)
	if err != nil {
		return err
	}
	// path_umount: not path_put, which would clear the expiry mark.
	err = t.pathUmount(p, flags)
	dput(t, p.Dentry)
	mntputNoExpire(t, p.Mnt)
	return err
}

// pathUmount is can_umount() + do_umount() for the mount at p, which
// the caller holds.
func (t *Task) pathUmount(p Path, flags int) error {
	if !t.cred.capable() {
		return EPERM
	}
	m := p.Mnt
	if p.Dentry != m.root || !m.attached.Load() {
		return EINVAL
	}
	if flags&MNT_EXPIRE != 0 && (m == t.fs.root.Mnt || flags&(MNT_FORCE|MNT_DETACH) != 0) {
		return EINVAL
	}
	if flags&MNT_FORCE != 0 && m.sb.Ops != nil && m.sb.Ops.UmountBegin != nil {
		t.sopUmountBegin(m.sb)
	}
	if m == t.fs.root.Mnt && flags&MNT_DETACH == 0 {
		return t.umountRoot(m.sb)
	}
	// With MNT_DETACH, or from a task whose root is elsewhere, even the
	// namespace's root mount goes (umount_tree): a task standing in
	// the tree keeps it, as a lazily detached one.
	//
	// The checks and the detach are one mountLock write section, as
	// do_umount's lock_mount_hash(): a lock-free walk that takes a
	// reference on m after the count is read fails legitimizeMnt's
	// sequence check and walks again, finding m gone, instead of
	// keeping a reference on a mount umount said was idle.
	var drop []*Mount
	err := t.umountChecked(m, flags, &drop)
	putMounts(t, drop)
	return err
}

// umountChecked is do_umount()'s section under namespace_sem and
// mount_lock: check again that m is attached, then whether it is busy,
// then detach it. The tree's references are appended to drop, for the
// caller to put with neither lock held.
func (t *Task) umountChecked(m *Mount, flags int, drop *[]*Mount) error {
	v := t.vfs
	v.namespaceSem.Lock(t.o)
	defer v.namespaceSem.Unlock(t.o)
	v.mountLock.WriteLock(t.o)
	defer v.mountLock.WriteUnlock(t.o)
	// Another umount may have detached it since the check above
	// (do_umount looks again under namespace_sem).
	if !m.attached.Load() {
		return EINVAL
	}
	// Busy: any reference beyond the tree's and this lookup's, which
	// includes child mounts, open files, working directories and walks
	// that have validated theirs.
	busy := m.refs() > 2
	if flags&MNT_EXPIRE != 0 {
		if busy {
			return EBUSY
		}
		// The mark survives until the next mntput: a use of the
		// mount between two MNT_EXPIREs clears it.
		if !m.setExpiry() {
			return EAGAIN
		}
	}
	if busy && flags&MNT_DETACH == 0 {
		return EBUSY
	}
	t.umountTreeLocked(m, drop)
	return nil
}

// umountTree is umount_tree(): detach m and every mount below it, in
// one mountLock write section and one mount table. namespaceSem held
// for write.
func (t *Task) umountTree(m *Mount, drop *[]*Mount) {
	v := t.vfs
	v.mountLock.WriteLock(t.o)
	t.umountTreeLocked(m, drop)
	v.mountLock.WriteUnlock(t.o)
}

// umountTreeLocked is umountTree with mountLock held for write.
func (t *Task) umountTreeLocked(m *Mount, drop *[]*Mount) {
	t.vfs.detachMountLocked(t, []*Mount{m}, drop)
}

// umountTreesLocked is detach_mounts' umount_tree of each of roots, in
// their order, in one mount table (see detachMountLocked); a root below
// an earlier one goes with that one's tree. namespaceSem and mountLock
// held for write.
func (t *Task) umountTreesLocked(roots []*Mount, drop *[]*Mount) {
	t.vfs.detachMountLocked(t, roots, drop)
}
