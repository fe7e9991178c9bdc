package vfs_test

import (
	"sort"
	"sync"

	"github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// pcfs is a disk-like filesystem for the page-cache tests: one flat
// directory whose files' data lives in a backing store (a map of byte
// slices) reached only through address_space_operations, so clean,
// dirty, writeback and readahead mean something. It counts every aop
// call and records the readahead batches.
type pcfs struct {
	mu    sync.Mutex // protects everything below; a leaf lock
	store map[uint64][]byte
	calls map[string]int
	// raBatches are the sizes of the ->readahead batches, in order.
	raBatches []int
	// failRead makes ->read_folio and ->readahead fail with EIO.
	failRead bool
	// fallocAccount, if set, is ->fallocate's account callback (see
	// vfs.FilemapFallocate); unset, every reservation succeeds.
	fallocAccount func(pages int64) error
}

func newPCFS() *pcfs {
	return &pcfs{store: map[uint64][]byte{}, calls: map[string]int{}}
}

func (p *pcfs) count(op string) {
	p.mu.Lock()
	p.calls[op]++
	p.mu.Unlock()
}

// Calls returns a copy of the call counts.
func (p *pcfs) Calls() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.calls {
		out[k] = v
	}
	return out
}

func (p *pcfs) batches() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int(nil), p.raBatches...)
}

// storeBytes returns a copy of the stored data of ino.
func (p *pcfs) storeBytes(ino uint64) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]byte(nil), p.store[ino]...)
}

func (p *pcfs) register(t *vfs.Task, v *vfs.VFS) error {
	fst := &vfs.FileSystemType{
		Name: "pcfs",
		Mount: func(t *vfs.Task, fst *vfs.FileSystemType, flags uint32, dev, data string) (*vfs.Dentry, error) {
			return vfs.MountNodev(t, fst, flags, data, func(t *vfs.Task, sb *vfs.SuperBlock, data string) error {
				sb.MaxBytes = 1 << 40
				sb.Blocksize = vfs.PAGE_SIZE
				sb.FSInfo = p
				return vt.FillRootDir(t, sb, 0o777, p.dirOps(), nil)
			})
		},
		KillSB: vfs.KillLitterSuper,
	}
	return v.RegisterFilesystem(t, fst)
}

var pcDeleteOps = &vfs.DentryOperations{Delete: func(t *vfs.Task, d *vfs.Dentry) bool { return true }}

func (p *pcfs) dirOps() *vfs.InodeOperations {
	return &vfs.InodeOperations{
		Lookup: func(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, flags uint32) (*vfs.Dentry, error) {
			d.SetOps(pcDeleteOps)
			vfs.DAdd(t, d, nil)
			return nil, nil
		},
		Unlink: func(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry) error {
			in := d.Inode()
			in.DropNlink()
			vfs.UnpinDentry(t, d)
			p.mu.Lock()
			delete(p.store, in.Ino())
			p.mu.Unlock()
			return nil
		},
		Create: func(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32, excl bool) error {
			in := vfs.NewInode(t, dir.SB())
			in.InitOwner(t, dir, mode|vfs.S_IFREG)
			in.Ops = &vfs.InodeOperations{Setattr: p.setattr}
			in.FOps = p.fileOps()
			in.Mapping().AOps = p.aops()
			vfs.DInstantiate(t, d, in)
			vfs.PinDentry(d)
			return nil
		},
	}
}

func (p *pcfs) setattr(t *vfs.Task, d *vfs.Dentry, a *vfs.Iattr) error {
	in := d.Inode()
	if a.Valid&vfs.ATTR_SIZE != 0 && a.Size != in.Size() {
		vfs.TruncateSetsize(t, in, a.Size)
		p.mu.Lock()
		b := p.store[in.Ino()]
		if int64(len(b)) > a.Size {
			p.store[in.Ino()] = b[:a.Size]
		}
		p.mu.Unlock()
	}
	vfs.SetattrCopy(t, in, a)
	return nil
}

func (p *pcfs) fileOps() *vfs.FileOperations {
	return &vfs.FileOperations{
		Open:    func(t *vfs.Task, in *vfs.Inode, f *vfs.File) error { p.count("open"); return nil },
		Release: func(t *vfs.Task, in *vfs.Inode, f *vfs.File) error { p.count("release"); return nil },
		Flush:   func(t *vfs.Task, f *vfs.File) error { p.count("flush"); return nil },
		Read:    vfs.GenericFileRead,
		Write:   vfs.GenericFileWrite,
		Llseek:  vfs.GenericFileLlseek,
		Fsync: func(t *vfs.Task, f *vfs.File, start, end int64, datasync bool) error {
			return vfs.FilemapWriteAndWaitRange(t, f.Inode().Mapping(), start, end)
		},
		// The lock methods hand every request to the generic code, as
		// a filesystem that keeps no locks of its own would.
		Lock: func(t *vfs.Task, f *vfs.File, cmd int, fl *vfs.FileLock) error {
			p.count("lock")
			if cmd == vfs.F_GETLK || cmd == vfs.F_OFD_GETLK {
				t.PosixTestLock(f, fl)
				return nil
			}
			return t.PosixLockFile(f, fl, nil)
		},
		Flock: func(t *vfs.Task, f *vfs.File, cmd int, fl *vfs.FileLock) error {
			p.count("flock")
			return t.LocksLockFileWait(f, fl)
		},
		Setlease: func(t *vfs.Task, f *vfs.File, arg int16, fl *vfs.FileLock) error {
			p.count("setlease")
			return t.GenericSetlease(f, arg, fl)
		},
		Fadvise: func(t *vfs.Task, f *vfs.File, off, length int64, advice int) error {
			p.count("fadvise")
			return vfs.GenericFadvise(t, f, off, length, advice)
		},
		Fallocate: func(t *vfs.Task, f *vfs.File, mode int, off, length int64) error {
			account := p.fallocAccount
			if account == nil {
				account = func(int64) error { return nil }
			}
			err := vfs.FilemapFallocate(t, f, mode, off, length, account)
			if err == nil && mode&(vfs.FALLOC_FL_PUNCH_HOLE|vfs.FALLOC_FL_ZERO_RANGE) != 0 {
				p.mu.Lock()
				b := p.store[f.Inode().Ino()]
				for i := off; i < off+length && i < int64(len(b)); i++ {
					b[i] = 0
				}
				p.mu.Unlock()
			}
			return err
		},
	}
}

// fill copies the stored bytes of the folio's page into it, up to
// i_size (block_read_full_folio zeroes past it: setattr cuts the store
// only after TruncateSetsize has cut the page cache).
func (p *pcfs) fill(in *vfs.Inode, fo *vfs.Folio) error {
	size := in.Size()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failRead {
		return vfs.EIO
	}
	b := p.store[in.Ino()]
	b = b[:min(int64(len(b)), max(size, 0))]
	d := fo.Data()
	clear(d[:])
	if pos := fo.Pos(); pos < int64(len(b)) {
		copy(d[:], b[pos:])
	}
	return nil
}

// put writes the folio's page to the store, up to i_size.
func (p *pcfs) put(in *vfs.Inode, fo *vfs.Folio) {
	p.mu.Lock()
	defer p.mu.Unlock()
	end := min(fo.Pos()+vfs.PAGE_SIZE, in.Size())
	if end <= fo.Pos() {
		return
	}
	b := p.store[in.Ino()]
	if int64(len(b)) < end {
		b = append(b, make([]byte, end-int64(len(b)))...)
	}
	copy(b[fo.Pos():end], fo.Data()[:end-fo.Pos()])
	p.store[in.Ino()] = b
}

func (p *pcfs) aops() *vfs.AddressSpaceOperations {
	return &vfs.AddressSpaceOperations{
		ReadFolio: func(t *vfs.Task, f *vfs.File, fo *vfs.Folio) error {
			p.count("read_folio")
			err := p.fill(fo.Mapping().Host(), fo)
			if err == nil {
				vfs.FolioMarkUptodate(fo)
			}
			vfs.FolioUnlock(t, fo)
			return err
		},
		Readahead: func(t *vfs.Task, rac *vfs.ReadaheadControl) {
			p.count("readahead")
			p.mu.Lock()
			p.raBatches = append(p.raBatches, rac.Count())
			p.mu.Unlock()
			for fo := rac.Next(); fo != nil; fo = rac.Next() {
				if p.fill(rac.Mapping.Host(), fo) == nil {
					vfs.FolioMarkUptodate(fo)
				}
				vfs.FolioUnlock(t, fo)
			}
		},
		WriteBegin: func(t *vfs.Task, f *vfs.File, m *vfs.AddressSpace, pos int64, n int) (*vfs.Folio, error) {
			p.count("write_begin")
			fo, err := vfs.SimpleWriteBegin(t, f, m, pos, n)
			if err == nil && fo.Flags()&vfs.PG_private == 0 {
				vfs.FolioAttachPrivate(fo, "buffer heads")
			}
			return fo, err
		},
		WriteEnd: func(t *vfs.Task, f *vfs.File, m *vfs.AddressSpace, pos int64, n, copied int, fo *vfs.Folio) (int, error) {
			p.count("write_end")
			return vfs.SimpleWriteEnd(t, f, m, pos, n, copied, fo)
		},
		DirtyFolio: func(t *vfs.Task, m *vfs.AddressSpace, fo *vfs.Folio) bool {
			p.count("dirty_folio")
			return vfs.FilemapDirtyFolio(t, m, fo)
		},
		Writepage: func(t *vfs.Task, fo *vfs.Folio, wbc *vfs.WritebackControl) error {
			p.count("writepage")
			vfs.FolioStartWriteback(t, fo)
			p.put(fo.Mapping().Host(), fo)
			vfs.FolioUnlock(t, fo)
			vfs.FolioEndWriteback(t, fo)
			return nil
		},
		Writepages: func(t *vfs.Task, m *vfs.AddressSpace, wbc *vfs.WritebackControl) error {
			p.count("writepages")
			return vfs.WriteCachePages(t, m, wbc)
		},
		InvalidateFolio: func(t *vfs.Task, fo *vfs.Folio, off, n int) {
			p.count("invalidate_folio")
			if off == 0 && n == vfs.PAGE_SIZE {
				vfs.FolioDetachPrivate(fo)
			}
		},
		ReleaseFolio: func(t *vfs.Task, fo *vfs.Folio) bool {
			p.count("release_folio")
			vfs.FolioDetachPrivate(fo)
			return true
		},
		FreeFolio: func(fo *vfs.Folio) { p.count("free_folio") },
		LaunderFolio: func(t *vfs.Task, fo *vfs.Folio) error {
			p.count("launder_folio")
			if vfs.FolioClearDirtyForIO(t, fo) {
				p.put(fo.Mapping().Host(), fo)
			}
			return nil
		},
		IsPartiallyUptodate: func(t *vfs.Task, fo *vfs.Folio, from, n int) bool {
			p.count("is_partially_uptodate")
			return false
		},
	}
}

func sortedKeys(m map[string]int) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
