package vfs_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// wbfs is a disk-like test filesystem for the writeback tests: one flat
// directory of regular files on the page cache, whose "disk" is a map of
// pages and inode records. Its ->writepage follows locking.rst's
// contract (set writeback, unlock, end writeback; redirty and unlock
// when WB_SYNC_NONE would block) and can be told to fail a page, to
// refuse WB_SYNC_NONE writes ("would block"), to complete its writes
// later (gate), or to block inside ->writepage until released.
type wbfs struct {
	v *VFS
	// mu protects everything below; a leaf outside the lock model.
	mu sync.Mutex
	// disk holds the written pages by inode number and page index, and
	// the inode records ->write_inode wrote (their size).
	disk  map[uint64]map[int64][PAGE_SIZE]byte
	inode map[uint64]int64
	// log records each ->writepage ("wp <name> <index> <mode>") and
	// ->write_inode ("wi <name> <mode>").
	log []string
	// fail makes ->writepage of a page index fail with the error
	// (once, then the entry is removed).
	fail map[int64]error
	// wouldBlock makes WB_SYNC_NONE ->writepage redirty instead of
	// writing.
	wouldBlock bool
	// gate, when set, holds the completion of writes (the
	// end_page_writeback) until it is closed.
	gate chan struct{}
	// stall, when set, makes the next ->writepage block inside the
	// method (after set writeback and unlock) until it is closed;
	// stalled is closed when it starts blocking.
	stall, stalled chan struct{}
	// bug makes ->writepage break the contract: "no writeback" unlocks
	// and returns without redirtying or writing; "keep locked" writes
	// but returns with the folio locked.
	bug string
	// logSyncFS makes ->sync_fs log "sync_fs nowait" or "sync_fs wait".
	logSyncFS bool
	// names maps inode numbers to names, for the log.
	names map[uint64]string
	// inodes maps names to the inodes create made.
	inodes map[string]*Inode
	// pending counts completions in flight.
	pending sync.WaitGroup

	iops *InodeOperations
	dops *InodeOperations
	fops *FileOperations
	dfop *FileOperations
	aops *AddressSpaceOperations
	sops *SuperOperations
}

func newWBFS(v *VFS) *wbfs {
	fs := &wbfs{
		v:      v,
		disk:   map[uint64]map[int64][PAGE_SIZE]byte{},
		inode:  map[uint64]int64{},
		fail:   map[int64]error{},
		names:  map[uint64]string{},
		inodes: map[string]*Inode{},
	}
	fs.aops = &AddressSpaceOperations{
		ReadFolio:  fs.readFolio,
		WriteBegin: SimpleWriteBegin,
		WriteEnd:   SimpleWriteEnd,
		Writepage:  fs.writepage,
	}
	fs.fops = &FileOperations{
		Read:   GenericFileRead,
		Write:  GenericFileWrite,
		Llseek: GenericFileLlseek,
		Fsync:  GenericFileFsync,
	}
	fs.dfop = &FileOperations{Fsync: NoopFsync}
	fs.dops = &InodeOperations{Lookup: fs.lookup, Create: fs.create, Unlink: fs.unlink}
	fs.iops = &InodeOperations{}
	fs.sops = &SuperOperations{
		WriteInode: fs.writeInode,
		SyncFS: func(t *Task, sb *SuperBlock, wait bool) error {
			fs.mu.Lock()
			if fs.logSyncFS {
				fs.log = append(fs.log, map[bool]string{false: "sync_fs nowait", true: "sync_fs wait"}[wait])
			}
			fs.mu.Unlock()
			return nil
		},
		DropInode: func(t *Task, in *Inode) bool { return in.Nlink() == 0 },
		EvictInode: func(t *Task, in *Inode) {
			TruncateInodePages(t, in.Mapping(), 0)
			fs.mu.Lock()
			fs.log = append(fs.log, "evict "+fs.names[in.Ino()])
			fs.mu.Unlock()
		},
	}
	return fs
}

func (fs *wbfs) typ() *FileSystemType {
	return &FileSystemType{
		Name: "wbfs",
		Mount: func(t *Task, fst *FileSystemType, flags uint32, dev, data string) (*Dentry, error) {
			return MountNodev(t, fst, flags, data, fs.fill)
		},
		KillSB: KillLitterSuper,
	}
}

func (fs *wbfs) fill(t *Task, sb *SuperBlock, data string) error {
	sb.Ops = fs.sops
	return vt.FillRootDir(t, sb, 0o777, fs.dops, fs.dfop)
}

func (fs *wbfs) lookup(t *Task, dir *Inode, d *Dentry, flags uint32) (*Dentry, error) {
	DAdd(t, d, nil)
	return nil, nil
}

func (fs *wbfs) create(t *Task, dir *Inode, d *Dentry, mode uint32, excl bool) error {
	in := NewInode(t, dir.SB())
	in.InitOwner(t, dir, mode|S_IFREG)
	in.Ops = fs.iops
	in.FOps = fs.fops
	in.Mapping().AOps = fs.aops
	InodeFakeHash(t, in)
	fs.mu.Lock()
	fs.names[in.Ino()] = d.Name()
	fs.inodes[d.Name()] = in
	fs.mu.Unlock()
	DInstantiate(t, d, in)
	PinDentry(d)
	return nil
}

func (fs *wbfs) unlink(t *Task, dir *Inode, d *Dentry) error {
	d.Inode().DropNlink()
	UnpinDentry(t, d)
	return nil
}

func (fs *wbfs) readFolio(t *Task, f *File, fo *Folio) error {
	ino := fo.Mapping().Host().Ino()
	fs.mu.Lock()
	if pg, ok := fs.disk[ino][fo.Index()]; ok {
		*fo.Data() = pg
	} else {
		clear(fo.Data()[:])
	}
	fs.mu.Unlock()
	FolioMarkUptodate(fo)
	FolioUnlock(t, fo)
	return nil
}

func modeName(m int) string {
	if m == WB_SYNC_ALL {
		return "all"
	}
	return "none"
}

// writepage is a filesystem's ->writepage following the contract.
func (fs *wbfs) writepage(t *Task, fo *Folio, wbc *WritebackControl) error {
	in := fo.Mapping().Host()
	ino, idx := in.Ino(), fo.Index()
	fs.mu.Lock()
	name := fs.names[ino]
	if err, ok := fs.fail[idx]; ok {
		// The device refused the write: the page goes through
		// writeback and comes out clean, its data lost; the error is
		// returned (write_cache_pages records it in the mapping).
		delete(fs.fail, idx)
		fs.log = append(fs.log, fmt.Sprintf("wp %s %d %s err", name, idx, modeName(wbc.SyncMode)))
		fs.mu.Unlock()
		FolioStartWriteback(t, fo)
		FolioUnlock(t, fo)
		FolioEndWriteback(t, fo)
		return err
	}
	switch fs.bug {
	case "correct":
	case "no writeback":
		fs.mu.Unlock()
		FolioUnlock(t, fo)
		return nil
	case "keep locked":
		fs.mu.Unlock()
		FolioStartWriteback(t, fo)
		FolioEndWriteback(t, fo)
		return nil
	}
	if fs.wouldBlock && wbc.SyncMode == WB_SYNC_NONE {
		fs.log = append(fs.log, fmt.Sprintf("wp %s %d none redirty", name, idx))
		fs.mu.Unlock()
		FolioRedirtyForWritepage(t, wbc, fo)
		FolioUnlock(t, fo)
		return nil
	}
	fs.log = append(fs.log, fmt.Sprintf("wp %s %d %s", name, idx, modeName(wbc.SyncMode)))
	data := *fo.Data()
	gate := fs.gate
	stall, stalled := fs.stall, fs.stalled
	fs.stall, fs.stalled = nil, nil
	fs.mu.Unlock()
	FolioStartWriteback(t, fo)
	FolioUnlock(t, fo)
	store := func() {
		fs.mu.Lock()
		if fs.disk[ino] == nil {
			fs.disk[ino] = map[int64][PAGE_SIZE]byte{}
		}
		fs.disk[ino][idx] = data
		fs.mu.Unlock()
	}
	if stall != nil {
		close(stalled)
		<-stall
	}
	if gate == nil {
		store()
		FolioEndWriteback(t, fo)
		return nil
	}
	// Completion later, as an interrupt handler would run it.
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

func (fs *wbfs) writeInode(t *Task, in *Inode, wbc *WritebackControl) error {
	fs.mu.Lock()
	fs.inode[in.Ino()] = in.Size()
	fs.log = append(fs.log, fmt.Sprintf("wi %s %s", fs.names[in.Ino()], modeName(wbc.SyncMode)))
	fs.mu.Unlock()
	return nil
}

// onDisk returns the bytes of [0, n) of the named file as its disk
// holds them (zeros for pages never written).
func (fs *wbfs) onDisk(ino uint64, n int) string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var b strings.Builder
	for idx := int64(0); int(idx)*PAGE_SIZE < n; idx++ {
		pg := fs.disk[ino][idx]
		end := min(n-int(idx)*PAGE_SIZE, PAGE_SIZE)
		b.Write(pg[:end])
	}
	return b.String()
}

func (fs *wbfs) takeLog() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	l := fs.log
	fs.log = nil
	return l
}

func (fs *wbfs) set(fn func(fs *wbfs)) {
	fs.mu.Lock()
	fn(fs)
	fs.mu.Unlock()
}

// wbEnv is a booted VFS with wbfs mounted on /w.
type wbEnv struct {
	*vt.Env
	fs *wbfs
	sb *SuperBlock
}

// newWBEnv mounts wbfs on /w; the flusher's periodic pass is off unless
// the test sets tunables (so that only the calls under test write). The
// lock validator and the locking tables are checked at the end.
func newWBEnv(t testing.TB) *wbEnv { return mountWBFS(t, vt.New(t), 0) }

// newWBEnvUnchecked is newWBEnv for tests that provoke violations and
// look at them themselves.
func newWBEnvUnchecked(t *testing.T) *wbEnv {
	v, tk, err := boot.New(Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	return mountWBFS(t, &vt.Env{TB: t, V: v, Root: tk, T: tk}, 0)
}

// newWBEnvLazytime mounts wbfs with -o lazytime on a VFS whose clock is
// *now (nanoseconds), which the test moves; checked at the end.
func newWBEnvLazytime(t *testing.T, now *atomic.Int64) *wbEnv {
	v, tk, err := boot.New(Options{Lockdep: true, Clock: func() time.Time { return time.Unix(0, now.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	e := &vt.Env{TB: t, V: v, Root: tk, T: tk}
	t.Cleanup(e.Check)
	return mountWBFS(t, e, MS_LAZYTIME)
}

func mountWBFS(t testing.TB, e *vt.Env, flags uint32) *wbEnv {
	v := e.V
	e.Must(v.SetDirtyTunable("dirty_writeback_centisecs", 0))
	fs := newWBFS(v)
	e.Must(v.RegisterFilesystem(e.Root, fs.typ()))
	e.Must(e.Root.Mkdir("/w", 0o777))
	e.Must(e.Root.Mount("none", "/w", "wbfs", flags, ""))
	w := &wbEnv{Env: e, fs: fs}
	for _, sb := range v.SuperBlocks(e.Root) {
		if sb.FSType().Name == "wbfs" {
			w.sb = sb
		}
	}
	t.Cleanup(func() {
		v.Shutdown()
		fs.pending.Wait()
	})
	return w
}

// create makes /w/name holding data and returns an open descriptor.
func (w *wbEnv) create(name, data string) int {
	w.TB.Helper()
	fd, err := w.T.Open("/w/"+name, O_CREAT|O_RDWR, 0o644)
	w.Must(err)
	if data != "" {
		_, err = w.T.Pwrite(fd, []byte(data), 0)
		w.Must(err)
	}
	return fd
}

func (w *wbEnv) ino(name string) uint64 {
	w.TB.Helper()
	return w.Stat("/w/" + name).Ino
}

// lists returns the writeback lists by file name.
func (w *wbEnv) lists() (dirty, io, more []string) {
	d, i, m := w.sb.WritebackLists(w.Root)
	names := func(inos []uint64) []string {
		w.fs.mu.Lock()
		defer w.fs.mu.Unlock()
		out := []string{}
		for _, n := range inos {
			out = append(out, w.fs.names[n])
		}
		return out
	}
	return names(d), names(i), names(m)
}

// TestWritebackPeriodRestarted: after dirty_writeback_centisecs went to
// 0, writing a non-zero value wakes the flusher (Linux's
// dirty_writeback_centisecs_handler: wakeup_flusher_threads with
// WB_REASON_PERIODIC), so an inode dirtied meanwhile is written back
// without anything else being dirtied; a write of the same value or of 0
// wakes nothing.
func TestWritebackPeriodRestarted(t *testing.T) {
	for _, tc := range []struct {
		name    string
		value   int64
		written bool
	}{
		{"non-zero", 10, true},
		{"zero again", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := mountWBFS(t, vt.New(t), 0)
			fd := w.create("log", "some data")
			defer w.T.Close(fd)
			if d := w.V.MemInfo().Dirty; d == 0 {
				t.Fatal("the file is not dirty")
			}
			// The flusher the new dirty inode started stops, its period
			// being 0.
			for _, running := w.V.FlusherStats(); running; _, running = w.V.FlusherStats() {
				time.Sleep(time.Millisecond)
			}
			w.Must(w.V.SetDirtyTunable("dirty_expire_centisecs", 1))
			w.Must(w.V.SetDirtyTunable("dirty_writeback_centisecs", tc.value))
			// With a 10 ms expiry a woken flusher writes at once: 300 ms
			// is long enough to see that nothing wakes it.
			wait := 300 * time.Millisecond
			if tc.written {
				wait = 5 * time.Second
			}
			deadline := time.Now().Add(wait)
			for w.V.MemInfo().Dirty != 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if tc.written {
				if d := w.V.MemInfo().Dirty; d != 0 {
					t.Fatalf("%v after dirty_writeback_centisecs=%d: Dirty %d, want 0", wait, tc.value, d)
				}
			} else if d := w.V.MemInfo().Dirty; d == 0 {
				t.Fatalf("written back with dirty_writeback_centisecs=0")
			}
		})
	}
}

// TestDirtyLimitZeroThrottles: with dirty_ratio and dirty_bytes both 0
// the dirty threshold is 0, and balance_dirty_pages throttles every
// writer (no free-run ceiling) until its pages are written: a write
// returns with nothing left dirty or under writeback. With a limit above
// the write's size nothing waits.
func TestDirtyLimitZeroThrottles(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ratio     int64
		throttled bool
	}{
		{"dirty_ratio 0", 0, true},
		{"dirty_ratio 100", 100, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWBEnv(t)
			w.Must(w.V.SetDirtyTunable("dirty_ratio", tc.ratio))
			fd := w.create("f", "")
			defer w.T.Close(fd)
			_, err := w.T.Pwrite(fd, []byte(strings.Repeat("x", 16*PAGE_SIZE)), 0)
			w.Must(err)
			m := w.V.MemInfo()
			if tc.throttled && (m.Dirty != 0 || m.Writeback != 0) {
				t.Errorf("after the write: Dirty %d, Writeback %d, want both 0", m.Dirty, m.Writeback)
			}
			if !tc.throttled && m.Dirty == 0 {
				t.Errorf("after the write: nothing dirty, want the write's pages")
			}
		})
	}
}
