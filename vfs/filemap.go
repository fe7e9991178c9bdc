package vfs

import (
	"math/bits"
	"unsafe"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
)

// The generic read and write paths over the page cache (mm/filemap.c),
// usable by every filesystem whose file data lives in its inodes'
// mappings: GenericFileRead is ->read, GenericFileWrite is ->write.

// raMaxPages is ra_pages, the largest readahead window, in pages: the
// default VM_READAHEAD_PAGES (128 KiB), which no backing device here
// raises.
const raMaxPages = 32

// fileRaState is struct file_ra_state: the readahead window of one open
// file. All fields are atomic: pread(2) callers on one description do not
// serialise (Linux tolerates the same races on f_ra; they cost only a
// less useful window). GenericFileRead writes prevPos with a plain store
// (setRaPrev), as Linux writes ra->prev_pos.
type fileRaState struct {
	start atomic.Int64 // first page of the current window
	size  atomic.Int32 // pages in the window
	// asyncSize is async_size: the window's last pages, not yet needed;
	// the first of them is marked PG_readahead, and coming to it reads
	// the next window.
	asyncSize atomic.Int32
	// prevPos is ra->prev_pos: the byte after the last one the previous
	// read copied. Linux starts it at -1; here it starts at 0, which no
	// read leaves (a read that copies ends past byte 0), and which
	// pageCacheSyncRA takes for "no previous read", as -1 is.
	prevPos atomic.Int64
	// windows counts the readahead windows set up (for tests); a
	// standalone random read sets none.
	windows atomic.Int32
	// bits holds, in one word, what fadvise(2) left: the f_mode bits it
	// sets and clears (FMODE_RANDOM, FMODE_NOREUSE; Linux changes them
	// under f_lock) and fadvSeq, ra->ra_pages doubled
	// (POSIX_FADV_SEQUENTIAL; without it, the backing device's, which
	// file_ra_state_init copies); and ra->mmap_miss (bits 1-11), the
	// faults that found no page less those that found one
	// (mmap_fault.go). Here beside f_ra rather than in f_mode, which is
	// immutable, and in one word, so that struct file keeps its
	// 144-byte size class.
	bits atomic.Uint32
}

// The parts of fileRaState.bits: fadvSeq (POSIX_FADV_SEQUENTIAL's
// window), mmap_miss, and the f_mode bits.
const (
	fadvSeq       = 1 << 0
	mmapMissShift = 1
	mmapMissMask  = 0x7ff << mmapMissShift // up to 2047: MMAP_LOTSAMISS*10 fits
	fadvModeBits  = FMODE_RANDOM | FMODE_NOREUSE
)

// bdiRaPages is the ra_pages of m's backing device: VM_READAHEAD_PAGES
// for a filesystem that reads its pages from a store (->read_folio or
// ->readahead: a disk's bdi), 0 for one whose pages are the data
// (tmpfs, procfs), whose superblock Linux leaves on
// noop_backing_dev_info.
func bdiRaPages(m *AddressSpace) int64 {
	if readsFromStore(m) {
		return raMaxPages
	}
	return 0
}

// readsFromStore reports whether m's pages are read from a store:
// ->read_folio or ->readahead, without which readahead has nothing to do.
func readsFromStore(m *AddressSpace) bool {
	return m.AOps != nil && (m.AOps.ReadFolio != nil || m.AOps.Readahead != nil)
}

// raPages is f's ra->ra_pages over mapping m.
func (f *File) raPages(m *AddressSpace) int64 {
	if f.ra.bits.Load()&fadvSeq != 0 {
		return 2 * bdiRaPages(m)
	}
	return bdiRaPages(m)
}

// RaWindow reports f's readahead window: first page and size in pages.
func (f *File) RaWindow() (start int64, size int) {
	return f.ra.start.Load(), int(f.ra.size.Load())
}

// nextRaSize is get_next_ra_size(): the window that follows one of cur
// pages: ×4 while under max/16, ×2 up to max/2, then max.
func nextRaSize(cur, max int64) int64 {
	if cur < max/16 {
		return 4 * cur
	}
	if cur <= max/2 {
		return 2 * cur
	}
	return max
}

// initRaSize is get_init_ra_size(): the first window for a request of
// size pages, rounded up to a power of two, then ×4 while at most max/32,
// ×2 while at most max/4, else max (for max 32: 1-2 pages → 4, 3-4 → 8,
// 5-8 → 16, more → 32).
func initRaSize(size, max int64) int64 {
	newsize := int64(1)
	for newsize < size { // roundup_pow_of_two
		newsize <<= 1
	}
	switch {
	case newsize <= max/32:
		newsize *= 4
	case newsize <= max/4:
		newsize *= 2
	default:
		newsize = max
	}
	return newsize
}

// ondemandReadahead starts readahead at index for a request of req
// pages: page_cache_async_ra() when the reader came to a folio marked
// PG_readahead (async), page_cache_sync_ra() when index is missing.
func (t *Task) ondemandReadahead(f *File, m *AddressSpace, index, req int64, async bool) {
	if async {
		t.pageCacheAsyncRA(f, m, index, req)
	} else {
		t.pageCacheSyncRA(f, m, index, req)
	}
}

// pageCacheSyncRA is page_cache_sync_ra(): index is missing. A read at
// the start of the file, an oversized one, or one in or just after the
// page the previous read ended in (ra->prev_pos) starts a window of
// get_init_ra_size(). Elsewhere, a read behind which the page cache holds
// more than req pages in a row (the trace a stream leaves) starts a
// window of that length; any other read is a standalone random read:
// exactly req pages, and the ra state left alone.
func (t *Task) pageCacheSyncRA(f *File, m *AddressSpace, index, req int64) {
	ra := &f.ra
	// A file whose readahead is off (ra_pages 0) still reads the page
	// asked for; FMODE_RANDOM (POSIX_FADV_RANDOM) reads exactly the
	// request: force_page_cache_ra, the ra state left alone.
	raPages := f.raPages(m)
	if raPages == 0 {
		req = 1
	}
	if raPages == 0 || f.ra.bits.Load()&FMODE_RANDOM != 0 {
		t.forcePageCacheRA(f, m, index, req)
		return
	}
	// ractl_max_pages: a request larger than the window may read up
	// to bdi->io_pages (VM_READAHEAD_PAGES here).
	maxPages := raPages
	if req > maxPages && raMaxPages > maxPages {
		maxPages = min(req, raMaxPages)
	}
	// prev_index: prevPos 0 stands for Linux's -1, whose page no index
	// is at or just after.
	prevPos := ra.prevPos.Load()
	seq := false
	if prevPos != 0 {
		prevIndex := prevPos >> PAGE_SHIFT
		seq = index-prevIndex == 0 || index-prevIndex == 1 // index - prev_index <= 1UL
	}
	var size, asyncSize int64
	if index == 0 || req > maxPages || seq {
		// A start of file, oversized read, or sequential cache miss.
		size = initRaSize(req, maxPages)
		asyncSize = size >> 1
		if size > req {
			asyncSize = size - req
		}
	} else {
		// Look for the cached history pages a sequential stream
		// would leave behind.
		miss := m.pageCachePrevMiss(index-1, maxPages)
		contig := index - miss - 1
		if contig <= req {
			// Standalone, small random read: read as is, and do
			// not pollute the readahead state.
			t.doPageCacheRA(f, m, index, req, 0)
			return
		}
		if miss == -1 {
			// Cached from the beginning: a long-run stream.
			contig *= 2
		}
		size = min(contig+req, maxPages)
		asyncSize = 1
	}
	t.raSubmit(f, m, index, size, asyncSize)
}

// pageCacheAsyncRA is page_cache_async_ra(): the reader came to index,
// a folio marked PG_readahead (the caller has cleared the mark). At the
// mark the window expects (start + size - async_size) the next window
// follows this one, get_next_ra_size() larger; at another mark (e.g.
// interleaved streams on one description) the window is rebuilt from the
// cached pages after index. The whole new window is async: its first
// page carries the next mark.
func (t *Task) pageCacheAsyncRA(f *File, m *AddressSpace, index, req int64) {
	ra := &f.ra
	maxPages := f.raPages(m)
	if maxPages == 0 {
		return
	}
	start, size := ra.start.Load(), int64(ra.size.Load())
	if expected := start + size - int64(ra.asyncSize.Load()); index == expected {
		start += size
		size = max(size, nextRaSize(size, maxPages))
	} else {
		// Hit a marked folio without valid readahead state: the
		// cached run after it is normally the old async_size.
		start = m.pageCacheNextMiss(index+1, maxPages)
		if start == 0 || start-index > maxPages {
			return
		}
		size = nextRaSize(start-index+req, maxPages)
	}
	// readit: ra->order += 2 on a mapping without large folios (whose
	// ra->order page_cache_ra_order leaves 0) aligns the window's end
	// to 1 << min(2, ffs(max_pages) - 1) pages.
	align := int64(1) << min(2, bits.TrailingZeros64(uint64(maxPages)))
	end := start + size
	if alignedEnd := end &^ (align - 1); alignedEnd > start {
		size -= end - alignedEnd
	}
	t.raSubmit(f, m, start, size, size)
}

// raSubmit records the window [start, start+size) with its async tail in
// f's ra state and reads it: page_cache_ra_order(), which for a mapping
// without large folios is do_page_cache_ra(ra->size, ra->async_size).
func (t *Task) raSubmit(f *File, m *AddressSpace, start, size, asyncSize int64) {
	ra := &f.ra
	ra.start.Store(start)
	ra.size.Store(int32(size))
	ra.asyncSize.Store(int32(asyncSize))
	ra.windows.Add(1)
	t.doPageCacheRA(f, m, start, size, asyncSize)
}

// pageCachePrevMiss is page_cache_prev_miss(): the first index at or
// before index, looking back at most maxScan pages, that holds no folio;
// -1 (ULONG_MAX) if the pages down to 0 are all cached; index - maxScan
// if the whole range is.
func (m *AddressSpace) pageCachePrevMiss(index, maxScan int64) int64 {
	for i := index; i > index-maxScan; i-- {
		if i < 0 || m.i_pages.load(i) == nil {
			return i
		}
	}
	return index - maxScan
}

// pageCacheNextMiss is page_cache_next_miss(): the first index at or
// after index, looking at most maxScan pages, that holds no folio;
// index + maxScan if they all do.
func (m *AddressSpace) pageCacheNextMiss(index, maxScan int64) int64 {
	for i := index; i < index+maxScan; i++ {
		if m.i_pages.load(i) == nil {
			return i
		}
	}
	return index + maxScan
}

// forcePageCacheRA is force_page_cache_ra(): read n pages from index
// (no more than max(bdi->io_pages, ra_pages)), in chunks of 2 MiB so
// that a large request does not lock too many folios at once, with no
// readahead mark and the ra state left alone.
func (t *Task) forcePageCacheRA(f *File, m *AddressSpace, index, n int64) {
	if !readsFromStore(m) {
		return
	}
	n = min(n, max(raMaxPages, f.raPages(m)))
	for n > 0 {
		chunk := min(int64(2<<20)/PAGE_SIZE, n)
		t.doPageCacheRA(f, m, index, chunk, 0)
		index += chunk
		n -= chunk
	}
}

// doPageCacheRA is do_page_cache_ra() and page_cache_ra_unbounded():
// allocate, insert and lock the missing folios of [start, start+n) that
// lie inside i_size, mark the one lookahead pages before the (clamped)
// end PG_readahead, and read them: ->readahead with the batch,
// ->read_folio for what it leaves. invalidate_lock is held shared
// throughout, as filemap_invalidate_lock_shared in the kernel.
func (t *Task) doPageCacheRA(f *File, m *AddressSpace, start, n, lookahead int64) {
	isize := m.host.size.Load()
	if isize == 0 {
		return
	}
	last := (isize - 1) >> PAGE_SHIFT
	if start > last {
		return
	}
	// Don't read past the page containing the last byte of the file.
	n = min(n, last-start+1)
	markAt := int64(-1)
	if lookahead <= n {
		markAt = n - lookahead // none when lookahead is 0: i < n
	}
	m.invalidateLock.RLock(t.o)
	var batch []*Folio
	flush := func() {
		if len(batch) > 0 {
			t.readPages(f, m, batch)
			batch = batch[:0]
		}
	}
	for i := int64(0); i < n; i++ {
		idx := start + i
		if m.i_pages.load(idx) != nil {
			// Present: read what we have so far, skip this one.
			flush()
			continue
		}
		// The new folio's lock belongs to the read I/O, not to this
		// task, until ReadaheadControl.Next hands it to the reader
		// (several folios are locked at once, as for a bio).
		if m.vfs().reserveFolio(t, m, true) != nil {
			break // no memory: read what we have (__GFP_NORETRY)
		}
		fo := m.allocFolio(idx, false)
		fo.flags.Or(PG_locked) // keeps the private bits
		if i == markAt {
			fo.flags.Or(PG_readahead)
		}
		if FilemapAddFolio(t, m, fo, idx) != nil {
			FolioPut(fo)
			flush()
			continue
		}
		batch = append(batch, fo)
	}
	flush()
	m.invalidateLock.RUnlock(t.o)
}

// readPages is read_pages(): the batch's folios are locked, their locks
// held by the I/O. ->readahead takes them one by one through
// ReadaheadControl.Next; what it does not take is unlocked unread (a
// later access reads it with ->read_folio). Without ->readahead, each
// goes through ->read_folio.
func (t *Task) readPages(f *File, m *AddressSpace, batch []*Folio) {
	rac := &ReadaheadControl{File: f, Mapping: m, Folios: batch, Index: batch[0].index, t: t}
	if m.AOps.Readahead != nil {
		t.aopReadahead(rac)
	} else {
		for fo := rac.Next(); fo != nil; fo = rac.Next() {
			if err := t.aopReadFolio(f, m, fo); err != nil {
				FolioSetError(fo)
			}
		}
	}
	for _, fo := range batch[rac.next:] {
		fo.flags.And(^uint32(PG_readahead))
		folioUnlockIO(fo)
	}
	for _, fo := range batch {
		FolioPut(fo)
	}
}

// Next is readahead_folio(): the next folio of the batch, locked by the
// calling task (nil at the end). The filesystem reads it and unlocks it
// (marking it uptodate on success).
func (r *ReadaheadControl) Next() *Folio {
	if r.next >= len(r.Folios) {
		return nil
	}
	fo := r.Folios[r.next]
	r.next++
	h := r.t.o.ExternalBefore(fo, lock.Exclusive)
	r.t.o.ExternalAcquired(h)
	return fo
}

// filemapReadFolio is filemap_read_folio(): read a locked folio through
// ->read_folio (invalidate_lock held shared by the caller) and wait for
// it. Returns with the folio unlocked; EIO if it did not become uptodate.
func (t *Task) filemapReadFolio(f *File, m *AddressSpace, fo *Folio) error {
	fo.flags.And(^uint32(PG_error))
	err := t.aopReadFolio(f, m, fo)
	if err != nil {
		return err
	}
	FolioWaitLocked(t, fo)
	if !fo.Uptodate() {
		return EIO
	}
	return nil
}

// filemapGetPage is the lookup half of filemap_get_pages(): the folio at
// index, read in if the mapping has ->read_folio, with a reference; nil
// for a hole of a memory-only mapping. A fault (fault) reads ahead as
// filemap_fault does (do_sync_mmap_readahead, do_async_mmap_readahead:
// mmap_fault.go), a read as filemap_read does (req pages asked for).
func (t *Task) filemapGetPage(f *File, m *AddressSpace, index, req int64, fault bool) (*Folio, error) {
	readable := m.AOps != nil && m.AOps.ReadFolio != nil
	for {
		fo := FilemapGetFolio(m, index)
		if fo == nil {
			if !readable {
				return nil, nil
			}
			if fault {
				t.doSyncMmapReadahead(f, m, index)
			} else {
				t.ondemandReadahead(f, m, index, req, false)
			}
			fo = FilemapGetFolio(m, index)
			if fo != nil && fault {
				return fo, nil // filemap_fault's retry_find: no async readahead
			}
			if fo == nil {
				// Beyond i_size, or raced with truncate.
				return t.filemapCreateFolio(f, m, index)
			}
		}
		if fault && readable {
			t.doAsyncMmapReadahead(f, m, fo, index)
		} else if fo.flags.Load()&PG_readahead != 0 && readable {
			fo.flags.And(^uint32(PG_readahead))
			t.ondemandReadahead(f, m, index, req, true)
		}
		return fo, nil
	}
}

// filemapCreateFolio is filemap_create_folio(): the folio at index of a
// mapping with ->read_folio, made and read if it is not cached, and no
// other (no readahead); nil past i_size.
func (t *Task) filemapCreateFolio(f *File, m *AddressSpace, index int64) (*Folio, error) {
	if index > (m.host.size.Load()-1)>>PAGE_SHIFT {
		return nil, nil
	}
	m.invalidateLock.RLock(t.o)
	defer m.invalidateLock.RUnlock(t.o)
	fo, err := FilemapGrabFolio(t, m, index, FGP_CREAT|FGP_LOCK)
	if err != nil {
		return nil, err
	}
	if fo.Uptodate() {
		FolioUnlock(t, fo)
	} else if err := t.filemapReadFolio(f, m, fo); err != nil {
		FolioPut(fo)
		return nil, err
	}
	return fo, nil
}

// readPrefetch is how much of a page GenericFileRead asks the CPU to
// fetch ahead of its copy.
const readPrefetch = 512

// GenericFileRead is filemap_read() as ->read: copy from the page cache
// at *pos, reading missing pages through ->readahead / ->read_folio
// (holes of a memory-only mapping read as zeros), never past i_size. It
// takes no i_rwsem. Each page is copied with its folio locked, which
// also keeps truncate from removing it mid-copy.
//
// It touches the atime (file_accessed) on every call, an empty read or
// one at the end of the file too, as shmem_file_read_iter does: tmpfs on
// Linux stamps the atime of a read(fd, buf, 0). Where a read copies, the
// atime is touched once the first page's lookup and prefetches are under
// way: the work then overlaps their cache misses, where after the copy
// it would add to every read (a random 4 KiB read lost a sixth of its
// speed to it). The stamp is the coarse clock's tick either way.
func GenericFileRead(t *Task, f *File, p []byte, pos *int64) (int, error) {
	in := f.inode
	m := &in.data
	off := *pos
	if len(p) == 0 || off >= in.sb.MaxBytes {
		t.fileAccessed(f)
		return 0, nil
	}
	isize := in.size.Load()
	if off >= isize {
		t.fileAccessed(f)
		return 0, nil
	}
	accessed := false
	done := 0
	var err error
	// plain: the task neither validates locks nor reports to a listener,
	// and the bus has none (an untraced VFS's chk ignores it), so a free
	// folio lock is taken and released without validator or tracer hooks.
	plain := !t.chk.Load() && t.vfs.trace.on.Load() == nil
	// lastPos is filemap_read's last_pos: where the previous copy ended,
	// this call's or (at first) the previous read's.
	lastPos := f.ra.prevPos.Load()
	for done < len(p) {
		cur := off + int64(done)
		isize = in.size.Load()
		if cur >= isize {
			break
		}
		idx := cur >> PAGE_SHIFT
		po := int(cur & (PAGE_SIZE - 1))
		n := min(len(p)-done, PAGE_SIZE-po)
		if rem := isize - cur; int64(n) > rem {
			n = int(rem)
		}
		// Fast path: a cached page, no readahead mark. Its lock is the
		// reference: a folio cannot leave the mapping while locked, and
		// the collector keeps one that left before we locked it.
		// The guesses of the mapping's chunks are asked for before the
		// walk down the index, so that their misses overlap it too.
		lines := min(n, readPrefetch) >> 6
		gd, gf := m.chunkGuess(idx)
		if gf != 0 {
			prefetchRead(gf, 0, gd+uintptr(po), lines)
		}
		fo, leaf, guess := m.i_pages.loadPrefetch(idx, po, lines, gd, gf)
		if !accessed {
			accessed = true
			t.fileAccessed(f)
		}
		if fo == nil || fo.flags.Load()&PG_readahead != 0 {
			req := (int64(len(p)-done) + int64(po) + PAGE_SIZE - 1) >> PAGE_SHIFT
			fo, err = t.filemapGetPage(f, m, idx, req, false)
			if err != nil {
				break
			}
			if fo == nil {
				clear(p[done : done+n])
				done += n
				continue
			}
			FolioPut(fo) // the lock below holds it
		}
		raw := plain && folioTrylockRaw(fo)
		if !raw {
			FolioLock(t, fo)
		}
		if fo.mapping.Load() != m || fo.index != idx {
			// Truncated while we waited: look again.
			folioUnlockRead(t, fo, raw)
			continue
		}
		if !fo.Uptodate() {
			if m.AOps != nil && m.AOps.IsPartiallyUptodate != nil && t.aopIsPartiallyUptodate(m, fo, po, n) {
				// The part asked for is valid (a partial write).
			} else if m.AOps != nil && m.AOps.ReadFolio != nil {
				// invalidate_lock comes before the folio lock: let go,
				// take it shared, and look again.
				folioUnlockRead(t, fo, raw)
				m.invalidateLock.RLock(t.o)
				FolioLock(t, fo)
				if fo.mapping.Load() == m && !fo.Uptodate() {
					err = t.filemapReadFolio(f, m, fo)
				} else {
					FolioUnlock(t, fo)
				}
				m.invalidateLock.RUnlock(t.o)
				if err != nil {
					break
				}
				continue
			}
		}
		// i_size may have shrunk while we looked (truncate zeroes the
		// tail of the last page under this lock, so a copy up to the
		// new size is consistent).
		if isize = in.size.Load(); cur+int64(n) > isize {
			n = int(max(isize-cur, 0))
		}
		if leaf != nil {
			leaf.fixRun(idx, fo, guess)
		}
		// A read that takes the same folio again, straight after the
		// copy that ended in it, marks it accessed only the first time
		// (filemap_read's pos_same_folio test): a run of small reads
		// through one page is one access, not one per read.
		same := cur>>PAGE_SHIFT == (lastPos-1)>>PAGE_SHIFT
		copy(p[done:done+n], fo.data[po:po+n])
		folioUnlockRead(t, fo, raw)
		if n == 0 {
			break // i_size fell to cur: nothing read, nothing marked
		}
		if !same {
			FolioMarkAccessed(t, fo)
		}
		done += n
		lastPos = cur + int64(n)
	}
	if !accessed {
		t.fileAccessed(f) // i_size fell below off before the first page
	}
	*pos = off + int64(done)
	setRaPrev(&f.ra, lastPos)
	if done > 0 {
		return done, nil
	}
	return 0, err
}

// setRaPrev records where a read's copying ended in ra.prevPos
// with a plain load and store where the value changes (Linux's
// ra->prev_pos is a plain field too). An atomic store is an exchange on
// amd64, a full barrier the read path paid on every call that moved;
// this is a hint for ondemandReadahead, which a racing pread on the same
// description may overwrite either way, so a racy store loses nothing.
// The race detector is not told (go:norace): the race is deliberate.
// The atomic types keep their value first (prepublish.go's
// TestPrepublishStores checks it).
//
//go:norace
func setRaPrev(ra *fileRaState, v int64) {
	p := (*int64)(unsafe.Pointer(&ra.prevPos))
	if *p != v {
		*p = v
	}
}

// folioUnlockRead releases the folio lock GenericFileRead took: raw, a
// lock taken by folioTrylockRaw without the validator's and tracer's
// hooks, is released without them too.
func folioUnlockRead(t *Task, fo *Folio, raw bool) {
	if raw {
		folioUnlockIO(fo)
		return
	}
	FolioUnlock(t, fo)
}

// IsSync is IS_SYNC(): writes to the inode are synchronous, since its
// filesystem is mounted with -o sync (SB_SYNCHRONOUS). Linux also has the
// inode flag S_SYNC (chattr +S); vfscope has no chattr, so no inode has
// it.
func IsSync(in *Inode) bool { return in.sb.flags.Load()&SB_SYNCHRONOUS != 0 }

// IsDirSync is IS_DIRSYNC(): changes to the directory in are durable
// when the call returns (-o dirsync or -o sync). A filesystem's
// directory operations ask it.
func IsDirSync(in *Inode) bool { return in.sb.flags.Load()&(SB_SYNCHRONOUS|SB_DIRSYNC) != 0 }

// GenericFileWrite is generic_file_write_iter() as ->write: under i_rwsem
// exclusive, O_APPEND writes at i_size, EFBIG past s_maxbytes and
// RLIMIT_FSIZE (generic_write_check_limits), file_remove_privs, file_update_time, then generic_perform_write; for
// O_SYNC/O_DSYNC files, and every file of a -o sync filesystem
// (iocb_is_dsync: IS_SYNC), the written range is synced before returning
// (generic_write_sync: vfs_fsync_range, as fdatasync unless the file is
// O_SYNC; EINVAL, the data written, for a file without ->fsync).
func GenericFileWrite(t *Task, f *File, p []byte, pos *int64) (int, error) {
	in := f.inode
	in.rwsem.Lock(t.o)
	n, err := GenericFileWriteLocked(t, f, p, pos)
	in.rwsem.Unlock(t.o)
	if fl := f.flags.Load(); n > 0 && (fl&(O_SYNC|O_DSYNC) != 0 || IsSync(in)) {
		if serr := VFSFsyncRange(t, f, *pos-int64(n), *pos-1, fl&O_SYNC != O_SYNC); serr != nil {
			return 0, serr
		}
	}
	return n, err
}

// GenericFileWriteLocked is __generic_file_write_iter(): i_rwsem held
// exclusive.
func GenericFileWriteLocked(t *Task, f *File, p []byte, pos *int64) (int, error) {
	in := f.inode
	off := *pos
	if f.flags.Load()&O_APPEND != 0 {
		off = in.size.Load()
	}
	if len(p) == 0 {
		return 0, nil
	}
	// generic_write_check_limits: EFBIG at the task's RLIMIT_FSIZE,
	// then at s_maxbytes; a write that crosses either is cut short.
	// Linux sends SIGXFSZ with the first EFBIG; vfscope has no signals
	// (rlimit.go). The limit is a loff_t there, so a soft limit of 2^63
	// or more (RLIM_INFINITY aside) is negative and every write fails.
	if lim := t.rlimFsize.Cur; lim != RLIM_INFINITY {
		if off >= int64(lim) {
			return 0, EFBIG
		}
		if int64(len(p)) > int64(lim)-off {
			p = p[:int64(lim)-off]
		}
	}
	maxb := in.sb.MaxBytes
	if off >= maxb {
		return 0, EFBIG
	}
	if int64(len(p)) > maxb-off {
		p = p[:maxb-off]
	}
	FileRemovePrivs(t, in)
	fileUpdateTime(t, in)
	n, err := GenericPerformWrite(t, f, p, off)
	if n > 0 {
		*pos = off + int64(n)
		return n, nil
	}
	return 0, err
}

// fileUpdateTime is file_update_time(): mtime and ctime to now (through
// ->update_time when the filesystem has one).
func fileUpdateTime(t *Task, in *Inode) {
	now := in.sb.vfs.now()
	if in.mtime.Load() == now && in.ctime.Load() == now {
		return
	}
	if in.Ops != nil && in.Ops.UpdateTime != nil {
		t.iopUpdateTime(in, S_MTIME|S_CTIME)
		return
	}
	in.mtime.Store(now)
	in.ctime.Store(now)
	markInodeDirtyTimes(t, in)
}

// GenericPerformWrite is generic_perform_write(): for each page of the
// range, ->write_begin (folio locked), copy, ->write_end (marks it dirty
// through ->dirty_folio, updates i_size, unlocks), then
// balance_dirty_pages_ratelimited each time the pages newly dirtied reach
// the pause the last check gave (so that one large write is throttled as
// it goes, not after it dirtied all its pages), and once at the end for
// the rest. i_rwsem held exclusive. Returns the bytes written; an error
// only if none were.
func GenericPerformWrite(t *Task, f *File, p []byte, off int64) (int, error) {
	in := f.inode
	m := &in.data
	mightFault(t) // the copy from the caller's buffer, before any folio lock
	done := 0
	dirtied := int64(0)            // current->nr_dirtied, for this write
	pause := int64(dirtyPauseInit) // current->nr_dirtied_pause
	stream := writeStreams(m, len(p))
	var err error
	for done < len(p) {
		cur := off + int64(done)
		po := int(cur & (PAGE_SIZE - 1))
		n := min(len(p)-done, PAGE_SIZE-po)
		var fo *Folio
		fo, err = t.aopWriteBegin(f, m, cur, n)
		if err != nil {
			break
		}
		wasDirty := fo.flags.Load()&PG_dirty != 0
		var c int
		if fo.data == nil {
			folioFillPage(fo, p[done:done+n]) // a whole new page
			c = n
		} else {
			if stream && n == PAGE_SIZE && uintptr(unsafe.Pointer(fo.data))&15 == 0 {
				copyPageStream(fo.data, &p[done])
				c = n
			} else {
				c = copy(fo.data[po:po+n], p[done:done+n])
			}
		}
		c, err = t.aopWriteEnd(f, m, cur, n, c, fo)
		if !wasDirty {
			dirtied++
		}
		done += c
		if err != nil {
			break
		}
		if c == 0 {
			err = EFAULT
			break
		}
		if dirtied >= pause {
			pause = balanceDirtyPagesRatelimited(t, m, dirtied)
			dirtied = 0
		}
	}
	if dirtied > 0 {
		balanceDirtyPagesRatelimited(t, m, dirtied)
	}
	if done > 0 {
		return done, nil
	}
	return 0, err
}

// SimpleWriteBegin is simple_write_begin() (shmem_write_begin without the
// quota): grab the folio, creating it; if it is new and the write does not
// cover it, make the rest valid: ->read_folio for a mapping that has one
// (for data past EOF there is nothing to read: the zeroed page is valid),
// zeros otherwise (a new folio is zeroed).
func SimpleWriteBegin(t *Task, f *File, m *AddressSpace, pos int64, n int) (*Folio, error) {
	idx := pos >> PAGE_SHIFT
	fgp := FGP_CREAT | FGP_LOCK
	if n == PAGE_SIZE {
		fgp |= FGP_NODATA // the copy fills it all
	}
	for {
		fo, err := FilemapGrabFolio(t, m, idx, fgp)
		if err != nil {
			return nil, err
		}
		if fo.Uptodate() || n == PAGE_SIZE || m.AOps == nil || m.AOps.ReadFolio == nil || fo.Pos() >= m.host.size.Load() {
			return fo, nil
		}
		// Read the old contents first. invalidate_lock comes before
		// the folio lock: let go of the folio, take it shared, and
		// look again (i_rwsem keeps truncate away meanwhile).
		FolioUnlock(t, fo)
		m.invalidateLock.RLock(t.o)
		FolioLock(t, fo)
		if fo.mapping.Load() == m && !fo.Uptodate() {
			err = t.filemapReadFolio(f, m, fo)
			if err == nil {
				FolioLock(t, fo)
			}
		}
		m.invalidateLock.RUnlock(t.o)
		if err != nil {
			FolioPut(fo)
			return nil, err
		}
		if fo.mapping.Load() == m {
			return fo, nil
		}
		FolioUnlock(t, fo)
		FolioPut(fo)
	}
}

// SimpleWriteEnd is simple_write_end(): the folio is uptodate (its other
// bytes are valid: read in or zeroed), so mark it so and dirty, extend
// i_size, unlock and drop WriteBegin's reference.
func SimpleWriteEnd(t *Task, f *File, m *AddressSpace, pos int64, n, copied int, fo *Folio) (int, error) {
	fo.Data() // a FGP_NODATA folio the copy did not fill gets its zeroed page
	FolioMarkUptodate(fo)
	if end := pos + int64(copied); end > m.host.size.Load() {
		iSizeWrite(t, m.host, end)
	}
	FolioMarkDirty(t, fo)
	FolioUnlock(t, fo)
	FolioPut(fo)
	return copied, nil
}
