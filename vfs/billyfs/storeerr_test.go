package billyfs_test

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/billyfs/faultstore"
)

// faultEnvSize mounts a fault store with size=1m.
func faultEnvSize(t *testing.T) (*env, *faultstore.Store) {
	e, s := faultEnv(t)
	e.remount("size=1m")
	return e, s
}

// copyStore copies every file of src into a new memfs: the store's
// image at that instant, as a power cut would leave it.
func copyStore(t *testing.T, src billy.Filesystem) billy.Filesystem {
	dst := memfs.New()
	var walk func(dir string)
	walk = func(dir string) {
		ents, err := src.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			p := path.Join(dir, e.Name())
			if e.IsDir() {
				dst.MkdirAll(p, 0o755)
				walk(p)
				continue
			}
			b, err := util.ReadFile(src, p)
			if err != nil {
				t.Fatal(err)
			}
			if err := util.WriteFile(dst, p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	walk(".")
	return dst
}

// usedPages is statfs's pages in use.
func (e *env) usedPages() uint64 {
	st := e.statfs()
	return st.Blocks - st.Bfree
}

// TestStoreErrorMarksFilesystem: a store write that fails leaves the
// filesystem marked with errors (as ext2_error does), so the superblock
// is not written clean at unmount and the next mount's fsck recounts
// from what reached the store: the pages in use are those the records
// hold, not the counts in memory.
func TestStoreErrorMarksFilesystem(t *testing.T) {
	for _, tc := range []struct {
		name string
		rule faultstore.Rule
	}{
		// Every record write at unmount fails: the records keep the
		// empty file, the counts in memory its three pages.
		{"record writes at unmount", faultstore.Rule{Op: faultstore.OpWrite, Path: "i/*", Nth: 1, Always: true, Err: vfs.EIO}},
		// The data run fails: its pages are dropped.
		{"data write at unmount", faultstore.Rule{Op: faultstore.OpWrite, Path: "f/*", Nth: 1, Always: true, Err: vfs.EIO}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, s := faultEnvSize(t)
			e.writeAt("/mnt/f", bytes.Repeat([]byte("x"), 3*pageSize), 0, 0)
			s.Add(tc.rule)
			e.Root.Umount2("/mnt", 0)
			s.Clear()
			e.mount("size=1m")
			st := e.Stat("/mnt/f")
			if got, want := e.usedPages(), uint64(st.Blocks/8); got != want {
				t.Fatalf("after the failed unmount: statfs has %d pages in use, /f holds %d (size %d)", got, want, st.Size)
			}
		})
	}
}

const pageSize = vfs.PAGE_SIZE

// TestTruncateStoreErrorKeepsExtents: a truncate whose cut of the data
// file fails still drops the pages past the end from the extents: the
// size, st_blocks, statfs and, after a remount, the record agree.
func TestTruncateStoreErrorKeepsExtents(t *testing.T) {
	for _, tc := range []struct {
		name string
		sync bool // sync the file first: the data file is open
	}{
		{"data file open", true},
		{"data file opened by truncate", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, s := faultEnvSize(t)
			r := e.Root
			e.writeAt("/mnt/f", bytes.Repeat([]byte("x"), 3*pageSize), 0, 0)
			r.Sync()
			if !tc.sync {
				e.remount("size=1m") // the data file is not open
			}
			s.Add(faultstore.Rule{Op: faultstore.OpTruncate, Path: "f/*", Nth: 1, Err: vfs.EIO})
			if err := r.Truncate("/mnt/f", 100); err != vfs.EIO {
				t.Fatalf("truncate = %v, want EIO", err)
			}
			s.Clear()
			check := func(when string) {
				st := e.Stat("/mnt/f")
				if st.Size != 100 || st.Blocks != 8 || e.usedPages() != 1 {
					t.Fatalf("%s: size %d blocks %d, %d pages in use; want 100, 8, 1", when, st.Size, st.Blocks, e.usedPages())
				}
			}
			check("after truncate")
			e.remount("size=1m")
			check("after a remount")
			got, err := e.ReadFile("/mnt/f")
			e.Must(err)
			if got != strings.Repeat("x", 100) {
				t.Fatalf("reads %q", got)
			}
		})
	}
}

// TestSyncfsReportsWriteInodeError: a record write that fails under
// syncfs reaches s_wb_err: syncfs reports it, once to each description.
func TestSyncfsReportsWriteInodeError(t *testing.T) {
	e, s := faultEnv(t)
	r := e.Root
	a, err := r.Open("/mnt/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	e.Must(err)
	b, err := r.Open("/mnt", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	e.Must(err)
	_, err = r.Pwrite(a, bytes.Repeat([]byte("x"), 5000), 0)
	e.Must(err)
	s.Add(faultstore.Rule{Op: faultstore.OpWrite, Path: "i/*", Nth: 1, Always: true, Err: vfs.EIO})
	for _, step := range []struct {
		fd   int
		want error
	}{
		{a, vfs.EIO},
		{a, nil}, // reported once to a
		{b, vfs.EIO},
		{b, nil},
	} {
		if step.want == nil {
			s.Clear()
		}
		if err := r.Syncfs(step.fd); err != step.want {
			t.Fatalf("syncfs(%d) = %v, want %v", step.fd, err, step.want)
		}
		if step.want == nil {
			s.Add(faultstore.Rule{Op: faultstore.OpWrite, Path: "i/*", Nth: 1, Always: true, Err: vfs.EIO})
			_, err = r.Pwrite(a, []byte("y"), 0) // dirty again
			e.Must(err)
		}
	}
	s.Clear()
	e.Must(r.Close(a))
	e.Must(r.Close(b))
}

// lockedFS serialises the calls that reach a memfs's table of files, so
// that a test may copy the store (copyStore) while the filesystem's
// writeback goes on writing it: memfs itself is not safe for that.
type lockedFS struct {
	billy.Filesystem
	mu *sync.Mutex
}

// snapshot is copyStore of the memfs under the lock, held for the whole
// copy: a writer that is still at work (a syncfs pass that fsync did
// not wait for) cannot rename a record between the listing of a
// directory and the read of its files.
func (l lockedFS) snapshot(t *testing.T) billy.Filesystem {
	l.mu.Lock()
	defer l.mu.Unlock()
	return copyStore(t, l.Filesystem)
}

func (l lockedFS) Create(name string) (billy.File, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.file(l.Filesystem.Create(name))
}

func (l lockedFS) Open(name string) (billy.File, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.file(l.Filesystem.Open(name))
}

func (l lockedFS) OpenFile(name string, flag int, perm os.FileMode) (billy.File, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.file(l.Filesystem.OpenFile(name, flag, perm))
}

// file wraps a file of the memfs so that its reads and writes take the
// same lock: a write through an open file changes what ReadDir's sizes
// and a copy's reads see.
func (l lockedFS) file(f billy.File, err error) (billy.File, error) {
	if err != nil {
		return nil, err
	}
	return lockedFile{f, l.mu}, nil
}

// lockedFile is a file of a lockedFS.
type lockedFile struct {
	billy.File
	mu *sync.Mutex
}

func (f lockedFile) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.File.Read(p)
}

func (f lockedFile) ReadAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.File.ReadAt(p, off)
}

func (f lockedFile) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.File.Write(p)
}

func (f lockedFile) Seek(off int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.File.Seek(off, whence)
}

func (f lockedFile) Truncate(size int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.File.Truncate(size)
}

func (f lockedFile) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.File.Close()
}

func (l lockedFS) Stat(name string) (os.FileInfo, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.Filesystem.Stat(name)
}

func (l lockedFS) Lstat(name string) (os.FileInfo, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.Filesystem.Lstat(name)
}

func (l lockedFS) Rename(from, to string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.Filesystem.Rename(from, to)
}

func (l lockedFS) Remove(name string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.Filesystem.Remove(name)
}

func (l lockedFS) ReadDir(name string) ([]os.FileInfo, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.Filesystem.ReadDir(name)
}

func (l lockedFS) MkdirAll(name string, perm os.FileMode) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.Filesystem.MkdirAll(name, perm)
}

func (l lockedFS) TempFile(dir, prefix string) (billy.File, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.file(l.Filesystem.TempFile(dir, prefix))
}

// TestFsyncWaitsForNoneWriter: fsync that comes while a WB_SYNC_NONE
// writer (syncfs's first pass) is writing the record, which then fails,
// waits for that writer and writes the record itself: when fsync
// returns, the store has the new size, even if the power goes then.
func TestFsyncWaitsForNoneWriter(t *testing.T) {
	mem := lockedFS{memfs.New(), new(sync.Mutex)}
	s := faultstore.New(mem)
	name := fmt.Sprintf("fault-%d", storeSeq.Add(1))
	billyfs.RegisterStore(name, s)
	t.Cleanup(func() { billyfs.ForgetStore(name) })
	e := newEnv(t, name)
	e.mount("")
	r := e.Root
	fd, err := r.Open("/mnt/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	e.Must(err)
	data := bytes.Repeat([]byte("x"), 5000)
	_, err = r.Pwrite(fd, data, 0)
	e.Must(err)
	// The first record write (syncfs's WB_SYNC_NONE pass) is slow and
	// fails; the next record open (syncfs's WB_SYNC_ALL pass, or
	// fsync's own) is slow.
	s.Add(faultstore.Rule{Op: faultstore.OpWrite, Path: "i/*", Nth: 1, Delay: 200 * time.Millisecond, Err: vfs.EIO})
	s.Add(faultstore.Rule{Op: faultstore.OpOpen, Path: "i/*", Nth: 2, Delay: 400 * time.Millisecond})
	other := r.Fork("syncer")
	done := make(chan struct{})
	go func() {
		defer close(done)
		fd2, err := other.Open("/mnt", vfs.O_RDONLY, 0)
		if err != nil {
			return
		}
		other.Syncfs(fd2)
		other.Close(fd2)
	}()
	time.Sleep(100 * time.Millisecond)
	err = r.Fsync(fd)
	img := mem.snapshot(t) // the store the instant fsync returned
	<-done
	e.Must(err)
	e.Must(r.Close(fd))
	name2 := fmt.Sprintf("fault-img-%d", storeSeq.Add(1))
	billyfs.RegisterStore(name2, img)
	t.Cleanup(func() { billyfs.ForgetStore(name2) })
	e.Must(r.Mkdir("/img", 0o755))
	e.Must(r.Mount("none", "/img", "billyfs", 0, "store="+name2))
	defer r.Umount2("/img", 0)
	got, err := e.ReadFile("/img/f")
	e.Must(err)
	if got != string(data) {
		t.Fatalf("fsync returned, but the store then held %d bytes of /f, not %d", len(got), len(data))
	}
}

// TestFsyncFlushesFlusherRecord: after the flusher wrote a file's
// record without a flush (WB_SYNC_NONE), fsync and fdatasync flush it
// (the inode is clean, but the record is not durable on a host store).
func TestFsyncFlushesFlusherRecord(t *testing.T) {
	for _, datasync := range []bool{false, true} {
		t.Run(fmt.Sprintf("datasync=%v", datasync), func(t *testing.T) {
			e, s := faultEnv(t)
			r := e.Root
			fd, err := r.Open("/mnt/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			e.Must(err)
			_, err = r.Pwrite(fd, bytes.Repeat([]byte("x"), 5000), 0)
			e.Must(err)
			renamed := s.CallsMatching(faultstore.OpRename, "i/*")
			e.V.WakeupFlusherThreads("test")
			deadline := time.Now().Add(5 * time.Second)
			for s.CallsMatching(faultstore.OpRename, "i/*") == renamed || e.Stat("/mnt/f").Blocks == 0 {
				if time.Now().After(deadline) {
					t.Fatal("the flusher did not write the record")
				}
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(50 * time.Millisecond) // its pass ends
			before := s.CallsMatching(faultstore.OpSync, "i/*")
			if datasync {
				e.Must(r.Fdatasync(fd))
			} else {
				e.Must(r.Fsync(fd))
			}
			if got := s.CallsMatching(faultstore.OpSync, "i/*") - before; got == 0 {
				t.Fatal("fsync flushed no record")
			}
			before = s.CallsMatching(faultstore.OpSync, "i/*")
			e.Must(r.Fsync(fd))
			if got := s.CallsMatching(faultstore.OpSync, "i/*") - before; got != 0 {
				t.Fatalf("a second fsync flushed the record again (%d)", got)
			}
			e.Must(r.Close(fd))
		})
	}
}

// TestDirFsyncFlushesLog: fsync of a directory flushes its log, where
// its entries are.
func TestDirFsyncFlushesLog(t *testing.T) {
	e, s := faultEnv(t)
	r := e.Root
	e.Must(r.Mkdir("/mnt/d", 0o755))
	fd, err := r.Open("/mnt/d/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	e.Must(err)
	e.Must(r.Fsync(fd))
	dfd, err := r.Open("/mnt/d", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	e.Must(err)
	before := s.CallsMatching(faultstore.OpSync, "d/*")
	e.Must(r.Fsync(dfd))
	if s.CallsMatching(faultstore.OpSync, "d/*") == before {
		t.Fatal("fsync of the directory flushed no log")
	}
	e.Must(r.Close(dfd))
	e.Must(r.Close(fd))
}

// TestFsyncReportsStalledWrite: a data write the store answers with no
// progress and no error (0, nil) fails as EIO (writeFull), and fsync
// reports it once to each open file description, as a failed writeback
// reaches every description through the mapping's wb_err; a write that
// makes some progress is continued, and fsync succeeds.
func TestFsyncReportsStalledWrite(t *testing.T) {
	for _, tc := range []struct {
		name string
		rule faultstore.Rule
		want error // the first fsync of each description
	}{
		{"no progress", faultstore.Rule{Op: faultstore.OpWrite, Path: "f/*", Nth: 1, ShortZero: true}, vfs.EIO},
		{"some progress", faultstore.Rule{Op: faultstore.OpWrite, Path: "f/*", Nth: 1, Short: 1}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, s := faultEnv(t)
			r := e.Root
			a, err := r.Open("/mnt/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			e.Must(err)
			b, err := r.Open("/mnt/f", vfs.O_RDWR, 0)
			e.Must(err)
			_, err = r.Pwrite(a, bytes.Repeat([]byte("x"), 5000), 0)
			e.Must(err)
			s.Add(tc.rule)
			for i, step := range []struct {
				fd   int
				want error
			}{
				{a, tc.want},
				{a, nil}, // reported once to a
				{b, tc.want},
				{b, nil},
			} {
				if err := r.Fsync(step.fd); err != step.want {
					t.Fatalf("step %d: fsync = %v, want %v", i, err, step.want)
				}
			}
			s.Clear()
			e.Must(r.Close(a))
			e.Must(r.Close(b))
		})
	}
}
