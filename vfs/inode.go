package vfs

import (
	"unsafe"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/trace"
)

// Inode state bits (i_state), as include/linux/fs.h.
const (
	I_DIRTY_SYNC     = 1 << 0
	I_DIRTY_DATASYNC = 1 << 1
	I_DIRTY_PAGES    = 1 << 2
	I_NEW            = 1 << 3
	I_WILL_FREE      = 1 << 4
	I_FREEING        = 1 << 5
	I_CLEAR          = 1 << 6
	I_REFERENCED     = 1 << 8
	I_DIRTY_TIME     = 1 << 11
	I_DIRTY_INODE    = I_DIRTY_SYNC | I_DIRTY_DATASYNC
	I_DIRTY          = I_DIRTY_INODE | I_DIRTY_PAGES
)

// i_rwsem subclasses (enum inode_i_mutex_lock_class).
const (
	I_MUTEX_NORMAL  = 0
	I_MUTEX_PARENT  = 1
	I_MUTEX_CHILD   = 2
	I_MUTEX_XATTR   = 3
	I_MUTEX_NONDIR2 = 4
	I_MUTEX_PARENT2 = 5
)

// Inode is struct inode. The attributes a lock-free walk or stat reads
// are atomics; their writers hold i_rwsem exclusive (setattr) or are the
// filesystem creating the inode.
type Inode struct {
	// The fields a lock-free walk reads (mode, owner, operations, a
	// symlink's body) come first; the locks, large, come after.
	count atomic.Int32  // i_count; see lock for the slow transitions
	state atomic.Uint32 // i_state; written under lock

	ino  uint64 // immutable once hashed
	id   uint64 // immutable: stable identity for traces and snapshots
	sb   *SuperBlock
	Ops  *InodeOperations // i_op: set before unlock_new_inode
	FOps *FileOperations  // i_fop
	// Private is i_private, for the filesystem.
	Private any
	// Link is i_link: a symlink body the filesystem keeps in memory, so
	// that a lock-free walk can follow it without calling ->get_link.
	Link string

	nlink atomic.Uint32
	mode  atomic.Uint32
	uid   atomic.Uint32
	gid   atomic.Uint32
	size  atomic.Int64
	// blocks is i_blocks in 512-byte units.
	blocks atomic.Int64
	rdev   uint64
	atime  atomic.Int64 // nanoseconds since the epoch
	mtime  atomic.Int64
	ctime  atomic.Int64
	btime  atomic.Int64
	// version counts changes of a directory, for ->d_revalidate of
	// negative dentries and for readdir (inode_query_iversion).
	version atomic.Uint64

	// rwsem is i_rwsem: it serialises directory changes (exclusive) and
	// lookups (shared) of a directory, and size and attribute changes of
	// a file. Of two directories, the parent (or ancestor) first; of two
	// non-directories, the lower inode number first (see lock_two_nondirs).
	rwsem lock.RWSem

	// lock is i_lock: it protects state, the transitions of count to and
	// from zero, the alias list (aliases) and LRU membership. Spinlock;
	// taken before d_lock; inside inode_hash_lock and s_inode_list_lock.
	lock lock.SpinLock

	aliases *Dentry // i_dentry: under lock
	sbNext  *Inode  // s_inodes: under sb.inodeListLock
	sbPrev  *Inode
	lruNext *Inode // i_lru: under sb.inodeListLock (onLRU)
	lruPrev *Inode

	// flctx is i_flctx, the file-lock context, made on the first lock
	// (filelock.go). writecount is i_writecount (descriptions holding
	// write access) and readcount i_readcount (descriptions open for
	// reading only): leases check them. All atomic.
	flctx      atomic.Pointer[FileLockContext]
	writecount atomic.Int32
	readcount  atomic.Int32
	// allocPID is the task that allocated the inode: the events of a
	// filesystem's setters on it (SetSize of a new directory) name it
	// when no task holds i_rwsem for write. Immutable.
	allocPID int32
	// traceUnfilled is true from allocation until the filesystem has
	// filled the inode in (UnlockNewInode, or the first DInstantiate of
	// a NewInode inode): its events are held back until then, and
	// inodeFilled reports its inode.alloc (trace_emit.go).
	traceUnfilled atomic.Bool

	// io is the inode's writeback-list state (i_io_list, dirtied_when,
	// dirtied_time_when), made the first time the inode goes on one of
	// its superblock's lists and kept until it is freed: under the
	// superblock's wb.listLock (writeback_lists.go). Most inodes (all of
	// tmpfs's and procfs's) never go there and never pay for it.
	io *inodeIO
	// writebackIndex is mapping->writeback_index, where the next
	// range_cyclic pass starts; atomic.
	writebackIndex atomic.Int64

	// data is i_data, the inode's page cache; Mapping returns it (Linux's
	// i_mapping, which always points at i_data here).
	data AddressSpace
}

// Ino returns i_ino. Never 0.
func (i *Inode) Ino() uint64 { return i.ino }

// ID returns a number that identifies the inode for its whole life
// (never reused within a VFS, unlike i_ino), for traces and snapshots.
func (i *Inode) ID() uint64 { return i.id }

// SB returns i_sb.
func (i *Inode) SB() *SuperBlock { return i.sb }

// Mode returns i_mode.
func (i *Inode) Mode() uint32 { return i.mode.Load() }

// Nlink returns i_nlink.
func (i *Inode) Nlink() uint32 { return i.nlink.Load() }

// Size returns i_size.
func (i *Inode) Size() int64 { return i.size.Load() }

// Count returns i_count.
func (i *Inode) Count() int32 { return i.count.Load() }

// State returns i_state.
func (i *Inode) State() uint32 { return i.state.Load() }

// UID and GID return the owner.
func (i *Inode) UID() uint32 { return i.uid.Load() }
func (i *Inode) GID() uint32 { return i.gid.Load() }

// Rdev returns the device number of a device node.
func (i *Inode) Rdev() uint64 { return i.rdev }

// Times return the timestamps in nanoseconds since the epoch.
func (i *Inode) Atime() int64 { return i.atime.Load() }
func (i *Inode) Mtime() int64 { return i.mtime.Load() }
func (i *Inode) Ctime() int64 { return i.ctime.Load() }
func (i *Inode) Btime() int64 { return i.btime.Load() }

// Version returns the change counter of a directory.
func (i *Inode) Version() uint64 { return i.version.Load() }

// Setters for filesystems, used while the inode is new or under i_rwsem.
func (i *Inode) SetMode(m uint32)  { i.mode.Store(m) }
func (i *Inode) SetUID(u uint32)   { i.uid.Store(u) }
func (i *Inode) SetGID(g uint32)   { i.gid.Store(g) }
func (i *Inode) SetSize(s int64)   { iSizeWrite(nil, i, s) }
func (i *Inode) SetBlocks(b int64) { i.blocks.Store(b) }
func (i *Inode) SetRdev(r uint64)  { i.rdev = r }
func (i *Inode) SetNlink(n uint32) { i.nlink.Store(n); i.nlinkChanged() }
func (i *Inode) IncNlink()         { i.nlink.Add(1); i.nlinkChanged() }
func (i *Inode) DropNlink()        { i.nlink.Add(^uint32(0)); i.nlinkChanged() }
func (i *Inode) ClearNlink()       { i.nlink.Store(0); i.nlinkChanged() }

// nlinkChanged reports a change of i_nlink (inode.nlink), made by the
// filesystem method of the task holding i_rwsem (writerPID).
func (i *Inode) nlinkChanged() { i.sb.vfs.evInode(nil, trace.InodeNlink, i) }
func (i *Inode) SetTimes(atime, mtime, ctime int64) {
	i.atime.Store(atime)
	i.mtime.Store(mtime)
	i.ctime.Store(ctime)
}
func (i *Inode) SetAtime(ns int64) { i.atime.Store(ns) }
func (i *Inode) SetMtime(ns int64) { i.mtime.Store(ns) }
func (i *Inode) SetCtime(ns int64) { i.ctime.Store(ns) }
func (i *Inode) SetBtime(ns int64) { i.btime.Store(ns) }

// BumpVersion records a change of a directory's entries.
func (i *Inode) BumpVersion() { i.version.Add(1) }

// Holder reports who holds i_rwsem, for snapshots.
func (i *Inode) RwsemHolder() (writer *lock.Owner, readers int32) { return i.rwsem.Holder() }

func (i *Inode) isDir() bool { return IsDir(i.mode.Load()) }

// onLRU reports whether i is on its superblock's s_inode_lru (Linux's
// !list_empty(&inode->i_lru)): the head has no predecessor, every other
// member has one. sb.inodeListLock held.
func (i *Inode) onLRU() bool { return i.lruPrev != nil || i.sb.ilruHead == i }

// addAlias and removeAlias edit i_dentry; i_lock held.
func (i *Inode) addAlias(d *Dentry) {
	d.aliasNext = i.aliases
	i.aliases = d
}

func (i *Inode) removeAlias(d *Dentry) {
	for p := &i.aliases; *p != nil; p = &(*p).aliasNext {
		if *p == d {
			*p = d.aliasNext
			d.aliasNext = nil
			return
		}
	}
}

// NewInode is new_inode(): a fresh inode of sb with one reference, on the
// superblock's list but not in the inode hash (filesystems whose inodes
// live only in the dcache, like tmpfs, never hash them). Its number comes
// from the superblock's counter (get_next_ino) unless the caller sets it
// before first use with SetIno.
func NewInode(t *Task, sb *SuperBlock) *Inode {
	var i *Inode
	if sb.Ops != nil && sb.Ops.AllocInode != nil {
		i = t.sopAllocInode(sb)
	}
	if i == nil {
		i = &Inode{}
	}
	initInode(t, sb, i)
	i.ino = sb.nextIno.Add(1)
	now := sb.vfs.now()
	initI64(&i.atime, now)
	initI64(&i.mtime, now)
	initI64(&i.ctime, now)
	initI64(&i.btime, now)
	sb.inodeListAdd(t, i)
	sb.vfs.stats.nrInodes.Add(1)
	return i
}

// initInode is inode_init_always() for an inode t allocates. Its
// inode.alloc event waits for the filesystem to fill it in (its number,
// mode, link count): the first d_instantiate, or unlock_new_inode for an
// inode of the hash, reports it (inodeFilled).
func initInode(t *Task, sb *SuperBlock, i *Inode) {
	i.allocPID = pidOf(t)
	i.traceUnfilled.Store(true)
	i.sb = sb
	i.id = sb.vfs.nextInodeID.Add(1)
	i.rwsem.Init(sb.fsType.keys.iRwsem, 0)
	i.lock.Init(classILock, 0)
	i.lock.SetObject(lock.ObjInode, i.id)
	i.rwsem.SetObject(lock.ObjInode, i.id)
	initMapping(i)
	// Nobody else can see i yet: plain stores (prepublish.go).
	initI32(&i.count, 1)
	initU32(&i.nlink, 1)
}

// SetIno sets i_ino of a new, not yet visible inode.
func (i *Inode) SetIno(ino uint64) { i.ino = ino }

// InitOwner is inode_init_owner(): owner from the task's fsuid, group
// from the directory if it is setgid (directories then inherit S_ISGID),
// else the task's fsgid. It leaves the rest of mode as it is: the
// vfs_*() helpers already stripped S_ISGID and applied the umask
// (vfsPrepareMode). It also moves a directory's i_rwsem to the
// directory class, as lockdep_annotate_inode_mutex_key does.
func (i *Inode) InitOwner(t *Task, dir *Inode, mode uint32) {
	c := t.Cred()
	i.uid.Store(c.UID)
	if dir != nil && dir.mode.Load()&S_ISGID != 0 {
		i.gid.Store(dir.gid.Load())
		if IsDir(mode) {
			mode |= S_ISGID
		}
	} else {
		i.gid.Store(c.GID)
	}
	i.mode.Store(mode)
	if IsDir(mode) {
		i.rwsem.Init(i.sb.fsType.keys.iRwsemDir, 0)
	}
}

// SetModeType moves i_rwsem to the class matching the file type; call it
// on a new inode whose mode a filesystem sets without InitOwner.
func (i *Inode) SetModeType(mode uint32) {
	i.mode.Store(mode)
	if IsDir(mode) {
		i.rwsem.Init(i.sb.fsType.keys.iRwsemDir, 0)
	} else {
		i.rwsem.Init(i.sb.fsType.keys.iRwsem, 0)
	}
}

// ihold is ihold(): take a reference on an inode the caller holds one on
// (or, as __iget, reaches under its i_lock). Its inode.count event names
// no task; iholdTask is ihold for callers that have one.
func ihold(i *Inode) { iholdTask(nil, i) }

// iSizeWrite is i_size_write(): set i_size, and report it (inode.size)
// if it changed. Writers are serialised by the caller (i_rwsem, or the
// inode not visible yet), as in Linux; the event's size is read when it
// is numbered.
func iSizeWrite(t *Task, i *Inode, size int64) {
	if i.size.Swap(size) != size {
		i.sb.vfs.evInodeSize(t, i)
	}
}

// iholdTask is ihold with the task the event names.
func iholdTask(t *Task, i *Inode) {
	i.count.Add(1)
	i.sb.vfs.evInodeCount(t, i, "")
}

// Ihold is ihold() for filesystems (link(2): a second name).
func Ihold(i *Inode) { ihold(i) }

// iput drops a reference; on the last one ->drop_inode (under i_lock)
// decides between keeping the inode cached and evicting it.
func iput(t *Task, i *Inode) {
	if i == nil {
		return
	}
	o := t.owner()
	for {
		c := i.count.Load()
		if c > 1 {
			if i.count.CompareAndSwap(c, c-1) {
				i.sb.vfs.evInodeCount(t, i, "")
				return
			}
			continue
		}
		break
	}
	i.lock.Lock(o)
	if i.count.Add(-1) > 0 {
		i.sb.vfs.evInodeCount(t, i, "")
		i.lock.Unlock(o)
		return
	}
	if i.count.Load() < 0 {
		i.lock.Unlock(o)
		panic("vfs: iput of an unreferenced inode")
	}
	iputFinal(t, i)
}

// Iput is iput() for filesystems.
func Iput(t *Task, i *Inode) { iput(t, i) }

// iputFinal is iput_final(); i_lock held, count 0.
func iputFinal(t *Task, i *Inode) {
	o := t.owner()
	if i.nlink.Load() != 0 && i.state.Load()&I_DIRTY_TIME != 0 {
		// Lazy timestamps must not be lost with the inode: make them
		// I_DIRTY_SYNC, so that writeback (or the write before
		// eviction) takes them, and drop the reference again (iput).
		// The count goes 1 -> 0 -> 1 under i_lock: no event, as no
		// change is left; the iput below reports its own.
		i.count.Add(1)
		i.lock.Unlock(o)
		markInodeDirty(t, i, I_DIRTY_SYNC)
		iput(t, i)
		return
	}
	sb := i.sb
	var drop bool
	if sb.Ops != nil && sb.Ops.DropInode != nil {
		drop = t.sopDropInode(i)
	} else {
		drop = genericDropInode(i)
	}
	if !drop && sb.flags.Load()&SB_ACTIVE != 0 {
		// Keep it cached, unused (__inode_add_lru(inode, true)).
		i.lock.Unlock(o)
		inodeAddLRURotate(t, i)
		sb.vfs.evInodeCount(t, i, "unused")
		return
	}
	sb.vfs.evInodeCount(t, i, "") // 0, and the inode is to be evicted
	if !drop {
		// The superblock is going away: write the inode out before it
		// is freed, marked so that nobody takes it meanwhile.
		iStateSet(t, i, I_WILL_FREE)
		i.lock.Unlock(o)
		WriteInodeNow(t, i, true)
		i.lock.Lock(o)
		iStateClear(t, i, I_WILL_FREE)
	}
	iStateSet(t, i, I_FREEING)
	i.lock.Unlock(o)
	sb.inodeLRUDel(t, i)
	evict(t, i)
}

// inodeAddLRURotate is iput_final's __inode_add_lru(inode, true): an
// unused inode goes on its superblock's inode LRU; one that is still
// there (it was used again since it last went unused, and the shrinker
// has not yet taken it off: IgetLocked leaves it there, as Linux's
// iget leaves it on the list_lru) gets I_REFERENCED instead, so that
// the shrinker gives it one more pass (inode_lru_isolate). An inode
// that was taken again, or is being freed, since the caller dropped
// i_lock is left alone: its own final iput adds it. No lock held;
// s_inode_list_lock then i_lock, the lock order's nesting.
func inodeAddLRURotate(t *Task, i *Inode) {
	o := t.owner()
	sb := i.sb
	sb.inodeListLock.Lock(o)
	i.lock.Lock(o)
	if i.count.Load() == 0 && i.state.Load()&(I_NEW|I_FREEING|I_WILL_FREE) == 0 {
		if i.onLRU() {
			iStateSet(t, i, I_REFERENCED)
		} else {
			inodeLRUPushLocked(sb, i)
		}
	}
	i.lock.Unlock(o)
	sb.inodeListLock.Unlock(o)
}

// genericDropInode is generic_drop_inode(): evict unlinked or unhashed
// inodes.
func genericDropInode(i *Inode) bool {
	return i.nlink.Load() == 0 || !i.hashed()
}

func (i *Inode) hashed() bool { return i.state.Load()&inodeHashed != 0 }

// inodeHashed marks an inode in the inode hash (a vfscope bit beside the
// Linux ones; Linux tests hlist_unhashed(&inode->i_hash)).
const inodeHashed = 1 << 20

// evict is evict(): ->evict_inode, unhash, off the superblock list, then
// destroy. I_FREEING is set and no reference is left.
func evict(t *Task, i *Inode) {
	sb := i.sb
	// Off the writeback lists, and wait for a writer that holds I_SYNC
	// (the flusher takes no reference: I_SYNC is what keeps the inode).
	// An inode that never went on a list (all of tmpfs's) skips their
	// lock, as evict's list_empty(&inode->i_io_list) test does: with
	// I_FREEING set nobody puts it on one now, and the i_lock section
	// that set I_FREEING orders any earlier one that made i.io.
	if i.io != nil {
		inodeIOListDel(t, i)
	}
	sb.inodeListDel(t, i)
	// Only a writer that set I_SYNC before I_FREEING can hold the inode
	// now: every path that sets I_SYNC does it under i_lock on an inode
	// it holds a reference on or finds without I_FREEING. So with
	// I_FREEING set, I_SYNC clear stays clear, and the wait (and its
	// i_lock) is needed only when the bit is seen set.
	if i.state.Load()&I_SYNC != 0 {
		inodeWaitForWriteback(t, i)
	}
	if sb.Ops != nil && sb.Ops.EvictInode != nil {
		t.sopEvictInode(i)
	} else {
		TruncateInodePagesFinal(t, &i.data)
	}
	o := t.owner()
	sb.vfs.icache.remove(t, i)
	// Wake the tasks IgetLocked found it being freed for
	// (__wait_on_freeing_inode): it is out of the hash now.
	wakeUpInode(i)
	i.lock.Lock(o)
	i.state.Store(I_FREEING | I_CLEAR)
	i.lock.Unlock(o)
	sb.vfs.evInode(t, trace.InodeEvict, i)
	if sb.Ops != nil && sb.Ops.DestroyInode != nil {
		t.sopDestroyInode(i)
	}
	// free_inode runs after an RCU grace period in Linux; in Go the
	// collector keeps the memory alive for any lock-free walker still
	// looking at it, so it can run now.
	if sb.Ops != nil && sb.Ops.FreeInode != nil {
		t.sopFreeInode(i)
	}
	sb.vfs.stats.nrInodes.Add(-1)
}

// inodeHash is the inode cache (inode_hashtable), keyed by (sb, ino).
type inodeHash struct {
	// lock is inode_hash_lock: it protects m. Taken before i_lock.
	lock lock.SpinLock
	m    map[inodeKey]*Inode
}

type inodeKey struct {
	sb  *SuperBlock
	ino uint64
}

func (h *inodeHash) init() {
	h.lock.Init(classInodeHash, 0)
	h.m = make(map[inodeKey]*Inode)
}

// remove is remove_inode_hash(): take i out of the inode hash, if it is
// there.
func (h *inodeHash) remove(t *Task, i *Inode) {
	if i.hashed() {
		h.removeHashed(t, i)
	}
}

// removeHashed is remove for an inode that was hashed: out of line, so
// that remove inlines and an inode never hashed (tmpfs's, procfs's)
// costs its evict no call.
func (h *inodeHash) removeHashed(t *Task, i *Inode) {
	o := t.owner()
	h.lock.Lock(o)
	if h.m[inodeKey{i.sb, i.ino}] == i {
		delete(h.m, inodeKey{i.sb, i.ino})
	}
	i.lock.Lock(o)
	iStateClear(t, i, inodeHashed)
	i.lock.Unlock(o)
	h.lock.Unlock(o)
}

// IgetLocked is iget_locked(): the cached inode (sb, ino) with a new
// reference, or a new one in state I_NEW that the caller fills in and
// then releases with UnlockNewInode. Concurrent callers for the same
// number wait for the first to finish.
func IgetLocked(t *Task, sb *SuperBlock, ino uint64) (i *Inode, isNew bool) {
	o := t.owner()
	h := &sb.vfs.icache
	// fresh is allocated with inode_hash_lock dropped, since ->alloc_inode
	// may sleep; a racing iget_locked that hashed the number meanwhile
	// wins, and fresh is destroyed unused (as iget_locked does).
	var fresh *Inode
	for {
		h.lock.Lock(o)
		if old := h.m[inodeKey{sb, ino}]; old != nil {
			old.lock.Lock(o)
			st := old.state.Load()
			if st&(I_FREEING|I_WILL_FREE) != 0 {
				// __wait_on_freeing_inode: sleep until evict has
				// taken it out of the hash, then look again.
				old.lock.Unlock(o)
				h.lock.Unlock(o)
				waitOnFreeingInode(old)
				if igetFreeingRetry != nil {
					igetFreeingRetry()
				}
				continue
			}
			// An unused inode stays on the LRU: the shrinker takes it
			// off when it finds it in use (inode_lru_isolate), and its
			// next final iput marks it I_REFERENCED.
			wasUnused := old.count.Add(1) == 1
			old.lock.Unlock(o)
			h.lock.Unlock(o)
			if fresh != nil {
				destroyUnusedInode(t, sb, fresh)
				fresh = nil
			}
			if wasUnused {
				sb.vfs.evInodeCount(t, old, "used")
			} else {
				sb.vfs.evInodeCount(t, old, "")
			}
			if st&I_NEW != 0 {
				waitOnInodeNew(old)
			}
			// Filling it in failed (IgetFailed unhashed it), or it is
			// being freed: drop it and look again, as iget_locked's
			// inode_unhashed test.
			if !old.hashed() || old.state.Load()&I_FREEING != 0 {
				iput(t, old)
				continue
			}
			return old, false
		}
		if fresh == nil {
			h.lock.Unlock(o)
			fresh = &Inode{}
			if sb.Ops != nil && sb.Ops.AllocInode != nil {
				if a := t.sopAllocInode(sb); a != nil {
					fresh = a
				}
			}
			initInode(t, sb, fresh)
			continue
		}
		i = fresh
		i.ino = ino
		i.state.Store(I_NEW | inodeHashed)
		h.m[inodeKey{sb, ino}] = i
		h.lock.Unlock(o)
		sb.inodeListAdd(t, i)
		sb.vfs.stats.nrInodes.Add(1)
		return i, true
	}
}

// destroyUnusedInode is destroy_inode() for an inode that was allocated
// but never hashed or seen by anyone: ->destroy_inode and ->free_inode
// release what ->alloc_inode made.
func destroyUnusedInode(t *Task, sb *SuperBlock, i *Inode) {
	if sb.Ops != nil && sb.Ops.DestroyInode != nil {
		t.sopDestroyInode(i)
	}
	if sb.Ops != nil && sb.Ops.FreeInode != nil {
		t.sopFreeInode(i)
	}
}

// UnlockNewInode is unlock_new_inode(): the inode is ready; waiters go on.
func UnlockNewInode(t *Task, i *Inode) {
	o := t.owner()
	i.lock.Lock(o)
	inodeFilled(t, i)
	iStateClear(t, i, I_NEW)
	i.lock.Unlock(o)
	wakeUpInode(i)
}

// inodeWaitTable holds the wait queues of I_NEW, as Linux's
// inode_bit_waitqueue() hashes an inode's address to one of a table of
// wait queues, so that an inode needs none of its own: IgetLocked waits
// on its bucket while the inode is I_NEW, UnlockNewInode wakes the
// bucket after clearing the bit. Each bucket's mu is a leaf lock outside
// the lock model, never held across anything else.
var inodeWaitTable [64]waitBucket

// inodeWaiters counts the tasks waiting in any bucket of inodeWaitTable,
// changed with the bucket's count: wakeUpInode's first test, one load
// that inlines, since nearly every wake-up finds nobody waiting.
var inodeWaiters atomic.Int32

func init() {
	for i := range inodeWaitTable {
		inodeWaitTable[i].cond.L = &inodeWaitTable[i].mu
	}
}

func inodeWaitBucket(i *Inode) *waitBucket {
	h := uintptr(unsafe.Pointer(i)) >> 6
	h ^= h >> 6
	return &inodeWaitTable[h&uintptr(len(inodeWaitTable)-1)]
}

// waitOnInodeNew sleeps until i is no longer I_NEW (wait_on_inode). The
// bit is cleared before the bucket is woken, and tested here under the
// bucket's mutex, so no wake-up is missed.
func waitOnInodeNew(i *Inode) {
	b := inodeWaitBucket(i)
	b.mu.Lock()
	b.waiters.Add(1)
	inodeWaiters.Add(1)
	for i.state.Load()&I_NEW != 0 {
		b.cond.Wait()
	}
	inodeWaiters.Add(-1)
	b.waiters.Add(-1)
	b.mu.Unlock()
}

// waitOnFreeingInode is __wait_on_freeing_inode(): sleep until evict
// has taken i, found I_FREEING or I_WILL_FREE in the inode hash, out of
// the hash. evict clears the hashed bit before it wakes i's wait bucket,
// and the bit is tested here under the bucket's mutex, so no wake-up is
// missed. It also stops waiting if i is no longer being freed (an inode
// a filesystem's ->alloc_inode recycled). No lock held.
func waitOnFreeingInode(i *Inode) {
	b := inodeWaitBucket(i)
	b.mu.Lock()
	b.waiters.Add(1)
	inodeWaiters.Add(1)
	for i.hashed() && i.state.Load()&(I_FREEING|I_WILL_FREE) != 0 {
		b.cond.Wait()
	}
	inodeWaiters.Add(-1)
	b.waiters.Add(-1)
	b.mu.Unlock()
}

// wakeUpInode wakes the tasks sleeping on i's wait bucket (inode_wake_up_bit):
// those waiting for I_NEW to clear, and those waiting for a freed inode
// to leave the hash. The caller changed the bit first; a bucket nobody
// waits on is left alone (wake_up_bit's waitqueue_active test: the
// waiter's count and the bit are both atomics, so one of the two sees
// the other's change). The test of inodeWaiters, which counts them in
// every bucket, comes first and inlines.
func wakeUpInode(i *Inode) {
	if inodeWaiters.Load() != 0 {
		wakeUpInodeBucket(i)
	}
}

// wakeUpInodeBucket is wakeUpInode once some task waits somewhere: wake
// i's bucket if a task waits there.
func wakeUpInodeBucket(i *Inode) {
	if b := inodeWaitBucket(i); b.waiters.Load() != 0 {
		b.mu.Lock()
		b.cond.Broadcast()
		b.mu.Unlock()
	}
}

// igetFreeingRetry is nil except in tests (inode_export_test.go): it
// counts IgetLocked's retries after waiting for an inode being freed.
var igetFreeingRetry func()

// IgetFailed is iget_failed(): a new inode could not be filled in. Like
// make_bad_inode it takes the inode out of the hash (remove_inode_hash),
// so that a task that found it I_NEW and waited sees it unhashed, drops
// it and looks again, and the final iput evicts it (generic_drop_inode
// evicts unhashed inodes). i_nlink is cleared too, so that a filesystem
// whose ->drop_inode keeps hashed and unhashed inodes alike still
// evicts it (a vfscope addition: Linux's bad inode keeps i_nlink, and
// its operations fail with EIO instead).
func IgetFailed(t *Task, i *Inode) {
	i.ClearNlink()
	i.sb.vfs.icache.remove(t, i)
	UnlockNewInode(t, i)
	iput(t, i)
}

// InsertInodeHash is insert_inode_hash(): make an inode made by NewInode
// findable by IgetLocked.
func InsertInodeHash(t *Task, i *Inode) {
	h := &i.sb.vfs.icache
	h.lock.Lock(t.owner())
	h.m[inodeKey{i.sb, i.ino}] = i
	iStateSet(t, i, inodeHashed)
	h.lock.Unlock(t.owner())
}

// MarkInodeDirty is __mark_inode_dirty(): ->dirty_inode for
// I_DIRTY_SYNC and I_DIRTY_DATASYNC, then the state bits; an inode that
// was clean goes on its superblock's b_dirty list for the flusher
// (writeback_lists.go).
func MarkInodeDirty(t *Task, i *Inode, flags uint32) { markInodeDirty(t, i, flags) }

// RwsemLock, RwsemUnlock, RwsemLockShared and RwsemUnlockShared take and
// release i_rwsem for filesystems (inode_lock, inode_lock_shared).
func (i *Inode) RwsemLock(t *Task)         { i.rwsem.Lock(t.o) }
func (i *Inode) RwsemUnlock(t *Task)       { i.rwsem.Unlock(t.o) }
func (i *Inode) RwsemLockShared(t *Task)   { i.rwsem.RLock(t.o) }
func (i *Inode) RwsemUnlockShared(t *Task) { i.rwsem.RUnlock(t.o) }

// S_FCAPS marks an inode that may carry file capabilities: a non-empty
// security.capability, which a write, a truncate and a chown remove
// (cap_inode_need_killpriv, cap_inode_killpriv). It is the inverse of
// Linux's S_NOSEC for capabilities, so that the write path pays one
// load, not an xattr lookup: set when security.capability gets a
// non-empty value (and by a filesystem that reads such an inode from its
// storage, MarkFileCaps), cleared when it is removed or emptied. Kept in
// i_state beside S_DEAD (not an i_state bit: never traced); changed with
// atomic Or and And under i_rwsem exclusive, read under i_rwsem.
const S_FCAPS = 1 << 22

// MarkFileCaps says that the inode may carry a non-empty
// security.capability: a filesystem that keeps extended attributes on
// its storage calls it when it reads such an inode, before the inode is
// visible, so that the first write removes them.
func (i *Inode) MarkFileCaps() { i.state.Or(S_FCAPS) }

// FileRemovePrivs is file_remove_privs(): a write to a regular file by
// a task without CAP_FSETID drops set-user-ID, and set-group-ID when
// setattr_should_drop_sgid says (with group execute, or when the task is
// not in the file's group); a write by anyone, root too, removes the
// file's capabilities (ATTR_KILL_PRIV). The inode is dirtied as the
// filesystem's ->setattr that notify_change calls would dirty it, so
// that a disk filesystem's ->write_inode records the new mode: the mtime
// update that follows dirties it only when the time changes, which
// within one clock tick it does not. i_rwsem held exclusive.
//
// The fast path is two loads: an inode without S_ISUID, S_ISGID and
// S_FCAPS has nothing to remove (Linux's IS_NOSEC test).
func FileRemovePrivs(t *Task, in *Inode) {
	if in.mode.Load()&(S_ISUID|S_ISGID) == 0 && in.state.Load()&S_FCAPS == 0 {
		return
	}
	t.fileRemovePrivsSlow(in)
}

// fileRemovePrivsSlow is __file_remove_privs past IS_NOSEC: the kills
// dentry_needs_remove_privs finds, applied as __remove_privs's
// notify_change(ATTR_FORCE | kill) would apply them. Not for a
// directory or other non-regular file (the S_ISREG test).
func (t *Task) fileRemovePrivsSlow(in *Inode) {
	m := in.mode.Load()
	if !IsReg(m) {
		return
	}
	kill := t.setattrShouldDropSuidgid(in)
	nm := m
	if kill&ATTR_KILL_SUID != 0 {
		nm &^= S_ISUID
	}
	if kill&ATTR_KILL_SGID != 0 {
		nm &^= S_ISGID
	}
	changed := t.killPriv(nil, in)
	if nm != m {
		in.mode.Store(nm)
		changed = true
	}
	if changed {
		in.ctime.Store(t.vfs.now())
		markInodeDirty(t, in, I_DIRTY_SYNC)
	}
}

// killPriv is cap_inode_need_killpriv and cap_inode_killpriv (with
// __vfs_removexattr): if the inode may carry file capabilities, remove
// security.capability through the filesystem's security.* handler (d may
// be nil: the write path has only the inode). It reports whether an
// attribute was removed; S_FCAPS is cleared either way (a filesystem
// without a security.* handler has none to remove). i_rwsem held
// exclusive.
func (t *Task) killPriv(d *Dentry, in *Inode) bool {
	if in.state.Load()&S_FCAPS == 0 {
		return false
	}
	h, short, err := xattrResolve(in.sb, XATTR_NAME_CAPS)
	removed := false
	if err == nil && h.Set != nil {
		// XATTR_REPLACE: ENODATA says there was none. Any other
		// failure leaves S_FCAPS for the next try.
		switch err := t.xopSet(h, d, in, short, nil, XATTR_REPLACE); {
		case err == nil:
			removed = true
		case ErrnoOf(err) != ENODATA:
			return false
		}
	}
	in.state.And(^uint32(S_FCAPS))
	return removed
}
