package hostfs

import (
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

// linker is a store with hard links (Dir has them; go-billy has no such
// interface).
type linker interface {
	Link(oldname, newname string) error
}

// mkdirer is a store with an exclusive mkdir (go-billy has only MkdirAll,
// which succeeds on an existing directory).
type mkdirer interface {
	Mkdir(name string, perm os.FileMode) error
}

var dirOps = &vfs.InodeOperations{}

func init() {
	// Set in init: the methods make inodes that refer to dirOps.
	*dirOps = vfs.InodeOperations{
		Lookup:  lookup,
		Create:  create,
		Link:    link,
		Unlink:  unlink,
		Symlink: symlink,
		Mkdir:   mkdir,
		Rmdir:   rmdir,
		Mknod:   mknod,
		Rename:  rename,
		Setattr: setattr,
		Getattr: getattr,
	}
}

var fileOps = &vfs.InodeOperations{Setattr: setattr, Getattr: getattr}
var symlinkOps = &vfs.InodeOperations{GetLink: getLink, Setattr: setattr, Getattr: getattr}
var specialOps = &vfs.InodeOperations{Setattr: setattr, Getattr: getattr}

// dentryOps is every hostfs dentry's (s_d_op).
var dentryOps = &vfs.DentryOperations{Revalidate: revalidate}

// hostPath is the store's name for d: its names up to the root of the
// superblock joined by "/", "." for the root. ok is false when d or a
// directory above it is no longer hashed (unlinked, or found stale): its
// names may by now belong to another file.
func hostPath(d *vfs.Dentry) (p string, ok bool) {
	if d.IsRoot() {
		return ".", true
	}
	var parts []string
	for !d.IsRoot() {
		if d.Flags()&vfs.DCACHE_HASHED == 0 {
			return "", false
		}
		parts = append(parts, d.Name())
		d = d.Parent()
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "/"), true
}

// childPath is the store's name for the entry d being created or
// removed: its parent's path and its name (d itself may be unhashed).
func childPath(d *vfs.Dentry) (string, error) {
	pp, ok := hostPath(d.Parent())
	if !ok {
		return "", vfs.ENOENT
	}
	if pp == "." {
		return d.Name(), nil
	}
	return pp + "/" + d.Name(), nil
}

// iget is hostfs_iget(): the inode of the file at p, from the inode
// cache by number (so host hard links share one) or made now. A cached
// inode whose type differs belongs to a file the host removed and whose
// number it reused: the new file gets an unhashed inode of its own.
func iget(t *vfs.Task, sb *vfs.SuperBlock, p string, fi fs.FileInfo) (*vfs.Inode, error) {
	a := attrOf(fi)
	ino := info(sb).inoOf(p, &a)
	in, isNew := vfs.IgetLocked(t, sb, ino)
	if !isNew {
		if in.Mode()&vfs.S_IFMT == a.mode&vfs.S_IFMT {
			refresh(in, &a)
			return in, nil
		}
		vfs.Iput(t, in)
		in = vfs.NewInode(t, sb)
		in.SetIno(ino)
		setup(in, &a)
		return in, nil
	}
	setup(in, &a)
	vfs.UnlockNewInode(t, in)
	return in, nil
}

// setup fills a new inode: type, device number, attributes,
// operations. A host FIFO, socket or device gets no file operations of
// hostfs: the VFS opens it as init_special_inode makes Linux open one
// (UML's hostfs does the same), so a FIFO is the VFS's own pipe (not
// the host's FIFO), a character device is the VFS's driver for its
// device number (the host's number; ENXIO when the VFS has no such
// driver), and a block device or socket is ENXIO.
func setup(in *vfs.Inode, a *hattr) {
	in.SetModeType(a.mode)
	in.SetRdev(a.rdev)
	refresh(in, a)
	switch a.mode & vfs.S_IFMT {
	case vfs.S_IFDIR:
		in.Ops = dirOps
		in.FOps = dirFileOps
	case vfs.S_IFREG:
		in.Ops = fileOps
		in.FOps = regFileOps
		in.Private = &inodeInfo{}
	case vfs.S_IFLNK:
		in.Ops = symlinkOps
	default:
		// FIFOs, sockets and devices: opened by the VFS (see above).
		in.Ops = specialOps
	}
}

// instantiate binds d to the file the store now has at p (after a
// create, mkdir or symlink) and refreshes the parent directory.
func instantiate(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, p string) (*vfs.Inode, error) {
	si := info(dir.SB())
	fi, err := si.fs.Lstat(p)
	if err != nil {
		return nil, errno(err)
	}
	in, err := iget(t, dir.SB(), p, fi)
	if err != nil {
		return nil, err
	}
	vfs.DInstantiate(t, d, in)
	refreshDir(t, dir, d.Parent())
	return in, nil
}

// refreshDir re-reads a directory's attributes (link count, times) after
// a change of its entries.
func refreshDir(t *vfs.Task, dir *vfs.Inode, dd *vfs.Dentry) {
	p, ok := hostPath(dd)
	if !ok {
		return
	}
	if fi, err := info(dir.SB()).fs.Lstat(p); err == nil {
		a := attrOf(fi)
		if a.mode&vfs.S_IFMT == dir.Mode()&vfs.S_IFMT {
			refresh(dir, &a)
		}
	}
}

// revalidate is ->d_revalidate (nfs_lookup_revalidate without an
// attribute cache): one Lstat. A negative dentry stays valid while the
// host has nothing at its name; a positive one while the host has a
// file of the same type and inode number there, whose attributes it then
// takes. The walk looks an invalid name up again. Ref-walk only.
func revalidate(t *vfs.Task, d *vfs.Dentry, flags uint32) (int, error) {
	if flags&vfs.LOOKUP_RCU != 0 {
		return 0, vfs.ECHILD
	}
	p, ok := hostPath(d)
	if !ok {
		return 0, nil
	}
	si := info(d.SB())
	in := d.Inode()
	fi, err := si.fs.Lstat(p)
	if err != nil {
		switch e := errno(err); e {
		case vfs.ENOENT, vfs.ENOTDIR:
			if in == nil {
				return 1, nil
			}
			return 0, nil
		default:
			return 0, e
		}
	}
	if in == nil {
		return 0, nil
	}
	a := attrOf(fi)
	if a.mode&vfs.S_IFMT != in.Mode()&vfs.S_IFMT || si.inoOf(p, &a) != in.Ino() {
		return 0, nil
	}
	refresh(in, &a)
	return 1, nil
}

// lookup is ->lookup: Lstat the name; nothing there is a negative
// dentry, kept and revalidated like the others. A directory the dcache
// knows under another name (renamed on the host) is that dentry, moved
// to this name (d_splice_alias), so that a task standing in it follows
// it there.
func lookup(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, flags uint32) (*vfs.Dentry, error) {
	if len(d.Name()) > vfs.NAME_MAX {
		return nil, vfs.ENAMETOOLONG
	}
	p, err := childPath(d)
	if err != nil {
		return nil, err
	}
	fi, err := info(dir.SB()).fs.Lstat(p)
	if err != nil {
		switch e := errno(err); e {
		case vfs.ENOENT, vfs.ENOTDIR:
			vfs.DAdd(t, d, nil)
			return nil, nil
		default:
			return nil, e
		}
	}
	in, err := iget(t, dir.SB(), p, fi)
	if err != nil {
		return nil, err
	}
	return vfs.DSpliceAlias(t, in, d)
}

// writable is the defence behind the VFS's own check of a read-only
// mount: no change reaches the host of a read-only superblock.
func writable(sb *vfs.SuperBlock) error {
	if sb.ReadOnly() {
		return vfs.EROFS
	}
	return nil
}

// fixMode sets the exact permission bits the VFS asked for when the
// host's umask took some away, and the special bits (S_ISUID, S_ISGID,
// S_ISVTX), which the host's create and mkdir are not given (os.Root
// takes only 0777). A directory keeps the S_ISGID the host gave it in a
// set-group-ID parent, as Linux's inode_init_owner gives it.
func fixMode(si *sbInfo, p string, mode uint32) {
	ch, ok := si.fs.(billy.Chmod)
	if !ok {
		return
	}
	fi, err := si.fs.Lstat(p)
	if err != nil {
		return
	}
	have := linuxMode(fi.Mode())
	want := mode & vfs.S_IALLUGO
	if vfs.IsDir(have) {
		want |= have & vfs.S_ISGID
	}
	if have&vfs.S_IALLUGO != want {
		ch.Chmod(p, goMode(want))
	}
}

// create is ->create: the host file is made and opened read-write at
// once (O_CREAT|O_EXCL for an exclusive open), and that open file waits
// in pending for the ->open of the same task that follows, so that a file created with a
// mode that forbids writing still gives its creator a writable
// descriptor, as on Linux.
func create(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32, excl bool) error {
	f, in, err := createFile(t, dir, d, mode, excl)
	if err != nil {
		return err
	}
	info(dir.SB()).putPending(t, in, f)
	return nil
}

func createFile(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32, excl bool) (billy.File, *vfs.Inode, error) {
	if err := writable(dir.SB()); err != nil {
		return nil, nil, err
	}
	p, err := childPath(d)
	if err != nil {
		return nil, nil, err
	}
	si := info(dir.SB())
	flags := os.O_RDWR | os.O_CREATE
	if excl {
		flags |= os.O_EXCL
	}
	// The permission bits only: fixMode adds the special ones.
	f, err := si.fs.OpenFile(p, flags, goMode(mode&0o777))
	if err != nil {
		return nil, nil, errno(err)
	}
	fixMode(si, p, mode)
	in, err := instantiate(t, dir, d, p)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, in, nil
}

// mknod is ->mknod: regular files only (a host directory shown through
// go-billy has no FIFOs, sockets or devices to make): EPERM otherwise,
// as Linux gives where a filesystem cannot make the node.
func mknod(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32, dev uint64) error {
	if mode&vfs.S_IFMT != vfs.S_IFREG && mode&vfs.S_IFMT != 0 {
		return vfs.EPERM
	}
	f, _, err := createFile(t, dir, d, mode, true)
	if err != nil {
		return err
	}
	f.Close()
	return nil
}

// mkdir is ->mkdir: the store's exclusive Mkdir, or Lstat and MkdirAll.
func mkdir(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32) error {
	if err := writable(dir.SB()); err != nil {
		return err
	}
	p, err := childPath(d)
	if err != nil {
		return err
	}
	si := info(dir.SB())
	// The permission bits only: fixMode adds the special ones.
	if mk, ok := si.fs.(mkdirer); ok {
		err = mk.Mkdir(p, goMode(mode&0o777))
	} else if _, lerr := si.fs.Lstat(p); lerr == nil {
		err = vfs.EEXIST
	} else {
		err = si.fs.MkdirAll(p, goMode(mode&0o777))
	}
	if err != nil {
		return errno(err)
	}
	fixMode(si, p, mode)
	_, err = instantiate(t, dir, d, p)
	return err
}

// symlink is ->symlink. The body is stored as given: the VFS resolves it
// (inside the VFS's tree) when a walk follows the link; the host never
// follows it for us.
func symlink(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, target string) error {
	if err := writable(dir.SB()); err != nil {
		return err
	}
	p, err := childPath(d)
	if err != nil {
		return err
	}
	if err := info(dir.SB()).fs.Symlink(target, p); err != nil {
		return errno(err)
	}
	_, err = instantiate(t, dir, d, p)
	return err
}

// link is ->link, for stores that have hard links; EPERM otherwise, as
// Linux answers on a filesystem without them (vfs_link with no ->link).
func link(t *vfs.Task, old *vfs.Dentry, dir *vfs.Inode, d *vfs.Dentry) error {
	if err := writable(dir.SB()); err != nil {
		return err
	}
	si := info(dir.SB())
	l, ok := si.fs.(linker)
	if !ok {
		return vfs.EPERM
	}
	op, ok := hostPath(old)
	if !ok {
		return vfs.ENOENT
	}
	p, err := childPath(d)
	if err != nil {
		return err
	}
	if err := l.Link(op, p); err != nil {
		return errno(err)
	}
	in := old.Inode()
	vfs.Ihold(in)
	if fi, err := si.fs.Lstat(p); err == nil {
		a := attrOf(fi)
		refresh(in, &a)
	} else {
		in.IncNlink()
	}
	vfs.DInstantiate(t, d, in)
	refreshDir(t, dir, d.Parent())
	return nil
}

// remove is ->unlink and ->rmdir: the store's Remove (ENOTEMPTY comes
// from the host).
func remove(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry) error {
	if err := writable(dir.SB()); err != nil {
		return err
	}
	p, err := childPath(d)
	if err != nil {
		return err
	}
	si := info(dir.SB())
	if err := si.fs.Remove(p); err != nil {
		return errno(err)
	}
	si.removeInos(p)
	refreshDir(t, dir, d.Parent())
	return nil
}

func unlink(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry) error {
	if err := remove(t, dir, d); err != nil {
		return err
	}
	if in := d.Inode(); in.Nlink() > 0 {
		in.DropNlink()
	}
	return nil
}

func rmdir(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry) error {
	if err := remove(t, dir, d); err != nil {
		return err
	}
	d.Inode().ClearNlink()
	return nil
}

// lchtimeser is a store that sets a symlink's own times (Dir on Linux:
// utimensat with AT_SYMLINK_NOFOLLOW; billy's Chtimes follows links).
type lchtimeser interface {
	Lchtimes(name string, atime, mtime time.Time) error
}

// renamer2 is a store with renameat2(2) and its flags (Dir on Linux;
// go-billy has no such interface): the flags are Linux's.
type renamer2 interface {
	Rename2(oldpath, newpath string, flags uint) error
}

// rename is ->rename with flags 0, RENAME_NOREPLACE or RENAME_EXCHANGE.
// A store with Rename2 (renamer2) gets the flags, so the host checks
// NOREPLACE and makes the exchange atomically. Any other store has
// RENAME_NOREPLACE checked by an Lstat first (see the package doc) and
// RENAME_EXCHANGE is EINVAL there (go-billy has no exchange).
// RENAME_WHITEOUT is EINVAL.
func rename(t *vfs.Task, oldDir *vfs.Inode, old *vfs.Dentry, newDir *vfs.Inode, nd *vfs.Dentry, flags uint32) error {
	if flags&^(vfs.RENAME_NOREPLACE|vfs.RENAME_EXCHANGE) != 0 {
		return vfs.EINVAL
	}
	if err := writable(oldDir.SB()); err != nil {
		return err
	}
	si := info(oldDir.SB())
	op, err := childPath(old)
	if err != nil {
		return err
	}
	np, err := childPath(nd)
	if err != nil {
		return err
	}
	exchange := flags&vfs.RENAME_EXCHANGE != 0
	switch r2, ok := si.fs.(renamer2); {
	case ok:
		err = r2.Rename2(op, np, uint(flags))
	case exchange:
		return vfs.EINVAL
	case flags&vfs.RENAME_NOREPLACE != 0 && exists(si.fs, np):
		return vfs.EEXIST
	default:
		err = si.fs.Rename(op, np)
	}
	if err != nil {
		return errno(err)
	}
	si.renameInos(op, np, exchange)
	target := nd.Inode()
	if target != nil && !exchange {
		if vfs.IsDir(target.Mode()) {
			target.ClearNlink()
		} else if target.Nlink() > 0 {
			target.DropNlink()
		}
	}
	refreshAt(si, old.Inode(), np)
	if exchange {
		refreshAt(si, target, op)
	}
	refreshDir(t, oldDir, old.Parent())
	if newDir != oldDir {
		refreshDir(t, newDir, nd.Parent())
	}
	return nil
}

// exists tells whether the store has a file at p.
func exists(fs billy.Filesystem, p string) bool {
	_, err := fs.Lstat(p)
	return err == nil
}

// refreshAt refreshes in from the file the store now has at p, when it
// is of in's type.
func refreshAt(si *sbInfo, in *vfs.Inode, p string) {
	if fi, err := si.fs.Lstat(p); err == nil {
		a := attrOf(fi)
		if a.mode&vfs.S_IFMT == in.Mode()&vfs.S_IFMT {
			refresh(in, &a)
		}
	}
}

// staleErr is the errno of a change made by name (setattr): ENOENT
// means the host no longer has the file at the name the VFS still has
// for it, which is ESTALE, as NFS answers for a file handle gone from
// the server; the dentry is dropped at the next walk's revalidate.
func staleErr(err error) error {
	if e := errno(err); e != vfs.ENOENT {
		return e
	}
	return vfs.ESTALE
}

// getLink is ->get_link: the host's link body, read each time (the host
// may have replaced the link by another of the same inode number).
// Ref-walk only.
func getLink(t *vfs.Task, d *vfs.Dentry, in *vfs.Inode) (string, error) {
	if d == nil {
		return "", vfs.ECHILD
	}
	p, ok := hostPath(d)
	if !ok {
		return "", vfs.ENOENT
	}
	s, err := info(d.SB()).fs.Readlink(p)
	if err != nil {
		return "", errno(err)
	}
	return s, nil
}

// getattr is ->getattr: the host's attributes, refreshed by an Lstat
// while d still names the file there; the inode's otherwise (a file
// unlinked while open, or replaced on the host and not yet revalidated).
func getattr(t *vfs.Task, p vfs.Path, st *vfs.Stat, mask, flags uint32) error {
	d := p.Dentry
	in := d.Inode()
	if hp, ok := hostPath(d); ok {
		si := info(d.SB())
		if fi, err := si.fs.Lstat(hp); err == nil {
			a := attrOf(fi)
			if a.mode&vfs.S_IFMT == in.Mode()&vfs.S_IFMT && si.inoOf(hp, &a) == in.Ino() {
				refresh(in, &a)
			}
		}
	}
	vfs.GenericFillattr(in, st)
	return nil
}

// setattr is ->setattr: the change goes to the host (truncate through a
// billy.File, mode, owner and times through billy.Change), then into the
// inode. Without billy.Change a store gives EPERM for those. On a
// symlink, mode is EOPNOTSUPP (Linux has no lchmod either), times go
// to a store's Lchtimes (Dir on Linux) and are EOPNOTSUPP on any other
// (billy has no lutimes); the owner is Lchown'd.
//
// A truncation through an open file (ATTR_FILE: ftruncate) goes through
// that file's own host handle, as Linux's filesystems use ia_file, so it
// reaches the file whatever became of its name (unlinked, renamed on the
// host); the host's truncate sets mtime and ctime itself, and a mode
// change that comes with it (set-user-ID dropped) goes through the
// handle's fchmod when it has one. Mode, owner and times of a regular
// file open somewhere (its inodeInfo has a host handle) go through that
// handle too (fchmod, fchown, futimens), so they reach the file as a
// filesystem with file handles reaches it, even when the host unlinked
// or renamed its name. Anything else needs the name: ESTALE when d no
// longer has one, or when the host has nothing at it any more (ENOENT
// there: the name the VFS holds is stale).
func setattr(t *vfs.Task, d *vfs.Dentry, a *vfs.Iattr) error {
	in := d.Inode()
	if err := writable(in.SB()); err != nil {
		return err
	}
	var hf billy.File
	// A descriptor open for reading only (open with O_RDONLY|O_TRUNC)
	// has a host handle that cannot truncate: the name does it.
	if a.Valid&vfs.ATTR_FILE != 0 && a.File != nil && a.File.Mode()&vfs.FMODE_WRITE != 0 {
		if h, ok := a.File.Private.(*handle); ok {
			hf = h.f
		}
	}
	// oh is the open host handle mode, owner and times go through
	// when the file has one: hf, else any of the inode's (held open
	// by ii.mu until setattr returns).
	oh := hf
	if ii, ok := in.Private.(*inodeInfo); ok {
		ii.mu.Lock()
		defer ii.mu.Unlock()
		if oh == nil && len(ii.handles) > 0 {
			oh = ii.handles[0].f
		}
	}
	p, pathOK := hostPath(d)
	si := info(d.SB())
	ch, hasChange := si.fs.(billy.Change)
	isLnk := vfs.IsLnk(in.Mode())
	// todo are the changes still to make by name.
	todo := a.Valid
	if hf != nil {
		todo &^= vfs.ATTR_SIZE
		if a.Valid&vfs.ATTR_MTIME_SET == 0 {
			todo &^= vfs.ATTR_MTIME
		}
	}
	if _, ok := oh.(fchmoder); ok {
		todo &^= vfs.ATTR_MODE
	}
	if _, ok := oh.(fchowner); ok {
		todo &^= vfs.ATTR_UID | vfs.ATTR_GID
	}
	// Times by futimens, unless they come with a truncation (the
	// host's truncate sets them).
	timesByHandle := oh != nil && canFutimens(oh) && a.Valid&vfs.ATTR_SIZE == 0 && a.Valid&(vfs.ATTR_ATIME|vfs.ATTR_MTIME) != 0
	if timesByHandle {
		todo &^= vfs.ATTR_ATIME | vfs.ATTR_MTIME
	}
	if !pathOK && todo&(vfs.ATTR_SIZE|vfs.ATTR_MODE|vfs.ATTR_UID|vfs.ATTR_GID|vfs.ATTR_ATIME|vfs.ATTR_MTIME) != 0 {
		return vfs.ESTALE
	}
	if a.Valid&vfs.ATTR_SIZE != 0 {
		f := hf
		if f == nil {
			var err error
			if f, err = si.fs.OpenFile(p, os.O_WRONLY, 0); err != nil {
				return staleErr(err)
			}
		}
		err := f.Truncate(a.Size)
		if hf == nil {
			f.Close()
		}
		if err != nil {
			return errno(err)
		}
	}
	if a.Valid&vfs.ATTR_MODE != 0 {
		switch {
		case isLnk:
			return vfs.EOPNOTSUPP
		case todo&vfs.ATTR_MODE == 0:
			if err := oh.(fchmoder).Chmod(goMode(a.Mode)); err != nil {
				return errno(err)
			}
		case !hasChange:
			if chm, ok := si.fs.(billy.Chmod); ok {
				if err := chm.Chmod(p, goMode(a.Mode)); err != nil {
					return staleErr(err)
				}
				break
			}
			return vfs.EPERM
		default:
			if err := ch.Chmod(p, goMode(a.Mode)); err != nil {
				return staleErr(err)
			}
		}
	}
	if a.Valid&(vfs.ATTR_UID|vfs.ATTR_GID) != 0 {
		uid, gid := -1, -1
		if a.Valid&vfs.ATTR_UID != 0 {
			uid = int(a.UID)
		}
		if a.Valid&vfs.ATTR_GID != 0 {
			gid = int(a.GID)
		}
		var err error
		switch {
		case todo&(vfs.ATTR_UID|vfs.ATTR_GID) == 0:
			err = errno(oh.(fchowner).Chown(uid, gid))
		case !hasChange:
			return vfs.EPERM
		case isLnk:
			err = staleErr(ch.Lchown(p, uid, gid))
		default:
			err = staleErr(ch.Chown(p, uid, gid))
		}
		if err != nil {
			return err
		}
	}
	if timesByHandle {
		var at, mt *int64
		if a.Valid&vfs.ATTR_ATIME != 0 {
			at = &a.Atime
		}
		if a.Valid&vfs.ATTR_MTIME != 0 {
			mt = &a.Mtime
		}
		if err := futimens(oh, at, mt); err != nil {
			return errno(err)
		}
	}
	if todo&(vfs.ATTR_ATIME|vfs.ATTR_MTIME) != 0 {
		lch, hasLch := si.fs.(lchtimeser)
		switch {
		case isLnk && !hasLch:
			return vfs.EOPNOTSUPP
		case !isLnk && !hasChange:
			return vfs.EPERM
		}
		// A zero time leaves that time as it is (os.Chtimes).
		var at, mt time.Time
		if a.Valid&vfs.ATTR_ATIME != 0 {
			at = time.Unix(0, a.Atime)
		}
		if a.Valid&vfs.ATTR_MTIME != 0 {
			mt = time.Unix(0, a.Mtime)
		}
		var err error
		if isLnk {
			err = lch.Lchtimes(p, at, mt)
		} else {
			err = ch.Chtimes(p, at, mt)
		}
		if err != nil {
			return staleErr(err)
		}
	}
	vfs.SetattrCopy(t, in, a)
	if a.Valid&vfs.ATTR_SIZE != 0 {
		in.SetSize(a.Size)
	}
	// The host's attributes now: the open file's own when it has fstat,
	// else those at the name, if it still has one.
	var fi fs.FileInfo
	var err error = vfs.ENOENT
	if st, ok := oh.(interface{ Stat() (fs.FileInfo, error) }); ok {
		fi, err = st.Stat()
	} else if pathOK {
		fi, err = si.fs.Lstat(p)
	}
	if err == nil {
		ha := attrOf(fi)
		if ha.mode&vfs.S_IFMT == in.Mode()&vfs.S_IFMT {
			refresh(in, &ha)
		}
	}
	return nil
}
