package vfs

import (
	"strings"

	"github.com/vfscope/vfscope/vfs/lock"
)

// The wrappers through which the VFS calls filesystem methods. With lock
// validation off each costs one branch (t.checking()) and, where the
// profile-guided build finds the call hot, inlines into its caller (a
// branch and two calls are more than the inliner's plain budget); with
// it on, each asserts its locking.rst row
// (locking_rules.go), counts it as reached, and runs a method that must
// not block inside a no-block section (checked, at the end of the file).

// subjects names the objects a row's columns refer to.
type subjects struct {
	inode  *Inode // i_rwsem(inode): the inode the method is called on
	victim *Inode // the "(both)" inode
	d      *Dentry
	iLock  *Inode
	sb     *SuperBlock
	folio  *Folio        // the folio of an address_space_operations row
	m      *AddressSpace // its mapping (i_rwsem of m.host, invalidate_lock)
}

func (t *Task) enter(key string, s subjects) *rule {
	v := t.vfs
	tr := v.trace.on.Load()
	if v.validator == nil && tr == nil {
		return nil // Options.Trace, nobody listening
	}
	r := rulesByKey[key]
	v.rules.hits[r.id].Add(1)
	if tr != nil {
		emitMethod(tr, t, r.key, &s)
	}
	if v.validator == nil {
		return r // traced, not validated (Options.Trace)
	}
	o := t.o
	var bad []string
	holds := func(l lock.Lock) lock.Mode { return o.Holds(l) }
	checkRW := func(what string, in *Inode, want req) {
		if in == nil {
			return
		}
		m := holds(&in.rwsem)
		switch {
		case want == reqExclusive && m != lock.Exclusive:
			bad = append(bad, what+" i_rwsem held "+m.String()+", row says exclusive")
		case want == reqShared && m == lock.Unheld:
			bad = append(bad, what+" i_rwsem not held, row says shared")
		}
	}
	checkRW("inode "+itoa(int64(inoOf(s.inode))), s.inode, r.iRwsem)
	if r.iRwsemBoth {
		checkRW("victim "+itoa(int64(inoOf(s.victim))), s.victim, r.iRwsem)
	}
	switch r.dLock {
	case reqHeld:
		if s.d != nil && holds(&s.d.lock) == lock.Unheld {
			bad = append(bad, "->d_lock not held, row says yes")
		}
	case reqNotHeld:
		if o.HoldsClass(classDLock) {
			bad = append(bad, "a ->d_lock is held, row says no")
		}
	}
	if r.iLock == reqHeld && s.iLock != nil && holds(&s.iLock.lock) == lock.Unheld {
		bad = append(bad, "inode->i_lock not held, row says yes")
	}
	if r.renameLock == reqNotHeld && holds(&v.renameLock) != lock.Unheld {
		bad = append(bad, "rename_lock held, row says no")
	}
	if s.sb != nil {
		m := holds(&s.sb.umount)
		switch r.sUmount {
		case reqExclusive:
			if m != lock.Exclusive {
				bad = append(bad, "s_umount held "+m.String()+", row says write")
			}
		case reqShared:
			if m == lock.Unheld {
				bad = append(bad, "s_umount not held, row says read")
			}
		case reqNotHeld:
			if m != lock.Unheld {
				bad = append(bad, "s_umount held, row says no")
			}
		}
	}
	if r.namespaceSem == reqHeld && holds(&v.namespaceSem) == lock.Unheld {
		bad = append(bad, "namespace_sem not held, row says (namespace_sem)")
	}
	if s.folio != nil || s.m != nil {
		bad = t.checkPageCacheRow(r, s, bad)
	}
	if len(bad) > 0 {
		t.lockingViolation(r.key + " called by " + o.Name() + ": " + strings.Join(bad, "; "))
	}
	if r.mayBlock {
		o.MightSleep(r.key)
	} else {
		o.BeginNoBlock(r.key)
	}
	return r
}

// lockingViolation records a call that broke its row
// (VFS.LockingViolations).
func (t *Task) lockingViolation(msg string) {
	v := t.vfs
	v.rules.mu.Lock()
	v.rules.violations = append(v.rules.violations, msg)
	v.rules.mu.Unlock()
}

func (t *Task) leave(r *rule) {
	if r == nil {
		return
	}
	if !r.mayBlock {
		t.o.EndNoBlock()
	}
	if tr := t.vfs.trace.on.Load(); tr != nil {
		emitMethodExit(tr, t, r.key)
	}
}

func inoOf(i *Inode) uint64 {
	if i == nil {
		return 0
	}
	return i.ino
}

// dentry_operations

func (t *Task) dopRevalidate(d *Dentry, flags uint32) (int, error) {
	if t.checking() {
		// "may block" holds in ref-walk only: in RCU-walk the method
		// must return -ECHILD rather than sleep (locking.rst,
		// fs/namei.c: d_revalidate with LOOKUP_RCU). As for
		// ->permission, assert the row first, then enter the
		// no-block section for the method itself.
		defer t.leave(t.enter("dentry_operations.d_revalidate", subjects{d: d}))
		if flags&LOOKUP_RCU != 0 {
			t.o.BeginNoBlock("dentry_operations.d_revalidate (rcu-walk)")
			defer t.o.EndNoBlock()
		}
	}
	return d.op.Revalidate(t, d, flags)
}

func (t *Task) dopWeakRevalidate(d *Dentry, flags uint32) (int, error) {
	if t.checking() {
		return checked2(t, "dentry_operations.d_weak_revalidate", subjects{d: d}, func() (int, error) { return d.op.WeakRevalidate(t, d, flags) })
	}
	return d.op.WeakRevalidate(t, d, flags)
}

func (t *Task) dopHash(parent *Dentry, q *QStr) error {
	if t.checking() {
		return checked(t, "dentry_operations.d_hash", subjects{d: parent}, func() error { return parent.op.Hash(t, parent, q) })
	}
	return parent.op.Hash(t, parent, q)
}

func (t *Task) dopCompare(parent, d *Dentry, str string, name QStr) bool {
	if t.checking() {
		return checked(t, "dentry_operations.d_compare", subjects{d: d}, func() bool { return parent.op.Compare(t, d, str, name) })
	}
	return parent.op.Compare(t, d, str, name)
}

func (t *Task) dopDelete(d *Dentry) bool {
	if t.checking() {
		return checked(t, "dentry_operations.d_delete", subjects{d: d}, func() bool { return d.op.Delete(t, d) })
	}
	return d.op.Delete(t, d)
}

func (t *Task) dopInit(d *Dentry) error {
	if t.checking() {
		return checked(t, "dentry_operations.d_init", subjects{d: d}, func() error { return d.op.Init(t, d) })
	}
	return d.op.Init(t, d)
}

func (t *Task) dopRelease(d *Dentry) {
	if t.checking() {
		checked0(t, "dentry_operations.d_release", subjects{d: d}, func() { d.op.Release(t, d) })
		return
	}
	d.op.Release(t, d)
}

func (t *Task) dopPrune(d *Dentry) {
	if t.checking() {
		checked0(t, "dentry_operations.d_prune", subjects{d: d}, func() { d.op.Prune(t, d) })
		return
	}
	d.op.Prune(t, d)
}

func (t *Task) dopIput(d *Dentry, inode *Inode) {
	if t.checking() {
		checked0(t, "dentry_operations.d_iput", subjects{d: d}, func() { d.op.Iput(t, d, inode) })
		return
	}
	d.op.Iput(t, d, inode)
}

func (t *Task) dopDName(d *Dentry) string {
	if t.checking() {
		return checked(t, "dentry_operations.d_dname", subjects{d: d}, func() string { return d.op.DName(t, d) })
	}
	return d.op.DName(t, d)
}

func (t *Task) dopAutomount(p Path) (*Mount, error) {
	if t.checking() {
		return checked2(t, "dentry_operations.d_automount", subjects{d: p.Dentry}, func() (*Mount, error) { return p.Dentry.op.Automount(t, p) })
	}
	return p.Dentry.op.Automount(t, p)
}

func (t *Task) dopManage(p Path, rcu bool) error {
	if t.checking() {
		// In RCU-walk (rcu true) ->d_manage must not block: it
		// returns -ECHILD to ask for ref-walk (fs/namei.c
		// __follow_mount_rcu).
		defer t.leave(t.enter("dentry_operations.d_manage", subjects{d: p.Dentry}))
		if rcu {
			t.o.BeginNoBlock("dentry_operations.d_manage (rcu-walk)")
			defer t.o.EndNoBlock()
		}
	}
	return p.Dentry.op.Manage(t, p, rcu)
}

// inode_operations

func (t *Task) iopLookup(dir *Inode, d *Dentry, flags uint32) (*Dentry, error) {
	if t.checking() {
		return checked2(t, "inode_operations.lookup", subjects{inode: dir}, func() (*Dentry, error) { return dir.Ops.Lookup(t, dir, d, flags) })
	}
	return dir.Ops.Lookup(t, dir, d, flags)
}

func (t *Task) iopCreate(dir *Inode, d *Dentry, mode uint32, excl bool) error {
	if t.checking() {
		return checked(t, "inode_operations.create", subjects{inode: dir}, func() error { return dir.Ops.Create(t, dir, d, mode, excl) })
	}
	return dir.Ops.Create(t, dir, d, mode, excl)
}

func (t *Task) iopLink(old *Dentry, dir *Inode, d *Dentry) error {
	if t.checking() {
		return checked(t, "inode_operations.link", subjects{inode: dir, victim: old.inode.Load()}, func() error { return dir.Ops.Link(t, old, dir, d) })
	}
	return dir.Ops.Link(t, old, dir, d)
}

func (t *Task) iopUnlink(dir *Inode, d *Dentry) error {
	if t.checking() {
		return checked(t, "inode_operations.unlink", subjects{inode: dir, victim: d.inode.Load()}, func() error { return dir.Ops.Unlink(t, dir, d) })
	}
	return dir.Ops.Unlink(t, dir, d)
}

func (t *Task) iopSymlink(dir *Inode, d *Dentry, target string) error {
	if t.checking() {
		return checked(t, "inode_operations.symlink", subjects{inode: dir}, func() error { return dir.Ops.Symlink(t, dir, d, target) })
	}
	return dir.Ops.Symlink(t, dir, d, target)
}

func (t *Task) iopMkdir(dir *Inode, d *Dentry, mode uint32) error {
	if t.checking() {
		return checked(t, "inode_operations.mkdir", subjects{inode: dir}, func() error { return dir.Ops.Mkdir(t, dir, d, mode) })
	}
	return dir.Ops.Mkdir(t, dir, d, mode)
}

func (t *Task) iopRmdir(dir *Inode, d *Dentry) error {
	if t.checking() {
		return checked(t, "inode_operations.rmdir", subjects{inode: dir, victim: d.inode.Load()}, func() error { return dir.Ops.Rmdir(t, dir, d) })
	}
	return dir.Ops.Rmdir(t, dir, d)
}

func (t *Task) iopMknod(dir *Inode, d *Dentry, mode uint32, dev uint64) error {
	if t.checking() {
		return checked(t, "inode_operations.mknod", subjects{inode: dir}, func() error { return dir.Ops.Mknod(t, dir, d, mode, dev) })
	}
	return dir.Ops.Mknod(t, dir, d, mode, dev)
}

func (t *Task) iopRename(oldDir *Inode, old *Dentry, newDir *Inode, nd *Dentry, flags uint32) error {
	if t.checking() {
		r := t.enter("inode_operations.rename", subjects{inode: oldDir, victim: newDir})
		defer t.leave(r)
		if t.vfs.validator != nil { // traced only: Holds knows no lock
			t.checkRenameChildren(old, nd, flags)
		}
	}
	return oldDir.Ops.Rename(t, oldDir, old, newDir, nd, flags)
}

// checkRenameChildren asserts the "see below" of ->rename: i_rwsem
// exclusive on every non-directory involved, on a subdirectory that
// changes parent, and on the victim: a target directory is locked
// whenever it is replaced or changes parent (fs/namei.c vfs_rename:
// lock_new_subdir = new_dir != old_dir || !(flags & RENAME_EXCHANGE));
// s_vfs_rename_mutex for a cross-directory rename.
func (t *Task) checkRenameChildren(old, nd *Dentry, flags uint32) {
	var bad []string
	cross := old.parent.Load() != nd.parent.Load()
	for i, in := range []*Inode{old.inode.Load(), nd.inode.Load()} {
		if in == nil {
			continue
		}
		victim := i == 1 && flags&RENAME_EXCHANGE == 0
		if (!in.isDir() || cross || victim) && t.o.Holds(&in.rwsem) != lock.Exclusive {
			bad = append(bad, "inode "+itoa(int64(in.ino))+" i_rwsem not held exclusive")
		}
	}
	if cross && t.o.Holds(&old.sb.renameMutex) != lock.Exclusive {
		bad = append(bad, "cross-directory rename without s_vfs_rename_mutex")
	}
	if len(bad) > 0 {
		t.lockingViolation("inode_operations.rename: " + strings.Join(bad, "; "))
	}
}

func (t *Task) iopReadlink(d *Dentry) (string, error) {
	if t.checking() {
		return checked2(t, "inode_operations.readlink", subjects{inode: d.inode.Load()}, func() (string, error) { return d.inode.Load().Ops.Readlink(t, d) })
	}
	return d.inode.Load().Ops.Readlink(t, d)
}

func (t *Task) iopGetLink(d *Dentry, inode *Inode) (string, error) {
	if t.checking() {
		return checked2(t, "inode_operations.get_link", subjects{inode: inode}, func() (string, error) { return inode.Ops.GetLink(t, d, inode) })
	}
	return inode.Ops.GetLink(t, d, inode)
}

func (t *Task) iopPermission(inode *Inode, mask int) error {
	if t.checking() {
		// The row's "may not block if called in rcu-walk mode": assert
		// the row (which may sleep) first, then enter the no-block
		// section for the method itself.
		defer t.leave(t.enter("inode_operations.permission", subjects{inode: inode}))
		if mask&MAY_NOT_BLOCK != 0 {
			t.o.BeginNoBlock("inode_operations.permission (rcu-walk)")
			defer t.o.EndNoBlock()
		}
	}
	return inode.Ops.Permission(t, inode, mask)
}

func (t *Task) iopSetattr(d *Dentry, attr *Iattr) error {
	in := d.inode.Load()
	if t.checking() {
		return checked(t, "inode_operations.setattr", subjects{inode: in}, func() error { return in.Ops.Setattr(t, d, attr) })
	}
	return in.Ops.Setattr(t, d, attr)
}

func (t *Task) iopGetattr(p Path, st *Stat, mask, flags uint32) error {
	in := p.Dentry.inode.Load()
	if t.checking() {
		return checked(t, "inode_operations.getattr", subjects{inode: in}, func() error { return in.Ops.Getattr(t, p, st, mask, flags) })
	}
	return in.Ops.Getattr(t, p, st, mask, flags)
}

func (t *Task) iopListxattr(d *Dentry) ([]string, error) {
	in := d.inode.Load()
	if t.checking() {
		return checked2(t, "inode_operations.listxattr", subjects{inode: in}, func() ([]string, error) { return in.Ops.Listxattr(t, d) })
	}
	return in.Ops.Listxattr(t, d)
}

func (t *Task) iopUpdateTime(in *Inode, flags int) error {
	if t.checking() {
		return checked(t, "inode_operations.update_time", subjects{inode: in}, func() error { return in.Ops.UpdateTime(t, in, flags) })
	}
	return in.Ops.UpdateTime(t, in, flags)
}

func (t *Task) iopTmpfile(dir *Inode, f *File, mode uint32) error {
	if t.checking() {
		return checked(t, "inode_operations.tmpfile", subjects{inode: dir}, func() error { return dir.Ops.Tmpfile(t, dir, f, mode) })
	}
	return dir.Ops.Tmpfile(t, dir, f, mode)
}

// xattr_handler

func (t *Task) xopList(h *XattrHandler, d *Dentry) bool {
	if t.checking() {
		return checked(t, "xattr_handler.list", subjects{inode: d.inode.Load()}, func() bool { return h.List(t, d) })
	}
	return h.List(t, d)
}

func (t *Task) xopGet(h *XattrHandler, d *Dentry, in *Inode, name string) ([]byte, error) {
	if t.checking() {
		return checked2(t, "xattr_handler.get", subjects{inode: in}, func() ([]byte, error) { return h.Get(t, h, d, in, name) })
	}
	return h.Get(t, h, d, in, name)
}

func (t *Task) xopSet(h *XattrHandler, d *Dentry, in *Inode, name string, value []byte, flags int) error {
	if t.checking() {
		return checked(t, "xattr_handler.set", subjects{inode: in}, func() error { return h.Set(t, h, d, in, name, value, flags) })
	}
	return h.Set(t, h, d, in, name, value, flags)
}

// super_operations

func (t *Task) sopAllocInode(sb *SuperBlock) *Inode {
	if t.checking() {
		return checked(t, "super_operations.alloc_inode", subjects{sb: sb}, func() *Inode { return sb.Ops.AllocInode(t, sb) })
	}
	return sb.Ops.AllocInode(t, sb)
}

func (t *Task) sopDestroyInode(i *Inode) {
	if t.checking() {
		checked0(t, "super_operations.destroy_inode", subjects{sb: i.sb}, func() { i.sb.Ops.DestroyInode(t, i) })
		return
	}
	i.sb.Ops.DestroyInode(t, i)
}

func (t *Task) sopFreeInode(i *Inode) {
	if t.checking() {
		checked0(t, "super_operations.free_inode", subjects{sb: i.sb}, func() { i.sb.Ops.FreeInode(t, i) })
		return
	}
	i.sb.Ops.FreeInode(t, i)
}

func (t *Task) sopDirtyInode(i *Inode, flags uint32) {
	if t.checking() {
		checked0(t, "super_operations.dirty_inode", subjects{sb: i.sb}, func() { i.sb.Ops.DirtyInode(t, i, flags) })
		return
	}
	i.sb.Ops.DirtyInode(t, i, flags)
}

func (t *Task) sopWriteInode(i *Inode, wbc *WritebackControl) error {
	if t.checking() {
		return checked(t, "super_operations.write_inode", subjects{sb: i.sb}, func() error { return i.sb.Ops.WriteInode(t, i, wbc) })
	}
	return i.sb.Ops.WriteInode(t, i, wbc)
}

func (t *Task) sopDropInode(i *Inode) bool {
	if t.checking() {
		return checked(t, "super_operations.drop_inode", subjects{sb: i.sb, iLock: i}, func() bool { return i.sb.Ops.DropInode(t, i) })
	}
	return i.sb.Ops.DropInode(t, i)
}

func (t *Task) sopEvictInode(i *Inode) {
	if t.checking() {
		checked0(t, "super_operations.evict_inode", subjects{sb: i.sb}, func() { i.sb.Ops.EvictInode(t, i) })
		return
	}
	i.sb.Ops.EvictInode(t, i)
}

func (t *Task) sopPutSuper(sb *SuperBlock) {
	if t.checking() {
		checked0(t, "super_operations.put_super", subjects{sb: sb}, func() { sb.Ops.PutSuper(t, sb) })
		return
	}
	sb.Ops.PutSuper(t, sb)
}

func (t *Task) sopSyncFS(sb *SuperBlock, wait bool) error {
	if t.checking() {
		return checked(t, "super_operations.sync_fs", subjects{sb: sb}, func() error { return sb.Ops.SyncFS(t, sb, wait) })
	}
	return sb.Ops.SyncFS(t, sb, wait)
}

func (t *Task) sopFreezeFS(sb *SuperBlock) error {
	if t.checking() {
		return checked(t, "super_operations.freeze_fs", subjects{sb: sb}, func() error { return sb.Ops.FreezeFS(t, sb) })
	}
	return sb.Ops.FreezeFS(t, sb)
}

func (t *Task) sopUnfreezeFS(sb *SuperBlock) error {
	if t.checking() {
		return checked(t, "super_operations.unfreeze_fs", subjects{sb: sb}, func() error { return sb.Ops.UnfreezeFS(t, sb) })
	}
	return sb.Ops.UnfreezeFS(t, sb)
}

func (t *Task) sopStatfs(d *Dentry, st *Statfs) error {
	if t.checking() {
		return checked(t, "super_operations.statfs", subjects{sb: d.sb}, func() error { return d.sb.Ops.Statfs(t, d, st) })
	}
	return d.sb.Ops.Statfs(t, d, st)
}

func (t *Task) sopRemountFS(sb *SuperBlock, flags *uint32, data string) error {
	if t.checking() {
		return checked(t, "super_operations.remount_fs", subjects{sb: sb}, func() error { return sb.Ops.RemountFS(t, sb, flags, data) })
	}
	return sb.Ops.RemountFS(t, sb, flags, data)
}

func (t *Task) sopUmountBegin(sb *SuperBlock) {
	if t.checking() {
		checked0(t, "super_operations.umount_begin", subjects{sb: sb}, func() { sb.Ops.UmountBegin(t, sb) })
		return
	}
	sb.Ops.UmountBegin(t, sb)
}

// sopShowOptions returns ->show_options' error, which show_vfsmnt and
// show_mountinfo return to the reader of /proc/mounts.
func (t *Task) sopShowOptions(sb *SuperBlock, w *strings.Builder) error {
	if t.checking() {
		return checked(t, "super_operations.show_options", subjects{sb: sb}, func() error { return sb.Ops.ShowOptions(t, w, sb.root) })
	}
	return sb.Ops.ShowOptions(t, w, sb.root)
}

// file_system_type

// fstMount also asserts the prose below the table: the superblock of the
// root ->mount returns is write-locked (sget's s_umount, which the caller
// drops once it has made the mount: do_new_mount_fc's up_write).
func (t *Task) fstMount(fst *FileSystemType, flags uint32, dev, data string) (*Dentry, error) {
	if t.checking() {
		root, err := checked2(t, "file_system_type.mount", subjects{}, func() (*Dentry, error) { return fst.Mount(t, fst, flags, dev, data) })
		if err == nil && t.vfs.validator != nil {
			t.checkMountReturn(fst, root)
		}
		return root, err
	}
	return fst.Mount(t, fst, flags, dev, data)
}

func (t *Task) checkMountReturn(fst *FileSystemType, root *Dentry) {
	r := rulesByKey["file_system_type.mount"]
	if r.sUmountOnReturn != reqExclusive {
		return
	}
	if m := t.o.Holds(&root.sb.umount); m != lock.Exclusive {
		t.lockingViolation(r.key + " of " + fst.Name + " returned to " + t.o.Name() + ": s_umount held " + m.String() + ", its superblock should be write-locked on return")
	}
}

// fstKillSB: kill_sb takes a write-locked superblock (the row's prose:
// enter asserts s_umount on sb) and unlocks it.
func (t *Task) fstKillSB(sb *SuperBlock) {
	if t.checking() {
		checked0(t, "file_system_type.kill_sb", subjects{sb: sb}, func() { sb.fsType.KillSB(t, sb) })
		return
	}
	sb.fsType.KillSB(t, sb)
}

// file_operations and address_space_operations: filemap_calls.go.

// checked0, checked and checked2 run a method's call inside its row's
// checks: enter, the call, then leave, deferred so that it runs even if
// the method panics. They are out of line, with the call as a closure,
// so that the wrappers above keep no defer of their own: Go never
// inlines a function that defers, and a wrapper runs for every method
// call, several times per page of a write. With validation and tracing
// off a wrapper is its t.checking() branch and the method call, which
// the compiler inlines into the callers the profile finds hot (under
// WebAssembly every call it saves is a frame saved and checked).
//
//go:noinline
func checked0(t *Task, key string, s subjects, call func()) {
	defer t.leave(t.enter(key, s))
	call()
}

//go:noinline
func checked[R any](t *Task, key string, s subjects, call func() R) R {
	defer t.leave(t.enter(key, s))
	return call()
}

//go:noinline
func checked2[R1, R2 any](t *Task, key string, s subjects, call func() (R1, R2)) (R1, R2) {
	defer t.leave(t.enter(key, s))
	return call()
}
