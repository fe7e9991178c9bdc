package vfs_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// coldMapping makes a pcmfs file of pages pages, written to the store
// and dropped from the page cache, opens it afresh read-only and maps
// it whole.
func coldMapping(t *testing.T, tk *vfs.Task, path string, pages int64) (int, *vfs.Mapping, *vfs.AddressSpace, []byte) {
	t.Helper()
	data := pattern(0, int(pages)*P, 8)
	fd := mmFile(t, tk, path, data, vfs.O_RDWR)
	mustT(t, "fsync", tk.Fsync(fd))
	m := vfs.FdInode(tk, fd).Mapping()
	vfs.InvalidateMappingPages(tk, m, 0, pages-1)
	if n := m.NrPages(); n != 0 {
		t.Fatalf("%d pages still cached", n)
	}
	mustT(t, "close", tk.Close(fd))
	fd, err := tk.Open(path, vfs.O_RDONLY, 0)
	mustT(t, "open", err)
	vma, err := tk.Mmap(fd, 0, pages*P, vfs.PROT_READ, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	return fd, vma, m, data
}

// TestMmapReadAround: a fault that finds no page reads around it, as
// filemap_fault's do_sync_mmap_readahead does: ra_pages (32) pages, half
// of them before the faulting one (none before page 0), the last quarter
// asynchronous, its first page marked; a fault on the marked page reads
// the next window (do_async_mmap_readahead). A fault that finds its page
// takes one from mmap_miss, and so does each page ->map_pages maps
// around a fault; once mmap_miss passes MMAP_LOTSAMISS (100), a fault
// that misses reads its own page only.
func TestMmapReadAround(t *testing.T) {
	v, tk, p := mmEnv(t)
	type want struct {
		runs        [][2]int64
		start       int64
		size, async int
	}
	for _, tc := range []struct {
		name   string
		faults []int64 // pages loaded, in order
		want   want
	}{
		{"middle", []int64{100}, want{[][2]int64{{84, 32}}, 84, 32, 8}},
		{"near the start", []int64{5}, want{[][2]int64{{0, 32}}, 0, 32, 8}},
		{"in the window", []int64{100, 90}, want{[][2]int64{{84, 32}}, 84, 32, 8}},
		{"the mark reads on", []int64{100, 108}, want{[][2]int64{{84, 64}}, 116, 32, 32}},
		{"near the end", []int64{250}, want{[][2]int64{{234, 22}}, 234, 32, 8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fd, vma, m, data := coldMapping(t, tk, "/pm/around", 256)
			for _, pg := range tc.faults {
				if got := load(t, vma, pg*P, P); !bytes.Equal(got, data[pg*P:(pg+1)*P]) {
					t.Fatalf("page %d differs", pg)
				}
			}
			if got := cachedRuns(m, 256); !reflect.DeepEqual(got, tc.want.runs) {
				t.Errorf("cached %v, want %v", got, tc.want.runs)
			}
			start, size, async, _ := vfs.FdFile(tk, fd).RaState()
			if got := (want{tc.want.runs, start, size, async}); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("window %d+%d (async %d), want %d+%d (async %d)", start, size, async, tc.want.start, tc.want.size, tc.want.async)
			}
			mustT(t, "munmap", tk.Munmap(vma))
			mustT(t, "close", tk.Close(fd))
		})
	}

	t.Run("mmap_miss", func(t *testing.T) {
		fd, vma, m, _ := coldMapping(t, tk, "/pm/misses", 256)
		f := vfs.FdFile(tk, fd)
		load(t, vma, 40*P, 1) // a miss: reads around [24, 56)
		if got := f.MmapMiss(); got != 1 {
			t.Errorf("mmap_miss %d after a miss, want 1", got)
		}
		// A fault next to it finds its page and maps the cached
		// pages around it, [32, 48): every one is a hit, the page
		// mapped by the first fault too (filemap_map_pages counts
		// before it looks at the PTE), 16 in all.
		f.SetMmapMiss(20)
		load(t, vma, 41*P, 1)
		if got := f.MmapMiss(); got != 4 {
			t.Errorf("mmap_miss %d after ->map_pages found 16 pages, want 4", got)
		}
		f.SetMmapMiss(5)
		load(t, vma, 52*P, 1) // a hit, whose fault maps its neighbours
		if got := f.MmapMiss(); got != 0 {
			t.Errorf("mmap_miss %d after a hit and ->map_pages, want 0", got)
		}
		f.SetMmapMiss(100)
		load(t, vma, 200*P, 1) // the 101st miss: no read-around
		if got := f.MmapMiss(); got != 101 {
			t.Errorf("mmap_miss %d, want 101", got)
		}
		if got, want := cachedRuns(m, 256), [][2]int64{{24, 32}, {200, 1}}; !reflect.DeepEqual(got, want) {
			t.Errorf("cached %v, want %v", got, want)
		}
		f.SetMmapMiss(1000)
		load(t, vma, 220*P, 1) // mmap_miss stays at MMAP_LOTSAMISS*10
		if got := f.MmapMiss(); got != 1000 {
			t.Errorf("mmap_miss %d, want it held at 1000", got)
		}
		mustT(t, "munmap", tk.Munmap(vma))
		mustT(t, "close", tk.Close(fd))
	})

	// A fault on the page marked for readahead maps the pages around
	// it that are cached, not the marked one, [96, 112) but 108: 15
	// hits; then ->fault finds 108, one more (do_async_mmap_readahead),
	// and reads the next window.
	t.Run("mmap_miss at the mark", func(t *testing.T) {
		fd, vma, _, _ := coldMapping(t, tk, "/pm/mark", 256)
		f := vfs.FdFile(tk, fd)
		load(t, vma, 100*P, 1)
		f.SetMmapMiss(50)
		load(t, vma, 108*P, 1)
		if got := f.MmapMiss(); got != 34 {
			t.Errorf("mmap_miss %d, want 34", got)
		}
		mustT(t, "munmap", tk.Munmap(vma))
		mustT(t, "close", tk.Close(fd))
	})

	// A fault whose page is cached but not uptodate (its read failed)
	// reads it, and looks again (filemap_fault's retry_find) without
	// counting the hit a second time.
	t.Run("retry counts once", func(t *testing.T) {
		fd, vma, m, data := coldMapping(t, tk, "/pm/retry", 256)
		f := vfs.FdFile(tk, fd)
		p.failRead = true
		if _, err := vma.Load(40*P, make([]byte, 1)); err == nil {
			t.Fatal("a load whose read fails succeeded")
		}
		p.failRead = false
		if fo := vfs.FilemapGetFolio(m, 40); fo == nil || fo.Uptodate() {
			t.Fatalf("page 40 after the failed read: %v", fo)
		} else {
			vfs.FolioPut(fo)
		}
		f.SetMmapMiss(10)
		if got := load(t, vma, 40*P, P); !bytes.Equal(got, data[40*P:41*P]) {
			t.Fatal("page 40 differs")
		}
		if got := f.MmapMiss(); got != 9 {
			t.Errorf("mmap_miss %d after one hit, want 9", got)
		}
		mustT(t, "munmap", tk.Munmap(vma))
		mustT(t, "close", tk.Close(fd))
	})
	pcCheck(t, v)
}
