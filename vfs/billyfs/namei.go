package billyfs

import (
	"github.com/vfscope/vfscope/vfs"
)

// lookup is ext2_lookup(): the entry from the directory's entries, its
// inode from the inode cache or the store. A name that is not there gets
// a negative dentry, which stays valid: every change of the directory
// goes through this superblock. A directory whose dentry the dcache
// still holds under another name (a rename whose -o dirsync flush
// failed after its record was written: the VFS kept the old name) is
// that dentry, moved here (d_splice_alias).
func lookup(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, flags uint32) (*vfs.Dentry, error) {
	if len(d.Name()) > vfs.NAME_MAX {
		return nil, vfs.ENAMETOOLONG
	}
	e := node(dir).dir.byName[d.Name()]
	if e == nil {
		vfs.DAdd(t, d, nil)
		return nil, nil
	}
	in, err := iget(t, dir.SB(), e.ino)
	if err != nil {
		return nil, err
	}
	return vfs.DSpliceAlias(t, in, d)
}

// touchDir updates a directory's times and size after a change of its
// entries.
func touchDir(t *vfs.Task, dir *vfs.Inode) {
	now := t.VFS().Now()
	dir.SetMtime(now)
	dir.SetCtime(now)
	dir.SetSize(node(dir).dir.size())
	dir.BumpVersion()
	vfs.MarkInodeDirty(t, dir, vfs.I_DIRTY_SYNC)
}

// addEntry makes a new inode and its name: the inode's record, then the
// directory's log record, then the dentry.
func addEntry(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32, dev uint64, link string) error {
	in, err := newInode(t, dir, mode, dev, link)
	if err != nil {
		return err
	}
	flushErr, err := logChange(dir, addRec(d.Name(), in))
	if err != nil {
		newInodeFailed(t, in)
		return err
	}
	node(dir).dir.add(d.Name(), in.Ino(), vfs.DTType(mode))
	if vfs.IsDir(mode) {
		dir.IncNlink()
	}
	touchDir(t, dir)
	vfs.DInstantiate(t, d, in)
	compact(dir)
	// A failed flush: the name is made, in memory as on the store.
	return flushErr
}

// mknod is ext2_mknod().
func mknod(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32, dev uint64) error {
	return addEntry(t, dir, d, mode, dev, "")
}

// create is ext2_create().
func create(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32, excl bool) error {
	return addEntry(t, dir, d, mode&^vfs.S_IFMT|vfs.S_IFREG, 0, "")
}

// mkdir is ext2_mkdir().
func mkdir(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32) error {
	return addEntry(t, dir, d, mode&^vfs.S_IFMT|vfs.S_IFDIR, 0, "")
}

// symlink is ext2_symlink(): the target lives in the inode's record (and
// in i_link, so the lock-free walk follows it).
func symlink(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, target string) error {
	if len(target) > pageSize-1 {
		return vfs.ENAMETOOLONG
	}
	return addEntry(t, dir, d, vfs.S_IFLNK|0o777, 0, target)
}

// link is ext2_link(). Linking an O_TMPFILE inode takes it off the
// orphan list.
func link(t *vfs.Task, old *vfs.Dentry, dir *vfs.Inode, d *vfs.Dentry) error {
	in := old.Inode()
	flushErr, err := logChange(dir, addRec(d.Name(), in))
	if err != nil {
		return err
	}
	wasOrphan := in.Nlink() == 0
	node(dir).dir.add(d.Name(), in.Ino(), vfs.DTType(in.Mode()))
	in.SetCtime(t.VFS().Now())
	in.IncNlink()
	vfs.MarkInodeDirty(t, in, vfs.I_DIRTY_SYNC)
	if wasOrphan {
		si := info(in.SB())
		if node(in).writeRecord(false) == nil && si.check() == nil {
			si.fs.Remove(orphanPath(in.Ino()))
		}
	}
	vfs.Ihold(in)
	touchDir(t, dir)
	vfs.DInstantiate(t, d, in)
	compact(dir)
	return flushErr
}

// unlink is ext2_unlink(): the directory's log first; the inode's link
// count after, to the orphan list at zero.
func unlink(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry) error {
	flushErr, err := logChange(dir, delRec(d.Name()))
	if err != nil {
		return err
	}
	in := d.Inode()
	node(dir).dir.remove(d.Name())
	touchDir(t, dir)
	in.SetCtime(t.VFS().Now())
	in.DropNlink()
	dropLink(t, in)
	compact(dir)
	return dropStale(t, flushErr, d)
}

// rmdir is ext2_rmdir().
func rmdir(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry) error {
	in := d.Inode()
	if len(node(in).dir.byName) != 0 {
		return vfs.ENOTEMPTY
	}
	flushErr, err := logChange(dir, delRec(d.Name()))
	if err != nil {
		return err
	}
	node(dir).dir.remove(d.Name())
	dir.DropNlink()
	touchDir(t, dir)
	in.SetCtime(t.VFS().Now())
	in.ClearNlink()
	dropLink(t, in)
	compact(dir)
	return dropStale(t, flushErr, d)
}

// rename is ext2_rename() with RENAME_NOREPLACE (the VFS checks it) and
// RENAME_EXCHANGE. The new name is logged before the old one goes: a
// crash between the two writes leaves both names (the link count one
// short), never neither.
func rename(t *vfs.Task, oldDir *vfs.Inode, old *vfs.Dentry, newDir *vfs.Inode, nd *vfs.Dentry, flags uint32) error {
	if flags&vfs.RENAME_WHITEOUT != 0 {
		return vfs.EINVAL
	}
	in := old.Inode()
	now := t.VFS().Now()
	if flags&vfs.RENAME_EXCHANGE != 0 {
		other := nd.Inode()
		flushErr, err := logPair(newDir, oldDir, addRec(nd.Name(), in), addRec(old.Name(), other))
		if err != nil {
			return err
		}
		node(newDir).dir.add(nd.Name(), in.Ino(), vfs.DTType(in.Mode()))
		node(oldDir).dir.add(old.Name(), other.Ino(), vfs.DTType(other.Mode()))
		if oldDir != newDir {
			if vfs.IsDir(in.Mode()) && !vfs.IsDir(other.Mode()) {
				oldDir.DropNlink()
				newDir.IncNlink()
			} else if !vfs.IsDir(in.Mode()) && vfs.IsDir(other.Mode()) {
				newDir.DropNlink()
				oldDir.IncNlink()
			}
		}
		touchDir(t, oldDir)
		touchDir(t, newDir)
		in.SetCtime(now)
		other.SetCtime(now)
		vfs.MarkInodeDirty(t, in, vfs.I_DIRTY_SYNC)
		vfs.MarkInodeDirty(t, other, vfs.I_DIRTY_SYNC)
		compact(oldDir)
		if newDir != oldDir {
			compact(newDir)
		}
		return dropStale(t, flushErr, old, nd)
	}
	isDir := vfs.IsDir(in.Mode())
	target := nd.Inode()
	if target != nil && vfs.IsDir(target.Mode()) && len(node(target).dir.byName) != 0 {
		return vfs.ENOTEMPTY
	}
	flushErr, err := logPair(newDir, oldDir, addRec(nd.Name(), in), delRec(old.Name()))
	if err != nil {
		return err
	}
	node(newDir).dir.add(nd.Name(), in.Ino(), vfs.DTType(in.Mode()))
	node(oldDir).dir.remove(old.Name())
	if target != nil {
		target.SetCtime(now)
		if vfs.IsDir(target.Mode()) {
			target.ClearNlink()
			newDir.DropNlink() // the target's ".." leaves
		} else {
			target.DropNlink()
		}
		dropLink(t, target)
	}
	if isDir && oldDir != newDir {
		oldDir.DropNlink()
		newDir.IncNlink()
	}
	touchDir(t, oldDir)
	touchDir(t, newDir)
	in.SetCtime(now)
	vfs.MarkInodeDirty(t, in, vfs.I_DIRTY_SYNC)
	compact(oldDir)
	if newDir != oldDir {
		compact(newDir)
	}
	return dropStale(t, flushErr, old, nd)
}

// logPair logs a in dirA's log and b in dirB's, in that order (one write
// when they are one directory), with logChange's two errors: a flush
// that fails does not stop the second write, since the first record is
// on the store and the change goes on (the first failed flush is
// reported).
func logPair(dirA, dirB *vfs.Inode, a, b dirRecord) (flushErr, err error) {
	if dirA == dirB {
		return logChange(dirA, a, b)
	}
	flushA, err := logChange(dirA, a)
	if err != nil {
		return nil, err
	}
	flushB, err := logChange(dirB, b)
	if err != nil {
		// Undo the first, so that memory and store agree; if that
		// fails too, the store has both names (see rename).
		undo := delRec(a.name)
		if a.op == dirAdd {
			if old := node(dirA).dir.byName[a.name]; old != nil {
				undo = dirRecord{op: dirAdd, typ: old.typ, ino: old.ino, name: old.name}
			}
		}
		logChange(dirA, undo)
		return nil, err
	}
	if flushA != nil {
		return flushA, nil
	}
	return flushB, nil
}

// tmpfile is ext4_tmpfile(): an inode with no name, on the orphan list
// from the start.
func tmpfile(t *vfs.Task, dir *vfs.Inode, f *vfs.File, mode uint32) error {
	in, err := newInode(t, dir, mode&^vfs.S_IFMT|vfs.S_IFREG, 0, "")
	if err != nil {
		return err
	}
	in.ClearNlink()
	if err := dropLink(t, in); err != nil {
		vfs.Iput(t, in)
		return err
	}
	return vfs.FinishOpenTmpfile(t, f, f.Dentry(), in)
}
