package billyfs

import (
	"github.com/vfscope/vfscope/vfs"
)

// regFileOps are a regular file's file_operations: the generic page
// cache paths, with billyfs's fsync, SEEK_DATA/SEEK_HOLE and fallocate.
var regFileOps = &vfs.FileOperations{
	Read:      vfs.GenericFileRead,
	Write:     vfs.GenericFileWrite,
	Llseek:    llseek,
	Fsync:     fsync,
	Fallocate: fallocate,
	Mmap:      mmap, // ext4_file_mmap: ext4_page_mkwrite reserves (mmap.go)
	// ext4_file_open: a disk filesystem takes O_DIRECT on regular files
	// (here the I/O still goes through the page cache).
	FopFlags: vfs.FOP_CAN_ODIRECT,
}

// fsync is ext2_fsync(): the generic path (the dirty pages of the range
// written and waited for, a writeback of the inode in progress waited
// for, then the inode's record when it matters, and the description's
// errseq checked), then what reached the store without a flush made
// durable where the store can (durable.go): the data file, then a
// record the flusher wrote. fdatasync flushes such a record too: it
// cannot tell whether the record holds a new size or extents.
func fsync(t *vfs.Task, f *vfs.File, start, end int64, datasync bool) error {
	if err := vfs.GenericFileFsync(t, f, start, end, datasync); err != nil {
		return err
	}
	return node(f.Inode()).syncStore()
}

// llseek is ext4_llseek(): SEEK_DATA and SEEK_HOLE see the pages on the
// store (the extents) and the pages in the page cache; the rest is
// generic.
func llseek(t *vfs.Task, f *vfs.File, off int64, whence int) (int64, error) {
	if whence != vfs.SEEK_DATA && whence != vfs.SEEK_HOLE {
		return vfs.GenericFileLlseek(t, f, off, whence)
	}
	in := f.Inode()
	in.RwsemLockShared(t)
	defer in.RwsemUnlockShared(t)
	size := in.Size()
	if off < 0 || off >= size {
		return 0, vfs.ENXIO
	}
	last := (size + pageSize - 1) / pageSize
	idx := nextPage(in, off/pageSize, last, whence == vfs.SEEK_DATA)
	if idx >= last {
		if whence == vfs.SEEK_DATA {
			return 0, vfs.ENXIO
		}
		f.SetPos(size)
		return size, nil
	}
	r := max(idx*pageSize, off)
	f.SetPos(r)
	return r, nil
}

// nextPage returns the first page in [idx, limit) that holds data
// (want true: on the store, or dirty or under writeback in the page
// cache) or does not; limit if none. i_rwsem held.
func nextPage(in *vfs.Inode, idx, limit int64, want bool) int64 {
	n := node(in)
	m := in.Mapping()
	batch := make([]*vfs.Folio, 1)
	// cached is the first page >= from whose data is only in the page
	// cache: dirty, or under writeback (a clean cached page of a hole
	// reads as zeros, and is a hole, as ext4 says).
	cached := func(from int64) int64 {
		first := limit
		for _, tag := range []int{vfs.PAGECACHE_TAG_DIRTY, vfs.PAGECACHE_TAG_WRITEBACK} {
			if k, _ := vfs.FindGetFoliosTag(m, from, limit-1, tag, batch); k > 0 {
				first = min(first, batch[0].Index())
				vfs.FolioPut(batch[0])
			}
		}
		return first
	}
	for idx < limit {
		n.mu.Lock()
		onStore := n.ext.has(idx)
		nextData := n.ext.next(idx, true)
		nextHole := n.ext.next(idx, false)
		n.mu.Unlock()
		inCache := cached(idx) == idx
		if (onStore || inCache) == want {
			return idx
		}
		if want {
			// The next data is the nearer of the next extent and the
			// next cached page.
			c := cached(idx)
			if nextData < 0 {
				nextData = limit
			}
			idx = min(c, nextData)
			continue
		}
		// Looking for a hole: skip past the extent run, then check the
		// cache page by page (cached pages are bounded by the cache).
		if onStore {
			idx = nextHole
		} else {
			idx++
		}
	}
	return limit
}

// truncate is ext2_setsize(): i_size and the page cache (the VFS zeroes
// the tail of a partial last page and drops the pages past it, under
// invalidate_lock; a growing file has the old EOF page zeroed past the
// old size), then, unless the file grows, the pages past the end
// (fallocate's preallocation past EOF included) leave the extents and
// the data file is cut to the new size, so that no old byte can come
// back if the file grows again. The inode is dirty: ->write_inode
// records the size and extents.
func truncate(t *vfs.Task, in *vfs.Inode, size int64) error {
	si := info(in.SB())
	if err := si.check(); err != nil {
		return err
	}
	n := node(in)
	old := in.Size()
	var err error // the store's, once the change is made in memory
	vfs.TruncateSetsize(t, in, size)
	if size > old {
		zeroEOFTail(t, in, old)
	}
	if size <= old {
		from := (size + pageSize - 1) / pageSize
		n.mu.Lock()
		freed := n.ext.remove(from, 1<<62)
		df := n.data
		n.mu.Unlock()
		si.releaseBlocks(freed)
		if df == nil {
			df, err = n.dataFile()
		}
		if err == nil {
			err = Errno(df.Truncate(size))
		}
		// The extents are what the store's pages mean: the record
		// gets them whatever became of the data file (whose old
		// bytes past the size then stay there; the filesystem is
		// marked with errors).
		si.noteError(err)
		n.updateBlocks()
	}
	vfs.MarkInodeDirty(t, in, vfs.I_DIRTY_DATASYNC)
	if vfs.IsSync(in) {
		// -o sync: the new size is durable before truncate(2)
		// returns (ext2_setsize: inode_needs_sync, then
		// sync_inode_metadata).
		if serr := vfs.SyncInodeMetadata(t, in, true); err == nil {
			err = serr
		}
	}
	return err
}

// zeroEOFTail zeroes the cached page that held the old EOF, old, past
// it, once i_size has grown past old: a store through a shared mapping
// may have put bytes there while they were past EOF, and the extended
// file must read zeros there (ext4_setattr zeroes the partial EOF block
// of an extension, fs/ext4/inode.c; POSIX: the extended part reads as
// zeros). The store has zeros there already: writeback writes a page
// only up to i_size and truncate cuts the data file. A page that is not
// cached reads them from the store. i_rwsem held exclusive.
func zeroEOFTail(t *vfs.Task, in *vfs.Inode, old int64) {
	off := old % pageSize
	if off == 0 {
		return
	}
	fo := vfs.FilemapLockFolio(t, in.Mapping(), old/pageSize)
	if fo == nil {
		return
	}
	// Under the folio lock, which writeback holds while it copies the
	// page. A writeback since i_size grew may have copied the bytes to
	// the store: it is waited for, and the page, zeroed, is dirty again.
	vfs.FolioWaitWriteback(t, fo)
	if tail := fo.Data()[off:]; !allZero(tail) {
		clear(tail)
		vfs.FolioMarkDirty(t, fo)
	}
	vfs.FolioUnlock(t, fo)
	vfs.FolioPut(fo)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// evictPages drops the inode's pages at eviction
// (truncate_inode_pages_final), under invalidate_lock as every
// ->invalidate_folio call is.
func evictPages(t *vfs.Task, in *vfs.Inode) {
	m := in.Mapping()
	m.InvalidateLock(t)
	vfs.TruncateInodePages(t, m, 0)
	m.InvalidateUnlock(t)
}

// writeAndWait writes back and waits for an inode's dirty pages.
func writeAndWait(t *vfs.Task, in *vfs.Inode) {
	vfs.FilemapWriteAndWaitRange(t, in.Mapping(), 0, 1<<63-1)
}
