package vfs

// dupMmap is dup_mmap(): the child n of fork gets a copy of t's mappings,
// each with a reference on its file, linked into the file's i_mmap, and
// told by ->open. A shared mapping's PTEs are not copied (the child
// faults the file's pages in, as copy_page_range skips such mappings); a
// private mapping's copies are shared with the child copy-on-write: both
// PTEs become read-only, and the first store on either side copies the
// page, or takes it back writable if nobody else maps it any more
// (wp_page_reuse). Both mmap_locks are held for write, the child's
// nested. Each child mapping is in i_mmap, after its parent's, before
// its PTEs are copied, so that a truncation never misses a copy.
func (t *Task) dupMmap(n *Task) {
	mm := t.mm.Load()
	if mm == nil {
		return
	}
	nmm := n.mmOf()
	mm.mmapLock.Lock(t.o)
	nmm.mmapLock.LockNested(t.o, 1)
	nmm.freeCache, nmm.cachedHole = mm.freeCache, mm.cachedHole
	for _, vma := range mm.vmas {
		nv := &Mapping{
			mm:       nmm,
			file:     fget(vma.file),
			mapping:  vma.mapping,
			pgoff:    vma.pgoff,
			start:    vma.start,
			length:   vma.length,
			npages:   vma.npages,
			prot:     vma.prot,
			flags:    vma.flags,
			vmShared: vma.vmShared,
			locked:   false, // VM_LOCKED is not inherited (dup_mmap clears it)
			VMOps:    vma.VMOps,
			Private:  vma.Private,
			pt:       newPageTable(vma.npages),
		}
		nv.ptl.Init(classPTL, 0)
		// Linked right after the parent's mapping before any PTE is
		// copied (vma_interval_tree_insert_after before
		// copy_page_range): a truncation's walk of i_mmap either
		// ends before nv is linked, and then it zapped the parent's
		// entries before they could be copied, or visits the parent
		// and then nv, and zaps the copies in both.
		vmaLinkFileAfter(t, nv, vma)
		nmm.vmas = append(nmm.vmas, nv)
		if nv.VMOps.Open != nil {
			t.vmopOpen(nv)
		}
		if !vma.shared() {
			// copy_pte_range: the child's ptl, then the parent's
			// nested.
			nv.ptl.Lock(t.o)
			vma.ptl.LockNested(t.o, 1)
			vma.pt.forEach(0, vma.npages-1, func(base int64, tb *pteTable) {
				for k := range tb {
					p := &tb[k]
					if p.bits&(ptePresent|pteAnon) != ptePresent|pteAnon {
						continue
					}
					p.bits &^= pteWrite
					nv.setPteLocked(base+int64(k), p.folio, p.bits&^pteWrite)
				}
			})
			vma.ptl.Unlock(t.o)
			nv.ptl.Unlock(t.o)
			if dupMmapCopiedHook != nil {
				dupMmapCopiedHook()
			}
		}
	}
	nmm.mmapLock.Unlock(t.o)
	mm.mmapLock.Unlock(t.o)
}

// dupMmapCopiedHook, nil outside tests, runs inside the window the test
// of fork racing truncation looks into: after a private mapping's PTEs
// were copied into the child's.
var dupMmapCopiedHook func()
