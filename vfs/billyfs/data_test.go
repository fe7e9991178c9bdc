package billyfs_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/go-git/go-billy/v5/memfs"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/billyfs/faultstore"
)

// pattern is n bytes that differ per file (seed) and per position, so a
// byte of another file or another place cannot pass for the right one.
func pattern(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed ^ byte(i*7+i/4096) | 1
	}
	return b
}

func (e *env) writeAt(path string, data []byte, off int64, flags int) {
	e.TB.Helper()
	fd, err := e.Root.Open(path, vfs.O_CREAT|vfs.O_WRONLY|flags, 0o644)
	e.Must(err)
	n, err := e.Root.Pwrite(fd, data, off)
	e.Must(err)
	if n != len(data) {
		e.TB.Fatalf("short write %d of %d", n, len(data))
	}
	e.Must(e.Root.Close(fd))
}

func (e *env) content(path string) []byte {
	e.TB.Helper()
	s, err := e.ReadFile(path)
	e.Must(err)
	return []byte(s)
}

// faultEnv registers a fault store under the test's name and mounts it.
func faultEnv(t *testing.T) (*env, *faultstore.Store) {
	s := faultstore.New(memfs.New())
	name := "fault-" + t.Name()
	if err := billyfs.RegisterStore(name, s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { billyfs.ForgetStore(name) })
	e := newEnv(t, name)
	e.mount("")
	return e, s
}

// TestRemountKeepsData writes files of sizes around page boundaries and
// a sparse file, unmounts (which writes everything back) and checks
// content, size and blocks after a mount.
func TestRemountKeepsData(t *testing.T) {
	e := newEnv(t, "")
	e.mount("")
	sizes := []int{1, 100, 4095, 4096, 4097, 3*4096 + 5, 300 << 10}
	for i, n := range sizes {
		e.writeAt(fmt.Sprintf("/mnt/f%d", n), pattern(byte(i), n), 0, 0)
	}
	e.writeAt("/mnt/sparse", pattern(9, 10), 1<<18, 0)
	e.writeAt("/mnt/sparse", pattern(10, 10), 0, 0)
	st := e.Stat("/mnt/sparse")
	if st.Size != 1<<18+10 || st.Blocks != 2*8 {
		t.Fatalf("sparse file before writeback: size %d blocks %d", st.Size, st.Blocks)
	}
	before := e.snapshot("/mnt")
	e.remount("")
	if after := e.snapshot("/mnt"); after != before {
		t.Fatalf("changed over a remount:\n%.2000s\n---\n%.2000s", before, after)
	}
	for i, n := range sizes {
		if got := e.content(fmt.Sprintf("/mnt/f%d", n)); !bytes.Equal(got, pattern(byte(i), n)) {
			t.Errorf("f%d: %d bytes differ after remount", n, len(got))
		}
	}
	got := e.content("/mnt/sparse")
	want := append(append(pattern(10, 10), make([]byte, 1<<18-10)...), pattern(9, 10)...)
	if !bytes.Equal(got, want) {
		t.Error("sparse file content differs after remount")
	}
}

// TestCrash is issue 3's crash test: files written, some fsync'd, some
// changed after their fsync, then the filesystem is cut off its store
// (Shutdown: the page cache and dirty inodes are thrown away without
// writeback) and the store is mounted again. Every fsync'd byte is
// there; a byte that was not fsync'd is either its new value or, past
// the fsync'd size, zero; never another file's, never garbage.
func TestCrash(t *testing.T) {
	e := newEnv(t, "")
	e.mount("")
	r := e.Root
	type file struct {
		synced []byte // content at fsync; nil: never fsync'd
		final  []byte
	}
	files := map[string]*file{}
	for i := 0; i < 12; i++ {
		name := fmt.Sprintf("/mnt/f%d", i)
		data := pattern(byte(i*16), 4096*(i%4)+i*1000+1)
		fd, err := r.Open(name, vfs.O_CREAT|vfs.O_RDWR, 0o644)
		e.Must(err)
		_, err = r.Write(fd, data)
		e.Must(err)
		f := &file{final: data}
		if i%2 == 0 {
			e.Must(r.Fsync(fd))
			f.synced = append([]byte{}, data...)
			if i%4 == 0 {
				// Changed after the fsync: overwrite a middle part and
				// grow the file.
				more := pattern(byte(i*16+5), 5000)
				_, err = r.Pwrite(fd, more, int64(len(data)/2))
				e.Must(err)
				f.final = append(append([]byte{}, data[:len(data)/2]...), more...)
				if len(f.final) < len(data) {
					f.final = append(f.final, data[len(f.final):]...)
				}
			}
		}
		e.Must(r.Close(fd))
		files[name] = f
	}
	e.Must(billyfs.Shutdown(e.store))
	e.umount()
	e.mount("")
	for name, f := range files {
		got := e.content(name)
		if f.synced != nil && len(got) < len(f.synced) {
			t.Errorf("%s: %d bytes, fsync'd %d", name, len(got), len(f.synced))
			continue
		}
		if len(got) > max(len(f.final), len(f.synced)) {
			t.Errorf("%s: %d bytes, more than was ever written", name, len(got))
			continue
		}
		for i, b := range got {
			ok := i < len(f.final) && b == f.final[i]
			if f.synced != nil && i < len(f.synced) {
				ok = ok || b == f.synced[i]
			} else {
				ok = ok || b == 0
			}
			if !ok {
				t.Errorf("%s: byte %d is %#x: neither fsync'd, written nor zero", name, i, b)
				break
			}
		}
	}
}

// TestWritebackErrorReportedOnce: EIO from the store during writeback
// reaches fsync once per open file description (errseq), and close
// reports it to a description open for writing that did not fsync.
func TestWritebackErrorReportedOnce(t *testing.T) {
	e, s := faultEnv(t)
	r := e.Root
	fd1, err := r.Open("/mnt/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	e.Must(err)
	fd2, err := r.Open("/mnt/f", vfs.O_RDWR, 0)
	e.Must(err)
	fd3, err := r.Open("/mnt/f", vfs.O_WRONLY, 0)
	e.Must(err)
	s.Add(faultstore.Rule{Op: faultstore.OpWrite, Path: "f/*", Err: vfs.EIO})
	_, err = r.Write(fd1, pattern(1, 8192))
	e.Must(err)
	if err := r.Fsync(fd1); err != vfs.EIO {
		t.Fatalf("first fsync: %v, want EIO", err)
	}
	if err := r.Fsync(fd1); err != nil {
		t.Fatalf("second fsync on the same description: %v, want nil", err)
	}
	if err := r.Fsync(fd2); err != vfs.EIO {
		t.Fatalf("fsync on the other description: %v, want EIO", err)
	}
	if err := r.Close(fd3); err != vfs.EIO {
		t.Fatalf("close of a third description: %v, want EIO", err)
	}
	s.Clear()
	_, err = r.Pwrite(fd1, pattern(2, 100), 0)
	e.Must(err)
	if err := r.Fsync(fd1); err != nil {
		t.Fatalf("fsync once the store works: %v", err)
	}
	e.Must(r.Close(fd1))
	e.Must(r.Close(fd2))
}

// TestENOSPC: the store's ENOSPC reaches fsync; size= makes write fail
// with ENOSPC after a short write, and statfs shows the pages.
func TestENOSPC(t *testing.T) {
	e, s := faultEnv(t)
	r := e.Root
	s.Add(faultstore.Rule{Op: faultstore.OpWrite, Path: "f/*", Err: vfs.ENOSPC})
	fd, err := r.Open("/mnt/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	e.Must(err)
	_, err = r.Write(fd, pattern(1, 4096))
	e.Must(err)
	if err := r.Fsync(fd); err != vfs.ENOSPC {
		t.Fatalf("fsync: %v, want ENOSPC", err)
	}
	e.Must(r.Close(fd))
	s.Clear()

	e.umount()
	e.mount("size=16k")
	fd, err = r.Open("/mnt/g", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	e.Must(err)
	n, err := r.Write(fd, pattern(2, 5*4096))
	if n != 4*4096-4096 && n != 4*4096 || err != nil {
		// f may hold a page: what fits is written, short.
		t.Logf("first write: %d %v", n, err)
	}
	if _, err := r.Write(fd, pattern(3, 4096)); err != vfs.ENOSPC {
		t.Fatalf("write past size=: %v, want ENOSPC", err)
	}
	if st := e.statfs(); st.Blocks != 4 || st.Bfree != 0 {
		t.Fatalf("statfs when full: %+v", st)
	}
	e.Must(r.Close(fd))
	e.Must(r.Unlink("/mnt/g"))
	if st := e.statfs(); st.Bfree == 0 {
		t.Fatalf("statfs after unlink: %+v", st)
	}
}

// TestShortWritesRetried: a store that writes at most 1000 bytes per
// call still gets every page whole.
func TestShortWritesRetried(t *testing.T) {
	e, s := faultEnv(t)
	s.Add(faultstore.Rule{Op: faultstore.OpWrite, Short: 1000})
	data := pattern(7, 50000)
	e.writeAt("/mnt/f", data, 0, 0)
	e.remount("")
	if got := e.content("/mnt/f"); !bytes.Equal(got, data) {
		t.Fatal("content differs after short writes")
	}
	if s.Calls(faultstore.OpWrite) < 50000/1000 {
		t.Fatalf("only %d store writes: the rule did not shorten them", s.Calls(faultstore.OpWrite))
	}
}

// TestReadaheadReadsAhead: a sequential read of a cold 1 MiB file reads
// the store in batches (far fewer store reads than pages), and a second
// read comes from the page cache.
func TestReadaheadReadsAhead(t *testing.T) {
	e, s := faultEnv(t)
	data := pattern(3, 1<<20)
	e.writeAt("/mnt/f", data, 0, 0)
	e.remount("")
	reads0 := s.Calls(faultstore.OpRead)
	fd, err := e.Root.Open("/mnt/f", vfs.O_RDONLY, 0)
	e.Must(err)
	buf := make([]byte, 4096)
	var got []byte
	for {
		n, err := e.Root.Read(fd, buf)
		e.Must(err)
		if n == 0 {
			break
		}
		got = append(got, buf[:n]...)
	}
	e.Must(e.Root.Close(fd))
	if !bytes.Equal(got, data) {
		t.Fatal("content differs")
	}
	calls := s.Calls(faultstore.OpRead) - reads0
	if pages := billyfs.StoreReads(e.store); pages < 256 {
		t.Fatalf("%d pages read from the store, want all 256", pages)
	}
	if calls > 256/4 {
		t.Fatalf("%d store reads for 256 pages read sequentially: no readahead", calls)
	}
	before := s.Calls(faultstore.OpRead)
	if !bytes.Equal(e.content("/mnt/f"), data) || s.Calls(faultstore.OpRead) != before {
		t.Fatal("a second read went to the store")
	}
}

// TestTruncate: shrinking drops pages and bytes for good (growing again
// shows zeros, before and after a remount); holes cost no blocks;
// SEEK_DATA and SEEK_HOLE see them.
func TestTruncate(t *testing.T) {
	e := newEnv(t, "")
	e.mount("")
	r := e.Root
	e.writeAt("/mnt/f", pattern(5, 5*4096), 0, 0)
	fd, err := r.Open("/mnt/f", vfs.O_RDWR, 0)
	e.Must(err)
	e.Must(r.Fsync(fd))
	e.Must(r.Ftruncate(fd, 4096+10))
	e.Must(r.Ftruncate(fd, 8*4096))
	want := append(pattern(5, 4096+10), make([]byte, 8*4096-4096-10)...)
	if got := e.content("/mnt/f"); !bytes.Equal(got, want) {
		t.Fatal("old bytes came back after truncate down and up")
	}
	if st := e.Stat("/mnt/f"); st.Blocks != 2*8 {
		t.Fatalf("blocks %d after truncate, want 16", st.Blocks)
	}
	if off, err := r.Seek(fd, 4096*3, vfs.SEEK_DATA); err != vfs.ENXIO {
		t.Fatalf("SEEK_DATA in the tail hole: %d %v", off, err)
	}
	if off, err := r.Seek(fd, 0, vfs.SEEK_HOLE); err != nil || off != 2*4096 {
		t.Fatalf("SEEK_HOLE: %d %v", off, err)
	}
	e.Must(r.Close(fd))
	e.remount("")
	if got := e.content("/mnt/f"); !bytes.Equal(got, want) {
		t.Fatal("old bytes came back after a remount")
	}
}

// TestDirectoryWriteErrors: a directory change whose log write fails
// changes nothing, in memory or (after a remount) on the store; a
// cross-directory rename whose second write fails takes back its first.
func TestDirectoryWriteErrors(t *testing.T) {
	e, s := faultEnv(t)
	r := e.Root
	e.Must(r.Mkdir("/mnt/a", 0o755))
	e.Must(r.Mkdir("/mnt/b", 0o755))
	e.WriteFile("/mnt/a/f", "data", 0o644)
	before := e.snapshot("/mnt")
	s.Add(faultstore.Rule{Op: faultstore.OpWrite, Path: "d/*", Nth: 2, Err: vfs.EIO})
	if err := r.Rename("/mnt/a/f", "/mnt/b/g"); err != vfs.EIO {
		t.Fatalf("rename with the second log write failing: %v, want EIO", err)
	}
	s.Clear()
	s.Add(faultstore.Rule{Op: faultstore.OpWrite, Path: "d/*", Err: vfs.ENOSPC})
	for _, op := range []func() error{
		func() error { return r.Mkdir("/mnt/a/x", 0o755) },
		func() error { return r.Unlink("/mnt/a/f") },
		func() error { return r.Link("/mnt/a/f", "/mnt/b/h") },
		func() error { return r.Symlink("f", "/mnt/a/l") },
	} {
		if err := op(); err != vfs.ENOSPC {
			t.Errorf("a directory change with its log write failing: %v, want ENOSPC", err)
		}
	}
	s.Clear()
	if now := e.snapshot("/mnt"); now != before {
		t.Fatalf("failed changes changed the tree:\n%s\n---\n%s", before, now)
	}
	e.remount("")
	if after := e.snapshot("/mnt"); after != before {
		t.Fatalf("failed changes reached the store:\n%s\n---\n%s", before, after)
	}
}

// TestPageStates: 300 kB written to billyfs are 74 dirty pages of the
// page cache; sync writes them back (none dirty or under writeback
// after, all still cached and clean); unmount drops them.
func TestPageStates(t *testing.T) {
	e := newEnv(t, "")
	e.mount("")
	base := e.V.MemStat()
	e.writeAt("/mnt/f", pattern(4, 300000), 0, 0)
	st := e.V.MemStat()
	if d := st.Dirty - base.Dirty; d != 74 {
		t.Fatalf("%d dirty pages after writing 300000 bytes, want 74", d)
	}
	e.Root.Sync()
	st = e.V.MemStat()
	if st.Dirty != base.Dirty || st.Writeback != base.Writeback || st.FilePages-base.FilePages != 74 {
		t.Fatalf("after sync: %+v (before the write %+v)", st, base)
	}
	e.umount()
	if st := e.V.MemStat(); st.FilePages != base.FilePages {
		t.Fatalf("after unmount: %d cached pages, %d before the write", st.FilePages, base.FilePages)
	}
}

// TestWritepagesRuns: writing back a 1 MiB file takes a few store
// writes of up to 64 pages each, not one per page; a file with a hole
// in the middle takes a run on each side.
func TestWritepagesRuns(t *testing.T) {
	e, s := faultEnv(t)
	r := e.Root
	fd, err := r.Open("/mnt/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	e.Must(err)
	data := pattern(6, 1<<20)
	_, err = r.Write(fd, data)
	e.Must(err)
	before := s.CallsMatching(faultstore.OpWrite, "f/*")
	e.Must(r.Fsync(fd))
	if n := s.CallsMatching(faultstore.OpWrite, "f/*") - before; n != 256/64 {
		t.Errorf("%d store writes for 256 dirty pages, want 4", n)
	}
	_, err = r.Pwrite(fd, pattern(7, 3*4096), 0)
	e.Must(err)
	_, err = r.Pwrite(fd, pattern(8, 2*4096), 10*4096)
	e.Must(err)
	before = s.CallsMatching(faultstore.OpWrite, "f/*")
	e.Must(r.Fsync(fd))
	if n := s.CallsMatching(faultstore.OpWrite, "f/*") - before; n != 2 {
		t.Errorf("%d store writes for two runs of dirty pages, want 2", n)
	}
	e.Must(r.Close(fd))
	copy(data, pattern(7, 3*4096))
	copy(data[10*4096:], pattern(8, 2*4096))
	e.remount("")
	if got := e.content("/mnt/f"); !bytes.Equal(got, data) {
		t.Fatalf("content differs at %d after a remount", firstDiff(got, data))
	}
}

// TestReadErrorsFreeNothing: a directory whose log cannot be read gives
// EIO, and nothing of it is lost: once the store reads again, it is all
// there.
func TestReadErrorsFreeNothing(t *testing.T) {
	e, s := faultEnv(t)
	r := e.Root
	e.Must(r.Mkdir("/mnt/d", 0o755))
	e.WriteFile("/mnt/d/f", "kept", 0o644)
	before := e.snapshot("/mnt")
	ino := e.Stat("/mnt/d").Ino
	e.umount()
	s.Add(faultstore.Rule{Op: faultstore.OpRead, Path: fmt.Sprintf("d/%x", ino), Err: vfs.EIO})
	e.mount("")
	var st vfs.Stat
	if err := r.Stat("/mnt/d/f", &st); err != vfs.EIO {
		t.Fatalf("stat through an unreadable directory: %v, want EIO", err)
	}
	s.Clear()
	e.remount("")
	if after := e.snapshot("/mnt"); after != before {
		t.Fatalf("a read error changed the store:\n%s\n---\n%s", before, after)
	}
}
