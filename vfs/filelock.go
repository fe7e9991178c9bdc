package vfs

import (
	"math"
	"reflect"
	"sync"
	"time"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
)

// File locks, after fs/locks.c: flock(2) locks, POSIX byte-range locks,
// open file description (OFD) locks and leases. Every inode that has ever
// been locked carries a FileLockContext (struct file_lock_context) with
// three lists, each protected by its flc_lock; waiters hang off the lock
// that blocks them in a tree (flc_blocked_requests), and POSIX waiters
// also sit in the blocked hash that deadlock detection walks.
//
// The files of this area: filelock.go (objects, lists, blocking),
// filelock_posix.go (fcntl locks), flock.go (flock(2)), lease.go
// (leases), filelock_calls.go (the operation tables' checked calls),
// filelock_proc.go (what /proc/locks reads).

// fcntl lock commands and lock types (include/uapi/asm-generic/fcntl.h;
// on 64-bit Linux F_GETLK64 and friends are the same numbers).
const (
	F_GETLK      = 5
	F_SETLK      = 6
	F_SETLKW     = 7
	F_SETLEASE   = 1024
	F_GETLEASE   = 1025
	F_OFD_GETLK  = 36
	F_OFD_SETLK  = 37
	F_OFD_SETLKW = 38

	F_RDLCK = 0
	F_WRLCK = 1
	F_UNLCK = 2
)

// flock(2) operations.
const (
	LOCK_SH   = 1
	LOCK_EX   = 2
	LOCK_NB   = 4
	LOCK_UN   = 8
	LOCK_MAND = 32
)

// FL_* flags of FileLock.Flags (include/linux/filelock.h).
const (
	FL_POSIX             = 1
	FL_FLOCK             = 2
	FL_DELEG             = 4
	FL_ACCESS            = 8
	FL_EXISTS            = 16
	FL_LEASE             = 32
	FL_CLOSE             = 64
	FL_SLEEP             = 128
	FL_DOWNGRADE_PENDING = 256
	FL_UNLOCK_PENDING    = 512
	FL_OFDLCK            = 1024
)

// OFFSET_MAX is the end of a lock that runs to end of file ("EOF").
const OFFSET_MAX = math.MaxInt64

// EWOULDBLOCK is EAGAIN, as on Linux.
const EWOULDBLOCK = EAGAIN

// errLockDeferred is FILE_LOCK_DEFERRED: the request was queued behind
// a conflicting lock and its caller must wait to be woken.
const errLockDeferred Errno = 0xfffe

// Flock is struct flock, the argument of the fcntl lock commands.
type Flock struct {
	Type   int16 // F_RDLCK, F_WRLCK, F_UNLCK
	Whence int16 // SEEK_SET, SEEK_CUR, SEEK_END
	Start  int64
	Len    int64 // 0: to end of file; negative: the bytes before Start
	PID    int32 // F_GETLK: the holder; F_OFD_*: must be 0
}

// FileLock is struct file_lock (and struct file_lease: a lease is a
// FileLock with FL_LEASE). Requests are built by the VFS and copied when
// they are applied; a filesystem's ->lock or a lock manager may build
// its own with Ops and LMOps set.
type FileLock struct {
	// The request's description (file_lock_core); once applied, the
	// fields below are protected by the context's flc_lock.
	Flags uint32 // FL_*
	Type  int16  // F_RDLCK, F_WRLCK, F_UNLCK
	// Owner is fl_owner: the descriptor table (*FDTable) for POSIX
	// locks, the open file description (*File) for OFD, flock locks
	// and leases. Locks of one owner never conflict with each other.
	// It must be comparable (== and a map key: a pointer, as
	// fl_owner_t is); the exported entry points refuse any other with
	// EINVAL (lockOwnerComparable).
	Owner any
	PID   int32 // flc_pid: the task that took it (-1 shown for OFD locks)
	File  *File
	// Start and End are the first and last byte; End is OFFSET_MAX for
	// a lock to end of file. flock locks and leases cover everything.
	Start, End int64
	Ops        *FileLockOperations
	LMOps      *LockManagerOperations
	// Private is fl_u: for the filesystem or lock manager.
	Private any

	// breakTime and downgradeTime are a lease's fl_break_time and
	// fl_downgrade_time: when (monoNow, like jiffies) the pending break is
	// forced. 0: none. Under flc_lock.
	breakTime, downgradeTime int64

	// next and prev link the lock into its context list (flc_list);
	// ctx is the context it is on (nil when not applied). Under
	// flc_lock.
	next, prev *FileLock
	ctx        *FileLockContext

	// gnext and gprev link an applied lock into the VFS's list of all
	// locks (file_lock_list), for /proc/locks. Under fileLocks.listLock.
	gnext, gprev *FileLock

	// blocker is flc_blocker: the lock this request waits behind, nil
	// once woken. Written under blocked_lock_lock; the waiter reads it
	// without the lock (smp_load_acquire in Linux).
	blocker atomic.Pointer[FileLock]
	// blocked is flc_blocked_requests: the requests waiting behind this
	// one, oldest first. Under blocked_lock_lock.
	blocked []*FileLock
	// hashed: in the blocked hash (POSIX waiters only). Under
	// blocked_lock_lock.
	hashed bool
	// wake carries one wake-up (flc_wait) to the waiting task; made by
	// the task before its first wait.
	wake chan struct{}
}

// FileLockOperations is struct file_lock_operations: a filesystem's
// hooks on locks it hands to the generic code.
type FileLockOperations struct {
	// CopyLock is fl_copy_lock: dst was just copied from src (under
	// flc_lock; must not block).
	CopyLock func(t *Task, dst, src *FileLock)
	// ReleasePrivate is fl_release_private: the lock is being freed.
	ReleasePrivate func(t *Task, fl *FileLock)
}

// LockManagerOperations is struct lock_manager_operations: the hooks of
// whoever manages a lock on behalf of others (lockd, nfsd, the lease
// code itself).
type LockManagerOperations struct {
	// Notify is lm_notify: the blocked request fl may be retried; called
	// instead of waking a sleeper (under blocked_lock_lock).
	Notify func(t *Task, fl *FileLock)
	// Grant is lm_grant: a deferred request was granted (result 0) or
	// failed; conf is the conflicting lock or nil.
	Grant func(t *Task, fl, conf *FileLock, result int) int
	// Break is lm_break: a conflicting open wants the lease fl broken.
	// It returns true if the lease is to be removed at once.
	Break func(t *Task, fl *FileLock) bool
	// Change is lm_change: set the lease's type to arg (F_UNLCK removes
	// it; the removed lock goes on dispose).
	Change func(t *Task, fl *FileLock, arg int16, dispose *[]*FileLock) error
	// BreakerOwnsLease is lm_breaker_owns_lease: the breaker is the
	// lease's own holder (no conflict).
	BreakerOwnsLease func(t *Task, fl *FileLock) bool
	// LockExpirable is lm_lock_expirable: the conflicting lock fl may be
	// expired by ExpireLock instead of blocking the request.
	LockExpirable func(t *Task, fl *FileLock) bool
	// ExpireLock is lm_expire_lock: expire what LockExpirable allowed.
	ExpireLock func(t *Task)
}

// FileLockContext is struct file_lock_context, allocated on an inode's
// first lock and kept until the inode is freed.
type FileLockContext struct {
	// flcLock is flc_lock: it protects the three lists and the locks on
	// them. Spinlock; taken inside file_rwsem (read), before
	// blocked_lock_lock and the global list's lock.
	flcLock lock.SpinLock
	// Sentinels of flc_flock, flc_posix and flc_lease.
	flock, posix, lease FileLock
	inode               *Inode
}

// FileLockContext returns the inode's lock context, nil if it never had a
// lock.
func (i *Inode) FileLockContext() *FileLockContext { return i.flctx.Load() }

// locksGetLockContext is locks_get_lock_context(): the context, made on
// first use; none is made for an unlock.
func locksGetLockContext(in *Inode, typ int16) *FileLockContext {
	if c := in.flctx.Load(); c != nil || typ == F_UNLCK {
		return c
	}
	c := &FileLockContext{inode: in}
	c.flcLock.Init(classFlcLock, 0)
	for _, h := range []*FileLock{&c.flock, &c.posix, &c.lease} {
		h.next, h.prev = h, h
	}
	if !in.flctx.CompareAndSwap(nil, c) {
		return in.flctx.Load()
	}
	return c
}

// empty reports whether the list headed by h is empty.
func (h *FileLock) empty() bool { return h.next == h }

// lockOwnerComparable reports whether owner may be a FileLock's Owner:
// owners are compared with == (posix_same_owner, generic_add_lease) and
// key the blocked hash, which panics for a value that is not
// comparable (a slice, a map, a func, or a struct or array holding
// one). The VFS's own owners take the fast path.
func lockOwnerComparable(owner any) bool {
	switch owner.(type) {
	case nil, *File, *FDTable:
		return true
	}
	return reflect.ValueOf(owner).Comparable()
}

// fileLocks is the per-VFS state of fs/locks.c's globals.
type fileLocks struct {
	once sync.Once
	// rwsem is file_rwsem: held for read by every change of a context's
	// lists, for write by /proc/locks to see all of them still.
	// Outermost lock of this area.
	rwsem lock.RWSem
	// blockedLock is blocked_lock_lock: it protects every FileLock's
	// blocker, blocked and hashed fields and the blocked hash. Taken
	// inside flc_lock.
	blockedLock lock.SpinLock
	// blockedHash is blocked_hash: the waiting POSIX requests by owner,
	// newest last. Under blockedLock.
	blockedHash map[any][]*FileLock
	// listLock is the lock of file_lock_list (one list here, not per
	// CPU). A leaf, taken inside flc_lock.
	listLock lock.SpinLock
	list     FileLock // sentinel; newest first
	// leaseBreakTime is /proc/sys/fs/lease-break-time, in nanoseconds;
	// 0 or less: never break by force.
	leaseBreakTime atomic.Int64
	// leasesDisable is /proc/sys/fs/leases-enable minus one (so that
	// the zero value means enabled).
	leasesDisable atomic.Int64
}

// Lock classes of the file-lock area.
var (
	classFileRwsem   = lock.NewClass("file_rwsem", lock.KindRWSem)
	classFlcLock     = lock.NewClass("&ctx->flc_lock", lock.KindSpin)
	classBlockedLock = lock.NewClass("blocked_lock_lock", lock.KindSpin)
	classFileLockLst = lock.NewClass("&fll->lock", lock.KindSpin)
)

// DefaultLeaseBreakTime is lease_break_time's default: 45 seconds.
const DefaultLeaseBreakTime = 45 * time.Second

func (v *VFS) fileLocks() *fileLocks {
	fl := &v.locks
	fl.once.Do(func() {
		fl.rwsem.Init(classFileRwsem, 0)
		fl.blockedLock.Init(classBlockedLock, 0)
		fl.listLock.Init(classFileLockLst, 0)
		fl.blockedHash = make(map[any][]*FileLock)
		fl.list.gnext, fl.list.gprev = &fl.list, &fl.list
		fl.leaseBreakTime.Store(int64(DefaultLeaseBreakTime))
	})
	return fl
}

// LeaseBreakTime returns how long a lease breaker waits for the holder
// before the lease is broken by force (/proc/sys/fs/lease-break-time).
func (v *VFS) LeaseBreakTime() time.Duration {
	return time.Duration(v.fileLocks().leaseBreakTime.Load())
}

// SetLeaseBreakTime sets it; 0 (or less) means a lease is never broken
// by force: breakers wait until the holder releases or downgrades it
// (Linux's lease_break_time = 0, where a break time of 0 never expires).
func (v *VFS) SetLeaseBreakTime(d time.Duration) { v.fileLocks().leaseBreakTime.Store(int64(d)) }

// LeasesEnable and SetLeasesEnable are /proc/sys/fs/leases-enable: with
// 0, F_SETLEASE for a new lease fails with EINVAL. Default 1.
func (v *VFS) LeasesEnable() int64     { return v.fileLocks().leasesDisable.Load() + 1 }
func (v *VFS) SetLeasesEnable(n int64) { v.fileLocks().leasesDisable.Store(n - 1) }

// newLock returns an empty lock; its wake channel is made when it first
// waits (locksInsertBlockLocked).
func newLock() *FileLock { return &FileLock{} }

// locksCopyConflock is locks_copy_conflock(): the description of fl
// without its list links, for F_GETLK and conflict reports.
func locksCopyConflock(dst, src *FileLock) {
	dst.Flags, dst.Type, dst.Owner, dst.PID, dst.File = src.Flags, src.Type, src.Owner, src.PID, src.File
	dst.Start, dst.End = src.Start, src.End
	dst.LMOps = src.LMOps
	dst.Ops = nil
}

// locksCopyLock is locks_copy_lock(): a conflock copy plus ->fl_copy_lock
// for the filesystem's private part. Called under flc_lock.
func (t *Task) locksCopyLock(dst, src *FileLock) {
	locksCopyConflock(dst, src)
	dst.Private = src.Private
	dst.breakTime, dst.downgradeTime = src.breakTime, src.downgradeTime
	if src.Ops != nil {
		dst.Ops = src.Ops
		if src.Ops.CopyLock != nil {
			t.flopCopyLock(dst, src)
		}
	}
}

// locksReleasePrivate is locks_release_private(): ->fl_release_private.
func (t *Task) locksReleasePrivate(fl *FileLock) {
	if fl.Ops != nil {
		if fl.Ops.ReleasePrivate != nil {
			t.flopReleasePrivate(fl)
		}
		fl.Ops = nil
	}
}

// locksDisposeList is locks_dispose_list(): free the locks taken off
// their lists, outside flc_lock.
func (t *Task) locksDisposeList(dispose []*FileLock) {
	for _, fl := range dispose {
		t.locksReleasePrivate(fl)
	}
}

// locksOverlap reports whether two byte ranges overlap.
func locksOverlap(a, b *FileLock) bool { return a.End >= b.Start && b.End >= a.Start }

// locksConflict is locks_conflict(): a write lock conflicts with any.
func locksConflict(caller, sys *FileLock) bool {
	return sys.Type == F_WRLCK || caller.Type == F_WRLCK
}

// insertBefore links fl into a context list before pos (pos may be the
// sentinel: append).
func insertBefore(fl, pos *FileLock) {
	fl.prev, fl.next = pos.prev, pos
	pos.prev.next = fl
	pos.prev = fl
}

// unlinkList takes fl off its context list.
func unlinkList(fl *FileLock) {
	fl.prev.next, fl.next.prev = fl.next, fl.prev
	fl.next, fl.prev = nil, nil
}

// locksInsertLockCtx is locks_insert_lock_ctx(): link fl before pos and
// into the global list. Preconditions: flc_lock held; file_rwsem read.
func (t *Task) locksInsertLockCtx(c *FileLockContext, fl, pos *FileLock) {
	insertBefore(fl, pos)
	fl.ctx = c
	g := t.vfs.fileLocks()
	g.listLock.Lock(t.o)
	fl.gprev, fl.gnext = &g.list, g.list.gnext
	g.list.gnext.gprev = fl
	g.list.gnext = fl
	g.listLock.Unlock(t.o)
}

// locksUnlinkLockCtx is locks_unlink_lock_ctx(): off both lists, waking
// every request blocked behind fl. Preconditions: flc_lock held.
func (t *Task) locksUnlinkLockCtx(fl *FileLock) {
	g := t.vfs.fileLocks()
	g.listLock.Lock(t.o)
	fl.gprev.gnext, fl.gnext.gprev = fl.gnext, fl.gprev
	fl.gnext, fl.gprev = nil, nil
	g.listLock.Unlock(t.o)
	unlinkList(fl)
	fl.ctx = nil
	t.locksWakeUpBlocks(fl)
}

// locksDeleteLockCtx is locks_delete_lock_ctx(): unlink and queue for
// freeing. Preconditions: flc_lock held.
func (t *Task) locksDeleteLockCtx(fl *FileLock, dispose *[]*FileLock) {
	t.locksUnlinkLockCtx(fl)
	*dispose = append(*dispose, fl)
}

// The blocked-request trees. A waiter sits on its blocker's blocked
// list; a request that conflicts with a waiter already there waits
// behind that waiter instead (__locks_insert_block), so the lock a
// waiter finally gets is never one an earlier waiter needs.

// locksInsertBlockLocked is __locks_insert_block(). Preconditions:
// blocked_lock_lock held.
func (t *Task) locksInsertBlockLocked(blocker, waiter *FileLock, conflict func(a, b *FileLock) bool) {
	g := t.vfs.fileLocks()
newBlocker:
	for _, w := range blocker.blocked {
		if conflict(w, waiter) {
			blocker = w
			goto newBlocker
		}
	}
	if waiter.wake == nil {
		// Written by the waiting task itself, read by wakers under
		// blocked_lock_lock.
		waiter.wake = make(chan struct{}, 1)
	}
	waiter.blocker.Store(blocker)
	blocker.blocked = append(blocker.blocked, waiter)
	if blocker.Flags&(FL_POSIX|FL_OFDLCK) == FL_POSIX {
		g.blockedHash[waiter.Owner] = append(g.blockedHash[waiter.Owner], waiter)
		waiter.hashed = true
	}
	// The requests behind waiter conflict with it but maybe not with
	// its new blocker: let them retry.
	t.locksWakeUpBlocksLocked(waiter)
}

// locksInsertBlock is locks_insert_block(). Preconditions: flc_lock held.
func (t *Task) locksInsertBlock(blocker, waiter *FileLock, conflict func(a, b *FileLock) bool) {
	g := t.vfs.fileLocks()
	g.blockedLock.Lock(t.o)
	t.locksInsertBlockLocked(blocker, waiter, conflict)
	g.blockedLock.Unlock(t.o)
}

// locksDeleteBlockLocked is __locks_delete_block(): take waiter off its
// blocker's list and the blocked hash. Preconditions: blocked_lock_lock.
func (t *Task) locksDeleteBlockLocked(waiter *FileLock) {
	g := t.vfs.fileLocks()
	if waiter.hashed {
		l := g.blockedHash[waiter.Owner]
		for i, w := range l {
			if w == waiter {
				l = append(l[:i:i], l[i+1:]...)
				break
			}
		}
		if len(l) == 0 {
			delete(g.blockedHash, waiter.Owner)
		} else {
			g.blockedHash[waiter.Owner] = l
		}
		waiter.hashed = false
	}
	if b := waiter.blocker.Load(); b != nil {
		for i, w := range b.blocked {
			if w == waiter {
				b.blocked = append(b.blocked[:i:i], b.blocked[i+1:]...)
				break
			}
		}
	}
}

// locksWakeUpBlocksLocked is __locks_wake_up_blocks(): every request
// behind blocker is taken off and woken (or its lock manager notified).
// Preconditions: blocked_lock_lock held.
func (t *Task) locksWakeUpBlocksLocked(blocker *FileLock) {
	for len(blocker.blocked) > 0 {
		w := blocker.blocked[0]
		t.locksDeleteBlockLocked(w)
		// Unblocked before the wake-up: the waiter re-checks blocker
		// after each token and must see nil once woken.
		w.blocker.Store(nil)
		if w.Flags&(FL_POSIX|FL_FLOCK) != 0 && w.LMOps != nil && w.LMOps.Notify != nil {
			t.lmNotify(w)
		} else {
			wakeWaiter(w)
		}
	}
}

// wakeWaiter is locks_wake_up_waiter(): one token, never blocking.
func wakeWaiter(w *FileLock) {
	if w.wake == nil {
		return
	}
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// locksWakeUpBlocks is locks_wake_up_blocks(). Preconditions: flc_lock
// held (so no new waiter can be added behind blocker meanwhile).
func (t *Task) locksWakeUpBlocks(blocker *FileLock) {
	// blocked is read without blocked_lock_lock only in Linux's fast
	// path; it is taken here since the race detector would see that.
	g := t.vfs.fileLocks()
	g.blockedLock.Lock(t.o)
	t.locksWakeUpBlocksLocked(blocker)
	g.blockedLock.Unlock(t.o)
}

// locksMoveBlocks is locks_move_blocks(): the requests waiting behind
// fl now wait behind nfl. Preconditions: flc_lock held.
func (t *Task) locksMoveBlocks(nfl, fl *FileLock) {
	g := t.vfs.fileLocks()
	g.blockedLock.Lock(t.o)
	nfl.blocked = append(nfl.blocked, fl.blocked...)
	for _, w := range fl.blocked {
		w.blocker.Store(nfl)
	}
	fl.blocked = nil
	g.blockedLock.Unlock(t.o)
}

// locksDeleteBlock is locks_delete_block(): the waiter stops waiting;
// requests queued behind it are woken. ENOENT if it was not blocked.
func (t *Task) locksDeleteBlock(waiter *FileLock) error {
	g := t.vfs.fileLocks()
	g.blockedLock.Lock(t.o)
	var err error = ENOENT
	if waiter.blocker.Load() != nil {
		err = nil
	}
	t.locksWakeUpBlocksLocked(waiter)
	t.locksDeleteBlockLocked(waiter)
	waiter.blocker.Store(nil)
	g.blockedLock.Unlock(t.o)
	return err
}

// waitUnblocked sleeps until waiter is no longer blocked
// (wait_event_interruptible(flc_wait, list_empty(&flc_blocked_member))),
// or until deadline (monoNow; 0: none) passes. It reports whether the
// waiter was woken, and EINTR if a signal is pending (signal.go) before
// either. timed says the deadline is a real end of the wait (a lease's
// break time): only then is the sleep counted in TimedSleeps, which
// tells a stall watchdog that the task wakes by itself; a poll that
// comes back to wait again (a breaker with no break time) is not.
// Called with no lock held.
func (t *Task) waitUnblocked(waiter *FileLock, deadline int64, timed bool, what string) (bool, error) {
	t.o.MightSleep(what)
	for waiter.blocker.Load() != nil {
		intr, pending := t.signalWait()
		if pending {
			return false, EINTR
		}
		if deadline == 0 {
			select {
			case <-waiter.wake:
			case <-intr:
			}
			continue
		}
		d := time.Duration(deadline - monoNow())
		if d <= 0 {
			return false, nil
		}
		tm := time.NewTimer(d)
		if timed {
			t.vfs.timedSleepBegin()
		}
		select {
		case <-waiter.wake:
		case <-intr:
		case <-tm.C:
		}
		if timed {
			t.vfs.timedSleepEnd()
		}
		tm.Stop()
	}
	return true, nil
}

// monoBase and monoNow are the clock of lease break times, like jiffies:
// monotonic, never 0, independent of the VFS's (possibly frozen) clock.
var monoBase = time.Now()

func monoNow() int64 { return int64(time.Since(monoBase)) + 1 }

// jiffy is the tick a breaker with no break time polls at (HZ=250, as
// the coarse clock).
const jiffy = 4 * time.Millisecond
