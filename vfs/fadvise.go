package vfs

// fadvise64(2) (mm/fadvise.c): advice about a file's future reads,
// which the page cache takes as Linux's does.

// posix_fadvise(2) advice (include/uapi/linux/fadvise.h).
const (
	POSIX_FADV_NORMAL     = 0
	POSIX_FADV_RANDOM     = 1
	POSIX_FADV_SEQUENTIAL = 2
	POSIX_FADV_WILLNEED   = 3
	POSIX_FADV_DONTNEED   = 4
	POSIX_FADV_NOREUSE    = 5
)

// Fadvise is fadvise64_64(2) (posix_fadvise(3) returns its errno).
// offset and length name a byte range; length 0 means to the end of the
// file.
//
// Errors: EBADF (fd, or a descriptor opened O_PATH), then the file's
// ->fadvise, or GenericFadvise's: ESPIPE for a FIFO, EINVAL for a
// negative length or an unknown advice.
func (t *Task) Fadvise(fd int, offset, length int64, advice int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fadvise64"))
	}
	f, err := t.fdget(fd) // ksys_fadvise64_64's fdget: O_PATH is EBADF
	if err != nil {
		return err
	}
	defer fput(t, f)
	// vfs_fadvise
	if f.fop != nil && f.fop.Fadvise != nil {
		return t.fopFadvise(f, offset, length, advice)
	}
	return GenericFadvise(t, f, offset, length, advice)
}

// GenericFadvise is generic_fadvise(), ->fadvise for a filesystem that
// keeps its data in the page cache:
//
//   - NORMAL: the backing device's readahead window, FMODE_RANDOM and
//     FMODE_NOREUSE cleared;
//   - RANDOM: FMODE_RANDOM, so that reads read just what they ask for;
//   - SEQUENTIAL: twice the device's window, FMODE_RANDOM cleared;
//   - WILLNEED: the range read now (force_page_cache_readahead: no more
//     than the larger of the window and the device's I/O size);
//   - DONTNEED: the range's dirty pages written (WB_SYNC_NONE), then its
//     whole pages that are clean, unmapped and idle dropped; a partial
//     page at either end stays, unless the range ends at the end of the
//     file;
//   - NOREUSE: FMODE_NOREUSE.
//
// A file on a filesystem without a backing device (tmpfs, procfs: Linux's
// noop_backing_dev_info) takes every valid advice and does nothing.
// Errors: ESPIPE for a FIFO, EINVAL for a negative length or an unknown
// advice.
func GenericFadvise(t *Task, f *File, offset, length int64, advice int) error {
	in := f.inode
	if IsFifo(in.mode.Load()) {
		return ESPIPE
	}
	m := &in.data
	if length < 0 {
		return EINVAL
	}
	if advice < POSIX_FADV_NORMAL || advice > POSIX_FADV_NOREUSE {
		return EINVAL
	}
	if bdiRaPages(m) == 0 {
		return nil // noop_backing_dev_info: the advice is ignored
	}
	// The last byte of the range, inclusive; length 0, or a range
	// past the largest offset, goes to the end.
	endbyte := int64(maxLoffT)
	if e := uint64(offset) + uint64(length); length != 0 && e >= uint64(length) && e-1 <= maxLoffT {
		endbyte = int64(e - 1)
	}
	switch advice {
	case POSIX_FADV_NORMAL:
		f.ra.bits.And(^uint32(fadvSeq | FMODE_RANDOM | FMODE_NOREUSE))
	case POSIX_FADV_RANDOM:
		f.ra.bits.Or(FMODE_RANDOM)
	case POSIX_FADV_SEQUENTIAL:
		// ra_pages = bdi->ra_pages * 2; FMODE_RANDOM cleared.
		for {
			old := f.ra.bits.Load()
			if f.ra.bits.CompareAndSwap(old, old&^FMODE_RANDOM|fadvSeq) {
				break
			}
		}
	case POSIX_FADV_WILLNEED:
		// First and last partial page. An offset that is negative is,
		// as Linux's unsigned page index, past every page.
		if offset < 0 {
			break
		}
		start, end := offset>>PAGE_SHIFT, endbyte>>PAGE_SHIFT
		t.forcePageCacheRA(f, m, start, end-start+1)
	case POSIX_FADV_DONTNEED:
		// A write error goes to the mapping (fsync reports it), not
		// here: Linux ignores __filemap_fdatawrite_range's result. A
		// negative offset writes nothing there (its first index is
		// past every page).
		if offset >= 0 {
			_ = filemapFdatawriteRange(t, m, offset, endbyte, WB_SYNC_NONE)
		}
		// First and last whole page: a partial page may still be
		// needed, unless it ends the file. The first is rounded up in
		// unsigned arithmetic, as Linux's pgoff_t: an offset within a
		// page below 0 starts at page 0, one further down (or near
		// the largest offset) past every page.
		start := int64((uint64(offset) + PAGE_SIZE - 1) >> PAGE_SHIFT)
		end := endbyte >> PAGE_SHIFT
		if endbyte&(PAGE_SIZE-1) != PAGE_SIZE-1 && endbyte != in.size.Load()-1 {
			if end == 0 {
				break
			}
			end--
		}
		if end >= start {
			// Folios still in another task's lru_add batch hold its
			// reference and would stay: Linux drains every CPU's
			// batch when the first try fails; draining them first
			// gives the same result.
			t.vfs.lruAddDrainAll()
			InvalidateMappingPages(t, m, start, end)
		}
	case POSIX_FADV_NOREUSE:
		f.ra.bits.Or(FMODE_NOREUSE)
	}
	return nil
}

// maxLoffT is LLONG_MAX, the largest file offset.
const maxLoffT = 1<<63 - 1
