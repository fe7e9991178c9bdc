package billyfs

import (
	"github.com/vfscope/vfscope/vfs"
)

// fallocate is ext4_fallocate() for the modes billyfs has: mode 0 and
// KEEP_SIZE allocate the range's pages on the store (zeros where there
// was a hole; i_size grows without KEEP_SIZE), PUNCH_HOLE makes the
// range a hole (whole pages leave the page cache and the extents, the
// partial ends are zeroed through the page cache), ZERO_RANGE punches
// and allocates. COLLAPSE_RANGE, INSERT_RANGE and UNSHARE_RANGE are
// EOPNOTSUPP. Allocation counts against size= first (ENOSPC changes
// nothing). Takes i_rwsem exclusive.
func fallocate(t *vfs.Task, f *vfs.File, mode int, offset, length int64) error {
	if mode&(vfs.FALLOC_FL_COLLAPSE_RANGE|vfs.FALLOC_FL_INSERT_RANGE|vfs.FALLOC_FL_UNSHARE_RANGE) != 0 {
		return vfs.EOPNOTSUPP
	}
	in := f.Inode()
	if err := info(in.SB()).check(); err != nil {
		return err
	}
	in.RwsemLock(t)
	defer in.RwsemUnlock(t)
	end := offset + length
	keep := mode&vfs.FALLOC_FL_KEEP_SIZE != 0
	var err error
	switch {
	case mode&vfs.FALLOC_FL_PUNCH_HOLE != 0:
		err = punchHole(t, f, in, offset, end)
	case mode&vfs.FALLOC_FL_ZERO_RANGE != 0:
		if err = punchHole(t, f, in, offset, end); err == nil {
			err = allocate(t, in, offset, end, keep)
		}
	default:
		err = allocate(t, in, offset, end, keep)
	}
	if err == nil {
		now := t.VFS().Now()
		in.SetMtime(now)
		in.SetCtime(now)
		vfs.MarkInodeDirty(t, in, vfs.I_DIRTY_DATASYNC)
	}
	return err
}

// punchHole makes [start, end) below i_size read as zeros: the partial
// pages at either end are zeroed in the page cache and dirtied (so the
// store gets the zeros too), the whole pages between are dropped from
// the cache and from the extents. i_rwsem held exclusive.
func punchHole(t *vfs.Task, f *vfs.File, in *vfs.Inode, start, end int64) error {
	end = min(end, in.Size())
	if start >= end {
		return nil
	}
	first := (start + pageSize - 1) / pageSize // first whole page
	last := end / pageSize                     // after the last whole page
	if first > last {
		// Inside one page.
		return zeroInPage(t, f, in, start, end-start)
	}
	if start%pageSize != 0 {
		if err := zeroInPage(t, f, in, start, first*pageSize-start); err != nil {
			return err
		}
	}
	if end%pageSize != 0 {
		if err := zeroInPage(t, f, in, last*pageSize, end-last*pageSize); err != nil {
			return err
		}
	}
	if first < last {
		vfs.TruncatePagecacheRange(t, in, first*pageSize, last*pageSize-1)
		n := node(in)
		n.mu.Lock()
		freed := n.ext.remove(first, last)
		n.mu.Unlock()
		info(in.SB()).releaseBlocks(freed)
		n.updateBlocks()
	}
	return nil
}

// zeroInPage zeroes n bytes at pos, within one page, through the page
// cache: a page that is a hole (on the store and in the cache) is left.
func zeroInPage(t *vfs.Task, f *vfs.File, in *vfs.Inode, pos, n int64) error {
	m := in.Mapping()
	idx := pos / pageSize
	node(in).mu.Lock()
	onStore := node(in).ext.has(idx)
	node(in).mu.Unlock()
	if !onStore {
		if fo := vfs.FilemapGetFolio(m, idx); fo != nil {
			vfs.FolioPut(fo)
		} else {
			return nil
		}
	}
	folio, err := writeBegin(t, f, m, pos, int(n))
	if err != nil {
		return err
	}
	off := pos % pageSize
	clear(folio.Data()[off : off+n])
	_, err = writeEnd(t, f, m, pos, int(n), int(n), folio)
	return err
}

// zeroRun is the source of allocate's zeros.
var zeroRun = make([]byte, 64*pageSize)

// allocate gives every page of [start, end) a place on the store:
// pages that are holes get zeros in the data file (a dirty page waiting
// for writeback already holds a reservation and keeps it). Without keep,
// i_size grows to end. i_rwsem held exclusive.
func allocate(t *vfs.Task, in *vfs.Inode, start, end int64, keep bool) error {
	n := node(in)
	si := info(in.SB())
	m := in.Mapping()
	first, last := start/pageSize, (end+pageSize-1)/pageSize
	var need []int64
	for idx := first; idx < last; idx++ {
		n.mu.Lock()
		has := n.ext.has(idx)
		n.mu.Unlock()
		if has {
			continue
		}
		if fo := vfs.FilemapLockFolio(t, m, idx); fo != nil {
			delayed := fo.Private == delalloc
			vfs.FolioUnlock(t, fo)
			vfs.FolioPut(fo)
			if delayed {
				continue
			}
		}
		need = append(need, idx)
	}
	if err := si.reserveBlocks(int64(len(need))); err != nil {
		return err
	}
	df, err := n.dataFile()
	if err != nil {
		si.releaseBlocks(int64(len(need)))
		return err
	}
	for i := 0; i < len(need); {
		// A run of consecutive pages, at most len(zeroRun) long.
		j := i + 1
		for j < len(need) && need[j] == need[j-1]+1 && (j-i)*pageSize < len(zeroRun) {
			j++
		}
		if err := writeFull(df, zeroRun[:(j-i)*pageSize], need[i]*pageSize); err != nil {
			si.releaseBlocks(int64(len(need) - i))
			n.updateBlocks()
			return err
		}
		n.mu.Lock()
		for _, idx := range need[i:j] {
			n.ext.add(idx)
		}
		n.mu.Unlock()
		i = j
	}
	n.updateBlocks()
	if !keep && end > in.Size() {
		in.SetSize(end)
	}
	return nil
}
