package vfs

// The emulated CPU: loads and stores through a mapping's page table, with
// a page fault (mmap_fault.go) whenever the entry is missing or, for a
// store, read-only.

// Load copies len(p) bytes at offset off of the mapping into p, as the
// task's loads would; Store copies p there. They return the bytes
// accessed and, if an access faulted fatally, a *FaultError: SIGSEGV
// outside the mapping's pages, against its protection (a store without
// PROT_WRITE, any access to PROT_NONE) or after munmap; SIGBUS for a page
// past the end of the file (after a truncate, say) or one whose read
// failed. ENOMEM if a fault ran out of memory. They run on the owning
// task's goroutine.
func (vma *Mapping) Load(off int64, p []byte) (int, error) { return vma.access(off, p, false) }

// Store: see Load.
func (vma *Mapping) Store(off int64, p []byte) (int, error) { return vma.access(off, p, true) }

func (vma *Mapping) access(off int64, p []byte, write bool) (int, error) {
	t := vma.mm.task
	done := 0
	for done < len(p) {
		cur := off + int64(done)
		switch {
		case cur < 0 || cur >= vma.npages<<PAGE_SHIFT:
			return done, &FaultError{SIGSEGV, cur, "outside the mapping"}
		case vma.dead.Load():
			return done, &FaultError{SIGSEGV, cur, "unmapped"}
		case write && vma.prot&PROT_WRITE == 0:
			return done, &FaultError{SIGSEGV, cur, "store to a mapping without PROT_WRITE"}
		case vma.prot&(PROT_READ|PROT_WRITE|PROT_EXEC) == 0:
			return done, &FaultError{SIGSEGV, cur, "access to a PROT_NONE mapping"}
		}
		i := cur >> PAGE_SHIFT
		po := int(cur & (PAGE_SIZE - 1))
		n := min(len(p)-done, PAGE_SIZE-po)
		if vma.copyPage(t, i, po, p[done:done+n], write) {
			done += n
			continue
		}
		if err := t.handleMMFault(vma, i, write); err != nil {
			if fe, ok := err.(*FaultError); ok {
				fe.Off = cur
			}
			return done, err
		}
	}
	return done, nil
}

// copyPage makes one access within page i of the mapping if its entry
// allows it, and reports whether it did. A page-cache page is copied
// with its folio locked, after checking under ptl that the entry still
// maps it (with write permission for a store): writeback's
// write-protection and truncation's zap happen under that lock too, so
// a store either lands before them or faults after. A private copy is
// written only by the one task whose writable PTE maps it; tasks sharing
// it after fork only read it.
func (vma *Mapping) copyPage(t *Task, i int64, po int, buf []byte, write bool) bool {
	vma.ptl.Lock(t.o)
	p := vma.ptep(i, false)
	if p == nil || p.bits&ptePresent == 0 || (write && p.bits&pteWrite == 0) {
		vma.ptl.Unlock(t.o)
		return false
	}
	fo := p.folio
	if p.bits&pteAnon != 0 {
		p.bits |= pteYoung
		if write {
			p.bits |= pteDirty
		}
		// The reference keeps a copy shared with a forked task from
		// being taken back writable by it (wp_page_reuse) while this
		// load reads it.
		folioGet(fo)
		vma.ptl.Unlock(t.o)
		copyData(fo, po, buf, write)
		FolioPut(fo)
		return true
	}
	vma.ptl.Unlock(t.o)
	FolioLock(t, fo)
	vma.ptl.Lock(t.o)
	p = vma.ptep(i, false)
	ok := p != nil && p.bits&ptePresent != 0 && p.folio == fo && (!write || p.bits&pteWrite != 0)
	if ok {
		p.bits |= pteYoung
		if write {
			p.bits |= pteDirty
		}
	}
	vma.ptl.Unlock(t.o)
	if ok {
		copyData(fo, po, buf, write)
	}
	FolioUnlock(t, fo)
	return ok
}

func copyData(fo *Folio, po int, buf []byte, write bool) {
	if write {
		copy(fo.data[po:], buf)
	} else {
		copy(buf, fo.data[po:])
	}
}
