package vfs

// Stat is struct kstat, what stat(2) and statx(2) report.
type Stat struct {
	Dev     uint64
	Ino     uint64
	Mode    uint32
	Nlink   uint32
	UID     uint32
	GID     uint32
	Rdev    uint64
	Size    int64
	Blksize int64
	Blocks  int64 // 512-byte units
	Atime   int64 // nanoseconds since the epoch
	Mtime   int64
	Ctime   int64
	Btime   int64
	MntID   int32
}

// GenericFillattr is generic_fillattr(): the inode's attributes.
func GenericFillattr(in *Inode, st *Stat) {
	st.Dev = in.sb.dev
	st.Ino = in.ino
	st.Mode = in.mode.Load()
	st.Nlink = in.nlink.Load()
	st.UID = in.uid.Load()
	st.GID = in.gid.Load()
	st.Rdev = in.rdev
	st.Size = in.size.Load()
	st.Blksize = in.sb.Blocksize
	st.Blocks = in.blocks.Load()
	st.Atime = in.atime.Load()
	st.Mtime = in.mtime.Load()
	st.Ctime = in.ctime.Load()
	st.Btime = in.btime.Load()
}

// vfsGetattr is vfs_getattr(): ->getattr or the generic attributes.
func (t *Task) vfsGetattr(p Path, st *Stat) error {
	in := p.Dentry.inode.Load()
	*st = Stat{}
	if in.Ops != nil && in.Ops.Getattr != nil {
		if err := t.iopGetattr(p, st, 0, 0); err != nil {
			return err
		}
	} else {
		GenericFillattr(in, st)
	}
	st.MntID = p.Mnt.id
	return nil
}

// Stat is stat(2).
func (t *Task) Stat(path string, st *Stat) error {
	return t.Fstatat(AT_FDCWD, path, st, 0)
}

// Lstat is lstat(2).
func (t *Task) Lstat(path string, st *Stat) error {
	return t.Fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW)
}

// Fstat is fstat(2).
func (t *Task) Fstat(fd int, st *Stat) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fstat"))
	}
	f, fl := t.fileFast(fd), uint8(0) // fdget_raw: O_PATH descriptors too
	if f == nil {
		f, fl = t.fileSlow(fd)
	}
	if f == nil {
		return EBADF
	}
	err := t.vfsGetattr(f.path, st)
	t.fdputFlags(f, fl)
	return err
}

// fstatat's flags beyond AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH, which
// vfs_statx accepts: vfscope has no automount points, and a local VFS
// has nothing to sync with, so none changes what stat returns.
const (
	AT_NO_AUTOMOUNT     = 0x800
	AT_STATX_FORCE_SYNC = 0x2000
	AT_STATX_DONT_SYNC  = 0x4000
	AT_STATX_SYNC_TYPE  = 0x6000
)

// Fstatat is fstatat(2): flags AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH
// (and AT_NO_AUTOMOUNT and AT_STATX_SYNC_TYPE, which change nothing).
//
// The common case takes no lock and writes no shared memory: the
// lock-free walk reaches the inode, the generic attributes are copied
// from atomics, and the dentry's sequence then proves that the walk's
// result stood while they were read. A filesystem with its own ->getattr,
// or any change under the walk, takes the ref-walk path.
func (t *Task) Fstatat(dfd int, path string, st *Stat, flags int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fstatat"))
	}
	if flags&^(AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH|AT_NO_AUTOMOUNT|AT_STATX_SYNC_TYPE) != 0 {
		return EINVAL
	}
	lf := uint32(LOOKUP_FOLLOW)
	if flags&AT_SYMLINK_NOFOLLOW != 0 {
		lf = 0
	}
	if flags&AT_EMPTY_PATH != 0 {
		lf |= LOOKUP_EMPTY
		if path == "" && dfd != AT_FDCWD {
			return t.Fstat(dfd, st)
		}
	}
	// checkName's checks but the scan for NUL bytes: the lock-free walk
	// reads every byte anyway and makes the scan only if it stops early.
	if len(path) >= PATH_MAX {
		return ENAMETOOLONG
	}
	if path != "" {
		// A stale dentry met lock-free is walked again in ref-walk
		// mode and revalidated there.
		if done, err := t.statRCU(dfd, path, lf, st); done && err != ESTALE {
			return err
		}
	}
	if err := checkName(path, lf); err != nil {
		return err
	}
	return t.statRef(dfd, path, lf, st)
}

// statRef is vfs_statx() in ref-walk mode: filename_lookup's walk, made
// once more with LOOKUP_REVAL if it met a stale dentry, and the whole
// call made again with LOOKUP_REVAL if ->getattr found the file handle
// stale (retry_estale).
func (t *Task) statRef(dfd int, path string, lf uint32, st *Stat) error {
	for {
		p, err := t.pathLookupAt(dfd, path, lf)
		if err == ESTALE {
			p, err = t.pathLookupAt(dfd, path, lf|LOOKUP_REVAL)
		}
		if err != nil {
			return err
		}
		err = t.vfsGetattr(p, st)
		p.Put(t)
		if !retryEstale(err, lf) {
			return err
		}
		lf |= LOOKUP_REVAL
	}
}

// statRCU tries the lock-free stat of a non-empty path whose length
// was checked; done false means "use ref-walk" (which checks the name
// again). Before it returns an error it has checked path for NUL bytes,
// so that the errors come in checkName's order: when walkPlainRCU walks
// all of path, it has seen every byte, and only otherwise is path
// scanned.
//
// Not inlined: its own body inlines walkInit and GenericFillattr, but
// when the profile-guided WebAssembly build inlined statRCU into
// Fstatat, those two stayed calls there (web/bench/calls.mjs: a stat is
// 11.3 Go calls with the directive, 13.3 without).
//
//go:noinline
func (t *Task) statRCU(dfd int, path string, lf uint32, st *Stat) (bool, error) {
	nd := nameidata{flags: lf | LOOKUP_RCU, stepLast: true}
	if err := t.walkInit(&nd, dfd, path); err != nil {
		if e := checkNameNUL(path); e != nil {
			return true, e
		}
		return err != errECHILD, err // errECHILD: a start the walk must hold (walkInitShared)
	}
	if rest, done := nd.walkPlainRCU(path); !done {
		if err := checkNameNUL(path); err != nil {
			return true, err
		}
		if err := nd.walkToEnd(rest); err != nil {
			// A miss in the dcache comes back as errECHILD; any
			// other error was read from validated dentries (a
			// cached negative one, a directory without search
			// permission) and stands.
			return err != errECHILD, err
		}
	} else if nd.flags&LOOKUP_DIRECTORY != 0 && !nd.inode.isDir() {
		// walkToEnd's last check.
		return true, ENOTDIR
	}
	d := nd.path.Dentry
	in := nd.inode
	if in.Ops != nil && in.Ops.Getattr != nil || nd.jumped && d.flags.Load()&DCACHE_OP_WEAK_REVALIDATE != 0 {
		return false, nil
	}
	// GenericFillattr sets every field but MntID.
	GenericFillattr(in, st)
	st.MntID = nd.path.Mnt.id
	if d.seq.Retry(nd.seq) || t.vfs.mountLock.ReadRetry(nd.mseq) {
		return false, nil
	}
	if nd.flags&LOOKUP_IS_SCOPED != 0 && nd.checkUnderRoot() != nil {
		return false, nil // completeWalk's check, in ref-walk
	}
	nd.path.Mnt.clearExpiry() // what the ref-walk's mntput would do
	return true, nil
}
