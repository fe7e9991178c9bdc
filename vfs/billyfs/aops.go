package billyfs

import (
	"errors"
	"io"
	"os"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

// The data path: a regular file's pages live in the page cache; the
// address_space_operations below move them to and from the inode's data
// file on the store, page by page at page offsets (page i at i*4096).
// A page that is in no extent is a hole and reads as zeros without a
// store read. Dirty pages not yet on the store each hold a page of size=
// (delayed allocation, as ext4's delalloc), marked by delalloc in the
// folio's Private field (PG_private).

var aops = &vfs.AddressSpaceOperations{
	ReadFolio:       readFolio,
	Readahead:       readahead,
	WriteBegin:      writeBegin,
	WriteEnd:        writeEnd,
	DirtyFolio:      vfs.FilemapDirtyFolio,
	Writepage:       writepage,
	Writepages:      writepages,
	InvalidateFolio: invalidateFolio,
	ReleaseFolio:    releaseFolio,
	LaunderFolio:    launderFolio,
}

// delalloc is the Private of a dirty folio whose page holds a
// reservation of size= but no place on the store yet.
type delallocMark struct{}

var delalloc = &delallocMark{}

// setMapping makes the inode's page cache use billyfs's operations.
func setMapping(in *vfs.Inode) { in.Mapping().AOps = aops }

// dataFile returns the inode's data file, opened (created) at first use.
func (n *bnode) dataFile() (billy.File, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.data != nil {
		return n.data, nil
	}
	si := info(n.in.SB())
	if err := si.check(); err != nil {
		return nil, err
	}
	f, err := si.fs.OpenFile(dataPath(n.in.Ino()), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, Errno(err)
	}
	n.data = f
	// It may have just been made: its name in the data directory is
	// not durable until fsync flushes that directory.
	n.unsynced |= unsyncedDataName
	return f, nil
}

// readRun reads pages [idx, idx+len(buf)/pageSize) from the store into
// buf: one read of the data file for the run, then zeros for the pages in
// no extent and for the bytes past i_size (a truncated file's old bytes
// may still be in its data file).
func readRun(in *vfs.Inode, idx int64, buf []byte) error {
	n := node(in)
	si := info(in.SB())
	if err := si.check(); err != nil {
		return err
	}
	pages := len(buf) / pageSize
	size := in.Size()
	n.mu.Lock()
	has := make([]bool, pages)
	any := false
	for i := range has {
		has[i] = n.ext.has(idx+int64(i)) && (idx+int64(i))*pageSize < size
		any = any || has[i]
	}
	n.mu.Unlock()
	if any {
		f, err := n.dataFile()
		if err != nil {
			return err
		}
		si.storeReads.Add(int64(pages))
		got, err := f.ReadAt(buf, idx*pageSize)
		if err != nil && !errors.Is(err, io.EOF) {
			return Errno(err)
		}
		clear(buf[got:])
	}
	for i := range has {
		pos := (idx + int64(i)) * pageSize
		page := buf[i*pageSize : (i+1)*pageSize]
		switch {
		case !has[i]:
			clear(page)
		case pos+pageSize > size:
			clear(page[size-pos:])
		}
	}
	return nil
}

// readFolio is ->read_folio (ext2's mpage_read_folio): fill the locked
// folio, mark it uptodate, unlock it.
func readFolio(t *vfs.Task, f *vfs.File, folio *vfs.Folio) error {
	in := folio.Mapping().Host()
	err := readRun(in, folio.Index(), folio.Data()[:])
	if err == nil {
		vfs.FolioMarkUptodate(folio)
	} else {
		vfs.FolioSetError(folio)
	}
	vfs.FolioUnlock(t, folio)
	return err
}

// readahead is ->readahead (mpage_readahead): the batch in one read of
// the data file; each folio is marked uptodate (or left for ->read_folio
// on an error) and unlocked.
func readahead(t *vfs.Task, rac *vfs.ReadaheadControl) {
	if rac.Count() == 0 {
		return
	}
	// The store is read before any folio is taken: the validator (like
	// lockdep) allows one folio lock at a time, and the data goes into
	// each folio only under its lock.
	buf := make([]byte, rac.Count()*pageSize)
	err := readRun(rac.Mapping.Host(), rac.Index, buf)
	for i, f := 0, rac.Next(); f != nil; i, f = i+1, rac.Next() {
		if err == nil {
			copy(f.Data()[:], buf[i*pageSize:])
			vfs.FolioMarkUptodate(f)
		} else {
			vfs.FolioSetError(f)
		}
		vfs.FolioUnlock(t, f)
	}
}

// writeBegin is ->write_begin (ext4_da_write_begin): the folio locked; a
// page that is not uptodate is read in first unless the write covers it
// whole; a page not on the store reserves a page of size= (ENOSPC).
func writeBegin(t *vfs.Task, f *vfs.File, m *vfs.AddressSpace, pos int64, length int) (*vfs.Folio, error) {
	in := m.Host()
	n := node(in)
	si := info(in.SB())
	if err := si.check(); err != nil {
		return nil, err
	}
	idx := pos / pageSize
	folio, err := vfs.FilemapGrabFolio(t, m, idx, vfs.FGP_LOCK|vfs.FGP_CREAT)
	if err != nil {
		return nil, err
	}
	if folio.Private == nil {
		n.mu.Lock()
		onStore := n.ext.has(idx)
		n.mu.Unlock()
		if !onStore {
			if err := si.reserveBlocks(1); err != nil {
				vfs.FolioUnlock(t, folio)
				vfs.FolioPut(folio)
				return nil, err
			}
			vfs.FolioAttachPrivate(folio, delalloc)
			n.mu.Lock()
			n.reserved++
			n.mu.Unlock()
			n.updateBlocks()
		}
	}
	if !folio.Uptodate() && !(pos%pageSize == 0 && length == pageSize) {
		if err := readRun(in, idx, folio.Data()[:]); err != nil {
			vfs.FolioUnlock(t, folio)
			vfs.FolioPut(folio)
			return nil, err
		}
		vfs.FolioMarkUptodate(folio)
	}
	return folio, nil
}

// writeEnd is ->write_end (generic_write_end): the folio uptodate and
// dirty, i_size grown, the folio unlocked and released; the inode is
// marked dirty for a new size after the unlock.
func writeEnd(t *vfs.Task, f *vfs.File, m *vfs.AddressSpace, pos int64, length, copied int, folio *vfs.Folio) (int, error) {
	in := m.Host()
	if !folio.Uptodate() {
		if copied < pageSize {
			// A whole-page write that copied short: nothing valid.
			copied = 0
		} else {
			vfs.FolioMarkUptodate(folio)
		}
	}
	if copied > 0 {
		vfs.FolioMarkDirty(t, folio)
	}
	grew := false
	if end := pos + int64(copied); end > in.Size() {
		in.SetSize(end)
		grew = true
	}
	vfs.FolioUnlock(t, folio)
	vfs.FolioPut(folio)
	if grew {
		vfs.MarkInodeDirty(t, in, vfs.I_DIRTY_DATASYNC)
	}
	return copied, nil
}

// writeRun writes pages [start, start+len(privs)) to the store in one
// write: data holds them, the last possibly short (cut at i_size). The
// caller has set PG_writeback on them and cleared PG_dirty; it ends the
// writeback. A page that reaches the store joins the extents (and the
// inode is marked dirty so that ->write_inode records them); its
// reservation (privs[i] == delalloc) becomes its place.
func writeRun(t *vfs.Task, in *vfs.Inode, start int64, data []byte, privs []any) error {
	n := node(in)
	si := info(in.SB())
	n.dataMu.Lock() // the write and the extents together (allocate)
	err := si.check()
	var f billy.File
	if err == nil {
		f, err = n.dataFile()
	}
	if err == nil {
		err = writeFull(f, data, start*pageSize)
	}
	var release, charge int64
	anyAdded := false
	n.mu.Lock()
	for i, private := range privs {
		added := err == nil && n.ext.add(start+int64(i))
		anyAdded = anyAdded || added
		if private == delalloc {
			n.reserved--
		}
		switch {
		case err != nil && private == delalloc:
			release++
		case err == nil && added && private != delalloc:
			// A page dirtied without ->write_begin (through a
			// mapping): counted now, over the limit if need be.
			charge++
		case err == nil && !added && private == delalloc:
			release++
		}
	}
	n.mu.Unlock()
	n.dataMu.Unlock()
	si.noteError(err)
	si.releaseBlocks(release - charge)
	n.updateBlocks()
	if anyAdded {
		vfs.MarkInodeDirty(t, in, vfs.I_DIRTY_DATASYNC)
	}
	return err
}

// pageBytes is the part of a page below i_size.
func pageBytes(in *vfs.Inode, folio *vfs.Folio) int {
	l := in.Size() - folio.Pos()
	if l <= 0 {
		return 0
	}
	return int(min(l, pageSize))
}

// writepage is ->writepage (ext2_writepage): set writeback, zero the
// page past i_size, take a stable copy of the page, unlock, write it,
// end writeback; inside
// ->writepages the page joins the run instead (writepages.go). A page past
// i_size (truncated meanwhile) is dropped. The write completes before
// it returns, so its error goes back to the caller, which records it in
// the mapping's errseq (write_cache_pages: mapping_set_error) for fsync
// and close to report once.
func writepage(t *vfs.Task, folio *vfs.Folio, wbc *vfs.WritebackControl) error {
	in := folio.Mapping().Host()
	l := pageBytes(in, folio)
	vfs.FolioStartWriteback(t, folio)
	private := vfs.FolioDetachPrivate(folio)
	if l == 0 {
		// Past i_size (a truncate is removing it): nothing to write,
		// an I/O of no bytes.
		vfs.FolioUnlock(t, folio)
		dropReservation(in, private)
		vfs.FolioEndWriteback(t, folio)
		return nil
	}
	if l < pageSize {
		// The page holding EOF: the store gets the bytes below
		// i_size, and the cached page is made to agree, so that a
		// later extension shows zeros there whether it reads the
		// cache or the store (ext4_bio_write_folio's zeroing).
		clear(folio.Data()[l:])
	}
	if r := node(in).run.Load(); r != nil && r.t == t {
		// Inside ->writepages: the page joins the run, written when
		// the run ends (a bio submitted by mpage_writepages).
		return r.add(folio, l, private)
	}
	data := make([]byte, l)
	copy(data, folio.Data()[:l])
	vfs.FolioUnlock(t, folio)
	err := writeRun(t, in, folio.Index(), data, []any{private})
	vfs.FolioEndWriteback(t, folio)
	return err
}

// launderFolio is ->launder_folio: write a locked dirty folio now,
// keeping it locked (before an invalidation drops it).
func launderFolio(t *vfs.Task, folio *vfs.Folio) error {
	if !vfs.FolioClearDirtyForIO(t, folio) {
		return nil
	}
	in := folio.Mapping().Host()
	private := vfs.FolioDetachPrivate(folio)
	l := pageBytes(in, folio)
	if l == 0 {
		dropReservation(in, private)
		return nil
	}
	if l < pageSize {
		clear(folio.Data()[l:]) // as writepage does
	}
	vfs.FolioStartWriteback(t, folio)
	err := writeRun(t, in, folio.Index(), folio.Data()[:l], []any{private})
	vfs.FolioEndWriteback(t, folio)
	vfs.MappingSetError(folio.Mapping(), err)
	return err
}

// dropReservation gives back the page of size= a delalloc folio held.
func dropReservation(in *vfs.Inode, private any) {
	if private != delalloc {
		return
	}
	n := node(in)
	n.mu.Lock()
	n.reserved--
	n.mu.Unlock()
	info(in.SB()).releaseBlocks(1)
	n.updateBlocks()
}

// invalidateFolio is ->invalidate_folio: a folio leaving the cache whole
// (truncate, hole punch) gives back its reservation.
func invalidateFolio(t *vfs.Task, folio *vfs.Folio, offset, length int) {
	if offset == 0 && length >= pageSize {
		dropReservation(folio.Mapping().Host(), vfs.FolioDetachPrivate(folio))
	}
}

// releaseFolio is ->release_folio: a clean folio may go (and give back a
// reservation a write that copied nothing left); a dirty one may not.
func releaseFolio(t *vfs.Task, folio *vfs.Folio) bool {
	if folio.Dirty() || folio.Writeback() {
		return false
	}
	dropReservation(folio.Mapping().Host(), vfs.FolioDetachPrivate(folio))
	return true
}
