package vfs

import (
	"strings"

	"github.com/vfscope/vfscope/vfs/lock"
)

// errUnreachable says that a path is not below the task's root.
const errUnreachable Errno = ENOENT

// pathString is d_path()'s prepend_path(): the path of p as seen from
// t's root, consistent against concurrent renames (rename_lock). A
// dentry with ->d_dname names itself, unless it is the root of the mount
// (as d_path: a mounted tree's root has a real path); an unlinked one
// gets " (deleted)".
func (t *Task) pathString(p Path) (string, error) {
	if d := p.Dentry; d.op != nil && d.op.DName != nil && (!d.IsRoot() || d != p.Mnt.root) {
		return t.dopDName(d), nil
	}
	s, ok := pathStringFrom(t.o, t.vfs, p, t.fs.root)
	if !ok {
		return s, errUnreachable
	}
	return s, nil
}

// pathStringFrom is prepend_path() from an explicit root, retried while
// a rename or a mount change runs (rename_lock, mount_lock); false if p
// is not below root.
func pathStringFrom(o *lock.Owner, v *VFS, p, root Path) (string, bool) {
	for {
		seq := v.renameLock.ReadBeginBy(o)
		mseq := v.mountLock.ReadBeginBy(o)
		s, ok := prependPath(p, root)
		if v.renameLock.ReadRetry(seq) || v.mountLock.ReadRetry(mseq) {
			continue
		}
		return s, ok
	}
}

// prependPath is __prepend_path() and prepend_path(): the names from p
// up to root, across mounts; false if the walk ends elsewhere: at the
// namespace's root or a detached mount's (Linux's 1 and 2, with the path
// from there), or at a root of the dentry tree that is not the mount's
// root (3, "escaped": a directory renamed out from under a bind mount's
// root), where prepend_path drops what it had built, leaving "/". One
// pass, with no lock: the caller validates it against rename_lock and
// mount_lock.
func prependPath(p, root Path) (string, bool) {
	var parts []string
	for {
		if p.Dentry == root.Dentry && p.Mnt == root.Mnt {
			break
		}
		if p.Dentry == p.Mnt.root {
			parent := p.Mnt.parent.Load()
			if parent == p.Mnt {
				return joinRev(parts), false
			}
			p = Path{parent, p.Mnt.mountpoint.Load()}
			continue
		}
		parent := p.Dentry.parent.Load()
		if parent == p.Dentry {
			return "/", false
		}
		parts = append(parts, p.Dentry.name.Load().Name)
		p.Dentry = parent
	}
	return joinRev(parts), true
}

func joinRev(parts []string) string {
	if len(parts) == 0 {
		return "/"
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i])
	}
	return b.String()
}

// DPath is d_path(): the path of p for /proc and messages, with
// " (deleted)" after an unlinked file. As in Linux, a path the task's
// root does not reach gets no "(unreachable)" prefix (that is getcwd's):
// it is the path from the namespace's root, or "/" for one that escaped
// its bind mount (prepend_path's error 3 drops what it built).
func (t *Task) DPath(p Path) string {
	s, _ := t.pathString(p)
	d := p.Dentry
	if !d.IsRoot() && !d.hashed() {
		s += " (deleted)"
	}
	return s
}

// Getcwd is getcwd(2): ENOENT if the directory was removed, or if the
// task has none (made while the namespace had no root: before MountRoot
// or after PutMntNS).
func (t *Task) Getcwd() (string, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("getcwd"))
	}
	cwd := t.fs.cwd
	if cwd.Dentry == nil {
		return "", ENOENT
	}
	if !cwd.Dentry.IsRoot() && !cwd.Dentry.hashed() {
		return "", ENOENT
	}
	s, err := t.pathString(cwd)
	if err != nil {
		return "(unreachable)" + s, nil
	}
	if len(s) >= PATH_MAX {
		return "", ENAMETOOLONG
	}
	return s, nil
}

// retryEstale is retry_estale(): a path call whose walk, last lookup or
// operation found a file handle stale (ESTALE) is made once more, whole,
// with LOOKUP_REVAL passed to every lookup it makes, so that each dentry
// on the way is revalidated with the filesystem; the retry's ESTALE is
// the caller's.
func retryEstale(err error, lf uint32) bool {
	return err == ESTALE && lf&LOOKUP_REVAL == 0
}

// Chdir is chdir(2).
func (t *Task) Chdir(path string) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("chdir"))
	}
	lf := uint32(LOOKUP_FOLLOW | LOOKUP_DIRECTORY)
	for {
		p, err := t.pathLookup(AT_FDCWD, path, lf)
		if err != nil {
			return err
		}
		err = t.setCwd(p)
		if !retryEstale(err, lf) {
			return err
		}
		lf |= LOOKUP_REVAL
	}
}

// Fchdir is fchdir(2).
func (t *Task) Fchdir(fd int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fchdir"))
	}
	f, err := t.getFile(fd)
	if err != nil {
		return err
	}
	p := f.path.Get()
	fput(t, f)
	if !p.Dentry.inode.Load().isDir() {
		p.Put(t)
		return ENOTDIR
	}
	return t.setCwd(p)
}

func (t *Task) setCwd(p Path) error {
	if err := t.inodePermission(p.Dentry.inode.Load(), MAY_EXEC|MAY_CHDIR); err != nil {
		p.Put(t)
		return err
	}
	t.setFS(Path{}, p)
	return nil
}

// Chroot is chroot(2).
func (t *Task) Chroot(path string) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("chroot"))
	}
	lf := uint32(LOOKUP_FOLLOW | LOOKUP_DIRECTORY)
	var p Path
	for {
		var err error
		if p, err = t.pathLookup(AT_FDCWD, path, lf); err != nil {
			return err
		}
		err = t.inodePermission(p.Dentry.inode.Load(), MAY_EXEC|MAY_CHDIR)
		if err == nil {
			break
		}
		p.Put(t)
		if !retryEstale(err, lf) {
			return err
		}
		lf |= LOOKUP_REVAL
	}
	if !t.cred.capable() {
		p.Put(t)
		return EPERM
	}
	t.setFS(p, Path{})
	return nil
}

// Readlink is readlink(2).
func (t *Task) Readlink(path string) (string, error) { return t.Readlinkat(AT_FDCWD, path) }

// Readlinkat is readlinkat(2).
func (t *Task) Readlinkat(dfd int, path string) (string, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("readlinkat"))
	}
	lf := uint32(LOOKUP_EMPTY)
	for {
		p, err := t.pathLookup(dfd, path, lf)
		if err != nil {
			return "", err
		}
		s, err := t.readlinkPath(p, path == "")
		p.Put(t)
		if !retryEstale(err, lf) {
			return s, err
		}
		lf |= LOOKUP_REVAL
	}
}

// readlinkPath is do_readlinkat() on the path its walk found; empty says
// the name was empty.
func (t *Task) readlinkPath(p Path, empty bool) (string, error) {
	in := p.Dentry.inode.Load()
	if !IsLnk(in.mode.Load()) {
		// do_readlinkat(): an empty path names the descriptor itself,
		// which is then "no such link" rather than "not a link".
		if empty {
			return "", ENOENT
		}
		return "", EINVAL
	}
	t.touchAtime(p)
	if in.Ops != nil && in.Ops.Readlink != nil {
		return t.iopReadlink(p.Dentry)
	}
	return t.readLinkBody(p)
}

// statfs flags (ST_*).
const (
	ST_RDONLY      = 1
	ST_NOSUID      = 2
	ST_NODEV       = 4
	ST_NOEXEC      = 8
	ST_SYNCHRONOUS = 16
	ST_VALID       = 32 // f_flags is filled in (always, since Linux 2.6.36)
	ST_NOATIME     = 1024
	ST_NODIRATIME  = 2048
	ST_RELATIME    = 4096
)

// vfsStatfs is vfs_statfs(): ->statfs, plus f_flags as
// calculate_f_flags() makes them: ST_VALID, the mount's flags
// (flags_by_mnt) and the superblock's (flags_by_sb).
func (t *Task) vfsStatfs(p Path, st *Statfs) error {
	*st = Statfs{}
	sb := p.Dentry.sb
	if sb.Ops != nil && sb.Ops.Statfs != nil {
		if err := t.sopStatfs(p.Dentry, st); err != nil {
			return err
		}
	} else {
		SimpleStatfs(sb, st)
	}
	if st.Frsize == 0 {
		st.Frsize = st.Bsize
	}
	// f_fsid is ->statfs's (a filesystem that passes on another's,
	// as hostfs does the host's); the device number when it left none.
	if st.Fsid == 0 {
		st.Fsid = sb.dev
	}
	mf := p.Mnt.flags.Load()
	f := int64(ST_VALID)
	if p.Mnt.ReadOnly() {
		f |= ST_RDONLY
	}
	if sb.flags.Load()&SB_SYNCHRONOUS != 0 {
		f |= ST_SYNCHRONOUS
	}
	for _, x := range []struct{ m, s int64 }{{MNT_NOSUID, ST_NOSUID}, {MNT_NODEV, ST_NODEV}, {MNT_NOEXEC, ST_NOEXEC}, {MNT_NOATIME, ST_NOATIME}, {MNT_NODIRATIME, ST_NODIRATIME}, {MNT_RELATIME, ST_RELATIME}} {
		if int64(mf)&x.m != 0 {
			f |= x.s
		}
	}
	st.Flags = f
	return nil
}

// SimpleStatfs is simple_statfs().
func SimpleStatfs(sb *SuperBlock, st *Statfs) {
	st.Type = sb.Magic
	st.Bsize = 4096
	st.Namelen = NAME_MAX
}

// Statfs is statfs(2).
func (t *Task) Statfs(path string, st *Statfs) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("statfs"))
	}
	lf := uint32(LOOKUP_FOLLOW)
	for {
		p, err := t.pathLookup(AT_FDCWD, path, lf)
		if err != nil {
			return err
		}
		err = t.vfsStatfs(p, st)
		p.Put(t)
		if !retryEstale(err, lf) {
			return err
		}
		lf |= LOOKUP_REVAL
	}
}

// Fstatfs is fstatfs(2).
func (t *Task) Fstatfs(fd int, st *Statfs) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fstatfs"))
	}
	f, fl := t.fileLight(fd) // fdget_raw: O_PATH descriptors too
	if f == nil {
		return EBADF
	}
	err := t.vfsStatfs(f.path, st)
	t.fdputFlags(f, fl)
	return err
}

// Freeze is ioctl(FIFREEZE) on the filesystem that holds path: block
// writers at every freeze level, sync, ->freeze_fs. EPERM without
// CAP_SYS_ADMIN, EOPNOTSUPP for a filesystem without ->freeze_fs
// (ioctl_fsfreeze: tmpfs, procfs), EBUSY if already frozen.
func (t *Task) Freeze(path string) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fifreeze"))
	}
	p, err := t.pathLookup(AT_FDCWD, path, LOOKUP_FOLLOW)
	if err != nil {
		return err
	}
	defer p.Put(t)
	if !t.cred.capable() {
		return EPERM
	}
	if sb := p.Dentry.sb; sb.Ops == nil || sb.Ops.FreezeFS == nil {
		return EOPNOTSUPP
	}
	return FreezeSuper(t, p.Dentry.sb)
}

// Thaw is ioctl(FITHAW): EINVAL if the filesystem is not frozen.
func (t *Task) Thaw(path string) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fithaw"))
	}
	p, err := t.pathLookup(AT_FDCWD, path, LOOKUP_FOLLOW)
	if err != nil {
		return err
	}
	defer p.Put(t)
	if !t.cred.capable() {
		return EPERM
	}
	return ThawSuper(t, p.Dentry.sb)
}
