package billyfs

import (
	"errors"
	"io/fs"
	"sync"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// bnode is billyfs's part of an inode (struct ext2_inode_info), in the
// inode's Private field: a second allocation beside the VFS inode, where
// ext2 embeds it through ->alloc_inode; the record is read after
// iget_locked, so only inodes that load get one.
type bnode struct {
	in *vfs.Inode // immutable

	// mu protects xattrs, ext, reserved, data and unsynced; it serialises
	// writes of this inode's record and data file. A leaf: taken inside
	// the folio lock (writeback) and inside i_rwsem, never around a call
	// into the VFS.
	mu sync.Mutex
	// xattrs are the extended attributes by full name. Also under
	// i_rwsem (set: exclusive; get and list: shared), as the VFS calls
	// the handlers; mu is for the record writer.
	xattrs map[string][]byte
	// ext are the pages the data file holds (allocated blocks).
	ext extents
	// reserved counts dirty pages not yet on the store (delayed
	// allocation): each holds one page of size= until written back or
	// dropped. The folios carry delalloc in their Private field.
	reserved int64
	// data is the open data file (regular files), opened at first use.
	data billy.File
	// unsynced says what of the inode reached the store without being
	// made durable there (a write the store may still lose): fsync
	// flushes it (syncStore).
	unsynced unsyncedBits

	// dataMu orders writes of file data to the store against the
	// extents (ext4's i_data_sem, for what billyfs needs of it):
	// writeback (writeRun) holds it from its write of a run until the
	// run's pages are in the extents, fallocate from its second look at
	// which pages are holes until the zeros it wrote there are in the
	// extents. So zeros never land on a page writeback wrote. A plain
	// mutex: inside the folio lock (->launder_folio) and wbMu, outside
	// mu and serialFS.mu; no VFS function is called under it.
	dataMu sync.Mutex

	// wbMu serialises ->writepages of the inode, and run is the run of
	// pages the task in ->writepages is gathering (nil outside). wbMu is
	// a plain mutex outside the folio lock (writepages takes folio locks
	// under it); run is atomic.
	wbMu sync.Mutex
	run  atomic.Pointer[wbRun]

	// dir is a directory's entries. Under the directory's i_rwsem
	// (exclusive for changes, shared for lookup and readdir).
	dir *dirInfo
}

func node(in *vfs.Inode) *bnode { return in.Private.(*bnode) }

// attach gives a new inode its bnode.
func attach(in *vfs.Inode) *bnode {
	n := &bnode{in: in}
	in.Private = n
	return n
}

var dirOps = &vfs.InodeOperations{}

func init() {
	// Set in init: the methods make inodes that refer to dirOps.
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

// setOps sets the operation tables for the inode's type.
func setOps(in *vfs.Inode) {
	switch in.Mode() & vfs.S_IFMT {
	case vfs.S_IFDIR:
		in.Ops = dirOps
		in.FOps = dirFileOps
	case vfs.S_IFREG:
		in.Ops = fileOps
		in.FOps = regFileOps
		setMapping(in)
	case vfs.S_IFLNK:
		in.Ops = symlinkOps
	default:
		in.Ops = specialOps
	}
}

// iget is ext2_iget(): the inode ino, from the inode cache or read from
// its record on the store.
func iget(t *vfs.Task, sb *vfs.SuperBlock, ino uint64) (*vfs.Inode, error) {
	in, isNew := vfs.IgetLocked(t, sb, ino)
	if !isNew {
		return in, nil
	}
	if err := readInode(t, in); err != nil {
		vfs.IgetFailed(t, in)
		return nil, err
	}
	vfs.UnlockNewInode(t, in)
	return in, nil
}

// readInode fills a new inode from its record (and a directory's
// entries from its log).
func readInode(t *vfs.Task, in *vfs.Inode) error {
	si := info(in.SB())
	b, err := readWhole(si.fs, inodePath(in.Ino()))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			// A directory entry whose inode never reached the store
			// is damage, not a missing name.
			return vfs.EIO
		}
		return Errno(err)
	}
	var rec inodeRecord
	if !rec.decode(b) || rec.ino != in.Ino() {
		return vfs.EIO
	}
	var dir *dirInfo
	if vfs.IsDir(rec.mode) {
		if dir, err = loadDir(si, in.Ino()); err != nil {
			return err
		}
	}
	// Attached only now: an inode that failed to read has no bnode, and
	// its eviction leaves the store alone (IgetFailed clears nlink,
	// which would otherwise free it there).
	n := attach(in)
	in.SetModeType(rec.mode)
	in.SetUID(rec.uid)
	in.SetGID(rec.gid)
	in.SetNlink(rec.nlink)
	in.SetSize(rec.size)
	in.SetTimes(rec.atime, rec.mtime, rec.ctime)
	in.SetBtime(rec.btime)
	in.SetRdev(rec.rdev)
	in.Link = rec.link
	n.xattrs = rec.xattrs
	if len(rec.xattrs[vfs.XATTR_NAME_CAPS]) > 0 {
		in.MarkFileCaps() // the next write, truncate or chown removes them
	}
	n.ext.set(rec.extents)
	if dir != nil {
		n.dir = dir
		in.SetSize(dir.size())
	}
	setOps(in)
	n.updateBlocks()
	return nil
}

// updateBlocks sets i_blocks from the pages on the store and those
// reserved by dirty pages (st_blocks counts both, as ext4's delayed
// allocation does).
func (n *bnode) updateBlocks() {
	n.mu.Lock()
	p := n.ext.count() + n.reserved
	n.mu.Unlock()
	n.in.SetBlocks(p * (pageSize / 512))
}

// newInode is ext2_new_inode(): a new inode of the given mode under dir,
// its record written to the store at once, so that a directory entry
// that reaches the store never names an inode the store lacks.
func newInode(t *vfs.Task, dir *vfs.Inode, mode uint32, dev uint64, link string) (*vfs.Inode, error) {
	sb := dir.SB()
	si := info(sb)
	if err := si.check(); err != nil {
		return nil, err
	}
	ino, err := si.allocIno()
	if err != nil {
		return nil, err
	}
	in := vfs.NewInode(t, sb)
	in.SetIno(ino)
	in.InitOwner(t, dir, mode)
	n := attach(in)
	in.Link = link
	switch mode & vfs.S_IFMT {
	case vfs.S_IFDIR:
		in.SetNlink(2)
		n.dir = newDirInfo()
		in.SetSize(n.dir.size())
	case vfs.S_IFLNK:
		in.SetSize(int64(len(link)))
	case vfs.S_IFREG:
	default:
		in.SetRdev(dev)
	}
	setOps(in)
	if vfs.IsDir(mode) {
		if err := si.createFile(dirPath(ino), nil, false); err != nil {
			newInodeFailed(t, in)
			return nil, err
		}
	}
	// With -o dirsync the new inode's record is durable before the
	// entry naming it is written (ext4_new_inode's handle is synced).
	if err := n.writeNewRecord(vfs.IsDirSync(dir)); err != nil {
		newInodeFailed(t, in)
		return nil, err
	}
	vfs.InsertInodeHash(t, in)
	return in, nil
}

// newInodeFailed drops an inode whose record could not be written.
func newInodeFailed(t *vfs.Task, in *vfs.Inode) {
	in.ClearNlink()
	vfs.Iput(t, in)
}

// record is the inode's metadata as its record holds it. n.mu held.
func (n *bnode) record() *inodeRecord {
	in := n.in
	rec := &inodeRecord{
		ino: in.Ino(), mode: in.Mode(), uid: in.UID(), gid: in.GID(), nlink: in.Nlink(),
		size: in.Size(), atime: in.Atime(), mtime: in.Mtime(), ctime: in.Ctime(), btime: in.Btime(),
		rdev: in.Rdev(), link: in.Link, xattrs: n.xattrs, extents: n.ext.runs,
	}
	if n.dir != nil {
		rec.size = 0 // a directory's size is its entries'
	}
	return rec
}

// writeRecord writes the inode's record to the store, replacing the
// last one in one step: when it fails, the last one stays (and the
// filesystem is marked with errors). Without sync, the record is left
// for fsync to flush (unsyncedRecord).
func (n *bnode) writeRecord(sync bool) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	si := info(n.in.SB())
	err := si.replaceFile(inodePath(n.in.Ino()), n.record().encode(), sync)
	n.recordWritten(sync, err)
	return si.noteError(err)
}

// writeNewRecord writes a new inode's first record: in place, as there
// is no last record to keep (a torn one is removed with the inode).
func (n *bnode) writeNewRecord(sync bool) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	err := info(n.in.SB()).createFile(inodePath(n.in.Ino()), n.record().encode(), sync)
	n.recordWritten(sync, err)
	return err
}

// recordWritten notes a write of the record: one made durable needs no
// flush, one written without waiting needs one. A failed write leaves
// the last record, as durable as it was. n.mu held.
func (n *bnode) recordWritten(sync bool, err error) {
	switch {
	case err != nil:
	case sync:
		n.unsynced &^= unsyncedRecord
	default:
		n.unsynced |= unsyncedRecord
	}
}

// writeInode is ->write_inode (ext2_write_inode): the record, made
// durable when WB_SYNC_ALL asks to wait.
func writeInode(t *vfs.Task, in *vfs.Inode, wbc *vfs.WritebackControl) error {
	return node(in).writeRecord(wbc.SyncMode == vfs.WB_SYNC_ALL)
}

// evictInode is ext2_evict_inode(): the pages go (a dirty page of a
// linked file is written first); an unlinked inode is freed on the
// store; a linked one whose record is dirty is written.
func evictInode(t *vfs.Task, in *vfs.Inode) {
	if in.Private == nil {
		return // its record could not be read (iget failed)
	}
	n := node(in)
	si := info(in.SB())
	live := in.Nlink() > 0
	if live && vfs.IsReg(in.Mode()) && si.check() == nil {
		// Dirty pages of a linked file must not be lost to an eviction
		// (Linux keeps such inodes off the reclaimable LRU).
		writeAndWait(t, in)
	}
	evictPages(t, in)
	n.mu.Lock()
	if n.data != nil {
		n.data.Close()
		n.data = nil
	}
	if n.dir != nil {
		n.dir.closeLog()
	}
	reserved := n.reserved
	n.reserved = 0
	pages := n.ext.count()
	n.mu.Unlock()
	si.releaseBlocks(reserved)
	// The store changes below are the filesystem's own, inside no VFS
	// write section: sb_start_intwrite, as ext2_evict_inode takes for
	// an inode it deletes, holds them back while the superblock is
	// frozen, so the last close of an unlinked file waits for the thaw
	// and the frozen store keeps its orphan. freeze_super takes
	// SB_FREEZE_FS only after its sync, so evictions during that sync
	// pass.
	sb := in.SB()
	if live {
		if in.State()&vfs.I_DIRTY_INODE != 0 {
			// A failure is in storeErr (writeRecord): nobody is
			// left to tell, and the next mount checks the store.
			vfs.SBStartIntwrite(t, sb)
			n.writeRecord(false)
			vfs.SBEndIntwrite(t, sb)
		}
		return
	}
	vfs.SBStartIntwrite(t, sb)
	err := si.freeOnStore(in.Ino(), vfs.IsDir(in.Mode()))
	vfs.SBEndIntwrite(t, sb)
	if err != nil {
		// Left on the orphan list (or leaked, when the store failed
		// before the mark was made): the next mount frees it.
		return
	}
	si.releaseBlocks(pages)
	si.releaseInode()
}

// dropLink records a link count that reached zero: the inode goes on the
// orphan list until its eviction frees it (ext4_orphan_add). The record
// is written first, so the mark names an inode whose record says so.
func dropLink(t *vfs.Task, in *vfs.Inode) error {
	if in.Nlink() != 0 {
		vfs.MarkInodeDirty(t, in, vfs.I_DIRTY_SYNC)
		return nil
	}
	si := info(in.SB())
	if err := node(in).writeRecord(false); err != nil {
		return err
	}
	return si.createFile(orphanPath(in.Ino()), nil, false)
}
