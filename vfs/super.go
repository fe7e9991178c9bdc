package vfs

import (
	"strings"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
)

// Superblock flags (SB_* of include/linux/fs.h; MS_* in mount(2)).
const (
	SB_RDONLY      = 1 << 0
	SB_NOSUID      = 1 << 1
	SB_NODEV       = 1 << 2
	SB_NOEXEC      = 1 << 3
	SB_SYNCHRONOUS = 1 << 4
	SB_DIRSYNC     = 1 << 7
	SB_NOATIME     = 1 << 10
	SB_NODIRATIME  = 1 << 11
	SB_SILENT      = 1 << 15
	SB_POSIXACL    = 1 << 16
	SB_LAZYTIME    = 1 << 25
	SB_BORN        = 1 << 29
	SB_ACTIVE      = 1 << 30
	// SB_NOUSER: a kernel-internal superblock (pipefs) that no mount(2)
	// or bind may attach to the tree (graft_tree: EINVAL).
	SB_NOUSER = 1 << 31
)

// Freeze levels (enum sb_freeze_state less SB_UNFROZEN and SB_FREEZE_COMPLETE).
const (
	SB_FREEZE_WRITE     = 1 // writes, directory changes, setattr
	SB_FREEZE_PAGEFAULT = 2 // page faults into writable mappings
	SB_FREEZE_FS        = 3 // internal filesystem work (transactions)
	sbFreezeLevels      = 3
)

// Freeze states (s_writers.frozen).
const (
	SB_UNFROZEN        = 0
	SB_FREEZE_COMPLETE = 4
)

// Statfs is struct kstatfs.
type Statfs struct {
	Type    int64
	Bsize   int64
	Blocks  uint64
	Bfree   uint64
	Bavail  uint64
	Files   uint64
	Ffree   uint64
	Fsid    uint64
	Namelen int64
	Frsize  int64
	Flags   int64
}

// SuperBlock is struct super_block.
type SuperBlock struct {
	// umount is s_umount: held for write while mounting, remounting,
	// freezing and shutting down; for read by sync_fs. The outermost lock
	// of a superblock.
	umount lock.RWSem

	// renameMutex is s_vfs_rename_mutex: serialises cross-directory
	// renames, so that "is an ancestor of" stays true while the parents
	// are locked. Taken after sb_writers, before any i_rwsem.
	renameMutex lock.Mutex

	// writers are s_writers.rw_sem[]: taken shared by sb_start_write()
	// and friends around modifications, for write by freeze_super() from
	// level 1 to 3. After s_umount, before s_vfs_rename_mutex.
	writers [sbFreezeLevels]lock.RWSem
	// frozen is s_writers.frozen; written under umount held for write.
	frozen atomic.Int32
	// readonlyRemount is s_readonly_remount: set, under umount held for
	// write, while a remount changes SB_RDONLY; mnt_get_write_access
	// then fails with EROFS.
	readonlyRemount atomic.Bool
	// mounts is s_mounts: every mount of the superblock, attached or
	// lazily detached, until its last reference goes. Under the VFS's
	// mountLock write side (mount_lock).
	mounts []*Mount
	// freezeOwner holds the sb_writers write locks between freeze and
	// thaw, when no task does (percpu_rwsem_release in Linux).
	freezeOwner *lock.Owner

	// lruLock is the list_lru lock of s_dentry_lru: it protects lruHead,
	// lruTail, nrLRU and the dentries' LRU links. Inside d_lock.
	lruLock          lock.SpinLock
	lruHead, lruTail *Dentry
	nrLRU            int

	// inodeListLock is s_inode_list_lock: it protects the s_inodes list
	// (inodes, nrInodes) and the inode LRU (s_inode_lru). Taken before
	// i_lock.
	inodeListLock      lock.SpinLock
	inodes             *Inode
	nrInodes           int
	ilruHead, ilruTail *Inode
	nrInodeLRU         int

	// wb holds the dirty inode lists of the superblock (its
	// bdi_writeback; writeback_lists.go).
	wb bdiWriteback
	// wbErr is s_wb_err: write errors of any file of the superblock, for
	// syncfs(2) to report once per file description.
	wbErr ErrSeq

	vfs    *VFS
	fsType *FileSystemType
	Ops    *SuperOperations
	dOp    *DentryOperations // s_d_op: default dentry operations
	Xattr  []*XattrHandler   // s_xattr
	root   *Dentry
	flags  atomic.Uint32 // SB_*
	dev    uint64        // s_dev: anonymous device numbers as 0:N
	// FSInfo is s_fs_info, for the filesystem.
	FSInfo    any
	Magic     int64
	Blocksize int64
	MaxBytes  int64
	// MaxLinks is s_max_links: the most names an inode may have (0: no
	// limit).
	MaxLinks uint32
	// TimeGran is s_time_gran in nanoseconds.
	TimeGran int64

	active  atomic.Int32 // s_active: mounts and other long-lived users
	refs    atomic.Int32 // s_count: short-lived references (superblock walks)
	nextIno atomic.Uint64
	id      int32
	sbNext  *SuperBlock // the VFS's super_blocks list: under sbListLock
	dying   atomic.Bool
}

// Root returns s_root.
func (sb *SuperBlock) Root() *Dentry { return sb.root }

// FSType returns s_type.
func (sb *SuperBlock) FSType() *FileSystemType { return sb.fsType }

// Flags returns s_flags.
func (sb *SuperBlock) Flags() uint32 { return sb.flags.Load() }

// Dev returns s_dev.
func (sb *SuperBlock) Dev() uint64 { return sb.dev }

// VFS returns the instance the superblock belongs to.
func (sb *SuperBlock) VFS() *VFS { return sb.vfs }

// ReadOnly is sb_rdonly().
func (sb *SuperBlock) ReadOnly() bool { return sb.flags.Load()&SB_RDONLY != 0 }

// SetDentryOps sets s_d_op, the operations every new dentry of sb gets.
func (sb *SuperBlock) SetDentryOps(op *DentryOperations) { sb.dOp = op }

// SetRoot sets s_root; for a filesystem's fill_super.
func (sb *SuperBlock) SetRoot(d *Dentry) { sb.root = d }

// Frozen returns s_writers.frozen.
func (sb *SuperBlock) Frozen() int32 { return sb.frozen.Load() }

// MkDev makes a device number as Linux's new_encode_dev.
func MkDev(major, minor uint32) uint64 {
	return uint64(minor&0xff) | uint64(major&0xfff)<<8 | uint64(minor&^0xff)<<12
}

// Major and Minor split a device number.
func Major(dev uint64) uint32 { return uint32((dev >> 8) & 0xfff) }
func Minor(dev uint64) uint32 { return uint32(dev&0xff) | uint32((dev>>12)&0xfff00) }

// alloc_super + sget_fc for a filesystem without a device: a new
// superblock, s_umount held for write by t.
func allocSuper(t *Task, fst *FileSystemType, flags uint32) *SuperBlock {
	v := t.vfs
	sb := &SuperBlock{vfs: v, fsType: fst, Blocksize: 4096, MaxBytes: 1<<63 - 1, TimeGran: 1}
	sb.umount.Init(fst.keys.sUmount, 0)
	sb.renameMutex.Init(fst.keys.renameMutex, 0)
	for i := range sb.writers {
		sb.writers[i].Init(fst.keys.sbWriters[i], 0)
	}
	sb.lruLock.Init(classDentryLRU, 0)
	sb.inodeListLock.Init(classInodeList, 0)
	sb.initWriteback()
	sb.flags.Store(flags &^ (SB_BORN | SB_ACTIVE))
	sb.dev = MkDev(0, v.nextDev.Add(1))
	sb.active.Store(1)
	sb.refs.Store(1)
	sb.umount.Lock(t.owner())
	fst.supers.Add(1)
	v.sbListLock().Lock(t.owner())
	sb.id = int32(v.nextMountID.Load())
	sb.sbNext = v.sbList
	v.sbList = sb
	v.sbListLock().Unlock(t.owner())
	return sb
}

// MountNodev is mount_nodev(): make a superblock, let fill set it up
// (its root, operations, options), and return the root dentry with the
// superblock still write-locked, as ->mount must.
func MountNodev(t *Task, fst *FileSystemType, flags uint32, data string, fill func(t *Task, sb *SuperBlock, data string) error) (*Dentry, error) {
	sb := allocSuper(t, fst, flags)
	if err := fill(t, sb, data); err != nil {
		// deactivate_locked_super: the half-built superblock goes.
		sb.active.Store(0)
		generic := sb.root != nil
		if generic {
			GenericShutdownSuper(t, sb)
		}
		sb.umount.Unlock(t.owner())
		sb.put(t)
		return nil, err
	}
	if sb.root == nil {
		panic("vfs: fill_super of " + fst.Name + " set no root")
	}
	sb.flags.Or(SB_BORN | SB_ACTIVE)
	return dget(sb.root), nil
}

// GenericShutdownSuper is generic_shutdown_super(): drop the dentry
// tree, write back everything dirty (sync_filesystem), evict every
// inode and call ->put_super. s_umount held for write.
func GenericShutdownSuper(t *Task, sb *SuperBlock) {
	sb.dying.Store(true)
	if sb.root != nil {
		ShrinkDcacheSB(t, sb)
		root := sb.root
		sb.root = nil
		dput(t, root)
		ShrinkDcacheSB(t, sb)
		syncFilesystem(t, sb)
		sb.flags.And(^uint32(SB_ACTIVE))
		evictInodes(t, sb)
	}
	if sb.Ops != nil && sb.Ops.PutSuper != nil {
		t.sopPutSuper(sb)
	}
}

// KillAnonSuper is kill_anon_super() (here also kill_litter_super's last
// step): shut down and release a superblock with no device. Called with
// s_umount held for write; drops it.
func KillAnonSuper(t *Task, sb *SuperBlock) {
	GenericShutdownSuper(t, sb)
	sb.umount.Unlock(t.owner())
	sb.put(t)
}

// KillLitterSuper is kill_litter_super(): for filesystems whose dentries
// pin their files (tmpfs), drop those pins first (d_genocide).
func KillLitterSuper(t *Task, sb *SuperBlock) {
	if sb.root != nil {
		dGenocide(t, sb.root)
	}
	KillAnonSuper(t, sb)
}

// dGenocide is d_genocide(): drop the pinning reference that
// filesystems like tmpfs keep on each of their positive dentries.
func dGenocide(t *Task, root *Dentry) {
	var walk func(d *Dentry)
	walk = func(d *Dentry) {
		for _, c := range d.Children(t) {
			if c.inode.Load() != nil && c.inode.Load().isDir() {
				walk(c)
			}
			if c.flags.Load()&dcachePinned != 0 {
				c.flags.And(^uint32(dcachePinned))
				dput(t, c)
			}
			dput(t, c)
		}
	}
	walk(root)
}

// dcachePinned marks a dentry holding the extra reference of a
// dcache-backed filesystem (Linux's shmem relies on d_genocide knowing
// that every positive dentry is pinned; a flag makes it explicit).
// (A vfscope bit of its own, beside DCACHE_FASTPERM.)
const dcachePinned = 1 << 26

// PinDentry takes the extra reference that keeps a dentry of a
// dcache-backed filesystem (tmpfs, ramfs) alive: its only copy of the
// directory entry is the dentry.
func PinDentry(d *Dentry) {
	dget(d)
	d.flags.Or(dcachePinned)
}

// DMakePersistent is d_make_persistent(): d_instantiate() and
// PinDentry in one d_lock section, for a new entry of a dcache-backed
// filesystem (shmem_mknod). It consumes the caller's inode reference.
func DMakePersistent(t *Task, d *Dentry, inode *Inode) {
	dInstantiate(t, d, inode, dcachePinned)
}

// UnpinDentry drops it (simple_unlink, simple_rmdir).
func UnpinDentry(t *Task, d *Dentry) {
	if d.flags.Load()&dcachePinned != 0 {
		d.flags.And(^uint32(dcachePinned))
		dput(t, d)
	}
}

// evictInodes is evict_inodes(): evict every unused inode of sb.
func evictInodes(t *Task, sb *SuperBlock) {
	o := t.owner()
	for {
		var victim *Inode
		sb.inodeListLock.Lock(o)
		for i := sb.inodes; i != nil; i = i.sbNext {
			i.lock.Lock(o)
			if i.count.Load() == 0 && i.state.Load()&(I_NEW|I_FREEING|I_WILL_FREE) == 0 {
				iStateSet(t, i, I_FREEING)
				i.lock.Unlock(o)
				victim = i
				break
			}
			i.lock.Unlock(o)
		}
		if victim != nil {
			inodeLRUUnlinkLocked(sb, victim)
		}
		sb.inodeListLock.Unlock(o)
		if victim == nil {
			return
		}
		evict(t, victim)
	}
}

// put drops a short-lived reference (put_super): the last one unlinks
// the superblock from the VFS's list.
func (sb *SuperBlock) put(t *Task) {
	if sb.refs.Add(-1) != 0 {
		return
	}
	v := sb.vfs
	v.sbListLock().Lock(t.owner())
	for p := &v.sbList; *p != nil; p = &(*p).sbNext {
		if *p == sb {
			*p = sb.sbNext
			break
		}
	}
	v.sbListLock().Unlock(t.owner())
	sb.fsType.supers.Add(-1)
}

// deactivateSuper is deactivate_super(): drop an active reference; the
// last one kills the superblock through ->kill_sb.
func deactivateSuper(t *Task, sb *SuperBlock) {
	for {
		a := sb.active.Load()
		if a > 1 {
			if sb.active.CompareAndSwap(a, a-1) {
				return
			}
			continue
		}
		break
	}
	sb.umount.Lock(t.owner())
	if sb.active.Add(-1) != 0 {
		sb.umount.Unlock(t.owner())
		return
	}
	t.fstKillSB(sb) // unlocks s_umount and drops the reference
}

// superBlocks returns the live superblocks, each with a reference that
// the caller drops with put (iterate_supers).
func (v *VFS) superBlocks(t *Task) []*SuperBlock {
	var out []*SuperBlock
	v.sbListLock().Lock(t.owner())
	for sb := v.sbList; sb != nil; sb = sb.sbNext {
		if sb.active.Load() > 0 && !sb.dying.Load() {
			sb.refs.Add(1)
			out = append(out, sb)
		}
	}
	v.sbListLock().Unlock(t.owner())
	return out
}

// inodeListAdd and inodeListDel maintain s_inodes.
func (sb *SuperBlock) inodeListAdd(t *Task, i *Inode) {
	sb.inodeListLock.Lock(t.owner())
	i.sbNext = sb.inodes
	if sb.inodes != nil {
		sb.inodes.sbPrev = i
	}
	sb.inodes = i
	sb.nrInodes++
	sb.inodeListLock.Unlock(t.owner())
}

func (sb *SuperBlock) inodeListDel(t *Task, i *Inode) {
	sb.inodeListLock.Lock(t.owner())
	if i.sbPrev != nil {
		i.sbPrev.sbNext = i.sbNext
	} else if sb.inodes == i {
		sb.inodes = i.sbNext
	}
	if i.sbNext != nil {
		i.sbNext.sbPrev = i.sbPrev
	}
	i.sbNext, i.sbPrev = nil, nil
	sb.nrInodes--
	inodeLRUUnlinkLocked(sb, i)
	sb.inodeListLock.Unlock(t.owner())
}

// inodeLRUAdd puts an unused inode on s_inode_lru (not one being
// freed: evict takes it off the lists after setting I_FREEING).
func (sb *SuperBlock) inodeLRUAdd(t *Task, i *Inode) {
	sb.inodeListLock.Lock(t.owner())
	if !i.onLRU() && i.count.Load() == 0 && i.state.Load()&(I_FREEING|I_WILL_FREE) == 0 {
		i.lruNext = sb.ilruHead
		i.lruPrev = nil
		if sb.ilruHead != nil {
			sb.ilruHead.lruPrev = i
		} else {
			sb.ilruTail = i
		}
		sb.ilruHead = i
		sb.nrInodeLRU++
		sb.vfs.stats.nrUnusedI.Add(1)
	}
	sb.inodeListLock.Unlock(t.owner())
}

func (sb *SuperBlock) inodeLRUDel(t *Task, i *Inode) {
	sb.inodeListLock.Lock(t.owner())
	inodeLRUUnlinkLocked(sb, i)
	sb.inodeListLock.Unlock(t.owner())
}

func inodeLRUUnlinkLocked(sb *SuperBlock, i *Inode) {
	if !i.onLRU() {
		return
	}
	if i.lruPrev != nil {
		i.lruPrev.lruNext = i.lruNext
	} else {
		sb.ilruHead = i.lruNext
	}
	if i.lruNext != nil {
		i.lruNext.lruPrev = i.lruPrev
	} else {
		sb.ilruTail = i.lruPrev
	}
	i.lruNext, i.lruPrev = nil, nil
	sb.nrInodeLRU--
	sb.vfs.stats.nrUnusedI.Add(-1)
}

// PruneIcacheSB is prune_icache_sb() for filesystems and tests: scan up
// to nr inodes from the cold end of sb's inode LRU with the shrinker's
// rules (pruneIcacheSB). It returns how many were evicted.
func PruneIcacheSB(t *Task, sb *SuperBlock, nr int) int { return int(pruneIcacheSB(t, sb, int64(nr))) }

// sbStartWrite is sb_start_write() (level SB_FREEZE_WRITE) and friends:
// block while the superblock is frozen at that level or above.
func sbStartWrite(t *Task, sb *SuperBlock, level int) {
	sb.writers[level-1].RLock(t.owner())
}

// sbEndWrite is sb_end_write().
func sbEndWrite(t *Task, sb *SuperBlock, level int) {
	sb.writers[level-1].RUnlock(t.owner())
}

// SBStartWrite and SBEndWrite are sb_start_write/sb_end_write for
// filesystems that modify themselves outside a VFS operation.
func SBStartWrite(t *Task, sb *SuperBlock) { sbStartWrite(t, sb, SB_FREEZE_WRITE) }
func SBEndWrite(t *Task, sb *SuperBlock)   { sbEndWrite(t, sb, SB_FREEZE_WRITE) }

// SBStartIntwrite and SBEndIntwrite are sb_start_intwrite/sb_end_intwrite
// (level SB_FREEZE_FS, lockdep class sb_internal): around a filesystem's
// own changes to its store that no VFS write section covers, such as the
// freeing of an unlinked inode at its eviction. On a frozen superblock
// they wait for the thaw, so a final iput there blocks until then. The
// caller holds neither s_umount nor anything the thaw takes: sb_internal
// comes after s_umount, sb_writers and sb_pagefaults.
func SBStartIntwrite(t *Task, sb *SuperBlock) { sbStartWrite(t, sb, SB_FREEZE_FS) }
func SBEndIntwrite(t *Task, sb *SuperBlock)   { sbEndWrite(t, sb, SB_FREEZE_FS) }

// FreezeSuper is freeze_super(): block new writers level by level, sync,
// then ->freeze_fs. EBUSY if already frozen. A frozen superblock holds an
// active reference (freeze_super's atomic_inc(&sb->s_active)), which
// ThawSuper drops: unmounting its last mount, or tearing the namespace
// down, leaves it alive and its store untouched until it is thawed.
func FreezeSuper(t *Task, sb *SuperBlock) error {
	o := t.owner()
	sb.umount.Lock(o)
	defer sb.umount.Unlock(o)
	if sb.frozen.Load() != SB_UNFROZEN {
		return EBUSY
	}
	if sb.flags.Load()&SB_BORN == 0 {
		return EBUSY
	}
	if sb.ReadOnly() {
		sb.frozen.Store(SB_FREEZE_COMPLETE)
		sb.active.Add(1)
		return nil
	}
	sb.writers[SB_FREEZE_WRITE-1].Lock(o)
	sb.frozen.Store(SB_FREEZE_WRITE)
	if err := syncFilesystem(t, sb); err != nil {
		freezeUnwind(t, sb, SB_FREEZE_WRITE)
		return err
	}
	sb.writers[SB_FREEZE_PAGEFAULT-1].Lock(o)
	sb.frozen.Store(SB_FREEZE_PAGEFAULT)
	// All writers are done, so after this sync no dirty data is left;
	// a sync that fails leaves the superblock unfrozen (freeze_super).
	if err := syncFilesystem(t, sb); err != nil {
		freezeUnwind(t, sb, SB_FREEZE_PAGEFAULT)
		return err
	}
	sb.writers[SB_FREEZE_FS-1].Lock(o)
	sb.frozen.Store(SB_FREEZE_FS)
	if sb.Ops != nil && sb.Ops.FreezeFS != nil {
		if err := t.sopFreezeFS(sb); err != nil {
			freezeUnwind(t, sb, SB_FREEZE_FS)
			return err
		}
	}
	// The locks now belong to the frozen state, not to this task
	// (lockdep_sb_freeze_release).
	for l := SB_FREEZE_WRITE; l <= SB_FREEZE_FS; l++ {
		sb.writers[l-1].Disown(o)
	}
	sb.frozen.Store(SB_FREEZE_COMPLETE)
	sb.active.Add(1)
	return nil
}

// freezeUnwind undoes a freeze that failed with levels up to level
// write-locked by t: the superblock is unfrozen first, then the levels
// are released from the top (sb_freeze_unlock), which lets the writers
// waiting on them in. s_umount held for write.
func freezeUnwind(t *Task, sb *SuperBlock, level int) {
	sb.frozen.Store(SB_UNFROZEN)
	for l := level; l >= SB_FREEZE_WRITE; l-- {
		sb.writers[l-1].Unlock(t.owner())
	}
}

// ThawSuper is thaw_super(): EINVAL if not frozen. It drops the active
// reference the freeze took (thaw_super_locked's deactivate_locked_super),
// which kills a superblock that lost its last mount while frozen.
func ThawSuper(t *Task, sb *SuperBlock) error {
	if err := thawSuperLocked(t, sb); err != nil {
		return err
	}
	deactivateSuper(t, sb)
	return nil
}

// thawSuperLocked is ThawSuper's work under s_umount.
func thawSuperLocked(t *Task, sb *SuperBlock) error {
	o := t.owner()
	sb.umount.Lock(o)
	defer sb.umount.Unlock(o)
	if sb.frozen.Load() != SB_FREEZE_COMPLETE {
		return EINVAL
	}
	if sb.ReadOnly() {
		sb.frozen.Store(SB_UNFROZEN)
		return nil
	}
	for l := SB_FREEZE_WRITE; l <= SB_FREEZE_FS; l++ {
		sb.writers[l-1].Adopt(o)
	}
	if sb.Ops != nil && sb.Ops.UnfreezeFS != nil {
		if err := t.sopUnfreezeFS(sb); err != nil {
			for l := SB_FREEZE_WRITE; l <= SB_FREEZE_FS; l++ {
				sb.writers[l-1].Disown(o)
			}
			return err
		}
	}
	sb.frozen.Store(SB_UNFROZEN)
	for l := SB_FREEZE_FS; l >= SB_FREEZE_WRITE; l-- {
		sb.writers[l-1].Unlock(o)
	}
	return nil
}

// showOptions returns the options /proc/mounts shows for the
// superblock: its rw/ro state comes from the mount; this is
// ->show_options's part. An error of ->show_options leaves the options
// it wrote before failing: Linux's seq_read would end the read of
// /proc/mounts with it instead, but none of vfscope's filesystems
// returns one (RATIONALE.md, "Where do vfscope's /proc files differ
// from Linux's?").
func (sb *SuperBlock) showOptions(t *Task) string {
	var b strings.Builder
	if sb.Ops != nil && sb.Ops.ShowOptions != nil {
		_ = t.sopShowOptions(sb, &b)
	}
	return b.String()
}

// sbPrepareRemountReadonly is sb_prepare_remount_readonly(): under
// mount_lock, hold every writable mount of sb (attached or lazily
// detached) against new writers (MNT_WRITE_HOLD), then fail with EBUSY
// if one has a writer or an unlinked inode is still in use
// (s_remove_count); else set s_readonly_remount, so that the writers the
// hold kept waiting see EROFS. sb.umount held for write.
func (t *Task) sbPrepareRemountReadonly(sb *SuperBlock) error {
	v := t.vfs
	v.mountLock.WriteLock(t.o)
	defer v.mountLock.WriteUnlock(t.o)
	var err error
	for _, m := range sb.mounts {
		if m.flags.Load()&MNT_READONLY == 0 {
			m.flags.Or(MNT_WRITE_HOLD)
			if m.writers.Load() > 0 {
				err = EBUSY
				break
			}
		}
	}
	if err == nil && sbHasOrphans(t, sb) {
		err = EBUSY
	}
	if err == nil {
		sb.readonlyRemount.Store(true)
	}
	for _, m := range sb.mounts {
		m.flags.And(^uint32(MNT_WRITE_HOLD))
	}
	return err
}

// sbHasOrphans is s_remove_count != 0: an inode of sb whose last link
// is gone (drop_nlink to zero) lives on, open or in use, and will be
// deleted when released, a write to a read-only filesystem.
func sbHasOrphans(t *Task, sb *SuperBlock) bool {
	o := t.owner()
	sb.inodeListLock.Lock(o)
	defer sb.inodeListLock.Unlock(o)
	for i := sb.inodes; i != nil; i = i.sbNext {
		if i.nlink.Load() == 0 && i.state.Load()&I_NEW == 0 {
			return true
		}
	}
	return false
}

// sbAddMount and sbDelMount maintain s_mounts (mnt_instance), under
// mountLock's write side.
func (v *VFS) sbAddMount(o *lock.Owner, m *Mount) {
	v.mountLock.WriteLock(o)
	m.sb.mounts = append(m.sb.mounts, m)
	v.mountLock.WriteUnlock(o)
}

func (v *VFS) sbDelMount(o *lock.Owner, m *Mount) {
	v.mountLock.WriteLock(o)
	ms := m.sb.mounts
	for i, x := range ms {
		if x == m {
			ms[i] = ms[len(ms)-1]
			ms[len(ms)-1] = nil
			m.sb.mounts = ms[:len(ms)-1]
			break
		}
	}
	v.mountLock.WriteUnlock(o)
}
