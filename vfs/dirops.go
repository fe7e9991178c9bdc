package vfs

import (
	"runtime"
	"strings"
)

// Directory operations: mkdir, mknod, symlink, link, unlink, rmdir and
// rename, locking as Documentation/filesystems/directory-locking.rst
// prescribes:
//   - a directory's i_rwsem (I_MUTEX_PARENT) before its children's;
//   - the victim of unlink, rmdir and rename locked too;
//   - a cross-directory rename takes s_vfs_rename_mutex first, then the
//     two parents ancestor first (if neither is an ancestor of the other,
//     the source's parent first), then the subdirectories involved
//     (source before target), then the non-directories in inode order.

// mntWantWrite is mnt_want_write(): freeze protection, then write access
// to the mount. EROFS on a read-only mount or superblock.
func (t *Task) mntWantWrite(m *Mount) error {
	sbStartWrite(t, m.sb, SB_FREEZE_WRITE)
	if err := mntGetWriteAccess(m); err != nil {
		sbEndWrite(t, m.sb, SB_FREEZE_WRITE)
		return err
	}
	return nil
}

// mntDropWrite is mnt_drop_write().
func (t *Task) mntDropWrite(m *Mount) {
	mntPutWriteAccess(m)
	sbEndWrite(t, m.sb, SB_FREEZE_WRITE)
}

// mntGetWriteAccess is mnt_get_write_access(): count a writer, wait
// while a remount to read-only holds the mount (MNT_WRITE_HOLD), then see
// whether the mount is read-only or its superblock is changing its
// read-only state (s_readonly_remount). A remount to read-only, of a
// superblock or of a bind mount, sets the hold first and then counts
// writers, so one of the two sees the other; the hold keeps a writer
// from taking the superblock's old state as final while the remount
// decides.
func mntGetWriteAccess(m *Mount) error {
	m.writers.Add(1)
	for m.flags.Load()&MNT_WRITE_HOLD != 0 {
		// The holder does not block on writers: yield until it is done
		// (wasm runs one goroutine at a time).
		runtime.Gosched()
	}
	if m.sb.readonlyRemount.Load() || m.ReadOnly() {
		m.writers.Add(-1)
		return EROFS
	}
	return nil
}

func mntPutWriteAccess(m *Mount) { m.writers.Add(-1) }

// createState is what filename_create() leaves for done_path_create().
type createState struct {
	nd  nameidata
	dir *Inode
	d   *Dentry
}

// filenameCreate is filename_create(): the parent locked exclusive and a
// negative dentry for the new name, into c. isDir allows a trailing
// slash; reval is 0, or LOOKUP_REVAL for the walk and the last lookup of
// a call made again after ESTALE. On an error c holds nothing, and the
// caller returns it as it is: as in Linux, whose callers retry only what
// failed after filename_create, a stale last lookup here is the caller's
// ESTALE (the walk to the parent has retried on its own).
func (t *Task) filenameCreate(c *createState, dfd int, path string, isDir bool, reval uint32) error {
	nd := &c.nd
	if err := t.walkParent(nd, dfd, path, reval); err != nil {
		return err
	}
	if nd.lastType != LAST_NORM {
		nd.terminate()
		return EEXIST
	}
	m := nd.path.Mnt
	// Like Linux, do not fail at once on a read-only mount: an existing
	// name is EEXIST there too, and only a create that would happen is
	// EROFS. mnt_want_write still comes first, so a frozen superblock
	// holds the lookup back as it holds the create.
	werr := t.mntWantWrite(m)
	dir := nd.path.Dentry.inode.Load()
	dir.rwsem.LockNested(t.o, I_MUTEX_PARENT)
	d, err := lookupOneExcl(t, nd.path.Dentry, dir, nd.last, LOOKUP_CREATE|LOOKUP_EXCL|reval)
	if err == nil && d.inode.Load() != nil {
		dput(t, d)
		err = EEXIST
	}
	if err == nil && nd.trailing && !isDir {
		dput(t, d)
		err = ENOENT
	}
	if err == nil && werr != nil {
		dput(t, d)
		err = werr
	}
	if err != nil {
		dir.rwsem.Unlock(t.o)
		if werr == nil {
			t.mntDropWrite(m)
		}
		nd.terminate()
		return err
	}
	c.dir, c.d = dir, d
	return nil
}

// done is done_path_create().
func (c *createState) done(t *Task) {
	dput(t, c.d)
	c.dir.rwsem.Unlock(t.o)
	t.mntDropWrite(c.nd.path.Mnt)
	c.nd.terminate()
}

// Mkdir is mkdir(2).
func (t *Task) Mkdir(path string, mode uint32) error { return t.Mkdirat(AT_FDCWD, path, mode) }

// Mkdirat is mkdirat(2).
func (t *Task) Mkdirat(dfd int, path string, mode uint32) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("mkdirat"))
	}
	var reval uint32
	for {
		var c createState
		if err := t.filenameCreate(&c, dfd, path, true, reval); err != nil {
			return err
		}
		err := t.vfsMkdir(c.dir, c.d, mode)
		c.done(t)
		if !retryEstale(err, reval) {
			return err
		}
		reval = LOOKUP_REVAL
	}
}

// vfsMkdir is vfs_mkdir().
func (t *Task) vfsMkdir(dir *Inode, d *Dentry, mode uint32) error {
	if err := t.mayCreate(dir, d); err != nil {
		return err
	}
	if dir.Ops == nil || dir.Ops.Mkdir == nil {
		return EPERM
	}
	if max := dir.sb.MaxLinks; max > 0 && dir.nlink.Load() >= max {
		return EMLINK
	}
	mode = t.vfsPrepareMode(dir, mode) & (S_IRWXU | S_IRWXG | S_IRWXO | S_ISVTX)
	return t.iopMkdir(dir, d, mode|S_IFDIR)
}

// Mknod is mknod(2).
func (t *Task) Mknod(path string, mode uint32, dev uint64) error {
	return t.Mknodat(AT_FDCWD, path, mode, dev)
}

// Mknodat is mknodat(2): regular files, fifos, sockets, and (for
// CAP_MKNOD) character and block devices, recorded with their numbers.
func (t *Task) Mknodat(dfd int, path string, mode uint32, dev uint64) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("mknodat"))
	}
	switch mode & S_IFMT {
	case 0:
		mode |= S_IFREG
	case S_IFREG, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK:
	case S_IFDIR:
		return EPERM
	default:
		return EINVAL
	}
	var reval uint32
	for {
		var c createState
		if err := t.filenameCreate(&c, dfd, path, false, reval); err != nil {
			return err
		}
		var err error
		if IsReg(mode) {
			err = t.vfsCreate(c.dir, c.d, mode, true)
		} else {
			err = t.vfsMknod(c.dir, c.d, mode, dev)
		}
		c.done(t)
		if !retryEstale(err, reval) {
			return err
		}
		reval = LOOKUP_REVAL
	}
}

// whiteoutDev is WHITEOUT_DEV: the device number of a whiteout.
const whiteoutDev = 0

// vfsMknod is vfs_mknod().
func (t *Task) vfsMknod(dir *Inode, d *Dentry, mode uint32, dev uint64) error {
	if err := t.mayCreate(dir, d); err != nil {
		return err
	}
	// A whiteout (a character device 0:0) needs no CAP_MKNOD: vfs_mknod
	// exempts WHITEOUT_DEV since Linux 5.8 (overlayfs makes them).
	isWhiteout := IsChr(mode) && dev == whiteoutDev
	if (IsChr(mode) || IsBlk(mode)) && !isWhiteout && !t.cred.capable() {
		return EPERM
	}
	if dir.Ops == nil || dir.Ops.Mknod == nil {
		return EPERM
	}
	return t.iopMknod(dir, d, t.vfsPrepareMode(dir, mode), dev)
}

// vfsCreate is vfs_create().
func (t *Task) vfsCreate(dir *Inode, d *Dentry, mode uint32, excl bool) error {
	if err := t.mayCreate(dir, d); err != nil {
		return err
	}
	if dir.Ops == nil || dir.Ops.Create == nil {
		return EACCES
	}
	mode = t.vfsPrepareMode(dir, mode)&S_IALLUGO | S_IFREG
	return t.iopCreate(dir, d, mode, excl)
}

// vfsPrepareMode is vfs_prepare_mode() before its masks: mode_strip_sgid,
// then the umask (mode_strip_umask; no POSIX ACLs are modelled, so the
// umask always applies). The order is Linux 6.x's: the strip sees S_IXGRP
// of the mode as asked, before the umask can clear it.
func (t *Task) vfsPrepareMode(dir *Inode, mode uint32) uint32 {
	return modeStripSgid(t, dir, mode) &^ t.fs.umask
}

// modeStripSgid is mode_strip_sgid(): a new non-directory in a setgid
// directory keeps S_ISGID only if it is group-executable, or its creator
// is in the directory's group or has CAP_FSETID; without S_IXGRP the bit
// is mandatory locking's mark, which Linux leaves alone.
func modeStripSgid(t *Task, dir *Inode, mode uint32) uint32 {
	if mode&(S_ISGID|S_IXGRP) != S_ISGID|S_IXGRP {
		return mode
	}
	if IsDir(mode) || dir == nil || dir.mode.Load()&S_ISGID == 0 {
		return mode
	}
	if c := t.Cred(); c.inGroup(dir.gid.Load()) || c.capable() {
		return mode
	}
	return mode &^ S_ISGID
}

// Symlink is symlink(2).
func (t *Task) Symlink(target, path string) error { return t.Symlinkat(target, AT_FDCWD, path) }

// Symlinkat is symlinkat(2).
func (t *Task) Symlinkat(target string, dfd int, path string) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("symlinkat"))
	}
	if target == "" {
		return ENOENT
	}
	if strings.IndexByte(target, 0) >= 0 {
		return EINVAL
	}
	if len(target) >= PATH_MAX {
		return ENAMETOOLONG
	}
	var reval uint32
	for {
		var c createState
		if err := t.filenameCreate(&c, dfd, path, false, reval); err != nil {
			return err
		}
		err := t.vfsSymlink(c.dir, c.d, target)
		c.done(t)
		if !retryEstale(err, reval) {
			return err
		}
		reval = LOOKUP_REVAL
	}
}

// vfsSymlink is vfs_symlink().
func (t *Task) vfsSymlink(dir *Inode, d *Dentry, target string) error {
	if err := t.mayCreate(dir, d); err != nil {
		return err
	}
	if dir.Ops == nil || dir.Ops.Symlink == nil {
		return EPERM
	}
	return t.iopSymlink(dir, d, target)
}

// Link is link(2).
func (t *Task) Link(oldpath, newpath string) error {
	return t.Linkat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0)
}

// Linkat is linkat(2): flags AT_SYMLINK_FOLLOW and AT_EMPTY_PATH.
func (t *Task) Linkat(olddfd int, oldpath string, newdfd int, newpath string, flags int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("linkat"))
	}
	if flags&^(AT_SYMLINK_FOLLOW|AT_EMPTY_PATH) != 0 {
		return EINVAL
	}
	var lf uint32
	if flags&AT_SYMLINK_FOLLOW != 0 {
		lf |= LOOKUP_FOLLOW
	}
	if flags&AT_EMPTY_PATH != 0 {
		lf |= LOOKUP_EMPTY
		if err := t.linkatEmptyCheck(olddfd, oldpath, lf); err != nil {
			return err
		}
	}
	for {
		old, err := t.pathLookup(olddfd, oldpath, lf)
		if err != nil {
			return err
		}
		var delegated *Inode
		created, err := t.linkTo(old, newdfd, newpath, &delegated, lf&LOOKUP_REVAL)
		// do_linkat's retry: a delegation on the source was being
		// broken; wait for it with nothing locked, then look both
		// names up again.
		if delegated != nil {
			if err = t.breakDelegWait(&delegated); err == nil {
				old.Put(t)
				continue
			}
		}
		old.Put(t)
		// A stale handle met past filename_create: both names again,
		// revalidated (an error of filename_create is returned).
		if created && retryEstale(err, lf) {
			lf |= LOOKUP_REVAL
			continue
		}
		return err
	}
}

// linkatEmptyCheck is path_init's LOOKUP_LINKAT_EMPTY check (Linux
// 6.10): without CAP_DAC_READ_SEARCH, a walk that starts at the
// descriptor (an empty or a relative name, or any name under
// RESOLVE_IN_ROOT) may start only at a file opened with the caller's
// very credentials. An absolute name starts at the root: the descriptor
// is not looked at, not even for EBADF. The name's own errors
// (getname's) come first.
func (t *Task) linkatEmptyCheck(olddfd int, oldpath string, lf uint32) error {
	if t.cred.capable() || olddfd == AT_FDCWD {
		return nil
	}
	if err := checkName(oldpath, lf); err != nil {
		return err
	}
	if oldpath != "" && oldpath[0] == '/' && t.resolve&LOOKUP_IN_ROOT == 0 {
		return nil
	}
	f, err := t.getFile(olddfd)
	if err != nil {
		return err
	}
	same := f.cred == t.cred
	fput(t, f)
	if !same {
		return ENOENT
	}
	return nil
}

// linkTo is linkat's second half: the new name and vfs_link. Apart from
// Linkat, so that each function's defers stay open-coded (a function
// whose defers times returns exceed 15 gets defer records). created
// says filename_create succeeded: only then may ESTALE retry.
func (t *Task) linkTo(old Path, newdfd int, newpath string, delegated **Inode, reval uint32) (created bool, err error) {
	var c createState
	if err := t.filenameCreate(&c, newdfd, newpath, false, reval); err != nil {
		return false, err
	}
	defer c.done(t)
	if old.Mnt != c.nd.path.Mnt {
		return true, EXDEV
	}
	if err := t.mayLinkat(old); err != nil {
		return true, err
	}
	return true, t.vfsLink(old.Dentry, c.dir, c.d, delegated)
}

// vfsLink is vfs_link(): the source inode is locked inside the parent.
// A delegation on it is broken first (try_break_deleg): EWOULDBLOCK with
// *delegated set while it is still held.
func (t *Task) vfsLink(old *Dentry, dir *Inode, d *Dentry, delegated **Inode) error {
	in := old.inode.Load()
	if in == nil {
		return ENOENT
	}
	if err := t.mayCreate(dir, d); err != nil {
		return err
	}
	if dir.sb != in.sb {
		return EXDEV
	}
	// vfs_link's order: the filesystem's want of ->link, then the
	// directory (both EPERM). IS_APPEND and IS_IMMUTABLE would come
	// first; vfscope has no chattr to set them.
	if dir.Ops == nil || dir.Ops.Link == nil {
		return EPERM
	}
	if in.isDir() {
		return EPERM
	}
	in.rwsem.Lock(t.o)
	defer in.rwsem.Unlock(t.o)
	if in.nlink.Load() == 0 && in.state.Load()&I_LINKABLE == 0 {
		return ENOENT
	}
	if max := in.sb.MaxLinks; max > 0 && in.nlink.Load() >= max {
		return EMLINK
	}
	if err := t.tryBreakDeleg(in, delegated); err != nil {
		return err
	}
	err := t.iopLink(old, dir, d)
	if err == nil && in.state.Load()&I_LINKABLE != 0 {
		t.clearLinkable(in)
	}
	return err
}

// I_LINKABLE marks an O_TMPFILE inode that linkat may give a name.
const I_LINKABLE = 1 << 10

func (t *Task) clearLinkable(in *Inode) {
	in.lock.Lock(t.o)
	in.state.And(^uint32(I_LINKABLE))
	in.lock.Unlock(t.o)
}

// Unlink is unlink(2).
func (t *Task) Unlink(path string) error { return t.Unlinkat(AT_FDCWD, path, 0) }

// Rmdir is rmdir(2).
func (t *Task) Rmdir(path string) error { return t.Unlinkat(AT_FDCWD, path, AT_REMOVEDIR) }

// Unlinkat is unlinkat(2).
func (t *Task) Unlinkat(dfd int, path string, flags int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("unlinkat"))
	}
	if flags&^AT_REMOVEDIR != 0 {
		return EINVAL
	}
	if flags&AT_REMOVEDIR != 0 {
		return t.doRmdir(dfd, path)
	}
	return t.doUnlink(dfd, path)
}

// lockedChild looks the last component up under the parent, which the
// caller has locked exclusive (lookup_one_qstr_excl), with LOOKUP_REVAL
// if reval says so.
func (t *Task) lockedChild(nd *nameidata, dir *Inode, reval uint32) (*Dentry, error) {
	return lookupOneExcl(t, nd.path.Dentry, dir, nd.last, reval)
}

// doRmdir is do_rmdir(): an ESTALE past the walk to the parent (its
// own retry done) makes the call again with LOOKUP_REVAL.
func (t *Task) doRmdir(dfd int, path string) error {
	var reval uint32
	for {
		var nd nameidata
		if err := t.walkParent(&nd, dfd, path, reval); err != nil {
			return err
		}
		err := t.rmdirLast(&nd, reval)
		nd.terminate()
		if !retryEstale(err, reval) {
			return err
		}
		reval = LOOKUP_REVAL
	}
}

// rmdirLast is do_rmdir past the walk to the parent.
func (t *Task) rmdirLast(nd *nameidata, reval uint32) error {
	switch nd.lastType {
	case LAST_DOTDOT:
		return ENOTEMPTY
	case LAST_DOT:
		return EINVAL
	case LAST_ROOT:
		return EBUSY
	}
	return t.rmdirLocked(nd, reval)
}

// rmdirLocked is doRmdir under write access to the mount and the
// parent's lock. Apart, so that both functions' defers are open-coded.
func (t *Task) rmdirLocked(nd *nameidata, reval uint32) error {
	m := nd.path.Mnt
	if err := t.mntWantWrite(m); err != nil {
		return err
	}
	defer t.mntDropWrite(m)
	dir := nd.path.Dentry.inode.Load()
	dir.rwsem.LockNested(t.o, I_MUTEX_PARENT)
	defer dir.rwsem.Unlock(t.o)
	d, err := t.lockedChild(nd, dir, reval)
	if err != nil {
		return err
	}
	defer dput(t, d)
	return t.vfsRmdir(dir, d)
}

// vfsRmdir is vfs_rmdir(): the victim's i_rwsem inside the parent's.
func (t *Task) vfsRmdir(dir *Inode, d *Dentry) error {
	if err := t.mayDelete(dir, d, true); err != nil {
		return err
	}
	if dir.Ops == nil || dir.Ops.Rmdir == nil {
		return EPERM
	}
	in := d.inode.Load()
	in.rwsem.LockNested(t.o, I_MUTEX_CHILD)
	var err error
	if isMountpoint(d) {
		err = EBUSY
	} else if err = t.iopRmdir(dir, d); err == nil {
		// The unused dentries cached below (negative ones) go now,
		// and with them their references on d.
		shrinkDcacheParent(t, d)
		in.lock.Lock(t.o)
		in.state.Or(S_DEAD)
		in.lock.Unlock(t.o)
		d.flags.Or(DCACHE_CANT_MOUNT)
	}
	in.rwsem.Unlock(t.o)
	if err == nil {
		DDelete(t, d)
	}
	return err
}

// S_DEAD marks a removed directory (i_flags S_DEAD; kept in i_state here).
const S_DEAD = 1 << 21

// doUnlink is do_unlinkat: an ESTALE past the walk to the parent (its
// own retry done) makes the call again with LOOKUP_REVAL.
func (t *Task) doUnlink(dfd int, path string) error {
	var reval uint32
	for {
		var nd nameidata
		if err := t.walkParent(&nd, dfd, path, reval); err != nil {
			return err
		}
		err := t.unlinkLast(&nd, reval)
		nd.terminate()
		if !retryEstale(err, reval) {
			return err
		}
		reval = LOOKUP_REVAL
	}
}

// unlinkLast is do_unlinkat past the walk to the parent. It releases
// what it takes explicitly, in do_unlinkat's order, rather than with
// defer: each deferred call is one more Go call, the expensive thing in
// Go's WebAssembly code.
func (t *Task) unlinkLast(nd *nameidata, reval uint32) error {
	if nd.lastType != LAST_NORM {
		return EISDIR
	}
	m := nd.path.Mnt
	if err := t.mntWantWrite(m); err != nil {
		return err
	}
	dir := nd.path.Dentry.inode.Load()
	var delegated *Inode
retryDeleg:
	dir.rwsem.LockNested(t.o, I_MUTEX_PARENT)
	var victim *Inode
	d, err := t.lockedChild(nd, dir, reval)
	if err == nil {
		if nd.trailing {
			switch in := d.inode.Load(); {
			case in == nil:
				err = ENOENT
			case in.isDir():
				err = EISDIR
			default:
				err = ENOTDIR
			}
		} else if victim = d.inode.Load(); victim != nil {
			ihold(victim)
			err = t.vfsUnlink(dir, d, &delegated)
		} else {
			err = ENOENT
		}
		dput(t, d)
	}
	dir.rwsem.Unlock(t.o)
	// The last reference may evict the inode: not under the parent.
	iput(t, victim)
	// A delegation on the victim was being broken: wait for it with
	// the parent unlocked, then look the name up again.
	if delegated != nil {
		if err = t.breakDelegWait(&delegated); err == nil {
			goto retryDeleg
		}
	}
	t.mntDropWrite(m)
	return err
}

// vfsUnlink is vfs_unlink(): the victim's i_rwsem inside the parent's.
// A delegation on the victim is broken first (try_break_deleg):
// EWOULDBLOCK with *delegated set while it is still held.
func (t *Task) vfsUnlink(dir *Inode, d *Dentry, delegated **Inode) error {
	if err := t.mayDelete(dir, d, false); err != nil {
		return err
	}
	if dir.Ops == nil || dir.Ops.Unlink == nil {
		return EPERM
	}
	in := d.inode.Load()
	in.rwsem.Lock(t.o)
	var err error
	if isMountpoint(d) {
		err = EBUSY
	} else if err = t.tryBreakDeleg(in, delegated); err == nil {
		if err = t.iopUnlink(dir, d); err == nil {
			d.flags.Or(DCACHE_CANT_MOUNT)
		}
	}
	in.rwsem.Unlock(t.o)
	if err == nil {
		DDelete(t, d)
	}
	return err
}
