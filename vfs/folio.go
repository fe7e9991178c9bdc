package vfs

import (
	"sync"
	"unsafe"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/trace"
)

// PAGE_SIZE is the size of a page of the page cache; PAGE_SHIFT its log2.
const (
	PAGE_SHIFT = 12
	PAGE_SIZE  = 1 << PAGE_SHIFT
	PAGE_MASK  = ^int64(PAGE_SIZE - 1)
)

// Folio flags (include/linux/page-flags.h). They change only through the
// helpers of this file and folio_state.go, which keep the counters right
// and report each change to folioEvent.
const (
	// PG_locked: the folio lock is held (folioLock). Held while the folio
	// is being read in, while ->write_begin..->write_end copy into it,
	// while it is truncated, and while writeback is being started.
	PG_locked = 1 << iota
	// PG_waiters: a task sleeps in the wait table on this folio (for the
	// lock or for writeback); the unlocker must wake the table's bucket.
	PG_waiters
	// PG_uptodate: the data is valid (read in, or fully written).
	PG_uptodate
	// PG_dirty: the data is newer than the backing store.
	PG_dirty
	// PG_writeback: being written back; cleared by folioEndWriteback.
	PG_writeback
	// PG_private: Private holds filesystem data (buffer heads in Linux).
	PG_private
	// PG_referenced and PG_active: the two-step LRU promotion
	// (folioMarkAccessed).
	PG_referenced
	PG_active
	// PG_lru: on one of the VFS's LRU lists.
	PG_lru
	// PG_reclaim: writeback was started by reclaim.
	PG_reclaim
	// PG_swapbacked: the data lives only in memory (tmpfs, as shmem's
	// pages): never written back, counted as Shmem.
	PG_swapbacked
	// PG_error: the last read of the folio failed.
	PG_error
	// PG_readahead: reading this folio starts the next readahead
	// window (async readahead's mark).
	PG_readahead
)

// folioEmbedded marks a folio that lives inside its filesystem's inode
// (AddressSpace.SetSpareFolio) rather than in an allocation of its own.
// It is not a page state: Flags, FolioFlagNames and snapshots never show
// it. FolioPut's last reference drops such a folio's page, since the
// folio itself stays in memory as long as its inode.
const folioEmbedded = 1 << 31

// folioPoolPage marks a folio whose page was allocated alone (getPage),
// not carved from a chunk: its last reference gives the page back to the
// pool of free pages (pagefree.go). A chunk's pages stay with their
// chunk, which goes to the pool of recycled chunks once all its pages
// are free (pagechunk_pool.go; folioChunkPage), or, if it is too small
// for that, to the collector. Not a page state either.
const folioPoolPage = 1 << 30

// folioChunkPage marks a folio whose page came from a recyclable chunk
// (pagechunk_pool.go): its last reference counts the page off the
// chunk's live pages. Not a page state.
const folioChunkPage = 1 << 29

// folioPrivateBits are the flag bits that are not page states.
const folioPrivateBits = folioEmbedded | folioPoolPage | folioChunkPage

var pgNames = [...]string{"locked", "waiters", "uptodate", "dirty", "writeback", "private",
	"referenced", "active", "lru", "reclaim", "swapbacked", "error", "readahead"}

// FolioFlagNames returns the names of the flags set in f ("uptodate",
// "dirty", ...), as /proc/kpageflags tools print them.
func FolioFlagNames(flags uint32) []string {
	var out []string
	for i, n := range pgNames {
		if flags&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// Folio is struct folio: one 4 KiB page of a file's data in the page
// cache (vfscope has no larger folios). Its metadata is 64 bytes, and the
// page index adds about 10 bytes per page (see mapping_xarray.go): under
// 2% of the 4096 bytes it describes (TestFolioMetadataCost).
//
// The data is read and written only with the folio locked (see
// RATIONALE.md, "Why do readers lock the folio while they copy?").
type Folio struct {
	// flags holds the PG_* bits; atomic.
	flags atomic.Uint32
	// refcount is the folio's reference count: the page cache holds one
	// while the folio is in a mapping, each lookup (filemapGetFolio) one
	// more until folioPut. Reclaim frees only folios nobody else holds.
	refcount atomic.Int32
	// index is the page's position in the file (in pages): immutable
	// while the folio is in a mapping.
	index int64
	// mapping is the address_space holding the folio, nil once removed
	// (truncated or reclaimed); atomic, so that lock-free lookups can
	// check a folio they found is still the one they looked for.
	mapping atomic.Pointer[AddressSpace]
	// data is the page itself; under the folio lock.
	data *[PAGE_SIZE]byte
	// Private is folio->private, for the filesystem: set with
	// FolioAttachPrivate (sets PG_private), under the folio lock.
	Private any
	// lruNext and lruPrev link the folio on an LRU list of the VFS;
	// under the VFS's lru_lock.
	lruNext, lruPrev *Folio
}

// Index returns the folio's index in its file, in pages.
func (f *Folio) Index() int64 { return f.index }

// Pos returns the file offset of the folio's first byte (folio_pos).
func (f *Folio) Pos() int64 { return f.index << PAGE_SHIFT }

// Mapping returns the address_space of the folio, nil once removed.
func (f *Folio) Mapping() *AddressSpace { return f.mapping.Load() }

// Data returns the page's bytes. The caller holds the folio lock.
func (f *Folio) Data() *[PAGE_SIZE]byte {
	if f.data == nil {
		f.givePage() // a new FGP_NODATA folio
	}
	return f.data
}

// givePage gives a folio that has none a zeroed page of its own. Out of
// line, so that Data inlines.
//
//go:noinline
func (f *Folio) givePage() { f.setPoolPage(getPage()) }

// folioFillPage gives a locked folio that has no page yet (FGP_NODATA) a
// copy of src's first PAGE_SIZE bytes, in one pass over the memory (the
// compiler does not zero what the copy fills).
func folioFillPage(f *Folio, src []byte) {
	src = src[:PAGE_SIZE]
	// The folio is in the mapping already: the pages before it are one
	// fewer than the mapping holds.
	if m := f.mapping.Load(); m != nil {
		if nr := m.nrpages.Load() - 1; largeFileChunks && nr >= pageChunkMin {
			if s := m.chunkSlot(nr, -1, false); s != nil {
				copy(s.data[:], src) // the copy fills it all
				f.setChunkPage(s)
				return
			}
		}
	}
	f.setPoolPage(newPageCopy(src))
	poolPrefetchRest()
}

// Flags returns the PG_* bits.
func (f *Folio) Flags() uint32 { return f.flags.Load() &^ folioPrivateBits }

// Test helpers of the usual flags (folio_test_*).
func (f *Folio) Locked() bool    { return f.flags.Load()&PG_locked != 0 }
func (f *Folio) Uptodate() bool  { return f.flags.Load()&PG_uptodate != 0 }
func (f *Folio) Dirty() bool     { return f.flags.Load()&PG_dirty != 0 }
func (f *Folio) Writeback() bool { return f.flags.Load()&PG_writeback != 0 }

// Refcount returns the folio's reference count.
func (f *Folio) Refcount() int32 { return f.refcount.Load() }

// folioAlloc is filemap_alloc_folio() for a folio whose index is not
// known yet (AddressSpace.allocFolio): one reference (the caller's),
// zeroed data (from m's chunk when m is large), no flags. A nil m gives
// a folio of no mapping.
func folioAlloc(m *AddressSpace) *Folio {
	if m != nil {
		return m.allocFolio(-1, false)
	}
	f := newFolio()
	f.setPoolPage(getPage())
	f.refcount.Store(1)
	return f
}

// folioGet takes a reference on a folio the caller holds one on.
func folioGet(f *Folio) { f.refcount.Add(1) }

// folioTryGet takes a reference unless the count is zero (folio_try_get).
func folioTryGet(f *Folio) bool {
	for {
		c := f.refcount.Load()
		if c <= 0 {
			return false
		}
		if f.refcount.CompareAndSwap(c, c+1) {
			return true
		}
	}
}

// FolioPut drops a reference (folio_put). The last one frees the page
// (free_unref_folio): one allocated alone goes back to the pool of free
// pages for the next folio, one of a chunk is counted off its chunk,
// which is recycled when all its pages are free (pagechunk_pool.go). By then the folio has left its mapping, and whoever still finds
// it (a lock-free lookup, a reader that locked it) checks the mapping
// before touching the data. The Folio itself goes to the collector with
// its last pointer (a folio embedded in its inode, with the inode).
func FolioPut(f *Folio) {
	// Small enough to inline: most puts are not the last.
	if f.refcount.Add(-1) <= 0 {
		folioRefGone(f)
	}
}

// folioRefGone is FolioPut's last reference: the page is freed (count 0),
// or the count went below zero, a bug. Nobody else holds a reference by
// now, so the count it reads is the one FolioPut left. Never inlined,
// so that FolioPut, which the compiler would otherwise charge with this
// body, inlines.
//
//go:noinline
func folioRefGone(f *Folio) {
	if f.refcount.Load() < 0 {
		panic("vfs: folio reference count below zero")
	}
	f.freePage()
}

// freePage lets go of the page of a folio nobody holds: back to the pool
// if it came from there (folioPoolPage), to its chunk's count if it came
// from a recyclable chunk (folioChunkPage), else to the collector.
func (f *Folio) freePage() {
	if fl := f.flags.Load(); fl&folioPoolPage != 0 {
		putPage(f.data)
	} else if fl&folioChunkPage != 0 && f.data != nil {
		chunkPageFreed(f.data)
	}
	f.data = nil
}

// setPoolPage gives a folio nobody else sees yet a page from getPage.
func (f *Folio) setPoolPage(p *[PAGE_SIZE]byte) {
	f.data = p
	f.flags.Or(folioPoolPage)
}

// setChunkPage gives a folio without a page the page of s, a chunk slot
// just handed out whose Folio goes unused (its page is f's to free).
func (f *Folio) setChunkPage(s *Folio) {
	f.data = s.data
	if s.flags.Load()&folioChunkPage != 0 {
		f.flags.Or(folioChunkPage)
	}
}

// ---- the folio lock: a sleeping bit lock with a hashed wait table ----

// classFolioLock is the lock class of every folio lock. Sleeping (a mutex
// for the validator); taken inside invalidate_lock, before xa_lock.
var classFolioLock = lock.NewClass("folio_lock", lock.KindMutex)

// Class, Subclass and Kind make a Folio a lock.Lock for the validator:
// its lock is the PG_locked bit (see vfs/lock/external.go).
func (f *Folio) Class() *lock.Class { return classFolioLock }
func (f *Folio) Subclass() uint8    { return 0 }
func (f *Folio) Kind() lock.Kind    { return lock.KindMutex }

// folioWaitTable is Linux's folio_wait_table: tasks waiting for a folio's
// lock or writeback sleep on the bucket its address hashes to, so a folio
// needs no wait queue of its own; PG_waiters tells the waker to look.
// Each bucket's mu is a leaf lock outside the lock model (it is the wait
// queue's internal spinlock and is never held across anything else).
var folioWaitTable [256]waitBucket

type waitBucket struct {
	// mu protects the bucket's waiters (cond's); a leaf.
	mu   sync.Mutex
	cond sync.Cond
	// waiters counts the tasks in a wait on the bucket's inode bits,
	// changed under mu: a waker that finds none has nothing to wake
	// (waitqueue_active), since a waiter counts itself before it tests
	// the bit its waker changed first.
	waiters atomic.Int32
	_       [36]byte // one bucket per cache line
}

func init() {
	for i := range folioWaitTable {
		folioWaitTable[i].cond.L = &folioWaitTable[i].mu
	}
}

func folioWaitBucket(f *Folio) *waitBucket {
	h := uintptr(unsafe.Pointer(f)) >> 6
	h ^= h >> 8
	return &folioWaitTable[h&255]
}

// folioWaitBit sleeps until bit is clear in f's flags; with take set, it
// then sets it (the lock) before returning.
func folioWaitBit(f *Folio, bit uint32, take bool) {
	b := folioWaitBucket(f)
	b.mu.Lock()
	for {
		f.flags.Or(PG_waiters)
		old := f.flags.Load()
		if old&bit == 0 {
			if !take {
				break
			}
			if f.flags.CompareAndSwap(old, old|bit) {
				break
			}
			continue
		}
		b.cond.Wait()
	}
	b.mu.Unlock()
}

// folioWakeBit wakes the sleepers of f's bucket if any wait on f.
func folioWake(f *Folio) {
	b := folioWaitBucket(f)
	b.mu.Lock()
	f.flags.And(^uint32(PG_waiters))
	b.cond.Broadcast()
	b.mu.Unlock()
}

// folioTrylockRaw sets PG_locked if it is clear.
func folioTrylockRaw(f *Folio) bool {
	for {
		old := f.flags.Load()
		if old&PG_locked != 0 {
			return false
		}
		if f.flags.CompareAndSwap(old, old|PG_locked) {
			return true
		}
	}
}

// FolioLock is folio_lock(): sleep until the folio lock is free and take
// it. The lock is not tied to the Task beyond validation: ->read_folio
// may unlock from the task that completes the read.
func FolioLock(t *Task, f *Folio) {
	h := t.o.ExternalBefore(f, lock.Exclusive)
	if !folioTrylockRaw(f) {
		t.o.ExternalContended(f)
		folioWaitBit(f, PG_locked, true)
	}
	t.o.ExternalAcquired(h)
	folioEvent(t, f.mapping.Load(), trace.PageFlagSet, f, PG_locked)
}

// FolioTrylock is folio_trylock().
func FolioTrylock(t *Task, f *Folio) bool {
	if !folioTrylockRaw(f) {
		return false
	}
	t.o.ExternalTried(f, lock.Exclusive)
	folioEvent(t, f.mapping.Load(), trace.PageFlagSet, f, PG_locked)
	return true
}

// FolioUnlock is folio_unlock(): release the lock and wake its waiters.
// With nobody waiting, nothing validating and nobody listening to the
// trace, that is one compare-and-swap, inlined in the caller; under
// GOOS=js a call is a large part of a page's cost on the write path
// (web/bench/calls.mjs).
func FolioUnlock(t *Task, f *Folio) { folioUnlockFast(t, f, folioUnlockSlow) }

// folioUnlockFast is FolioUnlock's fast path; the slow path is a
// parameter, which the inliner charges less than a call, so that both
// fit its budget (as the lock package's fast paths do).
func folioUnlockFast(t *Task, f *Folio, slow func(*Task, *Folio, uint32)) {
	old := uint32(PG_locked)
	if t.o.ExternalPlain() && t.vfs.trace.on.Load() == nil {
		if old = f.flags.And(^uint32(PG_locked)); old&(PG_locked|PG_waiters) == PG_locked {
			return
		}
	}
	slow(t, f, old)
}

// folioUnlockSlow is the rest of FolioUnlock: with old PG_locked alone,
// the release itself, with the validator's and the tracer's hooks;
// otherwise what the fast path's release found (old, the flags before
// it): waiters to wake, or a folio that was not locked.
func folioUnlockSlow(t *Task, f *Folio, old uint32) {
	if old == PG_locked {
		if !t.o.ExternalRelease(f, lock.Exclusive) {
			return
		}
		old = f.flags.And(^uint32(PG_locked))
	}
	if old&PG_locked == 0 {
		panic("vfs: folio_unlock of an unlocked folio")
	}
	if old&PG_waiters != 0 {
		folioWake(f)
	}
	folioEvent(t, f.mapping.Load(), trace.PageFlagClear, f, PG_locked)
}

// folioUnlockIO releases a folio lock held by I/O rather than by a task
// (readahead folios nobody read).
func folioUnlockIO(f *Folio) {
	old := f.flags.And(^uint32(PG_locked))
	if old&PG_waiters != 0 {
		folioWake(f)
	}
}

// FolioWaitLocked is folio_wait_locked(): wait until nobody holds the lock.
func FolioWaitLocked(t *Task, f *Folio) {
	if f.flags.Load()&PG_locked != 0 {
		t.o.MightSleep("folio_wait_locked")
		folioWaitBit(f, PG_locked, false)
	}
}

// FolioWaitWriteback is folio_wait_writeback(): wait until PG_writeback
// is clear. Callers hold the folio lock, so no new writeback can start.
func FolioWaitWriteback(t *Task, f *Folio) {
	if f.flags.Load()&PG_writeback != 0 {
		t.o.MightSleep("folio_wait_writeback")
		folioWaitBit(f, PG_writeback, false)
	}
}

// FolioHeldBy reports whether t holds f's lock as far as the validator
// knows (false with validation off).
func FolioHeldBy(t *Task, f *Folio) bool { return t.o.Holds(f) != lock.Unheld }
