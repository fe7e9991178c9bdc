package vfs_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// raFile makes a pcfs file of pages pages whose cached pages are
// exactly those in keep (the rest are read from the store on demand),
// and opens it afresh read-only: a description with no readahead
// history. It returns the descriptor and the mapping.
func raFile(t *testing.T, tk *vfs.Task, name string, pages int64, keep [][2]int64) (int, *vfs.AddressSpace) {
	t.Helper()
	path := "/pc/" + name
	fd, err := tk.Open(path, vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustT(t, "open", err)
	mustT(t, "write", pwriteAll(tk, fd, pattern(0, int(pages)*vfs.PAGE_SIZE, 5), 0))
	mustT(t, "fsync", tk.Fsync(fd))
	m := vfs.FdInode(tk, fd).Mapping()
	vfs.InvalidateMappingPages(tk, m, 0, pages-1)
	mustT(t, "close", tk.Close(fd))
	fd, err = tk.Open(path, vfs.O_RDONLY, 0)
	mustT(t, "reopen", err)
	for _, r := range keep {
		// Another description reads the history in, leaving this
		// one's readahead state untouched.
		hfd, err := tk.Open(path, vfs.O_RDONLY, 0)
		mustT(t, "open history", err)
		_, err = tk.Pread(hfd, make([]byte, (r[1]-r[0]+1)*vfs.PAGE_SIZE), r[0]*vfs.PAGE_SIZE)
		mustT(t, "read history", err)
		mustT(t, "close history", tk.Close(hfd))
		vfs.InvalidateMappingPages(tk, m, r[1]+1, pages-1)
	}
	return fd, m
}

// cachedRuns lists the runs of cached pages of m in [0, pages) as
// {first, count} pairs.
func cachedRuns(m *vfs.AddressSpace, pages int64) [][2]int64 {
	var runs [][2]int64
	for i := int64(0); i < pages; i++ {
		fo := vfs.FilemapGetFolio(m, i)
		if fo == nil {
			continue
		}
		vfs.FolioPut(fo)
		if n := len(runs); n > 0 && runs[n-1][0]+runs[n-1][1] == i {
			runs[n-1][1]++
		} else {
			runs = append(runs, [2]int64{i, 1})
		}
	}
	return runs
}

type raWant struct {
	start           int64
	size, asyncSize int
	windows         int64
}

// TestReadaheadInitWindow: a first read at page 0 of req pages sets up
// get_init_ra_size()'s window (the request rounded up to a power of two,
// ×4 while at most max/32, ×2 while at most max/4, else max: 32 pages)
// with async_size = size - req, and reads just that window. A request
// that fills its window gets async_size = size/2, so the read comes to
// the mark and the next window, all async, follows.
func TestReadaheadInitWindow(t *testing.T) {
	for _, tc := range []struct {
		req    int64
		want   raWant
		cached int64
	}{
		{1, raWant{0, 4, 3, 1}, 4},
		{2, raWant{0, 4, 2, 1}, 4},
		{3, raWant{0, 8, 5, 1}, 8},
		{4, raWant{0, 8, 4, 1}, 8},
		{5, raWant{0, 16, 11, 1}, 16},
		{8, raWant{0, 16, 8, 1}, 16},
		{9, raWant{0, 32, 23, 1}, 32},
		{16, raWant{0, 32, 16, 1}, 32},
		{31, raWant{0, 32, 1, 1}, 32},
		// size == req: async_size 16, the mark at page 16 is in the
		// request, and the window after it is read ahead.
		{32, raWant{32, 32, 32, 2}, 64},
		// Oversized: still a 32-page window (no io_pages above it);
		// the read comes to the marks at 16 and at 32.
		{40, raWant{64, 32, 32, 3}, 96},
	} {
		t.Run(fmt.Sprintf("req%d", tc.req), func(t *testing.T) {
			v, tk, _ := pcEnv(t)
			fd, m := raFile(t, tk, "init", 256, nil)
			defer tk.Close(fd)
			n, err := tk.Pread(fd, make([]byte, tc.req*vfs.PAGE_SIZE), 0)
			if err != nil || int64(n) != tc.req*vfs.PAGE_SIZE {
				t.Fatalf("pread = %d, %v", n, err)
			}
			start, size, async, windows := vfs.FdFile(tk, fd).RaState()
			if got := (raWant{start, size, async, windows}); got != tc.want {
				t.Errorf("ra state %+v, want %+v", got, tc.want)
			}
			if got := m.NrPages(); got != tc.cached {
				t.Errorf("%d pages cached, want %d", got, tc.cached)
			}
			pcCheck(t, v)
		})
	}
}

// TestReadaheadSyncMiss: page_cache_sync_ra() on a read that misses.
// A read in or just after the page the previous read ended in
// (prev_pos; loosely, so skipping one page still counts) starts an
// initial window; a read behind which the cache holds more than the
// request in a row starts a window of that run plus the request
// (doubled when cached from page 0), async_size 1; any other read is a
// standalone random read: exactly the pages asked for, with the
// readahead state left as it was (even on a description's first read).
func TestReadaheadSyncMiss(t *testing.T) {
	type rd struct{ page, n int64 }
	for _, tc := range []struct {
		name   string
		keep   [][2]int64 // pages cached beforehand, [first, last]
		reads  []rd
		want   raWant
		cached [][2]int64 // {first, count}
	}{
		{"first read, not at 0", nil, []rd{{100, 1}}, raWant{}, [][2]int64{{100, 1}}},
		{"first read of 4, not at 0", nil, []rd{{100, 4}}, raWant{}, [][2]int64{{100, 4}}},
		{"random after a window", nil, []rd{{0, 1}, {200, 1}}, raWant{0, 4, 3, 1}, [][2]int64{{0, 4}, {200, 1}}},
		{"random again", nil, []rd{{100, 1}, {200, 1}}, raWant{}, [][2]int64{{100, 1}, {200, 1}}},
		{"next page", nil, []rd{{100, 1}, {101, 1}}, raWant{101, 4, 3, 1}, [][2]int64{{100, 5}}},
		{"same page", nil, []rd{{100, 1}, {100, 2}}, raWant{101, 4, 3, 1}, [][2]int64{{100, 5}}},
		{"one page skipped", nil, []rd{{100, 1}, {102, 1}}, raWant{102, 4, 3, 1}, [][2]int64{{100, 1}, {102, 4}}},
		{"two pages skipped", nil, []rd{{100, 1}, {103, 1}}, raWant{}, [][2]int64{{100, 1}, {103, 1}}},
		{"backwards", nil, []rd{{100, 1}, {99, 1}}, raWant{}, [][2]int64{{99, 2}}},
		{"cached run behind", [][2]int64{{50, 59}}, []rd{{60, 1}}, raWant{60, 11, 1, 1}, [][2]int64{{50, 21}}},
		{"cached from page 0", [][2]int64{{0, 9}}, []rd{{10, 1}}, raWant{10, 21, 1, 1}, [][2]int64{{0, 31}}},
		{"cached run no longer than the read", [][2]int64{{50, 51}}, []rd{{52, 2}}, raWant{}, [][2]int64{{50, 4}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, _ := pcEnv(t)
			fd, m := raFile(t, tk, "sync", 256, tc.keep)
			defer tk.Close(fd)
			if got := cachedRuns(m, 256); !reflect.DeepEqual(got, func() [][2]int64 {
				var r [][2]int64
				for _, k := range tc.keep {
					r = append(r, [2]int64{k[0], k[1] - k[0] + 1})
				}
				return r
			}()) {
				t.Fatalf("cached beforehand: %v, want %v", got, tc.keep)
			}
			for _, r := range tc.reads {
				if n, err := tk.Pread(fd, make([]byte, r.n*vfs.PAGE_SIZE), r.page*vfs.PAGE_SIZE); err != nil || int64(n) != r.n*vfs.PAGE_SIZE {
					t.Fatalf("pread(%d, %d) = %d, %v", r.page, r.n, n, err)
				}
			}
			start, size, async, windows := vfs.FdFile(tk, fd).RaState()
			if got := (raWant{start, size, async, windows}); got != tc.want {
				t.Errorf("ra state %+v, want %+v", got, tc.want)
			}
			if got := cachedRuns(m, 256); !reflect.DeepEqual(got, tc.cached) {
				t.Errorf("cached runs %v, want %v", got, tc.cached)
			}
			pcCheck(t, v)
		})
	}
}

// TestReadaheadSequentialGrowth: one-page reads from page 0 come to
// each window's PG_readahead mark, and page_cache_async_ra() reads the
// next window, wholly async, get_next_ra_size() larger (×2, ×4 under
// max/16, up to max 32) with its end aligned to 4 pages; a stream
// started elsewhere has its second window shortened to that alignment.
func TestReadaheadSequentialGrowth(t *testing.T) {
	for _, tc := range []struct {
		name        string
		first, last int64
		want        []raWant
		batches     []int
	}{
		{"from page 0", 0, 99,
			[]raWant{{0, 4, 3, 1}, {4, 8, 8, 2}, {12, 16, 16, 3}, {28, 32, 32, 4}, {60, 32, 32, 5}, {92, 32, 32, 6}, {124, 32, 32, 7}},
			[]int{4, 8, 16, 32, 32, 32, 32}},
		// 5 is a random read; 6 follows it (window 6-9, mark 7);
		// at 7 the next window, 10 + 8, ends aligned at 16; at 10
		// the next, 16 + 12, is aligned.
		{"from page 5", 5, 12,
			[]raWant{{}, {6, 4, 3, 1}, {10, 6, 6, 2}, {16, 12, 12, 3}},
			[]int{1, 4, 6, 12}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, p := pcEnv(t)
			fd, _ := raFile(t, tk, "seq", 256, nil)
			defer tk.Close(fd)
			f := vfs.FdFile(tk, fd)
			buf := make([]byte, vfs.PAGE_SIZE)
			var got []raWant
			for pg := tc.first; pg <= tc.last; pg++ {
				if n, err := tk.Pread(fd, buf, pg*vfs.PAGE_SIZE); err != nil || n != len(buf) {
					t.Fatalf("pread page %d = %d, %v", pg, n, err)
				}
				start, size, async, windows := f.RaState()
				w := raWant{start, size, async, windows}
				if len(got) == 0 || got[len(got)-1] != w {
					got = append(got, w)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("windows %+v\nwant    %+v", got, tc.want)
			}
			if b := p.batches(); !reflect.DeepEqual(b, tc.batches) {
				t.Errorf("->readahead batches %v, want %v", b, tc.batches)
			}
			pcCheck(t, v)
		})
	}
}
