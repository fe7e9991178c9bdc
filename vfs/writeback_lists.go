package vfs

import (
	"sync"

	"github.com/vfscope/vfscope/vfs/lock"
)

// The dirty inode lists of fs/fs-writeback.c. Linux keeps them per
// backing device (struct bdi_writeback); vfscope keeps one set per
// superblock, since every superblock here is its own device.
//
//   - b_dirty: inodes dirtied and not yet picked for writeback, newest at
//     the head; each inode's dirtied_when is when it was first dirtied
//     (redirty_tail keeps the list ordered).
//   - b_io: inodes picked for the current writeback pass (queue_io moves
//     the expired ones here); processed from the tail, oldest first.
//   - b_more_io: inodes the pass must come back to (their slice of
//     nr_to_write was used up, or another writer held them).
//
// An inode is on at most one list (i_io_list). Only hashed inodes go on
// them, as Linux's __mark_inode_dirty says ("only add valid (hashed)
// inodes"): tmpfs's and procfs's inodes, never hashed, stay off, and are
// never written back. A filesystem whose inodes live only in the dcache
// but need writeback calls InodeFakeHash, as Linux's do.

// ioList is a list_head of inodes linked through their inodeIO's next
// and prev; head is list.next (the newest), tail list.prev (the oldest).
type ioList struct {
	head, tail *Inode
	n          int
}

// inodeIO is an inode's part of the writeback lists, kept beside the
// inode (Inode.io) rather than in it: Linux's inode has i_io_list,
// dirtied_when and dirtied_time_when inline, but here only inodes that
// are written back (hashed ones, see above) ever use them. All under the
// superblock's wb.listLock.
type inodeIO struct {
	// next, prev and list are i_io_list: the inode's neighbours and the
	// list it is on (nil: none).
	next, prev *Inode
	list       *ioList
	// dirtiedWhen is dirtied_when, on the writeback clock.
	dirtiedWhen int64
	// dirtiedTimeWhen is dirtied_time_when: when its timestamps were
	// first dirtied lazily (I_DIRTY_TIME).
	dirtiedTimeWhen int64
}

// wbIO returns i's writeback-list state, making it on first use.
// wb.listLock held.
func (i *Inode) wbIO() *inodeIO {
	if i.io == nil {
		i.io = &inodeIO{}
	}
	return i.io
}

// ioListOf returns the writeback list i is on, nil if none. wb.listLock
// held.
func (i *Inode) ioListOf() *ioList {
	if i.io == nil {
		return nil
	}
	return i.io.list
}

// ioNextOf returns the inode after i on its writeback list.
// wb.listLock held.
func (i *Inode) ioNextOf() *Inode { return i.io.next }

func (l *ioList) empty() bool { return l.head == nil }

// pushFront is list_add: the inode becomes the newest.
func (l *ioList) pushFront(i *Inode) {
	io := i.wbIO()
	io.list = l
	io.prev = nil
	io.next = l.head
	if l.head != nil {
		l.head.io.prev = i
	} else {
		l.tail = i
	}
	l.head = i
	l.n++
}

func (l *ioList) remove(i *Inode) {
	io := i.io
	if io.prev != nil {
		io.prev.io.next = io.next
	} else {
		l.head = io.next
	}
	if io.next != nil {
		io.next.io.prev = io.prev
	} else {
		l.tail = io.prev
	}
	io.next, io.prev, io.list = nil, nil, nil
	l.n--
}

// spliceFront is list_splice_init(src, l): src's inodes, in their order,
// go before l's, and src is left empty.
func (l *ioList) spliceFront(src *ioList) {
	if src.empty() {
		return
	}
	for i := src.head; i != nil; i = i.io.next {
		i.io.list = l
	}
	src.tail.io.next = l.head
	if l.head != nil {
		l.head.io.prev = src.tail
	} else {
		l.tail = src.tail
	}
	l.head = src.head
	l.n += src.n
	*src = ioList{}
}

// bdiWriteback is struct bdi_writeback for one superblock.
type bdiWriteback struct {
	// listLock is wb->list_lock: it protects the three lists and each
	// inode's place on them (Inode.io). Spinlock; inode
	// i_lock nests inside it (fs-writeback.c: "inode->i_lock nests
	// inside wb->list_lock"); taken inside i_rwsem, invalidate_lock and
	// the folio lock (a folio dirtied under its lock dirties the inode).
	listLock lock.SpinLock
	bDirty   ioList
	bIO      ioList
	bMoreIO  ioList
	// bDirtyTime holds the inodes dirty only in their timestamps
	// (I_DIRTY_TIME, lazytime), by dirtied_when as b_dirty.
	bDirtyTime ioList
	// sb is the superblock; immutable.
	sb *SuperBlock

	// workMu stands for Linux's single worker per writeback: wb_workfn
	// runs a wb's work items one after another, and sync_inodes_sb
	// queues its integrity pass behind them, so no two wb_writeback
	// passes over one superblock overlap. vfscope runs sync's and
	// syncfs's passes in the caller, so they and the flusher's passes
	// take workMu for the whole of wbWriteback; without it a flusher
	// pass in WB_SYNC_NONE mode could take from b_io an inode that
	// sync's pass had queued there, leave its lazy timestamps unwritten
	// and put it back on b_dirty_time behind sync's back. Taken inside
	// s_umount, outside wb->list_lock, i_lock and the folio locks.
	workMu lock.Mutex

	// syncMu and syncCond are the wait queue of I_SYNC (the bit wait
	// queue of __I_SYNC): inode_wait_for_writeback sleeps on it; the end
	// of writeback of an inode of this superblock wakes it. syncMu is a
	// leaf outside the lock model, never held across anything else.
	syncMu   sync.Mutex
	syncCond sync.Cond
}

var (
	classWbListLock = lock.NewClass("&wb->list_lock", lock.KindSpin)
	classWbWork     = lock.NewClass("(work_completion)(&wb->dwork)", lock.KindMutex)
)

// initWriteback prepares sb.wb; called by allocSuper.
func (sb *SuperBlock) initWriteback() {
	sb.wb.sb = sb
	sb.wb.listLock.Init(classWbListLock, 0)
	sb.wb.workMu.Init(classWbWork, 0)
	sb.wb.syncCond.L = &sb.wb.syncMu
}

// I_SYNC and I_SYNC_QUEUED are the i_state bits of writeback in
// progress (include/linux/fs.h): I_SYNC while one task writes the inode
// (data and ->write_inode), I_SYNC_QUEUED while a flusher pass has the
// inode on b_io or b_more_io.
const (
	I_SYNC        = 1 << 7
	I_SYNC_QUEUED = 1 << 17
)

// InodeFakeHash is inode_fake_hash(): mark an inode hashed without
// putting it in the inode hash, so that a filesystem keeping its inodes
// only in the dcache still has them written back.
func InodeFakeHash(t *Task, i *Inode) { iStateSet(t, i, inodeHashed) }

// markInodeDirty is __mark_inode_dirty(): ->dirty_inode for the inode's
// own dirt, then the state bits; an inode that was clean goes to the
// head of its superblock's b_dirty with dirtied_when = now (or, dirty
// only in its timestamps on a lazytime superblock, to b_dirty_time), and
// the flusher is told there is work.
func markInodeDirty(t *Task, i *Inode, flags uint32) {
	sb := i.sb
	o := t.owner()
	dirtytime := false
	if flags&I_DIRTY_INODE != 0 {
		// Lazily dirtied timestamps ride along with this dirtying:
		// ->dirty_inode is told so with I_DIRTY_TIME.
		if i.state.Load()&I_DIRTY_TIME != 0 {
			i.lock.Lock(o)
			if i.state.Load()&I_DIRTY_TIME != 0 {
				iStateClear(t, i, I_DIRTY_TIME)
				flags |= I_DIRTY_TIME
			}
			i.lock.Unlock(o)
		}
		if sb.Ops != nil && sb.Ops.DirtyInode != nil {
			t.sopDirtyInode(i, flags&(I_DIRTY_INODE|I_DIRTY_TIME))
		}
		flags &^= I_DIRTY_TIME
	} else if flags&I_DIRTY_TIME != 0 {
		dirtytime = true
		// I_DIRTY_INODE supersedes I_DIRTY_TIME: the timestamps go out
		// with the inode.
		if i.state.Load()&I_DIRTY_INODE != 0 {
			return
		}
	}
	if i.state.Load()&flags == flags {
		return
	}
	i.lock.Lock(o)
	st := i.state.Load()
	if st&flags == flags {
		i.lock.Unlock(o)
		return
	}
	wasDirty := st&I_DIRTY != 0
	iStateSet(t, i, flags)
	st |= flags
	// A flusher pass holding the inode will requeue it by its state;
	// unhashed and dying inodes have no place on the lists; an inode
	// already on b_dirty, b_io or b_more_io keeps its place (b_dirty
	// stays in time order).
	if wasDirty || st&(I_SYNC_QUEUED|I_FREEING) != 0 || st&inodeHashed == 0 {
		i.lock.Unlock(o)
		return
	}
	i.lock.Unlock(o)
	wb := &sb.wb
	wb.listLock.Lock(o)
	i.lock.Lock(o)
	st = i.state.Load()
	queued := false
	if st&(I_DIRTY|I_DIRTY_TIME) != 0 && st&(I_SYNC_QUEUED|I_FREEING) == 0 &&
		(i.ioListOf() == nil || (i.ioListOf() == &wb.bDirtyTime && st&I_DIRTY != 0)) {
		now := sb.vfs.wbNow()
		io := i.wbIO()
		io.dirtiedWhen = now
		if dirtytime {
			io.dirtiedTimeWhen = now
		}
		if st&I_DIRTY != 0 {
			wb.moveLocked(i, &wb.bDirty)
			queued = true
		} else {
			wb.moveLocked(i, &wb.bDirtyTime)
		}
	}
	i.lock.Unlock(o)
	wb.listLock.Unlock(o)
	if queued {
		sb.vfs.wbWakeupDelayed()
	} else if dirtytime {
		sb.vfs.wbWakeupDirtytime()
	}
}

// markInodeDirtyTimes is generic_update_time()'s dirtying after a
// timestamp change: I_DIRTY_TIME on a lazytime superblock (the
// timestamps reach the disk with the next write of the inode, at sync,
// fsync or eviction, or once dirtytime_expire_seconds have passed),
// I_DIRTY_SYNC otherwise.
func markInodeDirtyTimes(t *Task, i *Inode) {
	if i.sb.flags.Load()&SB_LAZYTIME != 0 {
		markInodeDirty(t, i, I_DIRTY_TIME)
		return
	}
	markInodeDirty(t, i, I_DIRTY_SYNC)
}

// MarkInodeDirtyTimes is markInodeDirtyTimes for filesystems' own
// ->update_time.
func MarkInodeDirtyTimes(t *Task, i *Inode) { markInodeDirtyTimes(t, i) }

// moveLocked is inode_io_list_move_locked(): put i at the head of list.
// listLock and i's i_lock held.
func (wb *bdiWriteback) moveLocked(i *Inode, list *ioList) {
	if l := i.ioListOf(); l != nil {
		wb.count(l, -1)
		l.remove(i)
	}
	list.pushFront(i)
	wb.count(list, 1)
}

// count keeps the VFS's counts of inodes on writeback lists: those with
// dirty data or metadata (the flusher runs while there are any) and
// those dirty only in their timestamps (b_dirty_time).
func (wb *bdiWriteback) count(l *ioList, d int64) {
	if l == &wb.bDirtyTime {
		wb.vfs().wb.nrDirtyTime.Add(d)
	} else {
		wb.vfs().wb.nrDirtyIO.Add(d)
	}
}

// delLocked takes i off its list (list_del_init of i_io_list) and clears
// I_SYNC_QUEUED. listLock and i_lock held.
func (wb *bdiWriteback) delLocked(t *Task, i *Inode) {
	if l := i.ioListOf(); l != nil {
		wb.count(l, -1)
		l.remove(i)
	}
	iStateClear(t, i, I_SYNC_QUEUED)
}

// redirtyTailLocked is redirty_tail_locked(): back to b_dirty as its
// newest member, with dirtied_when moved to now if it was older than
// b_dirty's newest (so the list stays ordered by dirtied_when).
func (wb *bdiWriteback) redirtyTailLocked(t *Task, i *Inode) {
	if h := wb.bDirty.head; h != nil && h != i && i.wbIO().dirtiedWhen < h.io.dirtiedWhen {
		i.io.dirtiedWhen = i.sb.vfs.wbNow()
	}
	wb.moveLocked(i, &wb.bDirty)
	iStateClear(t, i, I_SYNC_QUEUED)
}

// requeueIOLocked is requeue_io(): to b_more_io, for this pass to come
// back to.
func (wb *bdiWriteback) requeueIOLocked(i *Inode) { wb.moveLocked(i, &wb.bMoreIO) }

// inodeIOListDel is inode_io_list_del(): evict takes the inode off the
// writeback lists. I_FREEING is set.
func inodeIOListDel(t *Task, i *Inode) {
	wb := &i.sb.wb
	o := t.owner()
	wb.listLock.Lock(o)
	i.lock.Lock(o)
	wb.delLocked(t, i)
	i.lock.Unlock(o)
	wb.listLock.Unlock(o)
}

// moveExpiredLocked is move_expired_inodes(): move the inodes of src
// (b_dirty or b_dirty_time) dirtied at or before dirtiedBefore, oldest
// first, to b_io and mark them I_SYNC_QUEUED. Returns how many moved.
func (wb *bdiWriteback) moveExpiredLocked(t *Task, src *ioList, dirtiedBefore int64) int {
	var tmp ioList
	moved := 0
	o := t.owner()
	for i := src.tail; i != nil; i = src.tail {
		if i.io.dirtiedWhen > dirtiedBefore {
			break
		}
		wb.count(src, -1)
		src.remove(i)
		wb.count(&wb.bIO, 1)
		tmp.pushFront(i)
		i.lock.Lock(o)
		iStateSet(t, i, I_SYNC_QUEUED)
		i.lock.Unlock(o)
		moved++
	}
	wb.bIO.spliceFront(&tmp)
	return moved
}

// queueIOLocked is queue_io(): b_more_io back onto b_io, then the
// expired inodes of b_dirty, then those of b_dirty_time whose timestamps
// have waited dirtytime_expire_seconds (all of them for sync).
func (wb *bdiWriteback) queueIOLocked(t *Task, dirtiedBefore int64, forSync bool) int {
	wb.bIO.spliceFront(&wb.bMoreIO)
	moved := wb.moveExpiredLocked(t, &wb.bDirty, dirtiedBefore)
	timeExpire := dirtiedBefore
	if !forSync {
		timeExpire = wb.vfs().wbNow() - wb.vfs().dirtytimeExpire()
	}
	return moved + wb.moveExpiredLocked(t, &wb.bDirtyTime, timeExpire)
}

func (wb *bdiWriteback) vfs() *VFS { return wb.sb.vfs }

// hasDirtyIO reports whether any of the lists holds an inode
// (wb_has_dirty_io).
func (wb *bdiWriteback) hasDirtyIO(t *Task) bool {
	wb.listLock.Lock(t.o)
	defer wb.listLock.Unlock(t.o)
	return !wb.bDirty.empty() || !wb.bIO.empty() || !wb.bMoreIO.empty() || !wb.bDirtyTime.empty()
}

// WritebackLists reports the inode numbers on sb's b_dirty, b_io and
// b_more_io, each list from its head (newest) to its tail, for procfs,
// snapshots and tests. WritebackDirtyTime reports b_dirty_time.
func (sb *SuperBlock) WritebackLists(t *Task) (dirty, io, moreIO []uint64) {
	wb := &sb.wb
	wb.listLock.Lock(t.o)
	defer wb.listLock.Unlock(t.o)
	list := func(l *ioList) []uint64 {
		var out []uint64
		for i := l.head; i != nil; i = i.ioNextOf() {
			out = append(out, i.ino)
		}
		return out
	}
	return list(&wb.bDirty), list(&wb.bIO), list(&wb.bMoreIO)
}

// WritebackDirtyTime reports the inode numbers on sb's b_dirty_time.
func (sb *SuperBlock) WritebackDirtyTime(t *Task) []uint64 {
	wb := &sb.wb
	wb.listLock.Lock(t.o)
	defer wb.listLock.Unlock(t.o)
	var out []uint64
	for i := wb.bDirtyTime.head; i != nil; i = i.ioNextOf() {
		out = append(out, i.ino)
	}
	return out
}

// DirtiedWhen returns the inode's dirtied_when: nanoseconds on the
// VFS's writeback clock (monotonic, from the VFS's creation).
func (i *Inode) DirtiedWhen() int64 {
	if io := i.io; io != nil {
		return io.dirtiedWhen
	}
	return 0
}

// inodeSyncComplete is inode_sync_complete(): clear I_SYNC and wake
// whoever waits for the inode's writeback. i_lock held.
func inodeSyncComplete(t *Task, i *Inode) {
	iStateClear(t, i, I_SYNC)
	wb := &i.sb.wb
	wb.syncMu.Lock()
	wb.syncCond.Broadcast()
	wb.syncMu.Unlock()
}

// inodeAddLRUIfClean is inode_sync_complete's inode_add_lru(): an
// unused inode that writeback made clean goes back on the inode LRU,
// which pruning had taken it off while it was dirty. No lock held.
func inodeAddLRUIfClean(t *Task, i *Inode) {
	if i.count.Load() != 0 || i.state.Load()&(I_DIRTY|I_SYNC|I_NEW|I_FREEING|I_WILL_FREE) != 0 ||
		i.sb.flags.Load()&SB_ACTIVE == 0 {
		return
	}
	i.sb.inodeLRUAdd(t, i)
}

// inodeWaitForWritebackLocked is __inode_wait_for_writeback(): sleep
// until I_SYNC is clear. Called with i_lock held, which it drops while
// sleeping and holds again on return.
func inodeWaitForWritebackLocked(t *Task, i *Inode) {
	if i.state.Load()&I_SYNC == 0 {
		return
	}
	o := t.owner()
	wb := &i.sb.wb
	i.lock.Unlock(o)
	o.MightSleep("inode_wait_for_writeback")
	wb.syncMu.Lock()
	for i.state.Load()&I_SYNC != 0 {
		wb.syncCond.Wait()
	}
	wb.syncMu.Unlock()
	i.lock.Lock(o)
	// Another writer may have set I_SYNC again between the wake-up and
	// i_lock: wait for it too.
	inodeWaitForWritebackLocked(t, i)
}

// inodeWaitForWriteback is inode_wait_for_writeback(): evict waits here
// for a writeback in progress to finish before the inode goes.
func inodeWaitForWriteback(t *Task, i *Inode) {
	o := t.owner()
	i.lock.Lock(o)
	inodeWaitForWritebackLocked(t, i)
	i.lock.Unlock(o)
}

// dirtiedTimeWhen returns i's dirtied_time_when (0 if it was never on a
// writeback list). The caller holds wb.listLock or I_SYNC.
func (i *Inode) dirtiedTimeWhen() int64 {
	if io := i.io; io != nil {
		return io.dirtiedTimeWhen
	}
	return 0
}
