package vfs

import (
	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/trace"
)

// AddressSpace is struct address_space: the page cache of one inode
// (vfs.txt, "The Address Space Object"). Every inode has one, embedded
// as Linux's inode->i_data, and Inode.Mapping returns it.
type AddressSpace struct {
	// host is the owning inode; immutable.
	host *Inode
	// i_pages is the page index; readers take no lock, writers hold
	// xaLock.
	i_pages xarray
	// xaLock is i_pages' xa_lock: it serialises changes of the index and
	// of its tags, and nrpages. Spinlock; taken inside the folio lock,
	// before i_lock is never needed (leaf of the page-cache locks).
	xaLock lock.SpinLock
	// nrpages is the number of folios in the index; atomic, written under
	// xaLock.
	nrpages atomic.Int64
	// invalidateLock is mapping->invalidate_lock: exclusive around
	// truncate, hole punch and other page-cache invalidation, shared
	// around filling the cache (read misses, faults), so that no page
	// read from the old contents survives an invalidation. RWSem; inside
	// i_rwsem, before the folio lock.
	invalidateLock lock.RWSem
	// AOps is a_ops: set by the filesystem with the inode, before use.
	AOps *AddressSpaceOperations
	// flags holds AS_* bits; atomic.
	flags atomic.Uint32
	// wbErr is the errseq_t of write errors (mapping->wb_err).
	wbErr ErrSeq
	// chunk is the run of pages new folios of a large mapping take their
	// page from (allocPage, pagealloc.go); atomic.
	chunk atomic.Pointer[pageChunk]
	// iMmap is i_mmap with i_mmap_rwsem: the mappings (vma.go) of the
	// file, made on its first mmap; atomic.
	iMmap atomic.Pointer[iMmap]
	// spare is a folio allocated with the inode (SetSpareFolio), taken by
	// the first folio FilemapGrabFolio creates; atomic (nil once taken).
	spare atomic.Pointer[Folio]
}

// AS_* flags of AddressSpace.
const (
	AS_EIO    = 1 << 0 // an async write error (mapping_set_error, legacy)
	AS_ENOSPC = 1 << 1
	// AS_SWAPBACKED marks a mapping whose pages exist only in memory
	// (shmem/tmpfs): counted as Shmem, never written back.
	AS_SWAPBACKED = 1 << 2
	// AS_UNEVICTABLE keeps reclaim away (ramfs).
	AS_UNEVICTABLE = 1 << 3
)

var classXaLock = lock.NewClass("&mapping->i_pages.xa_lock", lock.KindSpin)

// initMapping makes i.data ready: called by initInode.
func initMapping(i *Inode) {
	m := &i.data
	m.host = i
	m.xaLock.Init(classXaLock, 0)
	m.invalidateLock.Init(i.sb.fsType.keys.invalidateLock, 0)
}

// SetSpareFolio gives the mapping a folio that the filesystem allocated
// together with the inode (tmpfs embeds one in its inode, so a small
// file's inode, page-cache entry and metadata are one allocation instead
// of two). The first folio FilemapGrabFolio creates is that one; later
// ones are allocated as usual. Call it while the inode is new, before its
// mapping holds any folio; f must be a zero Folio that lives as long as
// the inode. (f itself is not touched until it is taken: a file that is
// never written never brings its cache line in.)
func (m *AddressSpace) SetSpareFolio(f *Folio) { m.spare.Store(f) }

// takeSpare claims the mapping's spare folio for a new folio: locked,
// with the caller's reference, a zeroed page unless nodata. Nil if there
// is none (or it was taken).
func (m *AddressSpace) takeSpare(nodata bool) *Folio {
	if m.spare.Load() == nil {
		return nil
	}
	return m.takeSpareSlow(nodata)
}

// takeSpareSlow is takeSpare for a mapping that still has its spare:
// apart, so that the test every new folio of a larger file makes
// inlines.
func (m *AddressSpace) takeSpareSlow(nodata bool) *Folio {
	f := m.spare.Swap(nil)
	if f == nil {
		return nil
	}
	f.flags.Store(folioEmbedded | PG_locked)
	if !nodata {
		m.allocPage(f)
	}
	f.refcount.Store(1)
	return f
}

// putSpare returns an unused spare folio that takeSpare handed out
// (its insertion lost a race).
func (m *AddressSpace) putSpare(f *Folio) {
	f.freePage()
	f.refcount.Store(0)
	f.flags.Store(folioEmbedded)
	m.spare.Store(f)
}

// Host returns the inode owning the mapping.
func (m *AddressSpace) Host() *Inode { return m.host }

// NrPages returns the number of folios in the mapping.
func (m *AddressSpace) NrPages() int64 { return m.nrpages.Load() }

// SetFlags sets AS_* bits (AS_SWAPBACKED by shmem-like filesystems
// before the first page is added).
func (m *AddressSpace) SetFlags(f uint32) { m.flags.Or(f) }

// Flags returns the AS_* bits.
func (m *AddressSpace) Flags() uint32 { return m.flags.Load() }

func (m *AddressSpace) swapBacked() bool { return m.flags.Load()&AS_SWAPBACKED != 0 }

func (m *AddressSpace) vfs() *VFS { return m.host.sb.vfs }

// Tagged reports whether some folio has tag (mapping_tagged).
func (m *AddressSpace) Tagged(tag int) bool { return m.i_pages.anyMark(tag) }

// FolioTagged reports whether the folio at index has tag.
func (m *AddressSpace) FolioTagged(index int64, tag int) bool {
	return m.i_pages.getMark(index, tag)
}

// InvalidateLock, InvalidateUnlock, InvalidateLockShared and
// InvalidateUnlockShared are filemap_invalidate_lock() and friends.
func (m *AddressSpace) InvalidateLock(t *Task)         { m.invalidateLock.Lock(t.o) }
func (m *AddressSpace) InvalidateUnlock(t *Task)       { m.invalidateLock.Unlock(t.o) }
func (m *AddressSpace) InvalidateLockShared(t *Task)   { m.invalidateLock.RLock(t.o) }
func (m *AddressSpace) InvalidateUnlockShared(t *Task) { m.invalidateLock.RUnlock(t.o) }

// Mapping returns i_mapping.
func (i *Inode) Mapping() *AddressSpace { return &i.data }

// FilemapAddFolio is filemap_add_folio(): insert a locked folio, new to
// the cache, at index; the mapping takes a reference, and the folio goes
// on the inactive LRU. Fails with EEXIST if the index is taken (a racing
// insert won). The counters: nrpages, NR_FILE_PAGES, and NR_SHMEM with
// PG_swapbacked for a swap-backed mapping.
func FilemapAddFolio(t *Task, m *AddressSpace, f *Folio, index int64) error {
	if f.flags.Load()&PG_locked == 0 {
		panic("vfs: filemap_add_folio of an unlocked folio")
	}
	folioGet(f)
	f.index = index
	sb := m.swapBacked()
	if sb {
		f.flags.Or(PG_swapbacked)
	}
	m.xaLock.Lock(t.o)
	if m.i_pages.load(index) != nil {
		m.xaLock.Unlock(t.o)
		f.flags.And(^uint32(PG_swapbacked))
		FolioPut(f)
		return EEXIST
	}
	f.mapping.Store(m)
	m.i_pages.store(index, f)
	m.nrpages.Add(1)
	m.xaLock.Unlock(t.o)
	pc := &m.vfs().pc
	pc.nrFilePages.Add(1)
	if sb {
		pc.nrShmem.Add(1)
	}
	folioEvent(t, m, trace.PageAdd, f, 0)
	folioAddLRU(t, m, f)
	return nil
}

// filemapRemoveFolio is filemap_remove_folio(): take a locked folio,
// not under writeback, out of the index and drop the cache's reference.
// A dirty folio loses its dirty state (truncate cancels it first).
//
// Not inlined: its own body inlines the helpers it calls, but when the
// profile-guided WebAssembly build inlined it into truncateFolio, five
// of them stayed calls there (web/bench/calls.mjs: an unlink is 55.4 Go
// calls with the directive, 59.4 without).
//
//go:noinline
func filemapRemoveFolio(t *Task, m *AddressSpace, f *Folio) {
	folioCancelDirty(t, m, f)
	m.xaLock.Lock(t.o)
	if f.mapping.Load() != m {
		m.xaLock.Unlock(t.o)
		return
	}
	m.i_pages.erase(f.index)
	if m.nrpages.Add(-1) == 0 {
		m.releaseChunk()
	}
	m.xaLock.Unlock(t.o)
	pc := &m.vfs().pc
	pc.nrFilePages.Add(-1)
	if f.flags.Load()&PG_swapbacked != 0 {
		pc.nrShmem.Add(-1)
	}
	// The mapping goes before the LRU test: a folio still in a task's
	// lru_add batch is then left off the lists by the drain (folio_lru.go).
	f.mapping.Store(nil)
	folioDelLRU(t, pc, f)
	folioEvent(t, m, trace.PageRemove, f, 0)
	if m.AOps != nil && m.AOps.FreeFolio != nil {
		t.aopFreeFolio(m, f)
	}
	FolioPut(f)
}

// FilemapGetFolio is filemap_get_folio(): the folio at index with a
// reference taken, or nil. Lock-free: a folio found being removed is
// skipped (the lookup retries and finds the new state).
func FilemapGetFolio(m *AddressSpace, index int64) *Folio {
	for {
		f := m.i_pages.load(index)
		if f == nil {
			return nil
		}
		if !folioTryGet(f) {
			continue
		}
		if f.mapping.Load() == m && f.index == index {
			return f
		}
		FolioPut(f)
		if m.i_pages.load(index) == f {
			// Removed but not yet erased: treat as absent.
			return nil
		}
	}
}

// FilemapLockFolio is filemap_lock_folio(): look up and lock; nil if the
// folio is absent or was truncated while we waited for its lock.
func FilemapLockFolio(t *Task, m *AddressSpace, index int64) *Folio {
	for {
		f := FilemapGetFolio(m, index)
		if f == nil {
			return nil
		}
		FolioLock(t, f)
		if f.mapping.Load() == m {
			return f
		}
		FolioUnlock(t, f)
		FolioPut(f)
	}
}

// FGP_* flags of FilemapGrabFolio (__filemap_get_folio).
const (
	FGP_CREAT = 1 << 0 // allocate and insert a folio if absent
	FGP_LOCK  = 1 << 1 // return the folio locked
	// FGP_NODATA: a new folio may come without its page; the caller
	// fills the whole page before unlocking it (folioFillPage), which
	// saves zeroing memory about to be overwritten.
	FGP_NODATA = 1 << 2
)

// FilemapGrabFolio is __filemap_get_folio(): find the folio at index, or
// with FGP_CREAT make a new, zeroed one and insert it; with FGP_LOCK
// return it locked. It holds a reference the caller drops with FolioPut.
// The new folio is not uptodate: the caller fills it.
func FilemapGrabFolio(t *Task, m *AddressSpace, index int64, fgp int) (*Folio, error) {
	for {
		var f *Folio
		if fgp&FGP_LOCK != 0 {
			f = FilemapLockFolio(t, m, index)
		} else {
			f = FilemapGetFolio(m, index)
		}
		if f != nil || fgp&FGP_CREAT == 0 {
			return f, nil
		}
		f, err := FilemapCreateFolio(t, m, index, fgp)
		if err == EEXIST {
			continue
		}
		return f, err
	}
}

// FilemapCreateFolio is the FGP_CREAT half of __filemap_get_folio, for a
// caller whose lookup found no folio at index: filemap_alloc_folio (a
// zeroed page unless FGP_NODATA) and filemap_add_folio, the folio
// returned with the caller's reference, locked with FGP_LOCK. EEXIST
// when a racing insert won the index: the caller looks again. A
// filesystem that charges its own pages before they are made (tmpfs's
// size=, as shmem_alloc_and_add_folio) looks up, charges on a miss, then
// calls this, instead of paying for FilemapGrabFolio's second lookup.
func FilemapCreateFolio(t *Task, m *AddressSpace, index int64, fgp int) (*Folio, error) {
	if err := m.vfs().reserveFolio(t, m, false); err != nil {
		return nil, err
	}
	var f *Folio
	spare := m.takeSpare(fgp&FGP_NODATA != 0)
	switch {
	case spare != nil:
		f = spare
	default:
		f = m.allocFolio(index, fgp&FGP_NODATA != 0)
		f.flags.Or(PG_locked) // keeps the private bits
	}
	h := t.o.ExternalBefore(f, lock.Exclusive)
	t.o.ExternalAcquired(h)
	if err := FilemapAddFolio(t, m, f, index); err != nil {
		t.o.ExternalRelease(f, lock.Exclusive)
		if spare != nil {
			m.putSpare(spare)
		} else {
			FolioPut(f) // its page back to the pool
		}
		return nil, err
	}
	if fgp&FGP_LOCK == 0 {
		FolioUnlock(t, f)
	}
	return f, nil
}

// FindGetFoliosTag is filemap_get_folios_tag(): up to len(batch) folios
// with tag, index in [start, end], each with a reference; returns how
// many and sets *next to the index after the last one (end+1 when done).
// Untagged subtrees are not visited.
func FindGetFoliosTag(m *AddressSpace, start, end int64, tag int, batch []*Folio) (n int, next int64) {
	next = end + 1
	m.i_pages.find(start, end, tag, func(idx int64, f *Folio) bool {
		if !folioTryGet(f) {
			return true
		}
		if f.mapping.Load() != m || f.index != idx {
			FolioPut(f)
			return true
		}
		batch[n] = f
		n++
		if n == len(batch) {
			next = idx + 1
			return false
		}
		return true
	})
	return n, next
}

// FindGetFolios is filemap_get_folios(): as FindGetFoliosTag, every
// folio.
func FindGetFolios(m *AddressSpace, start, end int64, batch []*Folio) (n int, next int64) {
	return FindGetFoliosTag(m, start, end, -1, batch)
}
