package vfs_test

import (
	"sync"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// rcfs is a disk-like test filesystem for the reclaim tests: one flat
// directory whose "disk" keeps each file's pages and size, so that its
// dentries and inodes can be pruned and evicted and its clean pages
// dropped and read again. ->writepage follows locking.rst's contract;
// with gate set, writes complete (end_page_writeback) only when the gate
// is closed.
type rcfs struct {
	// mu protects everything below; a leaf outside the lock model.
	mu    sync.Mutex
	files map[string]*rcFile
	byIno map[uint64]*rcFile
	next  uint64
	gate  chan struct{}
	// pending counts completions in flight.
	pending sync.WaitGroup
	// writepages counts ->writepage calls by who asked.
	writepages map[string]int
	// lostPages counts evictions of an inode that still had dirty pages
	// (which truncate would then drop).
	lostPages int

	v    *VFS
	aops *AddressSpaceOperations
	fops *FileOperations
	iops *InodeOperations
	dops *InodeOperations
	dfop *FileOperations
	sops *SuperOperations
}

// rcFile is a file on rcfs's disk.
type rcFile struct {
	ino   uint64
	size  int64
	pages map[int64][PAGE_SIZE]byte
}

func newRCFS(v *VFS) *rcfs {
	fs := &rcfs{v: v, files: map[string]*rcFile{}, byIno: map[uint64]*rcFile{}, next: 100, writepages: map[string]int{}}
	fs.aops = &AddressSpaceOperations{
		ReadFolio:  fs.readFolio,
		WriteBegin: SimpleWriteBegin,
		WriteEnd:   SimpleWriteEnd,
		Writepage:  fs.writepage,
	}
	fs.fops = &FileOperations{Read: GenericFileRead, Write: GenericFileWrite, Llseek: GenericFileLlseek, Fsync: GenericFileFsync}
	fs.iops = &InodeOperations{Setattr: fs.setattr}
	fs.dops = &InodeOperations{Lookup: fs.lookup, Create: fs.create}
	fs.dfop = &FileOperations{Fsync: NoopFsync}
	fs.sops = &SuperOperations{
		WriteInode: fs.writeInode,
		EvictInode: fs.evictInode,
	}
	return fs
}

func (fs *rcfs) typ() *FileSystemType {
	return &FileSystemType{
		Name: "rcfs",
		Mount: func(t *Task, fst *FileSystemType, flags uint32, dev, data string) (*Dentry, error) {
			return MountNodev(t, fst, flags, data, fs.fill)
		},
		KillSB: KillAnonSuper,
	}
}

func (fs *rcfs) fill(t *Task, sb *SuperBlock, data string) error {
	sb.Ops = fs.sops
	return vt.FillRootDir(t, sb, 0o777, fs.dops, fs.dfop)
}

// iget returns the inode of a file on disk (iget_locked, filled in from
// the disk record when new).
func (fs *rcfs) iget(t *Task, sb *SuperBlock, f *rcFile) *Inode {
	in, isNew := IgetLocked(t, sb, f.ino)
	if !isNew {
		return in
	}
	in.SetModeType(S_IFREG | 0o644)
	in.SetNlink(1)
	fs.mu.Lock()
	in.SetSize(f.size)
	fs.mu.Unlock()
	in.Ops = fs.iops
	in.FOps = fs.fops
	in.Mapping().AOps = fs.aops
	UnlockNewInode(t, in)
	return in
}

func (fs *rcfs) lookup(t *Task, dir *Inode, d *Dentry, flags uint32) (*Dentry, error) {
	fs.mu.Lock()
	f := fs.files[d.Name()]
	fs.mu.Unlock()
	if f == nil {
		DAdd(t, d, nil)
		return nil, nil
	}
	DAdd(t, d, fs.iget(t, dir.SB(), f))
	return nil, nil
}

func (fs *rcfs) create(t *Task, dir *Inode, d *Dentry, mode uint32, excl bool) error {
	fs.mu.Lock()
	fs.next++
	f := &rcFile{ino: fs.next, pages: map[int64][PAGE_SIZE]byte{}}
	fs.files[d.Name()] = f
	fs.byIno[f.ino] = f
	fs.mu.Unlock()
	DInstantiate(t, d, fs.iget(t, dir.SB(), f))
	return nil
}

// setattr is a disk filesystem's ->setattr: a size change truncates the
// page cache and frees the disk's pages past the new end (zeroing the
// tail of the last one), so that extending the file again reads zeros.
func (fs *rcfs) setattr(t *Task, d *Dentry, a *Iattr) error {
	in := d.Inode()
	if a.Valid&ATTR_SIZE != 0 {
		TruncateSetsize(t, in, a.Size)
		fs.mu.Lock()
		f := fs.byIno[in.Ino()]
		for idx, pg := range f.pages {
			start := idx * PAGE_SIZE
			switch {
			case start >= a.Size:
				delete(f.pages, idx)
			case start+PAGE_SIZE > a.Size:
				clear(pg[a.Size-start:])
				f.pages[idx] = pg
			}
		}
		f.size = a.Size
		fs.mu.Unlock()
	}
	SetattrCopy(t, in, a)
	return nil
}

// readFolio reads a page from disk and, as block_read_full_folio does,
// zeroes its bytes past i_size: setattr frees the disk's old bytes only
// after TruncateSetsize has cut the page cache, and a read in between
// must not bring them back into a page that a later extension exposes.
func (fs *rcfs) readFolio(t *Task, file *File, fo *Folio) error {
	in := fo.Mapping().Host()
	size := in.Size()
	fs.mu.Lock()
	f := fs.byIno[in.Ino()]
	if pg, ok := f.pages[fo.Index()]; ok {
		*fo.Data() = pg
	} else {
		clear(fo.Data()[:])
	}
	fs.mu.Unlock()
	if pos := fo.Pos(); pos+PAGE_SIZE > size {
		clear(fo.Data()[max(size-pos, 0):])
	}
	FolioMarkUptodate(fo)
	FolioUnlock(t, fo)
	return nil
}

func (fs *rcfs) writepage(t *Task, fo *Folio, wbc *WritebackControl) error {
	in := fo.Mapping().Host()
	idx := fo.Index()
	data := *fo.Data()
	fs.mu.Lock()
	f := fs.byIno[in.Ino()]
	who := "flusher"
	if wbc.ForReclaim {
		who = "reclaim"
	}
	fs.writepages[who]++
	gate := fs.gate
	fs.mu.Unlock()
	FolioStartWriteback(t, fo)
	FolioUnlock(t, fo)
	store := func() {
		fs.mu.Lock()
		f.pages[idx] = data
		fs.mu.Unlock()
	}
	if gate == nil {
		store()
		FolioEndWriteback(t, fo)
		return nil
	}
	fs.pending.Add(1)
	io := fs.v.NewTask("io", nil)
	go func() {
		defer fs.pending.Done()
		<-gate
		store()
		FolioEndWriteback(io, fo)
		io.Exit()
	}()
	return nil
}

func (fs *rcfs) writeInode(t *Task, in *Inode, wbc *WritebackControl) error {
	fs.mu.Lock()
	fs.byIno[in.Ino()].size = in.Size()
	fs.mu.Unlock()
	return nil
}

func (fs *rcfs) evictInode(t *Task, in *Inode) {
	m := in.Mapping()
	fs.mu.Lock()
	if f := fs.byIno[in.Ino()]; f != nil {
		f.size = in.Size()
	}
	if m.Tagged(PAGECACHE_TAG_DIRTY) {
		fs.lostPages++
	}
	fs.mu.Unlock()
	TruncateInodePages(t, m, 0)
}

// holdWrites makes writes complete only at releaseWrites.
func (fs *rcfs) holdWrites() {
	fs.mu.Lock()
	fs.gate = make(chan struct{})
	fs.mu.Unlock()
}

// releaseWrites completes the held writes; later ones complete at once.
func (fs *rcfs) releaseWrites() {
	fs.mu.Lock()
	if fs.gate != nil {
		close(fs.gate)
		fs.gate = nil
	}
	fs.mu.Unlock()
}

func (fs *rcfs) count(who string) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.writepages[who]
}

// rcEnv is a booted VFS with the given budget and rcfs on /r.
type rcEnv struct {
	*vt.Env
	fs *rcfs
}

// newRCEnv boots a VFS with budget bytes (0: the default) and the lock
// validator on, mounts rcfs on /r, and switches the flusher's periodic
// pass off (only the writeback under test runs).
func newRCEnv(t *testing.T, budget int64) *rcEnv {
	v, tk, err := boot.New(Options{Lockdep: true, MemBudget: budget})
	if err != nil {
		t.Fatal(err)
	}
	e := &vt.Env{TB: t, V: v, Root: tk, T: tk}
	t.Cleanup(e.Check)
	e.Must(v.SetDirtyTunable("dirty_writeback_centisecs", 0))
	fs := newRCFS(v)
	e.Must(v.RegisterFilesystem(e.Root, fs.typ()))
	e.Must(e.Root.Mkdir("/r", 0o777))
	e.Must(e.Root.Mount("none", "/r", "rcfs", 0, ""))
	t.Cleanup(func() {
		fs.releaseWrites()
		v.Shutdown()
		fs.pending.Wait()
	})
	return &rcEnv{Env: e, fs: fs}
}
