package billyfs

import (
	"github.com/vfscope/vfscope/vfs"
)

// mmap is ->mmap (ext4_file_mmap): the generic page-cache mapping, with
// billyfs's ->page_mkwrite.
func mmap(t *vfs.Task, f *vfs.File, vma *vfs.Mapping) error {
	if err := vfs.GenericFileMmap(t, f, vma); err != nil {
		return err
	}
	vma.VMOps = vmOps
	return nil
}

// vmOps are ext4_file_vm_ops: filemap_fault and filemap_map_pages, and
// ext4_page_mkwrite.
var vmOps = &vfs.VMOperations{
	Fault:       vfs.FilemapFault,
	MapPages:    vfs.FilemapMapPages,
	PageMkwrite: pageMkwrite,
}

// pageMkwrite is ext4_page_mkwrite for delayed allocation: a store to a
// page with no place on the store reserves one page of size= before the
// page is dirtied, as ->write_begin does for write(2), so that st_blocks
// and statfs count it at once and a full filesystem fails the store
// (VM_FAULT_SIGBUS from ENOSPC) instead of taking space it does not
// have at writeback. A page on the store, or already holding a
// reservation, takes none. Then filemap_page_mkwrite (times, the folio
// locked and dirtied, writeback waited for), and the reservation goes
// on the folio if it still needs it, else back.
func pageMkwrite(t *vfs.Task, vmf *vfs.VMFault) vfs.VMFaultT {
	fo := vmf.Folio
	in := vmf.VMA.AddrSpace().Host()
	n := node(in)
	si := info(in.SB())
	if si.check() != nil {
		return vfs.VM_FAULT_SIGBUS
	}
	idx := fo.Index()
	onStore := func() bool {
		n.mu.Lock()
		defer n.mu.Unlock()
		return n.ext.has(idx)
	}
	reserved := false
	if !onStore() {
		// Private is under the folio lock; the reservation is taken
		// without it (reserveBlocks is a leaf, but a wait for size=
		// must not hold a page lock) and given back below if the page
		// turns out to hold one already.
		vfs.FolioLock(t, fo)
		has := fo.Private == delalloc
		vfs.FolioUnlock(t, fo)
		if !has {
			if err := si.reserveBlocks(1); err != nil {
				return vfs.VM_FAULT_SIGBUS
			}
			reserved = true
		}
	}
	ret := vfs.FilemapPageMkwrite(t, vmf)
	if !reserved {
		return ret
	}
	if ret&vfs.VM_FAULT_LOCKED == 0 || fo.Private != nil || onStore() {
		// Truncated meanwhile, or written back or reserved by a
		// racing write.
		si.releaseBlocks(1)
		return ret
	}
	vfs.FolioAttachPrivate(fo, delalloc)
	n.mu.Lock()
	n.reserved++
	n.mu.Unlock()
	n.updateBlocks()
	return ret
}
