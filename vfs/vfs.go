package vfs

import (
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
)

// Options configure a VFS.
type Options struct {
	// Lockdep switches the lock validator on. It is also on when the
	// environment holds VFSCOPE_LOCKDEP=1, as `make test` sets it.
	Lockdep bool
	// HashBits is log2 of the number of dcache hash buckets; 0 sizes
	// the table by MemBudget, as Linux sizes dentry_hashtable by memory
	// (dcacheHashBits: 15 for the default budget).
	HashBits int
	// Clock returns the current time; nil means the coarse clock
	// (clock.go), as Linux's current_time().
	Clock func() time.Time
	// ClockNanos, when set, is the clock instead of Clock: the current
	// time in nanoseconds since the epoch, what the VFS stamps inodes
	// with. A front end whose calls are dear (GOOS=js, where every Go
	// call is a resumable frame) passes one that inlines its fast path,
	// so that a stamp costs one call rather than three (Clock's wrapper,
	// the method behind it, and the Time's conversion).
	ClockNanos func() int64
	// Trace instruments system calls, filesystem method calls and lock
	// operations for the trace layer (trace_emit.go), at the cost of a
	// checked path on each even while nobody listens. Without it,
	// listeners receive the dentry, inode, page, writeback and mount
	// events only.
	Trace bool
	// MemBudget is the memory budget in bytes (MemTotal): page-cache
	// pages, dentries and inodes are charged against it and reclaimed
	// over it (budget.go). 0 means DefaultMemBudget (256 MiB).
	MemBudget int64
}

var lockdepFromEnv = os.Getenv("VFSCOPE_LOCKDEP") == "1"

// VFS is one instance of the virtual filesystem: what a Linux kernel holds
// in globals (the dcache hash, rename_lock, the mount tree, the registered
// filesystem types) lives here, so that several can exist in one process.
type VFS struct {
	// renameLock is rename_lock: its writers (d_move, d_exchange) are
	// serialised by its spinlock; lock-free walkers and d_lookup read its
	// sequence to detect a concurrent rename. Taken after i_lock, before
	// d_lock.
	renameLock lock.SeqLock

	// mountLock is mount_lock: writers attach and detach mounts (under
	// namespaceSem); walkers read its sequence to validate a mount
	// crossing made without references.
	mountLock lock.SeqLock

	// namespaceSem is namespace_sem: it serialises changes of the mount
	// tree and pins it for /proc/mounts. Taken after s_umount of a
	// superblock being mounted, before mountLock.
	namespaceSem lock.RWSem

	// mounts is the mount hash: a copy-on-write table replaced under
	// mountLock's write side and read without locks.
	mounts atomic.Pointer[mountTable]

	// root is the root mount of the (single) mount namespace. Set once
	// by MountRoot, under namespaceSem.
	root atomic.Pointer[Mount]

	dcache dcacheHash

	// inLookupLock protects inLookup: dentries whose ->lookup is in
	// flight (d_alloc_parallel's in-lookup hash). A leaf lock.
	inLookupLock lock.SpinLock
	inLookup     map[inLookupKey]inLookupEntry

	icache inodeHash

	// fsTypesLock protects fsTypes (file_systems_lock). A leaf lock.
	fsTypesLock lock.SpinLock
	fsTypes     []*FileSystemType

	// tasksMu protects tasks and nextPID (tasklist_lock). A leaf, taken
	// before any task exists, so a plain mutex outside the validator.
	tasksMu sync.Mutex
	tasks   map[int32]*Task
	nextPID int32

	// sbLock is sb_lock: see sbListLock.
	sbLock lock.SpinLock
	sbList *SuperBlock

	validator *lock.Validator
	hashSeed  uint32       // FNV offset basis mixed with a per-instance random value
	clock     func() int64 // Options.ClockNanos, Clock's time in ns, or coarseNow; immutable

	nextDev      atomic.Uint32 // anonymous device minors (get_anon_bdev)
	nextDentryID atomic.Uint64
	nextInodeID  atomic.Uint64
	nextMountID  atomic.Int32

	stats vfsStats
	trace tracerState
	// intr is the pending interrupt (signal.go): atomics, no lock.
	intr interruptState
	// timedSleeps counts the tasks in a bounded sleep (signal.go).
	timedSleeps atomic.Int32
	rules       ruleCoverage
	chr         chrdevs
	// locks is fs/locks.c's global state (filelock.go), made on first use.
	locks fileLocks
	// pc is the page cache's VFS-wide state (folio_state.go).
	pc pageCache
	// wb is the writeback state: tunables and the flusher (writeback.go).
	wb wbState
	// rc is the memory budget and reclaim state (budget.go, vmscan.go).
	rc reclaimState
	// files is files_stat: the count of open file descriptions and
	// fs.file-max (file.go).
	files filesStat
	// protectedHardlinks is fs.protected_hardlinks (protected_links.go):
	// atomic, no lock.
	protectedHardlinks atomic.Int32
}

// vfsStats are the counters /proc/sys/fs/dentry-state and inode-nr show.
// All atomic: each is changed where the object changes state, under that
// object's lock, and read without locks.
type vfsStats struct {
	nrDentry   atomic.Int64 // allocated dentries
	nrUnused   atomic.Int64 // dentries on an LRU list
	nrNegative atomic.Int64 // negative dentries on an LRU list
	nrInodes   atomic.Int64 // inodes in memory
	nrUnusedI  atomic.Int64 // inodes with no reference, kept cached
	kmem       atomic.Int64 // bytes filesystems keep besides pages (ChargeKmem)
}

// New makes an empty VFS: no filesystem types registered, nothing mounted.
func New(opts Options) *VFS {
	v := &VFS{
		inLookup: make(map[inLookupKey]inLookupEntry),
		tasks:    make(map[int32]*Task),
		hashSeed: 2166136261 ^ uint32(rand.Uint64()),
		clock:    clockNanos(opts),
	}
	if opts.Lockdep || lockdepFromEnv {
		v.validator = lock.NewValidator()
	}
	v.initTrace(opts)
	v.renameLock.Init(classRenameLock)
	v.mountLock.Init(classMountLock)
	v.namespaceSem.Init(classNamespaceSem, 0)
	v.inLookupLock.Init(classInLookup, 0)
	v.fsTypesLock.Init(classFSTypes, 0)
	v.sbLock.Init(classSBList, 0)
	bits := opts.HashBits
	if bits <= 0 {
		bits = dcacheHashBits(opts.MemBudget)
	}
	v.dcache.init(bits)
	v.icache.init()
	v.pc.init()
	v.initReclaim(opts)
	v.files.init(v.rc.budget)
	v.initWriteback()
	v.mounts.Store(&mountTable{m: map[mountKey]*Mount{}})
	return v
}

// Validator returns the lock validator, or nil when validation is off.
func (v *VFS) Validator() *lock.Validator { return v.validator }

// now returns the current time in nanoseconds since the epoch.
// One indirect call, which inlines into the callers: a test for a nil
// clock and two possible calls would not (and every call counts under
// GOOS=js).
func (v *VFS) now() int64 { return v.clock() }

// clockNanos is the clock Options ask for, in ns since the epoch: the
// coarse clock if they name none.
func clockNanos(opts Options) func() int64 {
	if opts.ClockNanos != nil {
		return opts.ClockNanos
	}
	if c := opts.Clock; c != nil {
		return func() int64 { return c().UnixNano() }
	}
	return coarseNow
}

// Global lock classes. Per-filesystem-type classes are in fsTypeKeys.
var (
	classRenameLock   = lock.NewClass("rename_lock", lock.KindSeqLock)
	classMountLock    = lock.NewClass("mount_lock", lock.KindSeqLock)
	classNamespaceSem = lock.NewClass("namespace_sem", lock.KindRWSem)
	classInLookup     = lock.NewClass("in_lookup_hashtable", lock.KindSpin)
	classFSTypes      = lock.NewClass("file_systems_lock", lock.KindSpin)
	classDLock        = lock.NewClass("&dentry->d_lock", lock.KindSpin)
	classHashBucket   = lock.NewClass("dcache_hash_bucket", lock.KindSpin)
	classDentryLRU    = lock.NewClass("&sb->s_dentry_lru", lock.KindSpin)
	classInodeHash    = lock.NewClass("inode_hash_lock", lock.KindSpin)
	classInodeList    = lock.NewClass("&sb->s_inode_list_lock", lock.KindSpin)
	classILock        = lock.NewClass("&inode->i_lock", lock.KindSpin)
	classFileTable    = lock.NewClass("&newf->file_lock", lock.KindSpin)
	classFPos         = lock.NewClass("&f->f_pos_lock", lock.KindMutex)
	classFSLock       = lock.NewClass("&fs->lock", lock.KindSpin)
	classSBList       = lock.NewClass("sb_lock", lock.KindSpin)
	classPipeMutex    = lock.NewClass("&pipe->mutex", lock.KindMutex)
)

// fsTypeKeys are the lock classes of one filesystem type, named as
// lockdep names Linux's (&type->s_umount_key and so on) with the type's
// name after a '#'.
type fsTypeKeys struct {
	sUmount     *lock.Class
	renameMutex *lock.Class
	iRwsemDir   *lock.Class
	iRwsem      *lock.Class
	sbWriters   [sbFreezeLevels]*lock.Class
	// invalidateLock is &sb->s_type->invalidate_lock_key.
	invalidateLock *lock.Class
}

// fsTypeClasses holds the lock classes of every filesystem type name
// registered so far in the process. Linux's lock_class_keys are static
// in each struct file_system_type; here a type registered again (in
// another VFS, or as another FileSystemType value of the same name, as
// tmpfs.Type() returns) gets the classes of its name, so that booting
// and closing VFSes makes no new classes, which are never freed. The
// validator is per VFS, so VFSes sharing the classes share no graph.
var fsTypeClasses struct {
	// mu protects byName. A leaf outside the validator, taken under
	// VFS.fsTypesLock by RegisterFilesystem.
	mu     sync.Mutex
	byName map[string]fsTypeKeys
}

// fsTypeKeysOf returns the lock classes of the filesystem type name,
// making them on the name's first registration in the process.
func fsTypeKeysOf(name string) fsTypeKeys {
	fsTypeClasses.mu.Lock()
	defer fsTypeClasses.mu.Unlock()
	k, ok := fsTypeClasses.byName[name]
	if !ok {
		if fsTypeClasses.byName == nil {
			fsTypeClasses.byName = make(map[string]fsTypeKeys)
		}
		k = makeFSTypeKeys(name)
		fsTypeClasses.byName[name] = k
	}
	return k
}

// makeFSTypeKeys makes new lock classes for the type name; only
// fsTypeKeysOf calls it.
func makeFSTypeKeys(name string) fsTypeKeys {
	k := fsTypeKeys{
		sUmount:        lock.NewClass("&type->s_umount_key#"+name, lock.KindRWSem),
		renameMutex:    lock.NewClass("&type->s_vfs_rename_key#"+name, lock.KindMutex),
		iRwsemDir:      lock.NewClass("&type->i_mutex_dir_key#"+name, lock.KindRWSem),
		iRwsem:         lock.NewClass("&sb->s_type->i_mutex_key#"+name, lock.KindRWSem),
		invalidateLock: lock.NewClass("&sb->s_type->invalidate_lock_key#"+name, lock.KindRWSem),
	}
	names := [sbFreezeLevels]string{"sb_writers", "sb_pagefaults", "sb_internal"}
	for i := range k.sbWriters {
		k.sbWriters[i] = lock.NewClass(names[i]+"#"+name, lock.KindRWSem)
	}
	return k
}

// RegisterFilesystem is register_filesystem(): EBUSY if a type of that
// name is registered already.
func (v *VFS) RegisterFilesystem(t *Task, fst *FileSystemType) error {
	if fst.Name == "" || fst.Mount == nil || fst.KillSB == nil {
		return EINVAL
	}
	v.fsTypesLock.Lock(t.owner())
	defer v.fsTypesLock.Unlock(t.owner())
	for _, f := range v.fsTypes {
		if f.Name == fst.Name {
			return EBUSY
		}
	}
	if fst.keys.sUmount == nil {
		fst.keys = fsTypeKeysOf(fst.Name)
	}
	v.fsTypes = append(v.fsTypes, fst)
	return nil
}

// UnregisterFilesystem is unregister_filesystem(): EINVAL if the type is
// not registered, EBUSY while a superblock of it is alive.
func (v *VFS) UnregisterFilesystem(t *Task, name string) error {
	v.fsTypesLock.Lock(t.owner())
	defer v.fsTypesLock.Unlock(t.owner())
	for i, f := range v.fsTypes {
		if f.Name == name {
			if f.supers.Load() > 0 {
				return EBUSY
			}
			v.fsTypes = append(v.fsTypes[:i:i], v.fsTypes[i+1:]...)
			return nil
		}
	}
	return EINVAL
}

// getFSType is get_fs_type(): ENODEV if no such type is registered.
func (v *VFS) getFSType(t *Task, name string) (*FileSystemType, error) {
	v.fsTypesLock.Lock(t.owner())
	defer v.fsTypesLock.Unlock(t.owner())
	for _, f := range v.fsTypes {
		if f.Name == name {
			return f, nil
		}
	}
	return nil, ENODEV
}

// Filesystems lists the registered types as /proc/filesystems does:
// "nodev" before those that need no device.
func (v *VFS) Filesystems(t *Task) []*FileSystemType {
	v.fsTypesLock.Lock(t.owner())
	defer v.fsTypesLock.Unlock(t.owner())
	return append([]*FileSystemType(nil), v.fsTypes...)
}

// sbListLock returns sb_lock, which protects the super_blocks list
// (sbList) and each superblock's place on it. A leaf lock.
func (v *VFS) sbListLock() *lock.SpinLock { return &v.sbLock }

// Now returns the current time of the VFS's clock in nanoseconds since
// the epoch, for filesystems' timestamps.
func (v *VFS) Now() int64 { return v.now() }
