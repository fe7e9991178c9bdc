package tmpfs

import (
	"unsafe"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// tnode is what tmpfs keeps per inode (struct shmem_inode_info)
// besides a directory's offset map, which is the inode's i_private
// (dirOf): only directories have one.
type tnode struct {
	// xattrs are the extended attributes, by full name. Under the
	// inode's i_rwsem (set: exclusive; get and list: shared).
	xattrs map[string][]byte
	// alloced is shmem_inode_info.alloced: the pages of the mapping
	// charged against size= (the low allocedBits bits), and above them
	// a count of its changes. Atomic, changed only by recalc
	// (alloced.go), which stands for info->lock.
	alloced atomic.Int64
}

// dirOf returns a directory's offset map (simple_offset_ctx, kept in
// i_private; set when the inode is made). Under the inode's i_rwsem.
func dirOf(in *vfs.Inode) *dirInfo { return in.Private.(*dirInfo) }

// node is SHMEM_I(): tmpfs's part of an inode, found from the VFS inode
// by its place in the shmemInode holding both (container_of), so that
// no pointer to it sits in i_private for the collector to trace.
func node(in *vfs.Inode) *tnode { return &shmemI(in).n }

// shmemI returns the shmemInode holding in. Every tmpfs inode is one:
// ->alloc_inode (allocInode) makes them all.
func shmemI(in *vfs.Inode) *shmemInode { return (*shmemInode)(unsafe.Pointer(in)) }

// shmemInode is struct shmem_inode_info: the VFS inode and tmpfs's part
// in one allocation. The VFS inode comes first, so a *vfs.Inode of tmpfs
// is also a *shmemInode. A regular file's first page-cache folio is
// folio (AddressSpace.SetSpareFolio): most tmpfs files are small, and
// their inode and folio then cost one allocation and the collector one
// object. Together they fill the 512-byte size class, the largest
// whose objects carry no allocation header.
type shmemInode struct {
	vfs.Inode
	n     tnode
	folio vfs.Folio
}

// inodeSlabLen is how many inodes one allocation of tmpfs's inode cache
// holds: 15 shmemInodes of 512 bytes and the allocation's 8-byte header
// fill the 8 KiB size class.
const inodeSlabLen = 15

// allocInode is shmem_alloc_inode(): the next inode of the superblock's
// current slab (kmem_cache_alloc of shmem_inode_cache), a new slab when
// it is used up. A slot is handed out once and never reused (the
// collector cannot say when a lock-free walker has let go of a freed
// inode, which is when Linux's slab may reuse it), so a slab is freed
// when the last of its inodes is; freeInode drops what a freed inode
// still points to, so that a slab kept by one live inode keeps nothing
// else. Allocating inodes fifteen at a time costs the allocator and the
// collector one object where it was fifteen.
func allocInode(t *vfs.Task, sb *vfs.SuperBlock) *vfs.Inode {
	si := info(sb)
	si.mu.Lock()
	if len(si.slab) == 0 {
		si.slab = make([]shmemInode, inodeSlabLen)
	}
	in := &si.slab[0]
	si.slab = si.slab[1:]
	si.mu.Unlock()
	return &in.Inode
}

// freeInode is shmem_free_in_core_inode(): it drops a freed inode's
// directory offsets and extended attributes, which its slab would
// otherwise keep as long as another inode of the slab lives. (The
// page cache is empty by now, and the embedded folio has dropped its
// page.)
func freeInode(t *vfs.Task, in *vfs.Inode) {
	in.Private = nil
	node(in).xattrs = nil
}

// newInode is shmem_get_inode(): a new inode of the given mode under
// dir (nil for the root), counted against nr_inodes.
func newInode(t *vfs.Task, sb *vfs.SuperBlock, dir *vfs.Inode, mode uint32, dev uint64) (*vfs.Inode, error) {
	if err := info(sb).reserveInode(); err != nil {
		return nil, err
	}
	in := vfs.NewInode(t, sb)
	if dir != nil {
		in.InitOwner(t, dir, mode)
	} else {
		in.SetModeType(mode)
	}
	switch mode & vfs.S_IFMT {
	case vfs.S_IFDIR:
		in.SetNlink(2)
		in.Ops = dirOps
		in.FOps = dirFileOps
		in.Private = newDirInfo()
		in.SetSize(2 * 20) // BOGO_DIRENT_SIZE for . and ..
	case vfs.S_IFREG:
		in.Ops = fileOps
		in.FOps = regFileOps
		m := in.Mapping()
		m.AOps = shmemAops
		m.SetFlags(vfs.AS_SWAPBACKED)
		m.SetSpareFolio(&shmemI(in).folio)
	case vfs.S_IFLNK:
		in.Ops = symlinkOps
	default:
		in.Ops = specialOps
		in.SetRdev(dev)
	}
	return in, nil
}

// bogoDirentSize is what tmpfs adds to a directory's size per entry.
const bogoDirentSize = 20

var dirOps = &vfs.InodeOperations{}

func init() {
	// Set in init: the methods create inodes that refer to dirOps.
	*dirOps = vfs.InodeOperations{
		Lookup:    lookup,
		Create:    create,
		Link:      link,
		Unlink:    unlink,
		Symlink:   symlink,
		Mkdir:     mkdir,
		Rmdir:     rmdir,
		Mknod:     mknod,
		Rename:    rename,
		Setattr:   setattr,
		Listxattr: listxattr,
		Tmpfile:   tmpfile,
	}
}

var fileOps = &vfs.InodeOperations{Setattr: setattr, Listxattr: listxattr}
var symlinkOps = &vfs.InodeOperations{Setattr: setattr, Listxattr: listxattr}
var specialOps = &vfs.InodeOperations{Setattr: setattr, Listxattr: listxattr}

// lookup is simple_lookup(): tmpfs has every entry in the dcache, so a
// name that reaches ->lookup does not exist. The negative dentry is not
// kept once unused (always_delete_dentry; with casefold, the
// superblock's dentry operations say the same).
func lookup(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, flags uint32) (*vfs.Dentry, error) {
	if len(d.Name()) > vfs.NAME_MAX {
		return nil, vfs.ENAMETOOLONG
	}
	if d.Flags()&vfs.DCACHE_OP_DELETE == 0 && !info(dir.SB()).opts.casefold {
		d.SetOps(simpleDentryOps)
	}
	if info(dir.SB()).opts.casefold {
		d.Fsdata = dir.Version()
	}
	vfs.DAdd(t, d, nil)
	return nil, nil
}

// simpleDentryOps is simple_dentry_operations.
var simpleDentryOps = &vfs.DentryOperations{
	Delete: func(t *vfs.Task, d *vfs.Dentry) bool { return true },
}

// touchDir updates a directory's times after a change of its entries.
func touchDir(t *vfs.Task, dir *vfs.Inode) { touchDirAt(dir, t.VFS().Now()) }

// touchDirAt is touchDir at the time now (shmem_mknod gives the directory
// the new inode's ctime).
func touchDirAt(dir *vfs.Inode, now int64) {
	dir.SetMtime(now)
	dir.SetCtime(now)
	dir.BumpVersion()
}

// mknod is shmem_mknod(): every create goes through it.
func mknod(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32, dev uint64) error {
	in, err := newInode(t, dir.SB(), dir, mode, dev)
	if err != nil {
		return err
	}
	dirOf(dir).add(d)
	dir.SetSize(dir.Size() + bogoDirentSize)
	if vfs.IsDir(mode) {
		dir.IncNlink()
	}
	vfs.DMakePersistent(t, d, in)
	touchDirAt(dir, in.Ctime())
	return nil
}

func create(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32, excl bool) error {
	return mknod(t, dir, d, mode|vfs.S_IFREG, 0)
}

func mkdir(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32) error {
	return mknod(t, dir, d, mode|vfs.S_IFDIR, 0)
}

// shortSymlinkLen is SHORT_SYMLINK_LEN: a body (with its NUL) longer
// than this takes a page on Linux, charged against size= and counted in
// st_blocks; a shorter one is kmalloc'd and takes no block.
const shortSymlinkLen = 128

// longSymlink reports whether a symlink body takes a page.
func longSymlink(target string) bool { return len(target)+1 > shortSymlinkLen }

// symlink is shmem_symlink(): the body is kept in i_link, so that the
// lock-free walk can follow it; a long body is charged one block against
// size= (ENOSPC when full) and counted in st_blocks, as the page Linux
// keeps it in is.
func symlink(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, target string) error {
	if len(target) > pageSize-1 {
		return vfs.ENAMETOOLONG
	}
	long := longSymlink(target)
	si := info(dir.SB())
	if long {
		if err := si.reserveBlocks(1); err != nil {
			return err
		}
	}
	in, err := newInode(t, dir.SB(), dir, vfs.S_IFLNK|0o777, 0)
	if err != nil {
		if long {
			si.releaseBlocks(1)
		}
		return err
	}
	in.Link = target
	in.SetSize(int64(len(target)))
	if long {
		in.SetBlocks(pageSize / 512)
	}
	dirOf(dir).add(d)
	dir.SetSize(dir.Size() + bogoDirentSize)
	vfs.DMakePersistent(t, d, in)
	touchDir(t, dir)
	return nil
}

// link is shmem_link().
func link(t *vfs.Task, old *vfs.Dentry, dir *vfs.Inode, d *vfs.Dentry) error {
	in := old.Inode()
	if in.Nlink() > 0 {
		// Linux charges each extra name against nr_inodes.
		if err := info(dir.SB()).reserveInode(); err != nil {
			return err
		}
	}
	now := t.VFS().Now()
	in.SetCtime(now)
	in.IncNlink()
	vfs.Ihold(in)
	dirOf(dir).add(d)
	dir.SetSize(dir.Size() + bogoDirentSize)
	vfs.DMakePersistent(t, d, in)
	touchDir(t, dir)
	return nil
}

// unlink is shmem_unlink().
func unlink(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry) error {
	return unlinkAt(t, dir, d, t.VFS().Now())
}

// unlinkAt is unlink at the time now: the inode's ctime and the
// directory's times are one reading of the clock, as in Linux.
func unlinkAt(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, now int64) error {
	in := d.Inode()
	if in.Nlink() > 1 && !vfs.IsDir(in.Mode()) {
		info(dir.SB()).releaseInode()
	}
	dirOf(dir).remove(d)
	dir.SetSize(dir.Size() - bogoDirentSize)
	in.SetCtime(now)
	in.DropNlink()
	touchDirAt(dir, now)
	vfs.UnpinDentry(t, d)
	return nil
}

// rmdir is shmem_rmdir().
func rmdir(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry) error {
	if !vfs.SimpleEmpty(t, d) {
		return vfs.ENOTEMPTY
	}
	in := d.Inode()
	in.DropNlink()
	dir.DropNlink()
	return unlink(t, dir, d)
}

// WHITEOUT_DEV and WHITEOUT_MODE: a whiteout is a character device
// 0:0 with no permission bits.
const (
	whiteoutDev  = 0
	whiteoutMode = 0
)

// whiteout is shmem_whiteout(): a whiteout under old's name in dir, an
// inode of its own made by mknod (counted against nr_inodes, so ENOSPC
// when none is left), on a dentry hashed beside old's until the VFS's
// d_move takes old to its new name. Lookups find the whiteout first:
// it is the newer entry of the hash chain. Its dentry gets the
// operations lookup gives tmpfs's dentries, so that the name is not
// kept cached once the whiteout is removed.
func whiteout(t *vfs.Task, dir *vfs.Inode, old *vfs.Dentry) error {
	w, err := vfs.DAlloc(t, old.Parent(), old.Name())
	if err != nil {
		return err
	}
	if w.Flags()&vfs.DCACHE_OP_DELETE == 0 && !info(dir.SB()).opts.casefold {
		w.SetOps(simpleDentryOps)
	}
	err = mknod(t, dir, w, vfs.S_IFCHR|whiteoutMode, whiteoutDev)
	if err == nil {
		vfs.DAdd(t, w, nil) // d_rehash
	}
	vfs.Dput(t, w)
	return err
}

// rename is shmem_rename2(). A RENAME_WHITEOUT leaves a whiteout at the
// old name, made after the target was found empty and before anything
// moved: a failure to make it (ENOSPC) changes nothing.
func rename(t *vfs.Task, oldDir *vfs.Inode, old *vfs.Dentry, newDir *vfs.Inode, nd *vfs.Dentry, flags uint32) error {
	if flags&^(vfs.RENAME_NOREPLACE|vfs.RENAME_EXCHANGE|vfs.RENAME_WHITEOUT) != 0 {
		return vfs.EINVAL
	}
	in := old.Inode()
	if flags&vfs.RENAME_EXCHANGE != 0 {
		now := t.VFS().Now()
		// simple_rename_exchange(): directories moving between parents
		// carry their ".." link with them.
		other := nd.Inode()
		if oldDir != newDir {
			if vfs.IsDir(in.Mode()) && !vfs.IsDir(other.Mode()) {
				oldDir.DropNlink()
				newDir.IncNlink()
			} else if !vfs.IsDir(in.Mode()) && vfs.IsDir(other.Mode()) {
				newDir.DropNlink()
				oldDir.IncNlink()
			}
		}
		dirOf(oldDir).exchange(dirOf(newDir), old, nd)
		touchDirAt(oldDir, now)
		touchDirAt(newDir, now)
		in.SetCtime(now)
		other.SetCtime(now)
		return nil
	}
	isDir := vfs.IsDir(in.Mode())
	target := nd.Inode()
	if target != nil && !vfs.SimpleEmpty(t, nd) {
		return vfs.ENOTEMPTY
	}
	if flags&vfs.RENAME_WHITEOUT != 0 {
		if err := whiteout(t, oldDir, old); err != nil {
			return err
		}
	}
	// Read after the whiteout was made, whose times come before the
	// rename's, as in Linux.
	now := t.VFS().Now()
	var targetOff int64 // the replaced name's offset, which old takes
	if target != nil {
		targetOff = nd.Offset
		if err := unlinkAt(t, newDir, nd, now); err != nil {
			return err
		}
		if isDir {
			target.DropNlink() // its "." goes too
			oldDir.DropNlink() // the moved directory's ".." leaves
		}
	} else if isDir {
		oldDir.DropNlink()
		newDir.IncNlink()
	}
	// As shmem_rename2: the entry leaves oldDir and arrives in newDir,
	// whether or not it replaced one (whose unlink took its own size).
	oldDir.SetSize(oldDir.Size() - bogoDirentSize)
	newDir.SetSize(newDir.Size() + bogoDirentSize)
	// simple_offset_rename(): the name keeps its offset when it is
	// replaced ("user space expects the directory offset value of the
	// replaced (new) directory entry to be unchanged after a rename").
	dirOf(oldDir).move(dirOf(newDir), old, targetOff)
	touchDirAt(oldDir, now)
	touchDirAt(newDir, now)
	in.SetCtime(now)
	return nil
}

// tmpfile is shmem_tmpfile().
func tmpfile(t *vfs.Task, dir *vfs.Inode, f *vfs.File, mode uint32) error {
	in, err := newInode(t, dir.SB(), dir, mode, 0)
	if err != nil {
		return err
	}
	return vfs.FinishOpenTmpfile(t, f, f.Dentry(), in)
}

// setattr is shmem_setattr(): a size that shrinks or stays truncates the
// page cache (truncate_setsize: pages past the end freed and uncharged,
// those fallocate preallocated past EOF too, the tail of the last one
// zeroed); a size that grows extends the file with a hole, keeping the
// preallocation; then the generic copy. The times change only with the
// size.
func setattr(t *vfs.Task, d *vfs.Dentry, a *vfs.Iattr) error {
	in := d.Inode()
	if a.Valid&vfs.ATTR_SIZE != 0 && vfs.IsReg(in.Mode()) {
		old := in.Size()
		if a.Size > old {
			vfs.ISizeWrite(t, in, a.Size)
		} else {
			vfs.TruncateSetsize(t, in, a.Size)
			recalc(in, 0)
			setBlocks(in)
		}
		if a.Size != old {
			now := t.VFS().Now()
			in.SetMtime(now)
			in.SetCtime(now)
		}
	}
	vfs.SetattrCopy(t, in, a)
	return nil
}
