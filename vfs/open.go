package vfs

// Open is open(2).
func (t *Task) Open(path string, flags int, mode uint32) (int, error) {
	return t.Openat(AT_FDCWD, path, flags, mode)
}

// Creat is creat(2).
func (t *Task) Creat(path string, mode uint32) (int, error) {
	return t.Openat(AT_FDCWD, path, O_CREAT|O_WRONLY|O_TRUNC, mode)
}

// openHow is struct open_flags: what build_open_flags() derives.
type openHow struct {
	flags  int
	mode   uint32
	acc    int // MAY_* the opener needs
	fmode  uint32
	lookup uint32
}

// buildOpenFlags is build_open_flags().
func (t *Task) buildOpenFlags(flags int, mode uint32) (openHow, error) {
	h := openHow{}
	// openat(2) on a 64-bit kernel opens every file large
	// (force_o_largefile), so F_GETFL and fdinfo show O_LARGEFILE;
	// O_PATH keeps only its own flags.
	flags |= O_LARGEFILE
	if flags&O_PATH != 0 {
		flags &= O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC
		h.fmode = FMODE_PATH
	}
	// O_CLOEXEC is the descriptor's (Openat hands it to getUnusedFD), not
	// the description's: build_open_flags strips it, so F_GETFL never
	// shows it and fdinfo adds it only for a close-on-exec descriptor.
	flags &^= O_CLOEXEC
	// Linux 6.4+ refuses O_CREAT|O_DIRECTORY outright: it used to create
	// a regular file and then fail with ENOTDIR.
	if flags&(O_CREAT|O_DIRECTORY) == O_CREAT|O_DIRECTORY {
		return h, EINVAL
	}
	if flags&(O_CREAT|O_TMPFILE&^O_DIRECTORY) != 0 {
		// The umask waits for vfsPrepareMode (lookup_open,
		// vfs_tmpfile): S_ISGID is stripped on the mode as asked.
		h.mode = mode & S_IALLUGO
	}
	if flags&(O_TMPFILE&^O_DIRECTORY) != 0 {
		if flags&O_TMPFILE != O_TMPFILE || flags&O_CREAT != 0 {
			return h, EINVAL
		}
		if flags&O_ACCMODE == O_RDONLY {
			return h, EINVAL
		}
	}
	if h.fmode == 0 {
		switch flags & O_ACCMODE {
		case O_RDONLY:
			h.acc, h.fmode = MAY_READ, FMODE_READ
		case O_WRONLY:
			h.acc, h.fmode = MAY_WRITE, FMODE_WRITE
		case O_RDWR:
			h.acc, h.fmode = MAY_READ|MAY_WRITE, FMODE_READ|FMODE_WRITE
		default:
			// 3: Linux checks read and write permission and opens for
			// neither (ACC_MODE and OPEN_FMODE), for ioctl-only use.
			h.acc = MAY_READ | MAY_WRITE
		}
		h.fmode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE
		if flags&O_TRUNC != 0 {
			h.acc |= MAY_WRITE
		}
		if flags&O_APPEND != 0 {
			h.acc |= MAY_APPEND
		}
	}
	if flags&O_DIRECTORY != 0 {
		h.lookup |= LOOKUP_DIRECTORY
	}
	if flags&O_NOFOLLOW == 0 {
		h.lookup |= LOOKUP_FOLLOW
	}
	if flags&O_CREAT != 0 {
		h.lookup |= LOOKUP_OPEN | LOOKUP_CREATE
		if flags&O_EXCL != 0 {
			h.lookup |= LOOKUP_EXCL
			h.lookup &^= LOOKUP_FOLLOW
		}
	}
	if flags&O_PATH == 0 {
		h.lookup |= LOOKUP_OPEN // op->intent
	}
	h.flags = flags
	return h, nil
}

// Openat is openat(2) with O_CREAT, O_EXCL, O_TRUNC, O_APPEND,
// O_DIRECTORY, O_NOFOLLOW, O_PATH, O_TMPFILE and O_CLOEXEC.
func (t *Task) Openat(dfd int, path string, flags int, mode uint32) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("openat"))
	}
	// do_sys_openat2: build_open_flags and getname, then the descriptor
	// (get_unused_fd_flags) before do_filp_open: at RLIMIT_NOFILE an
	// open is EMFILE whatever the path, before fs.file-max's ENFILE,
	// and creates nothing.
	h, err := t.buildOpenFlags(flags, mode)
	if err != nil {
		return -1, err
	}
	if err := checkName(path, 0); err != nil {
		return -1, err
	}
	fd, err := t.getUnusedFD(0, flags&O_CLOEXEC != 0)
	if err != nil {
		return -1, err
	}
	f, err := t.doFilpOpen(dfd, path, h)
	if err != nil {
		t.putUnusedFD(fd)
		return -1, err
	}
	t.fdInstall(fd, f)
	return fd, nil
}

// OpenFile is do_filp_open(): the open file description without a
// descriptor, for front ends that keep their own handles.
func (t *Task) OpenFile(dfd int, path string, flags int, mode uint32) (*File, error) {
	h, err := t.buildOpenFlags(flags, mode)
	if err != nil {
		return nil, err
	}
	if err := checkName(path, 0); err != nil {
		return nil, err
	}
	return t.doFilpOpen(dfd, path, h)
}

// doFilpOpen is do_filp_open() with the flags built and the name
// checked.
func (t *Task) doFilpOpen(dfd int, path string, h openHow) (*File, error) {
	// path_openat allocates its file before it walks: at fs.file-max an
	// unprivileged open fails with ENFILE whatever the path.
	if err := t.mayAllocFile(); err != nil {
		return nil, err
	}
	f, err := t.pathOpenat(dfd, path, h)
	if err == ESTALE {
		// do_filp_open: an open that met a stale dentry (->lookup,
		// ->d_weak_revalidate, d_splice_alias) is made again whole,
		// revalidating every dentry with the filesystem.
		h.lookup |= LOOKUP_REVAL
		f, err = t.pathOpenat(dfd, path, h)
	}
	return f, err
}

// pathOpenat is path_openat(): one try at opening path, its walk
// lock-free first, in ref-walk mode if that cannot finish.
func (t *Task) pathOpenat(dfd int, path string, h openHow) (*File, error) {
	// h.flags, not flags: O_PATH keeps only O_PATH_FLAGS.
	if h.flags&(O_TMPFILE&^O_DIRECTORY) != 0 {
		return t.doTmpfile(dfd, path, h)
	}
	if h.flags&O_CREAT == 0 {
		p, err := t.pathLookupOnce(dfd, path, h.lookup)
		if err != nil {
			return nil, err
		}
		if h.fmode&FMODE_PATH == 0 && IsLnk(p.Dentry.inode.Load().mode.Load()) {
			p.Put(t)
			return nil, ELOOP
		}
		return t.doOpen(p, h, false)
	}
	return t.openCreate(dfd, path, h)
}

// openCreate is path_openat() for O_CREAT: walk to the parent, then
// open_last_lookups(): lock it, look up, create if negative, and follow
// a symlink found there (not with O_EXCL) by walking its body from the
// link's directory with the same nameidata, so that the walk's links all
// count against MAXSYMLINKS and the body is never joined to the path.
func (t *Task) openCreate(dfd int, path string, h openHow) (*File, error) {
	var nd nameidata
	if err := t.walkParentOnce(&nd, dfd, path, h.lookup&LOOKUP_REVAL); err != nil { // OpenFile checked it
		return nil, err
	}
	for {
		if nd.lastType != LAST_NORM || nd.trailing {
			// open_last_lookups handles a last "/", "." or ".."
			// (handle_dots) before do_open, so a scoped walk's ".." at
			// its root fails with EXDEV; then do_open, where nothing
			// was created, fails O_EXCL with EEXIST before it finds a
			// directory (EISDIR). A last name with a trailing slash
			// is EISDIR in open_last_lookups itself, O_EXCL or not.
			var err error = EISDIR
			if nd.lastType != LAST_NORM && h.flags&O_EXCL != 0 {
				err = EEXIST
			}
			if nd.lastType == LAST_DOTDOT && nd.flags&LOOKUP_IS_SCOPED != 0 {
				if e := nd.followDotdotScoped(); e != nil {
					err = e
				}
			}
			nd.terminate()
			return nil, err
		}
		dirD := nd.path.Dentry
		dir := dirD.inode.Load()
		m := nd.path.Mnt
		// Fast path: an existing file needs neither the parent's lock
		// nor write access to the mount.
		d := dLookup(t, dirD, &nd.last)
		if d != nil && (d.inode.Load() == nil || h.flags&O_EXCL != 0 || d.flags.Load()&DCACHE_OP_REVALIDATE != 0) {
			dput(t, d)
			d = nil
		}
		created := false
		if d == nil {
			var err error
			if d, created, err = t.openLookupCreate(&nd, dir, h); err != nil {
				nd.terminate()
				return nil, err
			}
		}
		// step_into for the last component.
		p, err := nd.followManaged(Path{mntget(m), d}, nd.flags)
		if err != nil {
			nd.terminate()
			return nil, err
		}
		in := p.Dentry.inode.Load()
		if in != nil && IsLnk(in.mode.Load()) {
			if h.flags&O_NOFOLLOW != 0 {
				p.Put(t)
				nd.terminate()
				return nil, ELOOP
			}
			// pick_link: count the link and, for an absolute body, stand
			// on the root; then walk the body from there.
			body, err := nd.getLink(p, in)
			p.Put(t)
			if err == nil && body == "" {
				// A magic link jumped (nd_jump_link): do_open on
				// the path the walk stands on.
				p, nd.path = nd.path, Path{}
				nd.dropRoot()
				if p.Dentry.inode.Load().isDir() {
					p.Put(t)
					return nil, EISDIR
				}
				return t.doOpen(p, h, false)
			}
			if err == nil {
				nd.trailing = false
				err = nd.linkPathWalk(body)
			}
			if err != nil {
				nd.terminate()
				return nil, err
			}
			continue
		}
		nd.terminate()
		// do_open's complete_walk: a last step that crossed onto a mount
		// (nd.jumped, set by followManaged) revalidates where it ended.
		if nd.jumped && p.Dentry.flags.Load()&DCACHE_OP_WEAK_REVALIDATE != 0 {
			ok, err := t.dopWeakRevalidate(p.Dentry, nd.flags)
			if err == nil && ok == 0 {
				err = ESTALE
			}
			if err != nil {
				p.Put(t)
				return nil, err
			}
		}
		if in != nil && in.isDir() {
			p.Put(t)
			return nil, EISDIR
		}
		return t.doOpen(p, h, created)
	}
}

// openLookupCreate is lookup_open() for a name the dcache did not
// answer: under the parent's lock, look the name up and create it if it
// is negative. On a read-only mount an existing name may still be opened,
// and O_EXCL on one is EEXIST, not EROFS (lookup_open's create_error
// applies only to a negative dentry; do_open checks O_EXCL first).
func (t *Task) openLookupCreate(nd *nameidata, dir *Inode, h openHow) (d *Dentry, created bool, err error) {
	dirD, m := nd.path.Dentry, nd.path.Mnt
	if err := t.mntWantWrite(m); err != nil {
		if err != EROFS {
			return nil, false, err
		}
		dir.rwsem.RLock(t.o)
		d, err = lookupSlowLocked(t, dirD, dir, nd.last, nd.flags)
		dir.rwsem.RUnlock(t.o)
		if err != nil {
			return nil, false, err
		}
		if d.inode.Load() == nil {
			dput(t, d)
			return nil, false, EROFS
		}
		if h.flags&O_EXCL != 0 {
			dput(t, d)
			return nil, false, EEXIST
		}
		return d, false, nil
	}
	dir.rwsem.LockNested(t.o, I_MUTEX_PARENT)
	d, err = lookupOneExcl(t, dirD, dir, nd.last, nd.flags|LOOKUP_OPEN|LOOKUP_CREATE)
	if err == nil && d.inode.Load() == nil {
		err = t.vfsCreate(dir, d, h.mode, h.flags&O_EXCL != 0)
		created = err == nil
	} else if err == nil && h.flags&O_EXCL != 0 {
		err = EEXIST
	}
	dir.rwsem.Unlock(t.o)
	t.mntDropWrite(m)
	if err != nil {
		if d != nil {
			dput(t, d)
		}
		return nil, false, err
	}
	return d, created, nil
}

// readLinkBody returns a symlink's body for a path the caller holds.
func (t *Task) readLinkBody(p Path) (string, error) {
	in := p.Dentry.inode.Load()
	switch {
	case in.Link != "":
		return in.Link, nil
	case in.Ops != nil && in.Ops.GetLink != nil:
		body, err := t.iopGetLink(p.Dentry, in)
		if err == nil && body == "" {
			err = ENOENT
		}
		return body, err
	}
	return "", EINVAL
}

// mayOpen is may_open().
func (t *Task) mayOpen(p Path, acc int, flags int) error {
	in := p.Dentry.inode.Load()
	m := in.mode.Load()
	switch m & S_IFMT {
	case S_IFLNK:
		return ELOOP
	case S_IFDIR:
		if acc&MAY_WRITE != 0 {
			return EISDIR
		}
	case S_IFBLK, S_IFCHR:
		if p.Mnt.flags.Load()&MNT_NODEV != 0 {
			return EACCES
		}
	}
	if err := t.inodePermission(in, acc|MAY_OPEN); err != nil {
		return err
	}
	if flags&O_NOATIME != 0 && !t.cred.ownerOrCapable(in.uid.Load()) {
		return EPERM
	}
	return nil
}

// doOpen is do_open() + vfs_open(): permission, write access, ->open,
// then O_TRUNC. It consumes the path reference.
func (t *Task) doOpen(p Path, h openHow, created bool) (*File, error) {
	in := p.Dentry.inode.Load()
	if h.flags&O_TRUNC == 0 || created || h.fmode&FMODE_PATH != 0 || !IsReg(in.mode.Load()) {
		return t.doOpenFile(p, h, created)
	}
	// do_open: an O_TRUNC of an existing regular file is write access
	// whatever the access mode, taken (mnt_want_write: freeze protection,
	// the mount's and superblock's read-only state) before may_open and
	// held across handle_truncate. The mount keeps a reference of its own
	// meanwhile: a failed open drops the file's.
	m := mntget(p.Mnt)
	if err := t.mntWantWrite(m); err != nil {
		mntput(t, m)
		p.Put(t)
		return nil, err
	}
	f, err := t.doOpenFile(p, h, created)
	t.mntDropWrite(m)
	mntput(t, m)
	return f, err
}

// doOpenFile is the rest of do_open: may_open, vfs_open, and the
// truncation of O_TRUNC.
func (t *Task) doOpenFile(p Path, h openHow, created bool) (*File, error) {
	in := p.Dentry.inode.Load()
	if h.lookup&LOOKUP_DIRECTORY != 0 && !in.isDir() {
		p.Put(t)
		return nil, ENOTDIR
	}
	if h.fmode&FMODE_PATH == 0 {
		acc := h.acc
		if created {
			acc = 0 // the creator may open what it just made
		}
		if acc != 0 {
			if err := t.mayOpen(p, acc, h.flags); err != nil {
				p.Put(t)
				return nil, err
			}
		} else if in.isDir() && h.fmode&FMODE_WRITE != 0 {
			p.Put(t)
			return nil, EISDIR
		}
	}
	f := t.allocFile(p, in, h.fmode)
	f.flags.Store(uint32(h.flags &^ (O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC)))
	f.count.Store(1)
	f.posLock.Init(classFPos, 0)
	fileSampleWbErr(f)
	if h.fmode&FMODE_PATH != 0 {
		return f, nil
	}
	if h.fmode&FMODE_WRITE != 0 && IsReg(in.mode.Load()) || h.fmode&FMODE_WRITE != 0 && in.isDir() {
		if err := mntGetWriteAccess(p.Mnt); err != nil {
			// do_dentry_open's cleanup_file, then path_openat's fput
			// of a file never opened: file_free.
			p.Put(t)
			t.freeFile(f)
			return nil, err
		}
		f.mode |= FMODE_WRITER
		in.writecount.Add(1) // get_write_access
	}
	if f.mode&(FMODE_READ|FMODE_WRITE) == FMODE_READ {
		in.readcount.Add(1) // i_readcount_inc
	}
	m := in.mode.Load()
	f.fop = in.FOps
	switch {
	case IsChr(m):
		fop, err := t.vfs.chrdevOpen(in.rdev)
		if err != nil {
			fput(t, f)
			return nil, err
		}
		f.fop = fop
	case IsFifo(m):
		// init_special_inode's i_fop for a FIFO: pipefifo_fops, whose
		// ->open (fifo_open) finds or makes the inode's pipe.
		f.fop = &pipeFifoFops
	case IsBlk(m) || IsSock(m):
		// Block devices and sockets are recorded, but no driver stands
		// behind them (RATIONALE.md).
		fput(t, f)
		return nil, ENXIO
	}
	if f.fop != nil && f.fop.FopFlags&FOP_CAN_ODIRECT != 0 {
		f.mode |= FMODE_CAN_ODIRECT
	}
	if err := t.breakLease(in, h.flags); err != nil {
		f.fop = nil
		fput(t, f)
		return nil, err
	}
	if f.fop != nil && f.fop.Open != nil {
		if err := t.fopOpen(in, f); err != nil {
			f.fop = nil
			fput(t, f)
			return nil, err
		}
	}
	if err := checkODirect(f, h.flags); err != nil {
		fput(t, f)
		return nil, err
	}
	if h.flags&O_TRUNC != 0 && !created && IsReg(m) {
		if err := t.handleTruncate(f); err != nil {
			fput(t, f)
			return nil, err
		}
	}
	return f, nil
}

// checkODirect is do_dentry_open's last test, after ->open: O_DIRECT
// on a file without FMODE_CAN_ODIRECT (a directory, a device, a procfs
// file) is EINVAL.
func checkODirect(f *File, flags int) error {
	if flags&O_DIRECT != 0 && f.mode&FMODE_CAN_ODIRECT == 0 {
		return EINVAL
	}
	return nil
}

// handleTruncate is handle_truncate(): O_TRUNC of an existing file.
// The caller, do_open, holds write access to the mount (freeze
// protection included) for it.
func (t *Task) handleTruncate(f *File) error {
	return t.doTruncateFile(f.path.Dentry, 0, ATTR_MTIME|ATTR_CTIME, f)
}

// doTmpfile is vfs_tmpfile(): an unnamed file in a directory, which
// linkat may later give a name unless O_EXCL was set.
func (t *Task) doTmpfile(dfd int, path string, h openHow) (*File, error) {
	p, err := t.pathLookupOnce(dfd, path, LOOKUP_DIRECTORY|h.lookup&(LOOKUP_FOLLOW|LOOKUP_REVAL))
	if err != nil {
		return nil, err
	}
	if err := t.mntWantWrite(p.Mnt); err != nil {
		p.Put(t)
		return nil, err
	}
	defer t.mntDropWrite(p.Mnt)
	dir := p.Dentry.inode.Load()
	if err := t.inodePermission(dir, MAY_WRITE|MAY_EXEC); err != nil {
		p.Put(t)
		return nil, err
	}
	if dir.Ops == nil || dir.Ops.Tmpfile == nil {
		p.Put(t)
		return nil, EOPNOTSUPP
	}
	// ->tmpfile gives f its path and inode (FinishOpenTmpfile); until
	// then it holds the directory's, with no reference of its own.
	f := t.allocFile(p, nil, h.fmode|FMODE_WRITER)
	// do_dentry_open strips what only the open itself meant; O_TMPFILE
	// (__O_TMPFILE|O_DIRECTORY) stays, as F_GETFL shows it on Linux.
	f.flags.Store(uint32(h.flags &^ (O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC)))
	f.count.Store(1)
	f.posLock.Init(classFPos, 0)
	if err := mntGetWriteAccess(p.Mnt); err != nil {
		p.Put(t)
		t.freeFile(f)
		return nil, err
	}
	if err := t.iopTmpfile(dir, f, t.vfsPrepareMode(dir, h.mode|S_IFREG)); err != nil {
		// FinishOpenTmpfile has undone what it did to f, if it ran.
		mntPutWriteAccess(p.Mnt)
		p.Put(t)
		t.freeFile(f)
		return nil, err
	}
	// ->tmpfile bound f to its new dentry (FinishOpenTmpfile); the
	// directory's reference goes.
	p.Put(t)
	if err := checkODirect(f, h.flags); err != nil {
		fput(t, f)
		return nil, err
	}
	if h.flags&O_EXCL == 0 {
		in := f.inode
		in.lock.Lock(t.o)
		in.state.Or(I_LINKABLE)
		in.lock.Unlock(t.o)
	}
	return f, nil
}

// FinishOpenTmpfile is d_tmpfile() + finish_open() for ->tmpfile: bind
// the new inode to an unhashed dentry named "#ino" under dir and make f
// refer to it.
func FinishOpenTmpfile(t *Task, f *File, dirD *Dentry, inode *Inode) error {
	d, err := dAlloc(t, dirD.sb, dirD, QStr{Name: "#" + itoa(int64(inode.ino))})
	if err != nil {
		return err
	}
	inode.nlink.Store(0)
	DInstantiate(t, d, inode)
	f.path = Path{mntget(f.path.Mnt), d}
	f.inode = inode
	inode.writecount.Add(1) // get_write_access: f has FMODE_WRITER
	f.fop = inode.FOps
	if f.fop != nil && f.fop.FopFlags&FOP_CAN_ODIRECT != 0 {
		f.mode |= FMODE_CAN_ODIRECT
	}
	fileSampleWbErr(f)
	if f.fop != nil && f.fop.Open != nil {
		if err := t.fopOpen(inode, f); err != nil {
			// do_dentry_open's cleanup_all: the write access and the
			// path go (the unnamed dentry, and with it the inode).
			inode.writecount.Add(-1)
			f.path.Put(t)
			f.path, f.inode, f.fop = Path{}, nil, nil
			return err
		}
	}
	return nil
}
