package tmpfs

import (
	"github.com/vfscope/vfscope/vfs"
)

var regFileOps = &vfs.FileOperations{
	Read:      vfs.GenericFileRead,
	Write:     vfs.GenericFileWrite,
	Llseek:    llseek,
	Fsync:     func(t *vfs.Task, f *vfs.File, start, end int64, datasync bool) error { return nil },
	Fallocate: fallocate,
	Mmap:      mmap,
	// shmem_file_open: tmpfs takes O_DIRECT on its regular files
	// (the data stays in the page cache, as shmem's direct I/O does).
	FopFlags: vfs.FOP_CAN_ODIRECT,
}

var dirFileOps = &vfs.FileOperations{
	Iterate: iterate,
	Llseek:  vfs.NoSeekEndLlseek, // offset_dir_llseek(): SEEK_SET and SEEK_CUR
	Fsync:   func(t *vfs.Task, f *vfs.File, start, end int64, datasync bool) error { return nil },
}

// shmemAops is shmem_aops: tmpfs's pages are the data itself. No
// ->read_folio (a missing page is a hole and reads as zeros), no
// ->writepage (pages stay dirty: there is nowhere to write them), and
// ->dirty_folio only sets the flag (they count as Shmem, not Dirty).
var shmemAops = &vfs.AddressSpaceOperations{
	WriteBegin: writeBegin,
	WriteEnd:   writeEnd,
	DirtyFolio: vfs.NoopDirtyFolio,
}

// writeBegin is shmem_write_begin() through shmem_get_folio_gfp(): the
// folio at pos if there is one; otherwise a page is charged against
// size= first (ENOSPC when full), then made (shmem_alloc_and_add_folio)
// and counted (recalc; if a racing fault or write made it meanwhile, or
// none was made, the same recalc gives the charge back). A new page is
// zeroed unless the write covers it all: tmpfs has no ->read_folio, the
// rest of a page past what was written is a hole.
func writeBegin(t *vfs.Task, f *vfs.File, m *vfs.AddressSpace, pos int64, n int) (*vfs.Folio, error) {
	idx := pos >> vfs.PAGE_SHIFT
	fgp := vfs.FGP_CREAT | vfs.FGP_LOCK
	if n == pageSize {
		fgp |= vfs.FGP_NODATA // the copy fills it all
	}
	for {
		if fo := vfs.FilemapLockFolio(t, m, idx); fo != nil {
			return fo, nil
		}
		if err := info(m.Host().SB()).reserveBlocks(1); err != nil {
			return nil, err
		}
		fo, err := vfs.FilemapCreateFolio(t, m, idx, fgp)
		recalc(m.Host(), 1)
		if err != vfs.EEXIST {
			return fo, err
		}
	}
}

// writeEnd is shmem_write_end(): the generic end, then i_blocks.
func writeEnd(t *vfs.Task, f *vfs.File, m *vfs.AddressSpace, pos int64, n, copied int, fo *vfs.Folio) (int, error) {
	c, err := vfs.SimpleWriteEnd(t, f, m, pos, n, copied, fo)
	setBlocks(m.Host())
	return c, err
}

// setBlocks sets i_blocks from the pages present (st_blocks counts
// allocated pages only: holes cost nothing).
func setBlocks(in *vfs.Inode) {
	in.SetBlocks(in.Mapping().NrPages() * (pageSize / 512))
}

// fallocate is shmem_fallocate(): KEEP_SIZE and PUNCH_HOLE, each page
// charged against size=. ZERO_RANGE is EOPNOTSUPP, as on Linux's tmpfs.
func fallocate(t *vfs.Task, f *vfs.File, mode int, off, length int64) error {
	if mode&^(vfs.FALLOC_FL_KEEP_SIZE|vfs.FALLOC_FL_PUNCH_HOLE) != 0 {
		return vfs.EOPNOTSUPP
	}
	in := f.Inode()
	c := charge{si: info(in.SB())}
	err := vfs.FilemapFallocate(t, f, mode, off, length, c.account)
	c.settle(in)
	return err
}

// llseek is shmem_file_llseek(): SEEK_DATA and SEEK_HOLE see the pages.
func llseek(t *vfs.Task, f *vfs.File, off int64, whence int) (int64, error) {
	if whence != vfs.SEEK_DATA && whence != vfs.SEEK_HOLE {
		return vfs.GenericFileLlseek(t, f, off, whence)
	}
	in := f.Inode()
	in.RwsemLockShared(t)
	defer in.RwsemUnlockShared(t)
	r, err := vfs.MappingSeekHoleData(in.Mapping(), in.Size(), off, whence)
	if err != nil {
		return 0, err
	}
	f.SetPos(r)
	return r, nil
}

// iterate is offset_readdir(): dots, then the entries from pos (dir.go).
func iterate(t *vfs.Task, f *vfs.File, ctx *vfs.DirContext) error {
	dirOf(f.Inode()).iterate(f, ctx)
	return nil
}

// mmap is shmem_mmap(): the page-cache vm_operations, with a fault that
// charges a hole's new page against size= (shmem_fault).
func mmap(t *vfs.Task, f *vfs.File, vma *vfs.Mapping) error {
	vfs.FileAccessed(t, f)
	vma.VMOps = shmemVMOps
	return nil
}

var shmemVMOps = &vfs.VMOperations{
	Fault: func(t *vfs.Task, vmf *vfs.VMFault) vfs.VMFaultT {
		in := vmf.VMA.AddrSpace().Host()
		c := charge{si: info(in.SB())}
		ret := vfs.FilemapFaultCharged(t, vmf, c.account)
		c.settle(in)
		return ret
	},
	MapPages:    vfs.FilemapMapPages,
	PageMkwrite: vfs.FilemapPageMkwrite,
}
