package vfs

// fallocate(2) (fs/open.c vfs_fallocate) and the page-cache side of its
// modes for filesystems whose data lives in the page cache.

// FALLOC_FL_* modes of fallocate(2).
const (
	FALLOC_FL_KEEP_SIZE      = 0x01
	FALLOC_FL_PUNCH_HOLE     = 0x02
	FALLOC_FL_NO_HIDE_STALE  = 0x04
	FALLOC_FL_COLLAPSE_RANGE = 0x08
	FALLOC_FL_ZERO_RANGE     = 0x10
	FALLOC_FL_INSERT_RANGE   = 0x20
	FALLOC_FL_UNSHARE_RANGE  = 0x40
	FALLOC_FL_WRITE_ZEROES   = 0x80

	// FALLOC_FL_ALLOCATE_RANGE is the mode with no bit set.
	FALLOC_FL_ALLOCATE_RANGE = 0x00

	// FALLOC_FL_MODE_MASK holds the mode bits proper; KEEP_SIZE is a
	// flag beside them. Exactly one mode (or none: ALLOCATE_RANGE) may
	// be set.
	FALLOC_FL_MODE_MASK = FALLOC_FL_ALLOCATE_RANGE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |
		FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_WRITE_ZEROES
)

// Fallocate is fallocate(2).
//
// Errors, in the order vfs_fallocate checks them (Linux 6.11 on, with
// FALLOC_FL_WRITE_ZEROES from 6.17): EBADF (fd), EINVAL (offset < 0 or
// length <= 0), EOPNOTSUPP (a bit outside FALLOC_FL_MODE_MASK and
// KEEP_SIZE; more than one mode; PUNCH_HOLE without KEEP_SIZE;
// COLLAPSE_RANGE, INSERT_RANGE or WRITE_ZEROES with KEEP_SIZE), EBADF
// (not open for writing), EPERM (an append-only file and a mode other
// than KEEP_SIZE), ESPIPE (a FIFO), EISDIR, ENODEV (not a regular
// file), EFBIG (offset+length past s_maxbytes or overflowing),
// EOPNOTSUPP (no ->fallocate), then the filesystem's: it gets every
// well-formed mode and refuses the ones it does not do with EOPNOTSUPP
// (an allow-list, as each ->fallocate on Linux has).
func (t *Task) Fallocate(fd int, mode int, offset, length int64) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fallocate"))
	}
	f, err := t.fdget(fd) // O_PATH descriptors are EBADF (ksys_fallocate's fdget)
	if err != nil {
		return err
	}
	defer fput(t, f)
	return t.vfsFallocate(f, mode, offset, length)
}

// vfsFallocate is vfs_fallocate().
func (t *Task) vfsFallocate(f *File, mode int, offset, length int64) error {
	if offset < 0 || length <= 0 {
		return EINVAL
	}
	if mode&^(FALLOC_FL_MODE_MASK|FALLOC_FL_KEEP_SIZE) != 0 {
		return EOPNOTSUPP
	}
	// The modes are exclusive, though encoded as bits beside the
	// KEEP_SIZE flag; ALLOCATE_RANGE is no bit at all.
	switch mode & FALLOC_FL_MODE_MASK {
	case FALLOC_FL_ALLOCATE_RANGE, FALLOC_FL_UNSHARE_RANGE, FALLOC_FL_ZERO_RANGE:
	case FALLOC_FL_PUNCH_HOLE:
		if mode&FALLOC_FL_KEEP_SIZE == 0 {
			return EOPNOTSUPP
		}
	case FALLOC_FL_COLLAPSE_RANGE, FALLOC_FL_INSERT_RANGE, FALLOC_FL_WRITE_ZEROES:
		if mode&FALLOC_FL_KEEP_SIZE != 0 {
			return EOPNOTSUPP
		}
	default:
		return EOPNOTSUPP
	}
	if f.mode&FMODE_WRITE == 0 {
		return EBADF
	}
	in := f.inode
	if mode&^FALLOC_FL_KEEP_SIZE != 0 && IsAppend(in) {
		return EPERM
	}
	im := in.mode.Load()
	switch {
	case IsFifo(im):
		return ESPIPE
	case IsDir(im):
		return EISDIR
	case !IsReg(im) && im&S_IFMT != S_IFBLK:
		return ENODEV
	}
	if end := offset + length; end < 0 || end > in.sb.MaxBytes {
		return EFBIG
	}
	if f.fop == nil || f.fop.Fallocate == nil {
		return EOPNOTSUPP
	}
	sb := in.sb
	sbStartWrite(t, sb, SB_FREEZE_WRITE)
	err := t.fopFallocate(f, mode, offset, length)
	sbEndWrite(t, sb, SB_FREEZE_WRITE)
	return err
}

// FilemapFallocate does fallocate's modes on a mapping whose data exists
// only in the page cache (shmem_fallocate, plus ZERO_RANGE): mode 0 and
// KEEP_SIZE allocate zeroed pages for the holes of the range (undone if
// one cannot be had, but for those a fault made uptodate meanwhile), dirty but not uptodate, as shmem_fallocate leaves
// them: they are space, not data, so SEEK_DATA passes over them
// (MappingSeekHoleData) until a write or a fault makes them uptodate,
// and a read copies their zeros, PUNCH_HOLE removes the range's pages and zeroes the
// partial ends, ZERO_RANGE zeroes the range keeping it allocated. Without
// KEEP_SIZE, i_size grows to cover the range; any other mode is
// EOPNOTSUPP. account(n) is called with
// +n before n pages are made (an error, such as ENOSPC, stops the call)
// and with -n to give back n of those reservations when their pages
// were not kept (the undo after a failure); it is not called for the
// pages a hole punch removes, nor for a reservation whose page a fault
// made first: the caller recounts the mapping's pages afterwards, as
// shmem_recalc_inode does, since faults add pages without i_rwsem and a
// count taken around the call would include theirs. It takes i_rwsem
// exclusive. A mode other than PUNCH_HOLE whose range ends past i_size
// and past the task's RLIMIT_FSIZE is EFBIG (InodeNewsizeOk), KEEP_SIZE
// or not, as shmem_fallocate checks it. Every mode that succeeds ends as
// shmem_fallocate does, with file_modified (privileges dropped, mtime
// and ctime updated).
func FilemapFallocate(t *Task, f *File, mode int, offset, length int64, account func(pages int64) error) error {
	// The modes it does; the others (COLLAPSE_RANGE, INSERT_RANGE,
	// UNSHARE_RANGE, WRITE_ZEROES) are EOPNOTSUPP, not an allocation.
	if mode&^(FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE|FALLOC_FL_ZERO_RANGE) != 0 {
		return EOPNOTSUPP
	}
	in := f.inode
	m := &in.data
	in.rwsem.Lock(t.o)
	defer in.rwsem.Unlock(t.o)
	end := offset + length // exclusive
	if mode&FALLOC_FL_PUNCH_HOLE != 0 {
		TruncatePagecacheRange(t, in, offset, end-1)
		fileModified(t, in)
		return nil
	}
	// shmem_fallocate asks inode_newsize_ok even with KEEP_SIZE: the
	// task's RLIMIT_FSIZE bounds the space as well as the size.
	if err := InodeNewsizeOk(t, in, end); err != nil {
		return err
	}
	first, last := offset>>PAGE_SHIFT, (end-1)>>PAGE_SHIFT
	var added []int64
	// undo is shmem_undo_range(unfalloc): the pages this call added go
	// again, but not one a fault made uptodate meanwhile (faults take
	// invalidate_lock shared, not i_rwsem): it holds what a store through
	// a mapping put there. Only the removed pages' reservations are given
	// back; the kept ones are the inode's now.
	undo := func() {
		m.invalidateLock.Lock(t.o)
		removed := 0
		for _, idx := range added {
			if fo := FilemapLockFolio(t, m, idx); fo != nil {
				if !fo.Uptodate() {
					FolioWaitWriteback(t, fo)
					t.truncateFolio(m, fo)
					removed++
				}
				FolioUnlock(t, fo)
				FolioPut(fo)
			}
		}
		m.invalidateLock.Unlock(t.o)
		account(-int64(removed))
	}
	for idx := first; idx <= last; idx++ {
		fo := FilemapLockFolio(t, m, idx)
		if fo == nil {
			if err := account(1); err != nil {
				undo()
				return err
			}
			var err error
			fo, err = FilemapGrabFolio(t, m, idx, FGP_CREAT|FGP_LOCK)
			if err != nil {
				account(-1)
				undo()
				return err
			}
			if !fo.Uptodate() {
				added = append(added, idx)
			}
		} else if mode&FALLOC_FL_ZERO_RANGE != 0 {
			FolioWaitWriteback(t, fo)
			from, to := int64(0), int64(PAGE_SIZE)
			if idx == first {
				from = offset & (PAGE_SIZE - 1)
			}
			if idx == last {
				to = (end-1)&(PAGE_SIZE-1) + 1
			}
			clear(fo.data[from:to])
		}
		FolioMarkDirty(t, fo)
		FolioUnlock(t, fo)
		FolioPut(fo)
	}
	if mode&FALLOC_FL_KEEP_SIZE == 0 && end > in.size.Load() {
		iSizeWrite(t, in, end)
	}
	fileModified(t, in)
	return nil
}

// fileModified is file_modified(), with which shmem_fallocate ends every
// mode that succeeds: set-user-ID and set-group-ID dropped as a write
// drops them, then mtime and ctime to now. i_rwsem held exclusive.
func fileModified(t *Task, in *Inode) {
	FileRemovePrivs(t, in)
	fileUpdateTime(t, in)
}

// MappingSeekHoleData is mapping_seek_hole_data() for lseek's SEEK_DATA
// and SEEK_HOLE over a mapping whose data is its pages: a missing page
// is a hole, and so is a page that is not uptodate (one fallocate made
// and nothing wrote or faulted in since; folio_seek_hole_data takes such
// a folio for a hole when the mapping has no ->is_partially_uptodate).
// It returns the first data (or hole) offset at or after off, below
// isize. ENXIO if off is outside the file or no data follows it; a hole
// is always found, at isize at the latest.
func MappingSeekHoleData(m *AddressSpace, isize, off int64, whence int) (int64, error) {
	if off < 0 || off >= isize {
		return 0, ENXIO
	}
	last := (isize - 1) >> PAGE_SHIFT
	start := off >> PAGE_SHIFT
	if whence == SEEK_DATA {
		found := int64(-1)
		m.i_pages.find(start, last, -1, func(idx int64, f *Folio) bool {
			if !f.Uptodate() {
				return true
			}
			found = idx
			return false
		})
		if found < 0 {
			return 0, ENXIO
		}
		return max(found<<PAGE_SHIFT, off), nil
	}
	// The first index at or after start with no page or one that is not
	// uptodate.
	h := start
	m.i_pages.find(start, last, -1, func(idx int64, f *Folio) bool {
		if idx != h || !f.Uptodate() {
			return false
		}
		h++
		return true
	})
	if h > last {
		return isize, nil
	}
	return max(h<<PAGE_SHIFT, off), nil
}
