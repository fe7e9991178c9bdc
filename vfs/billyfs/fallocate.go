package billyfs

import (
	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

// fallocate is ext4_fallocate() for the modes billyfs has: mode 0 and
// KEEP_SIZE allocate the range's pages on the store (zeros where there
// was a hole; i_size grows without KEEP_SIZE), PUNCH_HOLE makes the
// range a hole (whole pages leave the page cache and the extents, the
// partial ends are zeroed through the page cache), ZERO_RANGE punches
// and allocates. COLLAPSE_RANGE, INSERT_RANGE, UNSHARE_RANGE and
// WRITE_ZEROES are EOPNOTSUPP. Allocation counts against size= first (ENOSPC changes
// nothing). Takes i_rwsem exclusive; privileges are removed first, as
// for a write (FileRemovePrivs).
func fallocate(t *vfs.Task, f *vfs.File, mode int, offset, length int64) error {
	if mode&^(vfs.FALLOC_FL_KEEP_SIZE|vfs.FALLOC_FL_PUNCH_HOLE|vfs.FALLOC_FL_ZERO_RANGE) != 0 {
		return vfs.EOPNOTSUPP
	}
	in := f.Inode()
	if err := info(in.SB()).check(); err != nil {
		return err
	}
	in.RwsemLock(t)
	defer in.RwsemUnlock(t)
	// file_modified, as ext4_do_fallocate and ext4_punch_hole call it
	// before they change anything: set-user-ID, set-group-ID and file
	// capabilities go as for a write.
	vfs.FileRemovePrivs(t, in)
	end := offset + length
	keep := mode&vfs.FALLOC_FL_KEEP_SIZE != 0
	// inode_newsize_ok, as ext4_do_fallocate and ext4_zero_range ask it
	// for a range that grows the file: RLIMIT_FSIZE and s_maxbytes.
	// With KEEP_SIZE (and for a punched hole) the size stays.
	if !keep && mode&vfs.FALLOC_FL_PUNCH_HOLE == 0 {
		if err := vfs.InodeNewsizeOk(t, in, end); err != nil {
			return err
		}
	}
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

// punchHole makes [start, end) read as zeros: the partial pages at
// either end are zeroed in the page cache and dirtied (so the store gets
// the zeros too), the whole pages between are dropped from the cache and
// from the extents. Nothing is punched from i_size on, and a range that
// goes past i_size ends with the page that holds it, which goes whole
// (ext4_punch_hole: end = round_up(i_size, PAGE_SIZE)), so that its
// block is freed too. i_rwsem held exclusive.
func punchHole(t *vfs.Task, f *vfs.File, in *vfs.Inode, start, end int64) error {
	size := in.Size()
	if start >= size {
		return nil
	}
	if end > size {
		end = (size + pageSize - 1) / pageSize * pageSize
	}
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
		// Up to i_size at most: the page's bytes past it are zeros
		// already, and a write there would move i_size.
		if err := zeroInPage(t, f, in, start, min(first*pageSize, size)-start); err != nil {
			return err
		}
	}
	if end%pageSize != 0 {
		if err := zeroInPage(t, f, in, last*pageSize, end-last*pageSize); err != nil {
			return err
		}
	}
	if first < last {
		// invalidate_lock is held from before the pages leave the
		// cache until after they leave the extents (ext4_punch_hole:
		// filemap_invalidate_lock around truncate_pagecache_range and
		// ext4_ext_remove_space), so that no read or fault fills a
		// page from an extent about to go, to be read or written back.
		m := in.Mapping()
		m.InvalidateLock(t)
		vfs.TruncateInodePagesRange(t, m, first*pageSize, last*pageSize-1)
		if punchHook != nil {
			punchHook()
		}
		n := node(in)
		n.mu.Lock()
		freed := n.ext.remove(first, last)
		n.mu.Unlock()
		m.InvalidateUnlock(t)
		info(in.SB()).releaseBlocks(freed)
		n.updateBlocks()
	}
	return nil
}

// punchHook and allocateHook, nil outside tests, run inside the windows
// the tests of the races with hole punching and with writeback look
// into: after the page cache is truncated and before the extents change,
// and after allocate chose the holes and before it writes zeros there.
var punchHook, allocateHook func()

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
//
// Writeback takes no i_rwsem: a page dirtied through a shared mapping
// may reach the store while allocate works. So the pages found to be
// holes are looked at again under dataMu, which writeback holds from its
// write to the store until the pages join the extents, and only those
// still in no extent get zeros, under the same hold (ext4_map_blocks
// under i_data_sem allocates only blocks still unmapped, and never
// writes over blocks writeback allocated).
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
	var added int64 // pages of need that joined the extents here
	defer func() {
		// The reservations of pages writeback put on the store
		// meanwhile, or left by an error, go back.
		si.releaseBlocks(int64(len(need)) - added)
		n.updateBlocks()
	}()
	df, err := n.dataFile()
	if err != nil {
		return err
	}
	if allocateHook != nil {
		allocateHook()
	}
	for i := 0; i < len(need); {
		// A chunk of consecutive pages, at most len(zeroRun) long.
		j := i + 1
		for j < len(need) && need[j] == need[j-1]+1 && (j-i)*pageSize < len(zeroRun) {
			j++
		}
		k, err := n.zeroHoles(df, need[i], need[j-1]+1)
		added += k
		if err != nil {
			return err
		}
		i = j
	}
	if !keep && end > in.Size() {
		in.SetSize(end)
	}
	return nil
}

// zeroHoles writes zeros to the pages of [from, to) that are in no
// extent, under dataMu, and adds them to the extents; it returns how
// many it added. to-from is at most len(zeroRun) pages.
func (n *bnode) zeroHoles(df billy.File, from, to int64) (int64, error) {
	n.dataMu.Lock()
	defer n.dataMu.Unlock()
	var added int64
	for idx := from; idx < to; {
		n.mu.Lock()
		hole := n.ext.next(idx, false)
		n.mu.Unlock()
		if hole >= to {
			break
		}
		n.mu.Lock()
		data := n.ext.next(hole, true)
		n.mu.Unlock()
		stop := to
		if data >= 0 && data < to {
			stop = data
		}
		if err := writeFull(df, zeroRun[:(stop-hole)*pageSize], hole*pageSize); err != nil {
			return added, err
		}
		n.mu.Lock()
		for p := hole; p < stop; p++ {
			n.ext.add(p)
		}
		n.mu.Unlock()
		added += stop - hole
		idx = stop
	}
	return added, nil
}
