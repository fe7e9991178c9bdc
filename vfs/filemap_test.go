package vfs_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// pcEnv is a VFS with lock validation on: tmpfs at /, pcfs at /pc, and a
// 64 KiB tmpfs at /small.
func pcEnv(t testing.TB) (*vfs.VFS, *vfs.Task, *pcfs) {
	t.Helper()
	v := vfs.New(vfs.Options{Lockdep: true})
	tk := v.NewTask("init", vfs.RootCred)
	if err := tmpfs.Register(tk, v); err != nil {
		t.Fatal(err)
	}
	if err := v.MountRoot(tk, "tmpfs", "mode=755"); err != nil {
		t.Fatal(err)
	}
	p := newPCFS()
	if err := p.register(tk, v); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"/pc", "/small"} {
		if err := tk.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := tk.Mount("none", "/pc", "pcfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	if err := tk.Mount("none", "/small", "tmpfs", 0, "size=64k"); err != nil {
		t.Fatal(err)
	}
	return v, tk, p
}

func pcCheck(t *testing.T, v *vfs.VFS) {
	t.Helper()
	for _, r := range v.Validator().Reports() {
		t.Errorf("validator report:\n%s", r.Text)
	}
	for _, s := range v.LockingViolations() {
		t.Errorf("locking violation: %s", s)
	}
}

func mustT(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// pattern returns n bytes of a recognisable pattern for offset off.
func pattern(off int64, n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(off+int64(i)) ^ seed
	}
	return b
}

// pageFlags returns the flags of the page at idx of the file at fd, or
// "absent".
func pageFlags(tk *vfs.Task, fd int, idx int64) string {
	in := vfs.FdInode(tk, fd)
	fo := vfs.FilemapGetFolio(in.Mapping(), idx)
	if fo == nil {
		return "absent"
	}
	defer vfs.FolioPut(fo)
	var names []string
	for _, n := range vfs.FolioFlagNames(fo.Flags()) {
		if n != "lru" && n != "referenced" && n != "active" { // LRU state varies with access
			names = append(names, n)
		}
	}
	return strings.Join(names, ",")
}

// TestPageFlagsThroughReadWriteTruncate follows the flags of a file's
// pages through write, writeback, eviction, read and truncate, on tmpfs
// (swap-backed: always dirty) and on pcfs (written back by fsync).
func TestPageFlagsThroughReadWriteTruncate(t *testing.T) {
	for _, tc := range []struct {
		name, path                  string
		afterWrite, afterFsync      string
		afterRead                   string
		dirtyPages, shmemPages      int64
		dirtyAfterFsync, dropsClean bool
	}{
		{"tmpfs", "/f", "uptodate,dirty,swapbacked", "uptodate,dirty,swapbacked", "uptodate,dirty,swapbacked", 0, 3, false, false},
		{"pcfs", "/pc/f", "uptodate,dirty,private", "uptodate,private", "uptodate", 3, 0, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, p := pcEnv(t)
			fd, err := tk.Open(tc.path, vfs.O_RDWR|vfs.O_CREAT, 0o644)
			mustT(t, "open", err)
			data := pattern(0, 3*vfs.PAGE_SIZE, 1)
			n, err := tk.Write(fd, data)
			if n != len(data) || err != nil {
				t.Fatalf("write: %d %v", n, err)
			}
			for idx := int64(0); idx < 3; idx++ {
				if got := pageFlags(tk, fd, idx); got != tc.afterWrite {
					t.Errorf("after write, page %d: %s, want %s", idx, got, tc.afterWrite)
				}
			}
			if st := v.MemStat(); st.FilePages != 3 || st.Dirty != tc.dirtyPages || st.Shmem != tc.shmemPages {
				t.Errorf("after write: %+v", st)
			}
			mustT(t, "fsync", tk.Fsync(fd))
			if got := pageFlags(tk, fd, 1); got != tc.afterFsync {
				t.Errorf("after fsync: %s, want %s", got, tc.afterFsync)
			}
			if tc.dropsClean {
				if st := v.MemStat(); st.Dirty != 0 || st.Writeback != 0 {
					t.Errorf("after fsync: %+v", st)
				}
				if !bytes.Equal(p.storeBytes(vfs.FdInode(tk, fd).Ino()), data) {
					t.Errorf("store does not hold the data after fsync")
				}
				in := vfs.FdInode(tk, fd)
				if got := vfs.InvalidateMappingPages(tk, in.Mapping(), 0, 1<<40); got != 3 {
					t.Errorf("invalidate_mapping_pages dropped %d clean pages, want 3", got)
				}
				if got := pageFlags(tk, fd, 1); got != "absent" {
					t.Errorf("after dropping: %s", got)
				}
			}
			buf := make([]byte, len(data))
			n, err = tk.Pread(fd, buf, 0)
			if n != len(data) || err != nil || !bytes.Equal(buf, data) {
				t.Fatalf("read back: %d %v equal=%v", n, err, bytes.Equal(buf, data))
			}
			if got := pageFlags(tk, fd, 1); got != tc.afterRead {
				t.Errorf("after read: %s, want %s", got, tc.afterRead)
			}
			// Truncate to 1.5 pages: page 2 goes, page 1's tail is zero.
			mustT(t, "ftruncate", tk.Ftruncate(fd, vfs.PAGE_SIZE+vfs.PAGE_SIZE/2))
			if got := pageFlags(tk, fd, 2); got != "absent" {
				t.Errorf("after truncate, page 2: %s", got)
			}
			mustT(t, "extend", tk.Ftruncate(fd, 3*vfs.PAGE_SIZE))
			n, err = tk.Pread(fd, buf, 0)
			want := append(append([]byte(nil), data[:vfs.PAGE_SIZE+vfs.PAGE_SIZE/2]...), make([]byte, vfs.PAGE_SIZE+vfs.PAGE_SIZE/2)...)
			if n != len(want) || !bytes.Equal(buf[:n], want) {
				t.Errorf("after truncate and extend: %d bytes, equal=%v", n, bytes.Equal(buf[:n], want))
			}
			mustT(t, "close", tk.Close(fd))
			mustT(t, "unlink", tk.Unlink(tc.path))
			if st := v.MemStat(); st.FilePages != 0 || st.Dirty != 0 || st.Shmem != 0 {
				t.Errorf("after unlink: %+v", st)
			}
			pcCheck(t, v)
		})
	}
}

// TestHoles: a sparse tmpfs file reads zeros in its hole, counts only
// its pages in st_blocks, and SEEK_DATA / SEEK_HOLE find the pages.
func TestHoles(t *testing.T) {
	v, tk, _ := pcEnv(t)
	fd, err := tk.Open("/sparse", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustT(t, "open", err)
	mustT(t, "write 0", pwriteAll(tk, fd, pattern(0, 100, 2), 0))
	far := int64(10 * vfs.PAGE_SIZE)
	mustT(t, "write far", pwriteAll(tk, fd, pattern(far, 100, 2), far))
	var st vfs.Stat
	mustT(t, "fstat", tk.Fstat(fd, &st))
	if st.Size != far+100 || st.Blocks != 2*vfs.PAGE_SIZE/512 {
		t.Errorf("size %d blocks %d, want %d and %d", st.Size, st.Blocks, far+100, 2*vfs.PAGE_SIZE/512)
	}
	buf := make([]byte, far+100)
	n, err := tk.Pread(fd, buf, 0)
	if n != len(buf) || err != nil {
		t.Fatalf("pread: %d %v", n, err)
	}
	if !bytes.Equal(buf[:100], pattern(0, 100, 2)) || !bytes.Equal(buf[far:], pattern(far, 100, 2)) {
		t.Errorf("data around the hole differs")
	}
	if !bytes.Equal(buf[100:far], make([]byte, far-100)) {
		t.Errorf("the hole is not zeros")
	}
	if got := vfs.FdInode(tk, fd).Mapping().NrPages(); got != 2 {
		t.Errorf("reading the hole allocated pages: %d", got)
	}
	for _, tc := range []struct {
		off    int64
		whence int
		want   int64
		err    error
	}{
		{0, vfs.SEEK_DATA, 0, nil},
		{50, vfs.SEEK_DATA, 50, nil},
		{200, vfs.SEEK_DATA, 200, nil}, // inside page 0: data at page granularity
		{5000, vfs.SEEK_DATA, far, nil},
		{0, vfs.SEEK_HOLE, vfs.PAGE_SIZE, nil},
		{far + 10, vfs.SEEK_HOLE, far + 100, nil},
		{far + 100, vfs.SEEK_DATA, 0, vfs.ENXIO},
		{-1, vfs.SEEK_HOLE, 0, vfs.ENXIO},
	} {
		got, err := tk.Seek(fd, tc.off, tc.whence)
		if err != tc.err || (err == nil && got != tc.want) {
			t.Errorf("lseek(%d, %d) = %d, %v; want %d, %v", tc.off, tc.whence, got, err, tc.want, tc.err)
		}
	}
	tk.Close(fd)
	pcCheck(t, v)
}

func pwriteAll(tk *vfs.Task, fd int, b []byte, off int64) error {
	n, err := tk.Pwrite(fd, b, off)
	if err == nil && n != len(b) {
		err = fmt.Errorf("short write %d of %d", n, len(b))
	}
	return err
}

// TestReadaheadWindow: sequential reads of a cold pcfs file make the
// readahead window grow (4, 8, 16, 32 pages) up to the maximum; a lone
// read elsewhere reads just its page and leaves the window alone
// (page_cache_sync_ra's standalone random read).
func TestReadaheadWindow(t *testing.T) {
	v, tk, p := pcEnv(t)
	const pages = 256
	fd, err := tk.Open("/pc/ra", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustT(t, "open", err)
	data := pattern(0, pages*vfs.PAGE_SIZE, 3)
	mustT(t, "write", pwriteAll(tk, fd, data, 0))
	mustT(t, "fsync", tk.Fsync(fd))
	in := vfs.FdInode(tk, fd)
	if got := vfs.InvalidateMappingPages(tk, in.Mapping(), 0, pages); got != pages {
		t.Fatalf("dropped %d pages, want %d", got, pages)
	}
	f := vfs.FdFile(tk, fd)
	buf := make([]byte, vfs.PAGE_SIZE)
	var sizes []int
	for off := int64(0); off < 120*vfs.PAGE_SIZE; off += vfs.PAGE_SIZE {
		n, err := tk.Pread(fd, buf, off)
		if n != len(buf) || err != nil || !bytes.Equal(buf, data[off:off+vfs.PAGE_SIZE]) {
			t.Fatalf("pread at %d: %d %v", off, n, err)
		}
		if _, sz := f.RaWindow(); len(sizes) == 0 || sizes[len(sizes)-1] != sz {
			sizes = append(sizes, sz)
		}
	}
	batches := p.batches()
	t.Logf("windows %v, ->readahead batches %v", sizes, batches)
	if len(sizes) < 3 || sizes[0] != 4 || sizes[len(sizes)-1] != 32 {
		t.Errorf("sequential windows %v: want growth from 4 to 32", sizes)
	}
	for i := 1; i < len(sizes); i++ {
		if sizes[i] < sizes[i-1] {
			t.Errorf("window shrank during sequential reads: %v", sizes)
		}
	}
	if c := p.Calls()["read_folio"]; c != 0 {
		t.Errorf("sequential reads fell back to ->read_folio %d times", c)
	}
	// Reads far away, twice: each reads its page alone, and the
	// stream's window stays.
	start0, sz0 := f.RaWindow()
	for _, pg := range []int64{200, 240} {
		nb := len(p.batches())
		_, err = tk.Pread(fd, buf, pg*vfs.PAGE_SIZE)
		mustT(t, "random pread", err)
		if b := p.batches()[nb:]; len(b) != 1 || b[0] != 1 {
			t.Errorf("random read of page %d: ->readahead batches %v, want [1]", pg, b)
		}
		if start, sz := f.RaWindow(); start != start0 || sz != sz0 {
			t.Errorf("after a random read of page %d: window at %d size %d, want %d size %d kept", pg, start, sz, start0, sz0)
		}
	}
	tk.Close(fd)
	pcCheck(t, v)
}

// TestReadError: a failing ->read_folio reports EIO and leaves the page
// not uptodate.
func TestReadError(t *testing.T) {
	v, tk, p := pcEnv(t)
	fd, err := tk.Open("/pc/e", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustT(t, "open", err)
	mustT(t, "write", pwriteAll(tk, fd, pattern(0, vfs.PAGE_SIZE, 4), 0))
	mustT(t, "fsync", tk.Fsync(fd))
	vfs.InvalidateMappingPages(tk, vfs.FdInode(tk, fd).Mapping(), 0, 1)
	p.mu.Lock()
	p.failRead = true
	p.mu.Unlock()
	buf := make([]byte, 10)
	if n, err := tk.Pread(fd, buf, 0); err != vfs.EIO || n != 0 {
		t.Errorf("pread with a failing store: %d, %v; want EIO", n, err)
	}
	if got := pageFlags(tk, fd, 0); strings.Contains(got, "uptodate") || strings.Contains(got, "locked") {
		t.Errorf("page after a failed read: %s", got)
	}
	p.mu.Lock()
	p.failRead = false
	p.mu.Unlock()
	if n, err := tk.Pread(fd, buf, 0); err != nil || n != 10 {
		t.Errorf("pread after the store recovered: %d, %v", n, err)
	}
	tk.Close(fd)
	pcCheck(t, v)
}

// TestFallocate: fallocate(2)'s modes and errors.
func TestFallocate(t *testing.T) {
	_, tk, _ := pcEnv(t)
	mkfile := func(path string, size int) int {
		fd, err := tk.Open(path, vfs.O_RDWR|vfs.O_CREAT|vfs.O_TRUNC, 0o644)
		mustT(t, "open "+path, err)
		if size > 0 {
			mustT(t, "write", pwriteAll(tk, fd, pattern(0, size, 5), 0))
		}
		return fd
	}
	stat := func(fd int) vfs.Stat {
		var st vfs.Stat
		mustT(t, "fstat", tk.Fstat(fd, &st))
		return st
	}
	const P = vfs.PAGE_SIZE
	for _, tc := range []struct {
		name       string
		path       string
		size       int // initial
		mode       int
		off, len   int64
		err        error
		wantSize   int64
		wantBlocks int64 // 512-byte units; -1: not checked
		zero       [2]int64
	}{
		{"allocate extends", "/fa", 0, 0, 0, 3 * P, nil, 3 * P, 3 * P / 512, [2]int64{}},
		{"keep size", "/fb", P, vfs.FALLOC_FL_KEEP_SIZE, 0, 4 * P, nil, P, 4 * P / 512, [2]int64{}},
		{"punch hole", "/fc", 3 * P, vfs.FALLOC_FL_PUNCH_HOLE | vfs.FALLOC_FL_KEEP_SIZE, 100, 2 * P, nil, 3 * P, 2 * P / 512, [2]int64{100, 2*P + 100}},
		{"punch needs keep size", "/fd", P, vfs.FALLOC_FL_PUNCH_HOLE, 0, P, vfs.EOPNOTSUPP, P, -1, [2]int64{}},
		{"punch and zero", "/fe", P, vfs.FALLOC_FL_PUNCH_HOLE | vfs.FALLOC_FL_ZERO_RANGE | vfs.FALLOC_FL_KEEP_SIZE, 0, P, vfs.EOPNOTSUPP, P, -1, [2]int64{}},
		{"zero range on tmpfs", "/ff", P, vfs.FALLOC_FL_ZERO_RANGE, 0, P, vfs.EOPNOTSUPP, P, -1, [2]int64{}},
		{"zero range", "/pc/fg", 2 * P, vfs.FALLOC_FL_ZERO_RANGE, 10, P, nil, 2 * P, -1, [2]int64{10, P + 10}},
		{"zero range extends", "/pc/fh", P, vfs.FALLOC_FL_ZERO_RANGE, P / 2, 2 * P, nil, 2*P + P/2, -1, [2]int64{P / 2, 2*P + P/2}},
		{"punch on pcfs", "/pc/fi", 3 * P, vfs.FALLOC_FL_PUNCH_HOLE | vfs.FALLOC_FL_KEEP_SIZE, P, P, nil, 3 * P, -1, [2]int64{P, 2 * P}},
		{"negative offset", "/fj", 0, 0, -1, P, vfs.EINVAL, 0, -1, [2]int64{}},
		{"zero length", "/fk", 0, 0, 0, 0, vfs.EINVAL, 0, -1, [2]int64{}},
		{"unknown mode", "/fl", 0, 0x100, 0, P, vfs.EOPNOTSUPP, 0, -1, [2]int64{}},
		// Linux 6.11 on: the modes are exclusive, a bad mix is EOPNOTSUPP
		// (each row checked against the host's tmpfs).
		{"collapse with keep", "/fm", 0, vfs.FALLOC_FL_COLLAPSE_RANGE | vfs.FALLOC_FL_KEEP_SIZE, 0, P, vfs.EOPNOTSUPP, 0, -1, [2]int64{}},
		{"collapse, punch and keep", "/fm1", 0, vfs.FALLOC_FL_COLLAPSE_RANGE | vfs.FALLOC_FL_PUNCH_HOLE | vfs.FALLOC_FL_KEEP_SIZE, 0, P, vfs.EOPNOTSUPP, 0, -1, [2]int64{}},
		{"insert with keep", "/fm2", 0, vfs.FALLOC_FL_INSERT_RANGE | vfs.FALLOC_FL_KEEP_SIZE, 0, P, vfs.EOPNOTSUPP, 0, -1, [2]int64{}},
		{"punch, unshare and keep", "/fm3", 0, vfs.FALLOC_FL_PUNCH_HOLE | vfs.FALLOC_FL_UNSHARE_RANGE | vfs.FALLOC_FL_KEEP_SIZE, 0, P, vfs.EOPNOTSUPP, 0, -1, [2]int64{}},
		{"collapse and insert", "/fm4", 0, vfs.FALLOC_FL_COLLAPSE_RANGE | vfs.FALLOC_FL_INSERT_RANGE, 0, P, vfs.EOPNOTSUPP, 0, -1, [2]int64{}},
		{"collapse and zero", "/fm5", 0, vfs.FALLOC_FL_COLLAPSE_RANGE | vfs.FALLOC_FL_ZERO_RANGE, 0, P, vfs.EOPNOTSUPP, 0, -1, [2]int64{}},
		{"no hide stale", "/fm6", 0, vfs.FALLOC_FL_NO_HIDE_STALE, 0, P, vfs.EOPNOTSUPP, 0, -1, [2]int64{}},
		{"write zeroes with keep", "/fm7", 0, vfs.FALLOC_FL_WRITE_ZEROES | vfs.FALLOC_FL_KEEP_SIZE, 0, P, vfs.EOPNOTSUPP, 0, -1, [2]int64{}},
		{"write zeroes on tmpfs", "/fm8", P, vfs.FALLOC_FL_WRITE_ZEROES, 0, 2 * P, vfs.EOPNOTSUPP, P, -1, [2]int64{}},
		{"write zeroes on pcfs", "/pc/fm9", P, vfs.FALLOC_FL_WRITE_ZEROES, 0, 2 * P, vfs.EOPNOTSUPP, P, -1, [2]int64{}},
		{"too big", "/pc/fn", 0, 0, 1 << 40, P, vfs.EFBIG, 0, -1, [2]int64{}},
		{"overflow", "/fo", 0, 0, 1<<63 - 10, P, vfs.EFBIG, 0, -1, [2]int64{}},
		{"no space", "/small/fp", 0, 0, 0, 65 << 10, vfs.ENOSPC, 0, 0, [2]int64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fd := mkfile(tc.path, tc.size)
			defer tk.Close(fd)
			err := tk.Fallocate(fd, tc.mode, tc.off, tc.len)
			if err != tc.err {
				t.Fatalf("fallocate: %v, want %v", err, tc.err)
			}
			st := stat(fd)
			if st.Size != tc.wantSize {
				t.Errorf("size %d, want %d", st.Size, tc.wantSize)
			}
			if tc.wantBlocks >= 0 && st.Blocks != tc.wantBlocks {
				t.Errorf("blocks %d, want %d", st.Blocks, tc.wantBlocks)
			}
			buf := make([]byte, st.Size)
			n, _ := tk.Pread(fd, buf, 0)
			orig := pattern(0, tc.size, 5)
			for i := 0; i < n; i++ {
				in := int64(i) >= tc.zero[0] && int64(i) < tc.zero[1]
				want := byte(0)
				if !in && i < tc.size {
					want = orig[i]
				}
				if buf[i] != want {
					t.Fatalf("byte %d = %d, want %d (zeroed range %v)", i, buf[i], want, tc.zero)
				}
			}
		})
	}
	// Descriptor errors. The mode is checked before the descriptor's
	// FMODE_WRITE: a well-formed mode on a read-only descriptor is EBADF,
	// a bad one EOPNOTSUPP (as the host's tmpfs answers).
	fd, err := tk.Open("/fq", vfs.O_RDONLY|vfs.O_CREAT, 0o644)
	mustT(t, "open ro", err)
	for _, tc := range []struct {
		mode int
		err  error
	}{
		{0, vfs.EBADF},
		{vfs.FALLOC_FL_PUNCH_HOLE | vfs.FALLOC_FL_KEEP_SIZE, vfs.EBADF},
		{vfs.FALLOC_FL_UNSHARE_RANGE | vfs.FALLOC_FL_KEEP_SIZE, vfs.EBADF},
		{vfs.FALLOC_FL_ZERO_RANGE | vfs.FALLOC_FL_KEEP_SIZE, vfs.EBADF},
		{vfs.FALLOC_FL_WRITE_ZEROES, vfs.EBADF},
		{vfs.FALLOC_FL_PUNCH_HOLE, vfs.EOPNOTSUPP},
		{vfs.FALLOC_FL_COLLAPSE_RANGE | vfs.FALLOC_FL_KEEP_SIZE, vfs.EOPNOTSUPP},
		{vfs.FALLOC_FL_COLLAPSE_RANGE | vfs.FALLOC_FL_INSERT_RANGE, vfs.EOPNOTSUPP},
		{vfs.FALLOC_FL_WRITE_ZEROES | vfs.FALLOC_FL_KEEP_SIZE, vfs.EOPNOTSUPP},
	} {
		if err := tk.Fallocate(fd, tc.mode, 0, 10); err != tc.err {
			t.Errorf("fallocate mode %#x on a read-only descriptor: %v, want %v", tc.mode, err, tc.err)
		}
	}
	tk.Close(fd)
	if err := tk.Fallocate(999, 0, 0, 10); err != vfs.EBADF {
		t.Errorf("fallocate on a bad descriptor: %v, want EBADF", err)
	}
	mustT(t, "mkdir", tk.Mkdir("/dir", 0o755))
	fd, err = tk.Open("/dir", vfs.O_RDONLY, 0)
	mustT(t, "open dir", err)
	if err := tk.Fallocate(fd, 0, 0, 10); err != vfs.EBADF {
		t.Errorf("fallocate on a directory opened read-only: %v, want EBADF", err)
	}
	tk.Close(fd)
}

// TestTmpfsSizeLimit: a write over size= is cut short, then ENOSPC.
func TestTmpfsSizeLimit(t *testing.T) {
	v, tk, _ := pcEnv(t)
	fd, err := tk.Open("/small/big", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustT(t, "open", err)
	n, err := tk.Write(fd, make([]byte, 100<<10))
	if n != 64<<10 || err != nil {
		t.Errorf("first write: %d, %v; want a short write of 64 KiB", n, err)
	}
	n, err = tk.Write(fd, make([]byte, 10))
	if n != 0 || err != vfs.ENOSPC {
		t.Errorf("second write: %d, %v; want ENOSPC", n, err)
	}
	mustT(t, "truncate", tk.Ftruncate(fd, 0))
	n, err = tk.Write(fd, make([]byte, 10))
	if n != 10 || err != nil {
		t.Errorf("write after truncate: %d, %v", n, err)
	}
	tk.Close(fd)
	pcCheck(t, v)
}

// TestPageCacheHammer runs readers, writers, truncaters and hole
// punchers on one file of each filesystem at once, under -race with the
// validator on. Every 8-byte word of the file is either zero or its
// offset (all writers write that): a reader seeing anything else saw a
// torn or misplaced page. At the end the page counters match the
// mappings and nothing was reported.
func TestPageCacheHammer(t *testing.T) {
	for _, path := range []string{"/h", "/pc/h"} {
		t.Run(path, func(t *testing.T) {
			v, tk, _ := pcEnv(t)
			fd, err := tk.Open(path, vfs.O_RDWR|vfs.O_CREAT, 0o644)
			mustT(t, "open", err)
			tk.Close(fd)
			const span = 64 * vfs.PAGE_SIZE
			word := func(off int64) []byte {
				b := make([]byte, 8)
				binary.LittleEndian.PutUint64(b, uint64(off))
				return b
			}
			rounds := 150
			if testing.Short() {
				rounds = 40
			}
			var wg sync.WaitGroup
			errs := make(chan string, 16)
			worker := func(name string, body func(wt *vfs.Task, fd int, i int)) {
				wt := tk.Fork(name)
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer wt.Exit()
					fd, err := wt.Open(path, vfs.O_RDWR, 0)
					if err != nil {
						errs <- name + ": open: " + err.Error()
						return
					}
					defer wt.Close(fd)
					for i := range rounds {
						body(wt, fd, i)
						runtime.Gosched()
					}
				}()
			}
			for w := range 2 {
				worker(fmt.Sprintf("writer%d", w), func(wt *vfs.Task, fd int, i int) {
					off := int64((i*7919+w*104729)%(span/8)) * 8
					n := 8 * (1 + (i*31)%1024)
					buf := make([]byte, 0, n)
					for o := off; len(buf) < n; o += 8 {
						buf = append(buf, word(o)...)
					}
					if _, err := wt.Pwrite(fd, buf, off); err != nil {
						errs <- "pwrite: " + err.Error()
					}
				})
			}
			for r := range 2 {
				worker(fmt.Sprintf("reader%d", r), func(wt *vfs.Task, fd int, i int) {
					off := int64((i*4099+r*7)%(span/8)) * 8
					buf := make([]byte, 8*(1+(i*17)%2048))
					n, err := wt.Pread(fd, buf, off)
					if err != nil {
						errs <- "pread: " + err.Error()
						return
					}
					for j := 0; j+8 <= n; j += 8 {
						got := binary.LittleEndian.Uint64(buf[j:])
						if got != 0 && got != uint64(off+int64(j)) {
							errs <- fmt.Sprintf("read %d at offset %d", got, off+int64(j))
							return
						}
					}
				})
			}
			worker("truncater", func(wt *vfs.Task, fd int, i int) {
				if i%3 == 0 {
					sz := int64((i * 12345) % span)
					if err := wt.Ftruncate(fd, sz&^7); err != nil {
						errs <- "ftruncate: " + err.Error()
					}
				} else {
					off := int64((i*2221)%span) &^ 7
					err := wt.Fallocate(fd, vfs.FALLOC_FL_PUNCH_HOLE|vfs.FALLOC_FL_KEEP_SIZE, off, int64(8*(1+i%700)))
					if err != nil {
						errs <- "punch: " + err.Error()
					}
				}
			})
			worker("syncer", func(wt *vfs.Task, fd int, i int) {
				if i%10 == 0 {
					if err := wt.Fsync(fd); err != nil {
						errs <- "fsync: " + err.Error()
					}
				}
			})
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Error(e)
			}
			// Counters: the mappings hold what the VFS counts.
			fd, err = tk.Open(path, vfs.O_RDWR, 0)
			mustT(t, "reopen", err)
			in := vfs.FdInode(tk, fd)
			var batch [64]*vfs.Folio
			pages := int64(0)
			for idx := int64(0); ; {
				n, next := vfs.FindGetFolios(in.Mapping(), idx, 1<<40, batch[:])
				for _, fo := range batch[:n] {
					pages++
					vfs.FolioPut(fo)
				}
				if n == 0 {
					break
				}
				idx = next
			}
			st := v.MemStat()
			if pages != in.Mapping().NrPages() || st.FilePages != pages {
				t.Errorf("pages found %d, nrpages %d, NR_FILE_PAGES %d", pages, in.Mapping().NrPages(), st.FilePages)
			}
			tk.Close(fd)
			pcCheck(t, v)
		})
	}
}

// TestFallocateDevice: fallocate on a character device is ENODEV (a
// FIFO would be ESPIPE, but vfscope's FIFOs cannot be opened; a
// directory cannot be opened for writing, so EISDIR is unreachable
// through a descriptor, as on Linux).
func TestFallocateDevice(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{Lockdep: true})
	mustT(t, "boot", err)
	fd, err := tk.Open("/dev/null", vfs.O_RDWR, 0)
	mustT(t, "open /dev/null", err)
	if err := tk.Fallocate(fd, 0, 0, 10); err != vfs.ENODEV {
		t.Errorf("fallocate on /dev/null: %v, want ENODEV", err)
	}
	tk.Close(fd)
	pcCheck(t, v)
}
