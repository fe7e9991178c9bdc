package vfs

import "github.com/vfscope/vfscope/vfs/lock"

// The wrappers through which the VFS calls address_space_operations and
// file_operations, each asserting its locking.rst row when lock
// validation is on (see calls.go).

// checkPageCacheRow adds to bad the page-cache cells of r that s breaks:
// the folio lock, the host's i_rwsem, the mapping's invalidate_lock.
func (t *Task) checkPageCacheRow(r *rule, s subjects, bad []string) []string {
	o := t.o
	if r.folioLocked == reqHeld && s.folio != nil && o.Holds(s.folio) == lock.Unheld {
		bad = append(bad, "folio "+itoa(s.folio.index)+" not locked by the caller, row says yes")
	}
	if s.m == nil {
		return bad
	}
	if r.mapRwsem == reqExclusive && s.m.host != nil && o.Holds(&s.m.host.rwsem) != lock.Exclusive {
		bad = append(bad, "i_rwsem of inode "+itoa(int64(inoOf(s.m.host)))+" not held exclusive, row says exclusive")
	}
	m := o.Holds(&s.m.invalidateLock)
	switch r.invalidateLock {
	case reqShared:
		if m == lock.Unheld {
			bad = append(bad, "invalidate_lock not held, row says shared")
		}
	case reqExclusive:
		if m != lock.Exclusive {
			bad = append(bad, "invalidate_lock held "+m.String()+", row says exclusive")
		}
	}
	return bad
}

// address_space_operations

func (t *Task) aopReadFolio(f *File, m *AddressSpace, folio *Folio) error {
	if t.checking() {
		return checked(t, "address_space_operations.read_folio", subjects{folio: folio, m: m}, func() error { return m.AOps.ReadFolio(t, f, folio) })
	}
	return m.AOps.ReadFolio(t, f, folio)
}

func (t *Task) aopReadahead(rac *ReadaheadControl) {
	if t.checking() {
		// The batch's folios are locked (PG_locked) with their locks
		// held by the I/O, not by t, until ReadaheadControl.Next hands
		// each over: the folio cell is not a lock t holds here.
		checked0(t, "address_space_operations.readahead", subjects{m: rac.Mapping}, func() { rac.Mapping.AOps.Readahead(t, rac) })
		return
	}
	rac.Mapping.AOps.Readahead(t, rac)
}

func (t *Task) aopWriteBegin(f *File, m *AddressSpace, pos int64, n int) (*Folio, error) {
	if t.checking() {
		return checked2(t, "address_space_operations.write_begin", subjects{m: m}, func() (*Folio, error) { return m.AOps.WriteBegin(t, f, m, pos, n) })
	}
	return m.AOps.WriteBegin(t, f, m, pos, n)
}

func (t *Task) aopWriteEnd(f *File, m *AddressSpace, pos int64, n, copied int, folio *Folio) (int, error) {
	if t.checking() {
		return checked2(t, "address_space_operations.write_end", subjects{folio: folio, m: m}, func() (int, error) { return m.AOps.WriteEnd(t, f, m, pos, n, copied, folio) })
	}
	return m.AOps.WriteEnd(t, f, m, pos, n, copied, folio)
}

func (t *Task) aopDirtyFolio(m *AddressSpace, folio *Folio) bool {
	if t.checking() {
		return checked(t, "address_space_operations.dirty_folio", subjects{folio: folio, m: m}, func() bool { return m.AOps.DirtyFolio(t, m, folio) })
	}
	return m.AOps.DirtyFolio(t, m, folio)
}

func (t *Task) aopWritepage(m *AddressSpace, folio *Folio, wbc *WritebackControl) error {
	if t.checking() {
		return checked(t, "address_space_operations.writepage", subjects{folio: folio, m: m}, func() error { return m.AOps.Writepage(t, folio, wbc) })
	}
	return m.AOps.Writepage(t, folio, wbc)
}

func (t *Task) aopWritepages(m *AddressSpace, wbc *WritebackControl) error {
	if t.checking() {
		return checked(t, "address_space_operations.writepages", subjects{m: m}, func() error { return m.AOps.Writepages(t, m, wbc) })
	}
	return m.AOps.Writepages(t, m, wbc)
}

func (t *Task) aopInvalidateFolio(m *AddressSpace, folio *Folio, off, n int) {
	if t.checking() {
		checked0(t, "address_space_operations.invalidate_folio", subjects{folio: folio, m: m}, func() { m.AOps.InvalidateFolio(t, folio, off, n) })
		return
	}
	m.AOps.InvalidateFolio(t, folio, off, n)
}

func (t *Task) aopReleaseFolio(m *AddressSpace, folio *Folio) bool {
	if t.checking() {
		return checked(t, "address_space_operations.release_folio", subjects{folio: folio, m: m}, func() bool { return m.AOps.ReleaseFolio(t, folio) })
	}
	return m.AOps.ReleaseFolio(t, folio)
}

func (t *Task) aopFreeFolio(m *AddressSpace, folio *Folio) {
	if t.checking() {
		checked0(t, "address_space_operations.free_folio", subjects{folio: folio, m: m}, func() { m.AOps.FreeFolio(folio) })
		return
	}
	m.AOps.FreeFolio(folio)
}

func (t *Task) aopLaunderFolio(m *AddressSpace, folio *Folio) error {
	if t.checking() {
		return checked(t, "address_space_operations.launder_folio", subjects{folio: folio, m: m}, func() error { return m.AOps.LaunderFolio(t, folio) })
	}
	return m.AOps.LaunderFolio(t, folio)
}

func (t *Task) aopIsPartiallyUptodate(m *AddressSpace, folio *Folio, from, n int) bool {
	if t.checking() {
		return checked(t, "address_space_operations.is_partially_uptodate", subjects{folio: folio, m: m}, func() bool { return m.AOps.IsPartiallyUptodate(t, folio, from, n) })
	}
	return m.AOps.IsPartiallyUptodate(t, folio, from, n)
}

// file_operations

func (t *Task) fopOpen(in *Inode, f *File) error {
	if t.checking() {
		return checked(t, "file_operations.open", subjects{}, func() error { return f.fop.Open(t, in, f) })
	}
	return f.fop.Open(t, in, f)
}

func (t *Task) fopRelease(f *File) error {
	if t.checking() {
		return checked(t, "file_operations.release", subjects{}, func() error { return f.fop.Release(t, f.inode, f) })
	}
	return f.fop.Release(t, f.inode, f)
}

func (t *Task) fopFlush(f *File) error {
	if t.checking() {
		return checked(t, "file_operations.flush", subjects{}, func() error { return f.fop.Flush(t, f) })
	}
	return f.fop.Flush(t, f)
}

func (t *Task) fopRead(f *File, p []byte, pos *int64) (int, error) {
	if t.checking() {
		return checked2(t, "file_operations.read", subjects{}, func() (int, error) { return f.fop.Read(t, f, p, pos) })
	}
	return f.fop.Read(t, f, p, pos)
}

func (t *Task) fopReadIter(f *File, iov [][]byte, count int, pos *int64) (int, error) {
	if t.checking() {
		return checked2(t, "file_operations.read_iter", subjects{}, func() (int, error) { return f.fop.ReadIter(t, f, iov, count, pos) })
	}
	return f.fop.ReadIter(t, f, iov, count, pos)
}

func (t *Task) fopWrite(f *File, p []byte, pos *int64) (int, error) {
	if t.checking() {
		return checked2(t, "file_operations.write", subjects{}, func() (int, error) { return f.fop.Write(t, f, p, pos) })
	}
	return f.fop.Write(t, f, p, pos)
}

func (t *Task) fopLlseek(f *File, off int64, whence int) (int64, error) {
	if t.checking() {
		return checked2(t, "file_operations.llseek", subjects{}, func() (int64, error) { return f.fop.Llseek(t, f, off, whence) })
	}
	return f.fop.Llseek(t, f, off, whence)
}

func (t *Task) fopIterate(f *File, ctx *DirContext) error {
	if t.checking() {
		defer t.leave(t.enter("file_operations.iterate_shared", subjects{inode: f.inode}))
		// f_pos_lock held exclusively, as the row's prose says (it is
		// not one of locking.rst's columns).
		if v := t.vfs; v.validator != nil && t.o.Holds(&f.posLock) != lock.Exclusive {
			v.rules.mu.Lock()
			v.rules.violations = append(v.rules.violations, "file_operations.iterate_shared called by "+t.o.Name()+": f_pos_lock not held exclusive")
			v.rules.mu.Unlock()
		}
	}
	return f.fop.Iterate(t, f, ctx)
}

func (t *Task) fopFsync(f *File, start, end int64, datasync bool) error {
	if t.checking() {
		return checked(t, "file_operations.fsync", subjects{}, func() error { return f.fop.Fsync(t, f, start, end, datasync) })
	}
	return f.fop.Fsync(t, f, start, end, datasync)
}

func (t *Task) fopFadvise(f *File, off, n int64, advice int) error {
	if t.checking() {
		return checked(t, "file_operations.fadvise", subjects{}, func() error { return f.fop.Fadvise(t, f, off, n, advice) })
	}
	return f.fop.Fadvise(t, f, off, n, advice)
}

func (t *Task) fopFallocate(f *File, mode int, off, n int64) error {
	if t.checking() {
		return checked(t, "file_operations.fallocate", subjects{}, func() error { return f.fop.Fallocate(t, f, mode, off, n) })
	}
	return f.fop.Fallocate(t, f, mode, off, n)
}
