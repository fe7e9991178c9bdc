package vfs

import (
	"strings"
	"unsafe"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/trace"
)

// QStr is struct qstr: a name and its hash. The hash is the one ->d_hash
// chose (or the default string hash); names are compared with ->d_compare
// when the dentry has one, else byte for byte.
type QStr struct {
	Name string
	Hash uint32
}

// Dentry flags (d_flags), as include/linux/dcache.h.
const (
	DCACHE_OP_HASH            = 1 << 0
	DCACHE_OP_COMPARE         = 1 << 1
	DCACHE_OP_REVALIDATE      = 1 << 2
	DCACHE_OP_DELETE          = 1 << 3
	DCACHE_OP_PRUNE           = 1 << 4
	DCACHE_DISCONNECTED       = 1 << 5
	DCACHE_REFERENCED         = 1 << 6
	DCACHE_DONTCACHE          = 1 << 7
	DCACHE_CANT_MOUNT         = 1 << 8
	DCACHE_SHRINK_LIST        = 1 << 10
	DCACHE_OP_WEAK_REVALIDATE = 1 << 11
	DCACHE_NFSFS_RENAMED      = 1 << 12
	DCACHE_MOUNTED            = 1 << 16
	DCACHE_NEED_AUTOMOUNT     = 1 << 17
	DCACHE_MANAGE_TRANSIT     = 1 << 18
	DCACHE_LRU_LIST           = 1 << 19
	DCACHE_PAR_LOOKUP         = 1 << 24

	// DCACHE_ENTRY_TYPE is the kind of inode the dentry is bound to
	// (d_flags_for_inode), set with d_inode under d_seq: a lock-free walk
	// tells a directory it may look names up in from the flags it read
	// anyway (d_can_lookup).
	DCACHE_ENTRY_TYPE     = 7 << 20
	DCACHE_MISS_TYPE      = 0 << 20 // negative
	DCACHE_DIRECTORY_TYPE = 2 << 20 // a directory with ->lookup
	DCACHE_AUTODIR_TYPE   = 3 << 20 // a directory without ->lookup
	DCACHE_REGULAR_TYPE   = 4 << 20
	DCACHE_SPECIAL_TYPE   = 5 << 20 // device, FIFO or socket
	DCACHE_SYMLINK_TYPE   = 6 << 20
	// DCACHE_FASTPERM is a vfscope flag, set with the type: the inode
	// has no ->permission, so the mode bits decide (Linux marks the
	// inode, IOP_FASTPERM in i_opflags).
	DCACHE_FASTPERM = 1 << 27
	// DCACHE_HASHED is a vfscope flag: Linux tests hlist_bl_unhashed
	// on d_hash; here the hash link alone cannot tell, so a flag does.
	DCACHE_HASHED = 1 << 28
	DCACHE_DEAD   = 1 << 29 // lockref_mark_dead was run
)

// Dentry is struct dentry: a name in a directory, bound to an inode or
// negative (no inode). See the package doc for the locks.
type Dentry struct {
	// The fields a lock-free walk reads come first, on one cache line,
	// as in Linux's struct dentry.

	// hashNext links the dcache hash chain; written under the bucket
	// lock, read without locks.
	hashNext atomic.Pointer[Dentry]
	// hashLen is name's hash_len (d_name.hash_len): the length in the
	// high 32 bits, the hash in the low, kept beside the chain link so
	// that a lookup skips other names with one compare. Written with
	// name (setName).
	hashLen atomic.Uint64
	// seq is d_seq: written around every change of name, parent, inode
	// and hashing, so that lock-free walkers can validate what they read.
	seq    lock.SeqCount
	flags  atomic.Uint32          // DCACHE_*; changed under lock
	parent atomic.Pointer[Dentry] // self for a root; under lock+seq
	// nameWords holds the first 16 bytes of name, little-endian and
	// zero-padded (nameWords()): with hashLen, a lock-free lookup
	// compares a name of up to 15 bytes in this cache line, without
	// loading name and its bytes (Linux compares d_iname a word at a
	// time). Written with name (setName).
	nameWords [2]atomic.Uint64
	name      atomic.Pointer[QStr]  // under lock+seq (and rename_lock)
	inode     atomic.Pointer[Inode] // nil: negative; under lock+seq

	// lock is d_lock: it protects count's slow transitions (to and from
	// zero, to dead), the LRU membership, the children list of this
	// dentry (as a parent), and the writes of parent, name and inode
	// (which also bump seq). Spinlock; parent's before child's; taken
	// inside i_lock and rename_lock's write side.
	lock lock.SpinLock

	// count is the lockref count: positive while referenced; 0 unused
	// (cached on the LRU or about to be killed); negative once dead.
	// Increments from a positive value and decrements to a positive
	// value are lock-free (compare-and-swap) unless the count is locked
	// (dcountLocked, set by a holder of lock that needs the count to
	// stay put, as lockref's cmpxchg fails while its spinlock is held);
	// every other change is made under lock.
	count atomic.Int64

	op *DentryOperations // immutable once set by d_set_d_op
	sb *SuperBlock       // immutable

	// Children list (d_children / d_sib): under the parent's lock.
	firstChild       *Dentry
	sibPrev, sibNext *Dentry

	// LRU links: under sb.lruLock.
	lruPrev, lruNext *Dentry

	// aliasNext links the inode's alias list (i_dentry): under the
	// inode's i_lock.
	aliasNext *Dentry

	// Fsdata is d_fsdata, for the filesystem's use.
	Fsdata any

	// iname is the name the dentry was allocated with: name points here
	// until a rename installs another. Its bytes are the dentry's own:
	// inameBuf for a name of up to dnameInlineLen bytes (d_iname), else
	// a copy (an external name). Never written after the dentry is
	// visible, since lock-free walkers and callers of Name may hold it.
	iname QStr

	// The fields below hold no pointers (the collector stops scanning
	// at the last pointer).

	id uint64 // immutable: hash salt, stable identity for snapshots
	// Offset is the directory offset a filesystem gives the entry
	// (libfs's simple_offset keeps it in d_fsdata); under the parent's
	// i_rwsem.
	Offset int64

	// mounted counts mounts on this dentry (under mountLock's write
	// side); DCACHE_MOUNTED is set while it is non-zero.
	mounted int32

	// inameBuf holds a short name's bytes (d_iname); written once, by
	// dAlloc, before the dentry is visible.
	inameBuf [dnameInlineLen]byte
}

// dnameInlineLen is DNAME_INLINE_LEN: names up to this long live in the
// dentry itself; longer ones cost an allocation. 20 bytes fill the
// dentry's 256-byte size class.
const dnameInlineLen = 20

// setName installs a name and its inline hash_len and first words;
// d_lock held and inside a d_seq write section, or before the dentry is
// visible.
func (d *Dentry) setName(q *QStr) {
	d.name.Store(q)
	d.hashLen.Store(hashLen(q.Hash, len(q.Name)))
	w0, w1 := nameWords(q.Name)
	d.nameWords[0].Store(w0)
	d.nameWords[1].Store(w1)
}

// Name returns the dentry's name. Safe without locks; a concurrent rename
// may make it stale at once.
func (d *Dentry) Name() string { return d.name.Load().Name }

// Parent returns d_parent (the dentry itself for a root).
func (d *Dentry) Parent() *Dentry { return d.parent.Load() }

// Inode returns d_inode, nil for a negative dentry.
func (d *Dentry) Inode() *Inode { return d.inode.Load() }

// Negative reports d_really_is_negative.
func (d *Dentry) Negative() bool { return d.inode.Load() == nil }

// SB returns the superblock.
func (d *Dentry) SB() *SuperBlock { return d.sb }

// ID returns a number that identifies the dentry for its whole life.
func (d *Dentry) ID() uint64 { return d.id }

// Flags returns d_flags.
func (d *Dentry) Flags() uint32 { return d.flags.Load() }

// Count returns the reference count (negative once dead), without the
// mark d_delete puts on a count of 1 while it makes the dentry negative
// (dcountLocked): views and events see the count Linux's d_count()
// would, lockref's lock being apart from its count.
func (d *Dentry) Count() int64 {
	c := d.count.Load()
	if c >= dcountLocked {
		c -= dcountLocked
	}
	return c
}

// IsRoot is IS_ROOT().
func (d *Dentry) IsRoot() bool { return d.parent.Load() == d }

func (d *Dentry) hashed() bool { return d.flags.Load()&DCACHE_HASHED != 0 }

// SetOps is d_set_d_op(): install the operations and the DCACHE_OP_*
// flags that say which exist. Call before the dentry is hashed.
func (d *Dentry) SetOps(op *DentryOperations) {
	d.op = op
	d.updateFlags(DCACHE_OP_HASH|DCACHE_OP_COMPARE|DCACHE_OP_REVALIDATE|
		DCACHE_OP_WEAK_REVALIDATE|DCACHE_OP_DELETE|DCACHE_OP_PRUNE, dopFlags(op))
}

// dopFlags returns the DCACHE_OP_* flags saying which of op's methods
// exist.
func dopFlags(op *DentryOperations) uint32 {
	var f uint32
	if op != nil {
		if op.Hash != nil {
			f |= DCACHE_OP_HASH
		}
		if op.Compare != nil {
			f |= DCACHE_OP_COMPARE
		}
		if op.Revalidate != nil {
			f |= DCACHE_OP_REVALIDATE
		}
		if op.WeakRevalidate != nil {
			f |= DCACHE_OP_WEAK_REVALIDATE
		}
		if op.Delete != nil {
			f |= DCACHE_OP_DELETE
		}
		if op.Prune != nil {
			f |= DCACHE_OP_PRUNE
		}
	}
	return f
}

// SetFlags sets d_flags bits such as DCACHE_NEED_AUTOMOUNT or
// DCACHE_MANAGE_TRANSIT on a dentry the caller owns.
func (d *Dentry) SetFlags(t *Task, f uint32) {
	d.lock.Lock(t.owner())
	d.flags.Or(f)
	d.lock.Unlock(t.owner())
}

// d_alloc: a new unhashed negative dentry named name under parent,
// holding one reference, and itself holding one on parent. parent nil
// makes a root (d_alloc_anon / d_make_root).
func dAlloc(t *Task, sb *SuperBlock, parent *Dentry, name QStr) (*Dentry, error) {
	if len(name.Name) > NAME_MAX {
		return nil, ENAMETOOLONG
	}
	v := sb.vfs
	d := &Dentry{sb: sb, id: v.nextDentryID.Add(1), op: sb.dOp}
	d.lock.Init(classDLock, 0)
	d.lock.SetObject(lock.ObjDentry, d.id)
	// Nobody else can see d yet: plain stores (prepublish.go).
	initI64(&d.count, 1)
	initU32(&d.flags, dopFlags(sb.dOp))
	d.iname.Hash = name.Hash
	if n := len(name.Name); n <= dnameInlineLen {
		// d_iname: the name's bytes in the dentry, so that it never
		// keeps the caller's string (often a whole path) alive.
		copy(d.inameBuf[:], name.Name)
		d.iname.Name = unsafe.String(&d.inameBuf[0], n)
	} else {
		d.iname.Name = strings.Clone(name.Name) // an external name
	}
	initPtr(&d.name, &d.iname)
	initU64(&d.hashLen, hashLen(name.Hash, len(name.Name)))
	w0, w1 := nameWords(name.Name)
	initU64(&d.nameWords[0], w0)
	initU64(&d.nameWords[1], w1)
	if parent == nil {
		initPtr(&d.parent, d)
	} else {
		dgetTask(t, parent)
		initPtr(&d.parent, parent)
		o := t.owner()
		parent.lock.Lock(o)
		d.sibNext = parent.firstChild
		if parent.firstChild != nil {
			parent.firstChild.sibPrev = d
		}
		parent.firstChild = d
		parent.lock.Unlock(o)
	}
	v.stats.nrDentry.Add(1)
	v.slabCharged()
	v.evDentry(t, trace.DentryAlloc, d)
	if d.op != nil && d.op.Init != nil {
		if err := t.dopInit(d); err != nil {
			dput(t, d)
			return nil, err
		}
	}
	return d, nil
}

// DAlloc is d_alloc() for filesystems.
func DAlloc(t *Task, parent *Dentry, name string) (*Dentry, error) {
	q := QStr{Name: name, Hash: parent.sb.vfs.hashName(name)}
	if parent.flags.Load()&DCACHE_OP_HASH != 0 {
		if err := t.dopHash(parent, &q); err != nil {
			return nil, err
		}
	}
	return dAlloc(t, parent.sb, parent, q)
}

// MakeRoot is d_make_root(): the root dentry of a new superblock, bound
// to inode (whose reference it takes over).
func MakeRoot(t *Task, inode *Inode) (*Dentry, error) {
	d, err := dAlloc(t, inode.sb, nil, QStr{Name: "/"})
	if err != nil {
		iput(t, inode)
		return nil, err
	}
	DInstantiate(t, d, inode)
	return d, nil
}

// dget takes a reference on a dentry the caller already holds one on (or
// reaches under a lock that keeps it alive). Its dentry.count event
// names no task; dgetTask is dget for callers that have one.
func dget(d *Dentry) *Dentry { return dgetTask(nil, d) }

// dgetTask is dget with the task the event names.
func dgetTask(t *Task, d *Dentry) *Dentry {
	d.count.Add(1)
	d.sb.vfs.evDentryCount(t, d)
	return d
}

// Dget is dget() for filesystems.
func Dget(d *Dentry) *Dentry { return dget(d) }

// dcountLocked is added to a positive count by a holder of d_lock that
// must test the count and act on it before anyone takes or drops a
// reference (d_delete's "count == 1"): in Linux the count shares a word
// with the spinlock and lockref's lock-free cmpxchg only runs while the
// spinlock is free, so a count read under d_lock cannot change. Here the
// lock is a separate word, so that holder marks the count instead
// (lockCount) and unmarks it (unlockCount) before it releases d_lock;
// the lock-free paths (dgetNotDead, dput) do not touch a marked count
// and take d_lock, which orders them after the holder. No count comes
// near 2^32, so the mark never collides with a real count.
const dcountLocked = 1 << 32

// lockCountIf marks d's count locked if it is want; d_lock held. It
// reports whether it did: the count is then want until unlockCount.
func (d *Dentry) lockCountIf(want int64) bool {
	return d.count.CompareAndSwap(want, want|dcountLocked)
}

// unlockCount removes lockCountIf's mark; d_lock held.
func (d *Dentry) unlockCount() { d.count.Add(-dcountLocked) }

// dgetNotDead is lockref_get_not_dead(): take a reference unless the
// dentry is dead. Used to legitimize what a lock-free walk found. A
// positive count that is not locked is incremented without the lock, as
// lockref's cmpxchg fast path does (inline: one compare-and-swap on the
// walk); a count of 0 (cached, unused) leaves 0 only under d_lock, and
// a locked one must wait for the holder of d_lock, so those take it.
// The caller must not hold d's lock.
func dgetNotDead(t *Task, d *Dentry) bool {
	if c := d.count.Load(); c > 0 && c < dcountLocked && d.count.CompareAndSwap(c, c+1) {
		d.sb.vfs.evDentryCount(t, d)
		return true
	}
	return dgetNotDeadSlow(t, d)
}

// dgetNotDeadSlow is dgetNotDead after its first compare-and-swap
// failed or could not be tried.
func dgetNotDeadSlow(t *Task, d *Dentry) bool {
	for c := d.count.Load(); c > 0 && c < dcountLocked; c = d.count.Load() {
		if d.count.CompareAndSwap(c, c+1) {
			d.sb.vfs.evDentryCount(t, d)
			return true
		}
	}
	o := t.owner()
	d.lock.Lock(o)
	// Under d_lock nobody else's mark is ever seen: it is removed before
	// the lock is released.
	if d.count.Load() < 0 {
		d.lock.Unlock(o)
		return false
	}
	d.count.Add(1)
	d.sb.vfs.evDentryCount(t, d)
	d.lock.Unlock(o)
	return true
}

// dput drops a reference. On the last one, ->d_delete and the dentry's
// state decide: keep it unused on the LRU (retain_dentry) or kill it,
// then drop the reference it held on its parent, and so on up.
func dput(t *Task, d *Dentry) {
	o := t.owner()
	for d != nil {
		// Fast path: not the last reference, and the count not
		// locked (dcountLocked).
		c := d.count.Load()
		if c > 1 && c < dcountLocked {
			if d.count.CompareAndSwap(c, c-1) {
				d.sb.vfs.evDentryCount(t, d)
				return
			}
			continue
		}
		d.lock.Lock(o)
		// Other holders may still drop references without the lock
		// (the fast path above), so every change here is a
		// compare-and-swap: a plain decrement could reach 0 unseen.
		last := false
		for !last {
			switch c = d.count.Load(); {
			case c > 1:
				if d.count.CompareAndSwap(c, c-1) {
					d.sb.vfs.evDentryCount(t, d)
					d.lock.Unlock(o)
					return
				}
			case c == 1:
				last = d.count.CompareAndSwap(1, 0)
			default:
				d.lock.Unlock(o)
				panic("vfs: dput of an unreferenced dentry " + d.Name())
			}
		}
		d.sb.vfs.evDentryCount(t, d) // 0: unused, then cached or killed
		if retainDentry(t, d) {
			// retain_dentry's LRU fodder: a dentry goes on the LRU
			// unreferenced, and only a reuse while it is there marks
			// it referenced, so that the shrinker frees a dentry used
			// once on its first pass and gives one used again a
			// second chance.
			if f := d.flags.Load(); f&DCACHE_LRU_LIST == 0 {
				dLRUAdd(t, d)
			} else if f&DCACHE_REFERENCED == 0 {
				d.flags.Or(DCACHE_REFERENCED)
			}
			d.lock.Unlock(o)
			return
		}
		d = dentryKillLocked(t, d)
	}
}

// Dput is dput() for filesystems.
func Dput(t *Task, d *Dentry) { dput(t, d) }

// retainDentry is retain_dentry(): whether an unused dentry stays cached.
// Called with d_lock held and count 0.
func retainDentry(t *Task, d *Dentry) bool {
	f := d.flags.Load()
	if f&DCACHE_HASHED == 0 || f&DCACHE_DONTCACHE != 0 {
		return false
	}
	if f&DCACHE_OP_DELETE != 0 && t.dopDelete(d) {
		return false
	}
	if in := d.inode.Load(); in != nil && in.nlink.Load() == 0 {
		return false
	}
	return true
}

// dentryKillLocked is lock_for_kill() + __dentry_kill(). Called with
// d_lock held and count 0; returns with no lock held and the parent whose
// reference must now be dropped (nil if none, or if the kill was abandoned
// because someone took a reference meanwhile).
func dentryKillLocked(t *Task, d *Dentry) *Dentry {
	o := t.owner()
	// lock_for_kill: i_lock ranks above d_lock, so try it, and on failure
	// take both in order and recheck that nobody revived the dentry.
	inode := d.inode.Load()
	if inode != nil && !inode.lock.TryLock(o) {
		d.lock.Unlock(o)
		inode.lock.Lock(o)
		d.lock.Lock(o)
		if d.inode.Load() != inode || d.count.Load() != 0 {
			inode.lock.Unlock(o)
			if d.count.Load() == 0 && d.inode.Load() == nil {
				// Turned negative meanwhile: kill without an inode.
				return dentryKillLocked(t, d)
			}
			d.lock.Unlock(o)
			return nil
		}
	}
	// __dentry_kill: from here nobody can find or revive it.
	d.count.Store(-128)
	d.flags.Or(DCACHE_DEAD)
	if d.flags.Load()&DCACHE_OP_PRUNE != 0 {
		t.dopPrune(d)
	}
	dUnhash(t, d)
	if d.flags.Load()&DCACHE_LRU_LIST != 0 {
		dLRUDel(t, d)
	}
	if inode != nil {
		dClearInode(t, d, inode)
		dentryIput(t, d, inode) // drops d_lock and i_lock
	} else {
		d.lock.Unlock(o)
	}
	if d.op != nil && d.op.Release != nil {
		t.dopRelease(d)
	}
	parent := d.parent.Load()
	d.sb.vfs.stats.nrDentry.Add(-1)
	if parent == d {
		d.sb.vfs.evDentry(t, trace.DentryKill, d)
		return nil
	}
	parent.lock.Lock(o)
	if d.sibPrev != nil {
		d.sibPrev.sibNext = d.sibNext
	} else {
		parent.firstChild = d.sibNext
	}
	if d.sibNext != nil {
		d.sibNext.sibPrev = d.sibPrev
	}
	d.sibPrev, d.sibNext = nil, nil
	// Reported once off the parent's children, under its d_lock, which
	// a snapshot's walk of those children holds: a snapshot numbered
	// after the event never lists the dead dentry.
	d.sb.vfs.evDentry(t, trace.DentryKill, d)
	parent.lock.Unlock(o)
	return parent
}

// dClearInode is the first half of dentry_unlink_inode(): unbind the
// inode, so that the dentry is negative. Called with i_lock and d_lock
// held; dentryIput is the second half.
func dClearInode(t *Task, d *Dentry, inode *Inode) {
	d.seq.BeginWrite()
	dSetInodeAndType(d, nil, 0)
	d.seq.EndWrite()
	if d.flags.Load()&DCACHE_LRU_LIST != 0 {
		d.sb.vfs.stats.nrNegative.Add(1)
	}
	d.sb.vfs.evDentryInode(t, trace.DentryNegative, d, inode)
	inode.removeAlias(d)
}

// dentryIput is the second half of dentry_unlink_inode(): release d_lock
// and i_lock, then ->d_iput or iput the inode dClearInode unbound.
func dentryIput(t *Task, d *Dentry, inode *Inode) {
	o := t.owner()
	d.lock.Unlock(o)
	inode.lock.Unlock(o)
	if d.op != nil && d.op.Iput != nil {
		t.dopIput(d, inode)
		return
	}
	iput(t, inode)
}

// dFlagsForInode is d_flags_for_inode(): the DCACHE_ENTRY_TYPE and
// DCACHE_FASTPERM bits of a dentry bound to inode. Its mode's type and
// its operations are fixed before it is bound.
func dFlagsForInode(inode *Inode) uint32 {
	var f uint32
	switch mode := inode.mode.Load(); {
	case IsDir(mode):
		f = DCACHE_AUTODIR_TYPE
		if inode.Ops != nil && inode.Ops.Lookup != nil {
			f = DCACHE_DIRECTORY_TYPE
		}
	case IsLnk(mode):
		f = DCACHE_SYMLINK_TYPE
	case IsReg(mode):
		f = DCACHE_REGULAR_TYPE
	default:
		f = DCACHE_SPECIAL_TYPE
	}
	if inode.Ops == nil || inode.Ops.Permission == nil {
		f |= DCACHE_FASTPERM
	}
	return f
}

// dSetInodeAndType is __d_set_inode_and_type() and, for inode nil,
// __d_clear_type_and_inode(). Inside a d_seq write section, d_lock held.
// extra are flags to set with the type.
func dSetInodeAndType(d *Dentry, inode *Inode, extra uint32) {
	f := extra
	if inode != nil {
		f |= dFlagsForInode(inode)
	}
	d.updateFlags(DCACHE_ENTRY_TYPE|DCACHE_FASTPERM, f)
	d.inode.Store(inode)
}

// updateFlags clears the flags clear and sets set in one atomic step
// (flags are also changed without d_lock, by atomic operations).
func (d *Dentry) updateFlags(clear, set uint32) {
	for {
		old := d.flags.Load()
		if d.flags.CompareAndSwap(old, old&^clear|set) {
			return
		}
	}
}

// DInstantiate is d_instantiate(): bind a negative dentry to inode,
// consuming the caller's inode reference.
func DInstantiate(t *Task, d *Dentry, inode *Inode) { dInstantiate(t, d, inode, 0) }

// dInstantiate binds d to inode and sets the flags extra with its type;
// extra dcachePinned also takes the pinning reference.
func dInstantiate(t *Task, d *Dentry, inode *Inode, extra uint32) {
	o := t.owner()
	inode.lock.Lock(o)
	d.lock.Lock(o)
	if extra&dcachePinned != 0 {
		d.count.Add(1)
		d.sb.vfs.evDentryCount(t, d)
	}
	d.seq.BeginWrite()
	dSetInodeAndType(d, inode, extra)
	d.seq.EndWrite()
	if d.flags.Load()&DCACHE_LRU_LIST != 0 {
		d.sb.vfs.stats.nrNegative.Add(-1)
	}
	inode.addAlias(d)
	inodeFilled(t, inode)
	d.sb.vfs.evDentry(t, trace.DentryInstantiate, d)
	d.lock.Unlock(o)
	inode.lock.Unlock(o)
}

// DAdd is d_add(): bind (or leave negative, for inode nil) and hash.
func DAdd(t *Task, d *Dentry, inode *Inode) {
	if inode != nil {
		DInstantiate(t, d, inode)
	}
	dRehash(t, d)
}

// DDrop is d_drop(): unhash, so that lookups no longer find the dentry.
func DDrop(t *Task, d *Dentry) {
	o := t.owner()
	d.lock.Lock(o)
	dUnhash(t, d)
	d.lock.Unlock(o)
}

// DDelete is d_delete(): after ->unlink or ->rmdir. An otherwise unused
// dentry turns negative and stays cached; one still in use is dropped
// from the hash so that its name is free for a new file.
func DDelete(t *Task, d *Dentry) {
	o := t.owner()
	inode := d.inode.Load()
	if inode == nil {
		return
	}
	inode.lock.Lock(o)
	d.lock.Lock(o)
	// The caller holds one reference; if that is the only one, make the
	// dentry negative. The count stays locked until d_seq has moved:
	// a lock-free walk that found d must not take a reference between
	// the test and the change (it would keep a dentry that turns
	// negative under it); with the mark it waits for d_lock, and then
	// its d_seq check fails.
	if d.lockCountIf(1) {
		if dDeleteWindow != nil {
			dDeleteWindow(d)
		}
		d.flags.And(^uint32(DCACHE_CANT_MOUNT))
		dClearInode(t, d, inode)
		d.unlockCount()
		dentryIput(t, d, inode) // drops d_lock and i_lock
		return
	}
	dUnhash(t, d)
	d.lock.Unlock(o)
	inode.lock.Unlock(o)
}

// dDeleteWindow is nil except in tests (dentry_lockref_test.go), which
// set it to run inside DDelete's window: i_lock and d_lock held, the
// count found to be 1, the inode not yet unbound.
var dDeleteWindow func(d *Dentry)

// DInvalidate is d_invalidate(): drop a dentry that turned out stale and
// detach the mounts on it or below it (a directory of /proc/<pid> whose
// task ended takes the mounts on it along). The unused dentries below it
// are freed before the mounts are looked for, and again after mounts
// were detached, whose mountpoints they had pinned (shrink_dcache_parent
// at both points). An already unhashed or a negative dentry has nothing
// more to do, as in Linux.
func DInvalidate(t *Task, d *Dentry) {
	o := t.owner()
	d.lock.Lock(o)
	if !d.hashed() {
		d.lock.Unlock(o)
		return
	}
	dUnhash(t, d)
	d.lock.Unlock(o)
	if d.inode.Load() == nil {
		return
	}
	shrinkDcacheParent(t, d)
	// had_submounts: detachMountsBelow looks only if some mount sits on
	// d's superblock; only then can it have detached any.
	hadSubmounts := mountpointOnSB(t.vfs.mounts.Load(), d.sb)
	t.detachMountsBelow(d)
	if hadSubmounts {
		shrinkDcacheParent(t, d)
	}
}

// ChildrenLocked calls f for each child of d, with d's lock held; f must
// not block or take d's lock. Returning false stops the iteration.
func (d *Dentry) forEachChildLocked(f func(c *Dentry) bool) {
	for c := d.firstChild; c != nil; c = c.sibNext {
		if !f(c) {
			return
		}
	}
}

// Children returns d's children that are hashed and positive, with a
// reference on each, for filesystems such as tmpfs whose directories live
// in the dcache (simple_empty, dcache_readdir style walks).
func (d *Dentry) Children(t *Task) []*Dentry {
	o := t.owner()
	var out []*Dentry
	d.lock.Lock(o)
	d.forEachChildLocked(func(c *Dentry) bool {
		// The child's d_lock inside the parent's (DENTRY_D_LOCK_NESTED).
		c.lock.LockNested(o, dLockNested)
		if c.hashed() && c.inode.Load() != nil && c.count.Load() >= 0 {
			c.count.Add(1)
			c.sb.vfs.evDentryCount(t, c)
			out = append(out, c)
		}
		c.lock.Unlock(o)
		return true
	})
	d.lock.Unlock(o)
	return out
}

// SimpleEmpty is simple_empty(): no positive hashed children.
func SimpleEmpty(t *Task, d *Dentry) bool {
	o := t.owner()
	empty := true
	d.lock.Lock(o)
	d.forEachChildLocked(func(c *Dentry) bool {
		if c.hashed() && c.inode.Load() != nil {
			empty = false
			return false
		}
		return true
	})
	d.lock.Unlock(o)
	return empty
}

// IsAncestor is is_subdir(): whether d is anc or below it. Caller holds
// s_vfs_rename_mutex or rename_lock's read side makes it a snapshot.
func IsAncestor(d, anc *Dentry) bool {
	for {
		if d == anc {
			return true
		}
		p := d.parent.Load()
		if p == d {
			return false
		}
		d = p
	}
}
