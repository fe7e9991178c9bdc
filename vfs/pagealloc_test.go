package vfs_test

import (
	"bytes"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestChunkPages: the chunk size grows with the mapping (none below 64
// pages, 16 pages, 2 MiB from 512 pages, then the mapping's size rounded
// down to a power of two, at most 32 MiB) and never exceeds a sixteenth
// of the budget, nor the free memory.
func TestChunkPages(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		nrpages, budget, free, want int64
	}{
		{0, 256 * mib, 256 * mib, 0},
		{63, 256 * mib, 256 * mib, 0},
		{64, 256 * mib, 256 * mib, 16},
		{511, 256 * mib, 256 * mib, 16},
		{512, 256 * mib, 256 * mib, 512},
		{1023, 256 * mib, 256 * mib, 512},
		{1024, 256 * mib, 256 * mib, 1024},
		{2047, 256 * mib, 256 * mib, 1024},
		{2048, 256 * mib, 256 * mib, 2048},
		{4096, 256 * mib, 256 * mib, 4096},
		{8192, 256 * mib, 256 * mib, 4096}, // 16 MiB: a sixteenth of 256 MiB
		{8192, 1024 * mib, 1024 * mib, 8192},
		{1 << 30, 1024 * mib, 1024 * mib, 8192}, // at most 32 MiB
		{8192, 32 * mib, 32 * mib, 512},         // 2 MiB: a sixteenth of 32 MiB
		{8192, 16 * mib, 16 * mib, 16},          // 1 MiB: too small for 2 MiB, 16 pages fit
		{8192, 256 << 10, 256 << 10, 0},         // 16 KiB: not even 16 pages
		{100, 1 * mib, 1 * mib, 16},
		// The chunk fits in the free memory too: its spare pages are
		// charged at once.
		{8192, 256 * mib, 3 * mib, 512},
		{8192, 256 * mib, 2*mib - 1, 16},
		{512, 256 * mib, 64 << 10, 16},
		{512, 256 * mib, 64<<10 - 1, 0},
		{512, 256 * mib, 0, 0},
	} {
		if !vfs.LargeFileChunks {
			c.want = 0 // pagealloc_wasm.go: every page from the pool
		}
		if got := vfs.ChunkPagesFor(c.nrpages, c.budget, c.free); got != c.want {
			t.Errorf("chunkPages(%d pages, budget %d, free %d) = %d, want %d", c.nrpages, c.budget, c.free, got, c.want)
		}
	}
}

// TestHugeRanges: the aligned 2 MiB ranges inside a run of memory.
func TestHugeRanges(t *testing.T) {
	const h = vfs.HugePageSize
	for _, c := range []struct {
		name        string
		start, size uintptr
		want        []uintptr
	}{
		{"aligned, one", 4 * h, h, []uintptr{0}},
		{"aligned, three", 4 * h, 3 * h, []uintptr{0, h, 2 * h}},
		{"unaligned, one of two", 4*h + 8192, 2 * h, []uintptr{h - 8192}},
		{"unaligned, too short", 4*h + 8192, 2*h - 8192 - 4096, nil},
		{"unaligned, exactly to the end", 4*h + 8192, 2*h - 8192, []uintptr{h - 8192}},
		{"smaller than a huge page", 4 * h, h - 4096, nil},
		{"empty", 4 * h, 0, nil},
	} {
		got := vfs.HugeRangeOffsets(c.start, c.size)
		if len(got) != len(c.want) {
			t.Errorf("%s: offsets %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: offsets %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}

// chunkAccounting checks that the memory charged is the cached pages,
// the chunks' spare pages, dentries and inodes, and that Cached counts
// only the cached pages.
func chunkAccounting(t *testing.T, v *vfs.VFS, when string) {
	t.Helper()
	ms := v.MemStat()
	ds, is := v.DentryState(), v.InodeState()
	want := (ms.FilePages+v.ChunkSparePages())*vfs.PAGE_SIZE + ds.NrDentry*vfs.DentryCost + is.NrInodes*vfs.InodeCost
	if got := v.MemUsed(); got != want {
		t.Errorf("%s: charged %d bytes, want %d (%d file pages, %d spare)", when, got, want, ms.FilePages, v.ChunkSparePages())
	}
	mi := v.MemInfo()
	if mi.Cached != ms.FilePages*vfs.PAGE_SIZE {
		t.Errorf("%s: Cached %d, want %d", when, mi.Cached, ms.FilePages*vfs.PAGE_SIZE)
	}
	// MemFree counts the slab as the whole pages Slab shows.
	if free := v.MemBudget() - (ms.FilePages+v.ChunkSparePages())*vfs.PAGE_SIZE - mi.Slab; mi.MemFree != max(free, 0) {
		t.Errorf("%s: MemFree %d, want %d", when, mi.MemFree, free)
	}
}

// TestPageChunkAccounting: a large file's chunks charge their spare pages
// against the budget (not as Cached) until folios take them, and the
// mapping gives back what is left when its last page leaves, by
// truncation or unlink; the data survives the chunk changes.
func TestPageChunkAccounting(t *testing.T) {
	if !vfs.LargeFileChunks {
		t.Skip("no chunks under WebAssembly (pagealloc_wasm.go)")
	}
	for _, c := range []struct {
		name  string
		pages int64
		spare int64 // spare pages once written
		drop  func(tk *vfs.Task, fd int) error
	}{
		// 64 page-by-page pages, then 16-page chunks to 512, then
		// one 2 MiB chunk (512 pages) holding pages 512..599.
		{"truncate", 600, 512 - 88, func(tk *vfs.Task, fd int) error { return tk.Ftruncate(fd, 0) }},
		// 2048 pages: 512..1023 in a 2 MiB chunk, 1024..2047 in a
		// 4 MiB one, exactly used.
		{"unlink", 2048, 0, func(tk *vfs.Task, fd int) error { return tk.Unlink("/big") }},
		// 2049 pages: page 2048 opens an 8 MiB chunk.
		{"unlink, 8 MiB chunk", 2049, 2048 - 1, func(tk *vfs.Task, fd int) error { return tk.Unlink("/big") }},
		// 100 pages: 64..99 in 16-page chunks, 12 left.
		{"small chunks", 100, 12, func(tk *vfs.Task, fd int) error { return tk.Ftruncate(fd, 0) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, tk, _ := pcEnv(t)
			chunkAccounting(t, v, "empty")
			fd, err := tk.Open("/big", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			page := make([]byte, vfs.PAGE_SIZE)
			for i := int64(0); i < c.pages; i++ {
				page[0], page[vfs.PAGE_SIZE-1] = byte(i), byte(i>>8)
				if _, err := tk.Pwrite(fd, page, i*vfs.PAGE_SIZE); err != nil {
					t.Fatal(err)
				}
			}
			if got := v.ChunkSparePages(); got != c.spare {
				t.Errorf("spare pages %d after writing %d pages, want %d", got, c.pages, c.spare)
			}
			chunkAccounting(t, v, "written")
			for i := int64(0); i < c.pages; i++ {
				if _, err := tk.Pread(fd, page, i*vfs.PAGE_SIZE); err != nil {
					t.Fatal(err)
				}
				if page[0] != byte(i) || page[vfs.PAGE_SIZE-1] != byte(i>>8) || !bytes.Equal(page[1:vfs.PAGE_SIZE-1], make([]byte, vfs.PAGE_SIZE-2)) {
					t.Fatalf("page %d reads back wrong", i)
				}
			}
			if err := c.drop(tk, fd); err != nil {
				t.Fatal(err)
			}
			if err := tk.Close(fd); err != nil {
				t.Fatal(err)
			}
			if got := v.ChunkSparePages(); got != 0 {
				t.Errorf("spare pages %d after the file's pages left, want 0", got)
			}
			chunkAccounting(t, v, "dropped")
		})
	}
}

// TestPageChunkHugeAdvice: on Linux with transparent huge pages
// available, the aligned 2 MiB ranges of a 4 MiB chunk lie in memory the
// kernel may back with huge pages (smaps: THPeligible 1).
func TestPageChunkHugeAdvice(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("huge pages are asked for on Linux only")
	}
	thp, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !(strings.Contains(string(thp), "[always]") || strings.Contains(string(thp), "[madvise]")) {
		t.Skipf("transparent huge pages unavailable (%q, %v)", thp, err)
	}
	v, tk, _ := pcEnv(t)
	_ = v
	fd, err := tk.Open("/big", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer tk.Close(fd)
	const pages = 2048 + 1024 // the last 1024 in one 4 MiB chunk
	buf := make([]byte, 64*vfs.PAGE_SIZE)
	for off := int64(0); off < pages*vfs.PAGE_SIZE; off += int64(len(buf)) {
		if _, err := tk.Pwrite(fd, buf, off); err != nil {
			t.Fatal(err)
		}
	}
	m := vfs.FdInode(tk, fd).Mapping()
	first := vfs.FolioPageAddr(m, 2048)
	offs := vfs.HugeRangeOffsets(first, 1024*vfs.PAGE_SIZE)
	if len(offs) == 0 {
		t.Fatalf("a 4 MiB chunk at %#x holds no aligned 2 MiB range", first)
	}
	idx := 2048 + int64(offs[0]/vfs.PAGE_SIZE)
	addr := vfs.FolioPageAddr(m, idx)
	if addr != first+offs[0] {
		t.Fatalf("page %d at %#x, not in its chunk at %#x", idx, addr, first+offs[0])
	}
	eligible, ok := smapsField(t, addr, "THPeligible:")
	if !ok {
		t.Skip("smaps has no THPeligible field")
	}
	if eligible != "1" {
		t.Errorf("page %d at %#x: THPeligible %s, want 1", idx, addr, eligible)
	}
}

// smapsField returns the value of field for the mapping of this process
// that holds addr.
func smapsField(t *testing.T, addr uintptr, field string) (string, bool) {
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skipf("no smaps: %v", err)
	}
	in := false
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(f[0], "-"); ok && len(f) >= 5 && !strings.HasSuffix(f[0], ":") {
			a, errA := parseHex(lo)
			z, errZ := parseHex(hi)
			in = errA == nil && errZ == nil && a <= addr && addr < z
			continue
		}
		if in && f[0] == field && len(f) > 1 {
			return f[1], true
		}
	}
	return "", false
}

func parseHex(s string) (uintptr, error) {
	var v uintptr
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uintptr(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uintptr(c-'a'+10)
		default:
			return 0, os.ErrInvalid
		}
	}
	return v, nil
}

// TestChunkRecycle: once every page of a large file's chunks is freed,
// the chunks' pages go to the pool, and the next large file takes them
// from there; a page it does not fill reads as zeros, never as the old
// file's bytes. The pool keeps its bound, and gives its chunks back to
// the collector after chunkPoolMaxAge collections.
func TestChunkRecycle(t *testing.T) {
	if !vfs.LargeFileChunks {
		t.Skip("no chunks under WebAssembly (pagealloc_wasm.go)")
	}
	const (
		mib   = 1 << 20
		pages = 2048 // 512..1023 in a 2 MiB chunk, 1024..2047 in a 4 MiB one
	)
	vfs.SetChunkPool(t, 64*mib, 1<<30)
	_, tk, _ := pcEnv(t)
	old := bytes.Repeat([]byte{0xAB}, 64*vfs.PAGE_SIZE)
	write := func(name string) int {
		fd, err := tk.Open(name, vfs.O_CREAT|vfs.O_RDWR, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		for off := int64(0); off < pages*vfs.PAGE_SIZE; off += int64(len(old)) {
			if _, err := tk.Pwrite(fd, old, off); err != nil {
				t.Fatal(err)
			}
		}
		return fd
	}
	fd := write("/old")
	m := vfs.FdInode(tk, fd).Mapping()
	oldChunk := vfs.FolioPageAddr(m, 512)
	if vfs.FolioPageAddr(m, 1023) != oldChunk+511*vfs.PAGE_SIZE {
		t.Fatalf("pages 512..1023 are not one chunk")
	}
	mustT(t, "unlink", tk.Unlink("/old"))
	if got := vfs.ChunkPoolBytes(); got != 0 {
		t.Fatalf("pool holds %d bytes while the unlinked file is open", got)
	}
	mustT(t, "close", tk.Close(fd))
	// The last pages written wait in the task's LRU batch, which holds
	// references (folio_add_lru); the drain lets the last of them go.
	vfs.LRUAddDrain(tk)
	if got := vfs.ChunkPoolBytes(); got != 6*mib {
		t.Fatalf("pool holds %d bytes after the file went, want the 2 and 4 MiB chunks", got)
	}

	// The new file: every fourth page written whole (FGP_NODATA: the
	// copy fills the recycled page), the others 100 bytes at 50.
	fd, err := tk.Open("/new", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	mustT(t, "open", err)
	full := make([]byte, vfs.PAGE_SIZE)
	part := bytes.Repeat([]byte{0x11}, 100)
	for i := int64(0); i < pages; i++ {
		if i%4 == 0 {
			for j := range full {
				full[j] = byte(i + int64(j))
			}
			_, err = tk.Pwrite(fd, full, i*vfs.PAGE_SIZE)
		} else {
			_, err = tk.Pwrite(fd, part, i*vfs.PAGE_SIZE+50)
		}
		mustT(t, "pwrite", err)
	}
	m = vfs.FdInode(tk, fd).Mapping()
	if got := vfs.FolioPageAddr(m, 512); got != oldChunk {
		t.Errorf("page 512 at %#x, not in the recycled chunk at %#x", got, oldChunk)
	}
	if got := vfs.ChunkPoolBytes(); got != 0 {
		t.Errorf("pool holds %d bytes after a file of the same size took its chunks", got)
	}
	got := make([]byte, vfs.PAGE_SIZE)
	want := make([]byte, vfs.PAGE_SIZE)
	for i := int64(0); i < pages; i++ {
		if _, err := tk.Pread(fd, got, i*vfs.PAGE_SIZE); err != nil {
			t.Fatal(err)
		}
		clear(want)
		if i%4 == 0 {
			for j := range want {
				want[j] = byte(i + int64(j))
			}
		} else {
			copy(want[50:], part)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("page %d reads back wrong (an old byte: %v)", i, bytes.IndexByte(got, 0xAB) >= 0)
		}
	}
	mustT(t, "truncate", tk.Ftruncate(fd, 0))
	mustT(t, "close", tk.Close(fd))
	vfs.LRUAddDrain(tk)
	if got := vfs.ChunkPoolBytes(); got != 6*mib {
		t.Fatalf("pool holds %d bytes after truncation freed the chunks, want 6 MiB", got)
	}

	// Aging: a chunk goes back to the collector after its collections.
	vfs.SetChunkPool(t, 64*mib, 2)
	mustT(t, "close", tk.Close(write("/again")))
	mustT(t, "unlink", tk.Unlink("/again"))
	vfs.LRUAddDrain(tk)
	vfs.AgeChunkPool()
	if got := vfs.ChunkPoolBytes(); got != 6*mib {
		t.Fatalf("pool holds %d bytes after one collection, want 6 MiB", got)
	}
	vfs.AgeChunkPool()
	if got := vfs.ChunkPoolBytes(); got != 0 {
		t.Fatalf("pool holds %d bytes after two collections, want 0", got)
	}

	// The bound: a pool of 3 MiB takes the 2 MiB chunk, not the 4 MiB.
	vfs.SetChunkPool(t, 3*mib, 1<<30)
	mustT(t, "close", tk.Close(write("/bound")))
	mustT(t, "unlink", tk.Unlink("/bound"))
	vfs.LRUAddDrain(tk)
	if got := vfs.ChunkPoolBytes(); got != 2*mib {
		t.Fatalf("pool holds %d bytes under a 3 MiB bound, want the 2 MiB chunk", got)
	}
}

// TestStreamedWrites: large writes to a large file (streamed with
// non-temporal stores where the build has them), at aligned and
// unaligned offsets, read back exactly, and partial pages keep the bytes
// around the write.
func TestStreamedWrites(t *testing.T) {
	_, tk, _ := pcEnv(t)
	const size = 12 << 20
	model := make([]byte, size)
	fd, err := tk.Open("/stream", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	mustT(t, "open", err)
	defer tk.Close(fd)
	buf := make([]byte, 256<<10)
	for i := range buf {
		buf[i] = byte(i*7 + i>>12)
	}
	for off := 0; off < size; off += len(buf) {
		n, err := tk.Pwrite(fd, buf, int64(off))
		mustT(t, "pwrite", err)
		copy(model[off:], buf[:n])
	}
	// Overwrites past the first 4 MiB, where the writes stream: page
	// aligned, unaligned (partial first and last pages), and one just
	// under the streaming size.
	for i, w := range []struct{ off, n int }{
		{5 << 20, 128 << 10},
		{6<<20 + 1234, 200 << 10},
		{9<<20 + 4095, 64 << 10},
		{10<<20 + 17, 64<<10 - 1},
	} {
		for j := 0; j < w.n; j++ {
			buf[j] = byte(i + 1 + j*13)
		}
		_, err := tk.Pwrite(fd, buf[:w.n], int64(w.off))
		mustT(t, "overwrite", err)
		copy(model[w.off:], buf[:w.n])
	}
	got := make([]byte, size)
	if n, err := tk.Pread(fd, got, 0); err != nil || n != size {
		t.Fatalf("pread: %d, %v", n, err)
	}
	if i := firstDiff(got, model); i >= 0 {
		t.Fatalf("byte %d reads %#x, want %#x", i, got[i], model[i])
	}
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}
