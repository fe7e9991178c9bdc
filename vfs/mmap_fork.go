package vfs

// dupMmap is dup_mmap(): the child n of fork gets a copy of t's mappings,
// each with a reference on its file, linked into the file's i_mmap, and
// told by ->open. A shared mapping's PTEs are not copied (the child
// faults the file's pages in, as copy_page_range skips such mappings); a
// private mapping's copies are shared with the child copy-on-write: both
// PTEs become read-only, and the first store on either side copies the
// page, or takes it back writable if nobody else maps it any more
// (wp_page_reuse). Both mmap_locks are held for write, the child's
// nested.
func (t *Task) dupMmap(n *Task) {
	mm := t.mm.Load()
	if mm == nil {
		return
	}
	nmm := n.mmOf()
	mm.mmapLock.Lock(t.o)
	nmm.mmapLock.LockNested(t.o, 1)
	nmm.nextAddr = mm.nextAddr
	for _, vma := range mm.vmas {
		nv := &Mapping{
			mm:      nmm,
			file:    fget(vma.file),
			mapping: vma.mapping,
			pgoff:   vma.pgoff,
			start:   vma.start,
			length:  vma.length,
			npages:  vma.npages,
			prot:    vma.prot,
			flags:   vma.flags,
			VMOps:   vma.VMOps,
			Private: vma.Private,
			tables:  make([]*pteTable, len(vma.tables)),
		}
		nv.ptl.Init(classPTL, 0)
		if !vma.shared() {
			// nv is not reachable by anyone else yet: its table is
			// filled under the parent's ptl only.
			vma.ptl.Lock(t.o)
			for ti, tb := range vma.tables {
				if tb == nil {
					continue
				}
				for k := range tb {
					p := &tb[k]
					if p.bits&(ptePresent|pteAnon) != ptePresent|pteAnon {
						continue
					}
					p.bits &^= pteWrite
					nv.setPteLocked(int64(ti)*ptesPerTable+int64(k), p.folio, p.bits&^pteWrite)
				}
			}
			vma.ptl.Unlock(t.o)
		}
		vmaLinkFile(t, nv)
		nmm.vmas = append(nmm.vmas, nv)
		if nv.VMOps.Open != nil {
			t.vmopOpen(nv)
		}
	}
	nmm.mmapLock.Unlock(t.o)
	mm.mmapLock.Unlock(t.o)
}
