package billyfs

import (
	"errors"
	"io"
	"io/fs"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// BILLYFS_MAGIC is billyfs's statfs f_type ("BLFS").
const BILLYFS_MAGIC = 0x424c4653

// Name is the filesystem type's name, as /proc/filesystems shows it.
const Name = "billyfs"

const pageSize = vfs.PAGE_SIZE

// Type returns the billyfs filesystem type, which mounts every kind of
// store.
func Type() *vfs.FileSystemType { return TypeWith(TypeOptions{}) }

// TypeOptions are the choices of one billyfs filesystem type, and so of
// the VFS it is registered with (each VFS registers its own).
type TypeOptions struct {
	// MemoryStoresOnly lets mounts use only the stores in this
	// process's memory, mem and mem:NAME. Any other store= value (a
	// host directory, os:DIR, or a store a Go caller registered, which
	// may be anything) fails the mount with EPERM, as mounting a device
	// does for a user without the privilege: for a VFS whose users may
	// mount but must not reach the host's files (vfscope serve --live
	// --allow-write).
	MemoryStoresOnly bool
}

// TypeWith returns a billyfs filesystem type with the choices of o.
func TypeWith(o TypeOptions) *vfs.FileSystemType {
	return &vfs.FileSystemType{
		Name: Name,
		Mount: func(t *vfs.Task, fst *vfs.FileSystemType, flags uint32, dev, data string) (*vfs.Dentry, error) {
			return mount(t, fst, o, flags, dev, data)
		},
		KillSB: killSB,
	}
}

// Register registers billyfs with v.
func Register(t *vfs.Task, v *vfs.VFS) error { return v.RegisterFilesystem(t, Type()) }

// RegisterWith registers billyfs with v, with the choices of o.
func RegisterWith(t *vfs.Task, v *vfs.VFS, o TypeOptions) error {
	return v.RegisterFilesystem(t, TypeWith(o))
}

// inMemory reports whether a store= value names a store in this
// process's memory.
func inMemory(store string) bool {
	return store == "mem" || strings.HasPrefix(store, "mem:")
}

// sbInfo is what billyfs keeps per superblock (s_fs_info; ext2's
// ext2_sb_info).
type sbInfo struct {
	fs       *serialFS // immutable: the backing store, serialised
	storeKey string    // immutable: its key in the registry's busy set
	// inPlace: records are rewritten in place, not through a
	// temporary and a rename (record.go). Immutable.
	inPlace bool

	// shutdown is set by Shutdown: from then on no operation reaches
	// the store (each fails with EIO), as after ext4's FS_IOC_SHUTDOWN
	// with EXT4_GOING_FLAGS_NOLOGFLUSH.
	shutdown atomic.Bool

	// leaked is set when the temporary of a failed record replacement
	// could not be removed (record.go): the superblock is then never
	// written clean, so the next mount's fsck removes it.
	leaked atomic.Bool

	// storeErr is set when a write the store refused left it behind
	// memory (a run of data, an inode record, a directory log, a data
	// file's truncate, a flush), or when the mount found an orphan's
	// record damaged (freeOrphans): as ext2_error() marks the filesystem
	// with errors, the superblock is then never written clean, so that
	// the next mount runs fsck and recounts from what reached the store.
	storeErr atomic.Bool

	// mu protects opts, usedBlocks, usedInodes, nextIno and inoMark, and
	// serialises writes of the superblock record. Only the store's
	// serialFS.mu is taken under it (writing that record).
	mu         sync.Mutex
	opts       options
	usedBlocks int64  // pages allocated on the store or reserved by dirty pages
	usedInodes int64  // inodes with a record
	nextIno    uint64 // the next inode number to give
	inoMark    uint64 // the superblock record reserves numbers below it

	// storeReads counts reads of file data from the store (pages);
	// tests use it to see readahead at work. Atomic.
	storeReads atomic.Int64
}

func info(sb *vfs.SuperBlock) *sbInfo { return sb.FSInfo.(*sbInfo) }

// StoreReads returns how many pages of file data the mount of the
// named store (a store= value other than a fresh "mem") has read from
// it; -1 if no mount uses that store.
func StoreReads(store string) int64 {
	si := mounted(store)
	if si == nil {
		return -1
	}
	return si.storeReads.Load()
}

// mount is ->mount: parse the options, check the store against the
// type's choices, open the store, fill a new superblock from it
// (formatting an empty store).
func mount(t *vfs.Task, fst *vfs.FileSystemType, to TypeOptions, flags uint32, dev, data string) (*vfs.Dentry, error) {
	var o options
	if err := parseOptions(data, &o, false); err != nil {
		return nil, vfs.EINVAL
	}
	if err := o.storeOf(dev); err != nil {
		return nil, vfs.EINVAL
	}
	if to.MemoryStoresOnly && !inMemory(o.store) {
		return nil, vfs.EPERM
	}
	si := &sbInfo{opts: o}
	store, key, err := openStore(o.store, si)
	if err != nil {
		if errors.Is(err, vfs.EBUSY) {
			return nil, vfs.EBUSY
		}
		return nil, vfs.EINVAL
	}
	si.fs, si.storeKey = newSerialFS(store, storeMaxBytes(o.store, store)), key
	si.inPlace = rewritesInPlace(o.store)
	d, err := vfs.MountNodev(t, fst, flags, data, func(t *vfs.Task, sb *vfs.SuperBlock, data string) error {
		return fillSuper(t, sb, si)
	})
	if err != nil {
		releaseStore(key)
	}
	return d, err
}

// fillSuper is ext2_fill_super(): read (or write, on an empty store) the
// superblock record, mark it in use (not clean), free the orphans a
// crash left, and read the root inode.
func fillSuper(t *vfs.Task, sb *vfs.SuperBlock, si *sbInfo) error {
	sb.FSInfo = si
	sb.Magic = BILLYFS_MAGIC
	sb.Blocksize = pageSize
	sb.MaxBytes = si.fs.maxBytes // what the store can hold (maxbytes.go)
	sb.TimeGran = 1
	sb.Ops = superOps
	sb.Xattr = xattrHandlers

	var rec superRecord
	b, err := readWhole(si.fs, superPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Only an empty store is formatted: files that are not
		// billyfs's (a host directory in use) make the mount fail,
		// as mounting a device without a filesystem does.
		if ents, err := si.fs.ReadDir("."); err != nil || len(ents) > 0 {
			return vfs.EINVAL
		}
		if err := si.format(t, sb); err != nil {
			return err
		}
	case err != nil:
		return Errno(err)
	case !rec.decode(b):
		return vfs.EINVAL // not a billyfs store, or another layout version
	default:
		si.nextIno = rec.nextIno
		si.usedInodes = int64(rec.inodes)
		si.usedBlocks = int64(rec.blocks)
		if rec.flags&superClean == 0 {
			// Not unmounted cleanly (fsck.go).
			if err := si.fsck(); err != nil {
				return err
			}
		}
	}
	if err := si.reserveInos(si.nextIno); err != nil {
		return err
	}
	if err := si.freeOrphans(t, sb); err != nil {
		return err
	}
	root, err := iget(t, sb, rootIno)
	if err != nil {
		return err
	}
	d, err := vfs.MakeRoot(t, root)
	if err != nil {
		return err
	}
	sb.SetRoot(d)
	return nil
}

// format lays out an empty store: the directories and the root inode.
func (si *sbInfo) format(t *vfs.Task, sb *vfs.SuperBlock) error {
	for _, d := range []string{inodeDir, dataDir, dirDir, orphanDir} {
		if err := si.fs.MkdirAll(d, 0o755); err != nil {
			return Errno(err)
		}
	}
	now := sb.VFS().Now()
	root := inodeRecord{ino: rootIno, mode: vfs.S_IFDIR | 0o755, nlink: 2,
		atime: now, mtime: now, ctime: now, btime: now}
	if err := si.createFile(inodePath(rootIno), root.encode(), false); err != nil {
		return err
	}
	if err := si.createFile(dirPath(rootIno), nil, false); err != nil {
		return err
	}
	si.nextIno = rootIno + 1
	si.usedInodes = 1
	return nil
}

// reserveInos writes a superblock record (not clean) whose inode mark
// covers numbers below next plus a batch. si.mu held or not yet shared.
// The record is flushed before it replaces the last one: on a host store
// a rename can reach the disk before the new file's data, and a crash
// then would leave an empty superblock, which does not mount at all.
// (Once per inoBatch inodes made.)
func (si *sbInfo) reserveInos(next uint64) error {
	mark := next + inoBatch
	rec := superRecord{nextIno: mark, inodes: uint64(si.usedInodes), blocks: uint64(si.usedBlocks)}
	if err := si.replaceFile(superPath, rec.encode(), true); err != nil {
		return err
	}
	si.inoMark = mark
	return nil
}

// allocIno gives a new inode number, counted against nr_inodes.
func (si *sbInfo) allocIno() (uint64, error) {
	si.mu.Lock()
	defer si.mu.Unlock()
	if si.opts.maxInodes > 0 && si.usedInodes >= si.opts.maxInodes {
		return 0, vfs.ENOSPC
	}
	ino := si.nextIno
	if ino >= si.inoMark {
		if err := si.reserveInos(ino); err != nil {
			return 0, err
		}
	}
	si.nextIno++
	si.usedInodes++
	return ino, nil
}

func (si *sbInfo) releaseInode() {
	si.mu.Lock()
	si.usedInodes--
	si.mu.Unlock()
}

// reserveBlocks accounts n more pages against size=.
func (si *sbInfo) reserveBlocks(n int64) error {
	si.mu.Lock()
	defer si.mu.Unlock()
	if si.opts.maxBlocks > 0 && si.usedBlocks+n > si.opts.maxBlocks {
		return vfs.ENOSPC
	}
	si.usedBlocks += n
	return nil
}

func (si *sbInfo) releaseBlocks(n int64) {
	if n == 0 {
		return
	}
	si.mu.Lock()
	si.usedBlocks -= n
	si.mu.Unlock()
}

// freeOrphans frees the inodes on the orphan list whose link count is 0
// (unlinked while open when the last mount ended without evicting them),
// as ext4_orphan_cleanup() does.
func (si *sbInfo) freeOrphans(t *vfs.Task, sb *vfs.SuperBlock) error {
	ents, err := si.fs.ReadDir(orphanDir)
	if err != nil {
		return Errno(err)
	}
	for _, e := range ents {
		var ino uint64
		if _, err := parseHex(e.Name(), &ino); err != nil {
			continue
		}
		b, err := readWhole(si.fs, inodePath(ino))
		var rec inodeRecord
		if err != nil && !errors.Is(err, fs.ErrNotExist) || err == nil && !rec.decode(b) {
			// Unreadable or damaged: what it holds is unknown. The
			// mark stays and the filesystem is marked with errors,
			// so that the next mount runs fsck, which frees it: as
			// ext4_orphan_cleanup leaves a bad orphan inode to
			// e2fsck (ext4_orphan_get's ext4_error).
			si.storeErr.Store(true)
			continue
		}
		if err == nil && rec.nlink == 0 {
			var pages int64
			for _, x := range rec.extents {
				pages += x.len
			}
			if err := si.freeOnStore(ino, vfs.IsDir(rec.mode)); err != nil {
				return err
			}
			si.usedInodes--
			si.usedBlocks -= pages
			continue
		}
		if err := si.fs.Remove(orphanPath(ino)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return Errno(err)
		}
	}
	return nil
}

// freeOnStore removes everything of inode ino from the store: data,
// directory log, record, then the orphan mark.
func (si *sbInfo) freeOnStore(ino uint64, dir bool) error {
	if err := si.check(); err != nil {
		return err
	}
	paths := []string{dataPath(ino), inodePath(ino), orphanPath(ino)}
	if dir {
		paths[0] = dirPath(ino)
	}
	for _, p := range paths {
		if err := si.fs.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return Errno(err)
		}
	}
	return nil
}

var superOps = &vfs.SuperOperations{
	WriteInode:  writeInode,
	EvictInode:  evictInode,
	PutSuper:    putSuper,
	SyncFS:      syncFS,
	Statfs:      statfs,
	RemountFS:   remount,
	ShowOptions: showOptions,
	FreezeFS:    freezeFS,
}

// freezeFS is ->freeze_fs, which makes billyfs freezable (FIFREEZE is
// EOPNOTSUPP without it): write the superblock record and flush the
// store, so that the store stays consistent while writers wait, as
// ext2_freeze() does when it keeps the record not clean. The record is
// not marked clean: only put_super does that.
func freezeFS(t *vfs.Task, sb *vfs.SuperBlock) error { return syncFS(t, sb, true) }

// killSB is ->kill_sb (kill_block_super): generic_shutdown_super syncs
// the filesystem, evicts every inode and calls ->put_super.
func killSB(t *vfs.Task, sb *vfs.SuperBlock) {
	key := info(sb).storeKey
	vfs.KillAnonSuper(t, sb)
	releaseStore(key)
}

// putSuper is ext2_put_super(): write the superblock record marked
// clean, with the counts, unless the filesystem was shut down (or a
// temporary was left on the store, or a store write failed: then not
// clean, so that the next mount's fsck removes the temporary and
// recounts, as e2fsck runs on a filesystem ext2_error() marked). A
// failed write leaves the last record (replaceFile).
func putSuper(t *vfs.Task, sb *vfs.SuperBlock) {
	si := info(sb)
	si.mu.Lock()
	defer si.mu.Unlock()
	if si.check() != nil {
		return
	}
	rec := superRecord{flags: superClean, nextIno: si.nextIno, inodes: uint64(si.usedInodes), blocks: uint64(si.usedBlocks)}
	if si.leaked.Load() || si.storeErr.Load() {
		rec.flags, rec.nextIno = 0, si.inoMark
	}
	si.replaceFile(superPath, rec.encode(), true)
}

// syncFS is ->sync_fs: write the superblock record (counts, inode mark)
// and, when waiting, flush the store if it can be flushed. go-billy has
// no fsync; a store that has Sync() error (see RATIONALE.md) gets it.
func syncFS(t *vfs.Task, sb *vfs.SuperBlock, wait bool) error {
	si := info(sb)
	si.mu.Lock()
	defer si.mu.Unlock()
	if err := si.check(); err != nil {
		return err
	}
	rec := superRecord{nextIno: si.inoMark, inodes: uint64(si.usedInodes), blocks: uint64(si.usedBlocks)}
	if err := si.replaceFile(superPath, rec.encode(), wait); err != nil {
		return err
	}
	if wait {
		return Errno(si.fs.Sync())
	}
	return nil
}

// statfs is ext2_statfs(): pages and inodes against size= and
// nr_inodes= (with no limit, the numbers in use and nothing free, as
// tmpfs without size= shows no numbers at all).
func statfs(t *vfs.Task, d *vfs.Dentry, st *vfs.Statfs) error {
	si := info(d.SB())
	si.mu.Lock()
	defer si.mu.Unlock()
	st.Type = BILLYFS_MAGIC
	st.Bsize = pageSize
	st.Frsize = pageSize
	st.Namelen = vfs.NAME_MAX
	if si.opts.maxBlocks > 0 {
		st.Blocks = uint64(si.opts.maxBlocks)
		st.Bfree = uint64(max(si.opts.maxBlocks-si.usedBlocks, 0))
		st.Bavail = st.Bfree
	}
	if si.opts.maxInodes > 0 {
		st.Files = uint64(si.opts.maxInodes)
		st.Ffree = uint64(max(si.opts.maxInodes-si.usedInodes, 0))
	}
	return nil
}

// remount changes size= and nr_inodes=, not below what is in use.
func remount(t *vfs.Task, sb *vfs.SuperBlock, flags *uint32, data string) error {
	si := info(sb)
	si.mu.Lock()
	defer si.mu.Unlock()
	o := si.opts
	if err := parseOptions(data, &o, true); err != nil {
		return vfs.EINVAL
	}
	if o.maxBlocks > 0 && o.maxBlocks < si.usedBlocks || o.maxInodes > 0 && o.maxInodes < si.usedInodes {
		return vfs.EINVAL
	}
	si.opts = o
	return nil
}

func showOptions(t *vfs.Task, w *strings.Builder, root *vfs.Dentry) error {
	si := info(root.SB())
	si.mu.Lock()
	o := si.opts
	si.mu.Unlock()
	o.show(w)
	return nil
}

// Shutdown cuts a superblock off its store at once, as ext4's
// FS_IOC_SHUTDOWN with EXT4_GOING_FLAGS_NOLOGFLUSH does: whatever is
// only in memory (dirty pages, dirty inodes) never reaches the store,
// and every later operation that would write it fails with EIO. An
// unmount then writes nothing, so a later mount of the store sees it as
// a crash would leave it.
//
// The filesystem is named by its store (a store= value other than a
// fresh "mem"); ENOENT if no mount uses that store.
func Shutdown(store string) error {
	si := mounted(store)
	if si == nil {
		return vfs.ENOENT
	}
	si.shutdown.Store(true)
	return nil
}

// noteError records a failed store write (nil records nothing) in
// storeErr, and returns err.
func (si *sbInfo) noteError(err error) error {
	if err != nil {
		si.storeErr.Store(true)
	}
	return err
}

// check is the gate every write to the store passes.
func (si *sbInfo) check() error {
	if si.shutdown.Load() {
		return vfs.EIO
	}
	return nil
}

// writeFull writes all of b at off, retrying short writes: a write that
// makes progress is continued; one that makes none fails (EIO when the
// store gave no error).
func writeFull(f billy.File, b []byte, off int64) error {
	wa, hasWriteAt := f.(io.WriterAt)
	for len(b) > 0 {
		var n int
		var err error
		if hasWriteAt {
			n, err = wa.WriteAt(b, off)
		} else {
			if _, err = f.Seek(off, io.SeekStart); err == nil {
				n, err = f.Write(b)
			}
		}
		if n < 0 || n > len(b) {
			return vfs.EIO
		}
		b = b[n:]
		off += int64(n)
		if len(b) == 0 {
			return nil
		}
		if n == 0 {
			if err == nil {
				return vfs.EIO
			}
			return Errno(err)
		}
		if err != nil && !errors.Is(err, io.ErrShortWrite) {
			return Errno(err)
		}
	}
	return nil
}

// readWhole reads a whole store file.
func readWhole(fs billy.Filesystem, name string) ([]byte, error) {
	f, err := fs.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// parseHex reads a store file name back into an inode number.
func parseHex(s string, v *uint64) (int, error) {
	var n uint64
	if s == "" || len(s) > 16 {
		return 0, vfs.EINVAL
	}
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			n = n<<4 | uint64(c-'0')
		case c >= 'a' && c <= 'f':
			n = n<<4 | uint64(c-'a'+10)
		default:
			return 0, vfs.EINVAL
		}
	}
	*v = n
	return len(s), nil
}
