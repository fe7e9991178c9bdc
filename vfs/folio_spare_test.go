package vfs_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestSpareFolio: a tmpfs file's first folio is the one embedded in its
// inode (AddressSpace.SetSpareFolio), whatever index it is made for; later
// folios are allocated; the embedded one lets go of its page with its last
// reference, and a rewrite after truncation gets an allocated folio.
func TestSpareFolio(t *testing.T) {
	page := func(c byte) []byte { return bytes.Repeat([]byte{c}, vfs.PAGE_SIZE) }
	cases := []struct {
		name string
		// write: offset and data of the first write.
		off  int64
		data []byte
		// embedded lists the page indexes whose folio must be the
		// embedded one; every other cached page must not be.
		embedded []int64
		pages    int64
	}{
		{"whole page", 0, page('a'), []int64{0}, 1},
		{"part of a page", 10, []byte("hello"), []int64{0}, 1},
		{"two pages", 0, append(page('a'), page('b')...), []int64{0}, 2},
		{"third page first", 2 * vfs.PAGE_SIZE, page('c'), []int64{2}, 1},
		{"across a boundary", vfs.PAGE_SIZE - 3, []byte("abcdef"), []int64{0}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, tk, _ := pcEnv(t)
			fd, err := tk.Open("/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			defer tk.Close(fd)
			if n, err := tk.Pwrite(fd, c.data, c.off); err != nil || n != len(c.data) {
				t.Fatalf("pwrite: %d, %v", n, err)
			}
			m := vfs.FdInode(tk, fd).Mapping()
			if m.NrPages() != c.pages {
				t.Fatalf("%d pages cached, want %d", m.NrPages(), c.pages)
			}
			for idx := int64(0); idx < 4; idx++ {
				fo := vfs.FilemapGetFolio(m, idx)
				if fo == nil {
					continue
				}
				want := false
				for _, e := range c.embedded {
					want = want || e == idx
				}
				if got := vfs.FolioEmbedded(fo); got != want {
					t.Errorf("page %d: embedded %v, want %v", idx, got, want)
				}
				if fo.Flags()&(1<<31) != 0 || len(vfs.FolioFlagNames(fo.Flags())) != len(vfs.FolioFlagNames(fo.Flags()&0xffff)) {
					t.Errorf("page %d: flags %#x show the embedded mark", idx, fo.Flags())
				}
				vfs.FolioPut(fo)
			}
			// The data reads back, with zeros around a partial write.
			want := make([]byte, c.off+int64(len(c.data)))
			copy(want[c.off:], c.data)
			got := make([]byte, len(want)+10)
			n, err := tk.Pread(fd, got, 0)
			if err != nil || !bytes.Equal(got[:n], want) {
				t.Fatalf("read back %d bytes (%v), want %d", n, err, len(want))
			}
		})
	}
}

// TestSpareFolioTruncate: truncating the embedded folio out of the cache
// keeps its page for whoever still holds a reference and drops it with
// the last one; the file's next write gets an allocated folio, and the
// page-cache counts stay right throughout.
func TestSpareFolioTruncate(t *testing.T) {
	v, tk, _ := pcEnv(t)
	fd, err := tk.Open("/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer tk.Close(fd)
	data := bytes.Repeat([]byte("x"), vfs.PAGE_SIZE)
	if _, err := tk.Pwrite(fd, data, 0); err != nil {
		t.Fatal(err)
	}
	m := vfs.FdInode(tk, fd).Mapping()
	fo := vfs.FilemapGetFolio(m, 0)
	if fo == nil || !vfs.FolioEmbedded(fo) {
		t.Fatalf("page 0: %v, want the embedded folio", fo)
	}
	cached := v.MemInfo().Cached
	if err := tk.Ftruncate(fd, 0); err != nil {
		t.Fatal(err)
	}
	if m.NrPages() != 0 || fo.Mapping() != nil {
		t.Fatalf("after truncate: %d pages, folio mapping %v", m.NrPages(), fo.Mapping())
	}
	if got := v.MemInfo().Cached; got != cached-vfs.PAGE_SIZE {
		t.Errorf("Cached %d after truncate, want %d", got, cached-vfs.PAGE_SIZE)
	}
	if !vfs.FolioHasPage(fo) {
		t.Fatal("the page went while a reference was held")
	}
	vfs.FolioPut(fo)
	if vfs.FolioHasPage(fo) {
		t.Fatal("the truncated embedded folio still holds its page after its last reference")
	}
	// Rewrite: a new, allocated folio with the new data.
	if _, err := tk.Pwrite(fd, []byte("new"), 0); err != nil {
		t.Fatal(err)
	}
	nf := vfs.FilemapGetFolio(m, 0)
	if nf == nil || nf == fo || vfs.FolioEmbedded(nf) {
		t.Fatalf("page 0 after the rewrite: %p (embedded one %p)", nf, fo)
	}
	vfs.FolioPut(nf)
	got := make([]byte, 8)
	if n, _ := tk.Pread(fd, got, 0); string(got[:n]) != "new" {
		t.Fatalf("read %q, want %q", got[:n], "new")
	}
	if got := v.MemInfo().Cached; got != cached {
		t.Errorf("Cached %d after the rewrite, want %d", got, cached)
	}
}

// TestSpareFolioRace: tasks racing to create a new file's first folio
// (as faults do, without i_rwsem) all get the one folio that made it into
// the cache; a loser that had taken the spare gives it back, and the
// mapping's next new folio is then the embedded one.
func TestSpareFolioRace(t *testing.T) {
	_, tk, _ := pcEnv(t)
	const files, racers = 40, 4
	for i := range files {
		path := fmt.Sprintf("/r%d", i)
		fd, err := tk.Open(path, vfs.O_CREAT|vfs.O_RDWR, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		m := vfs.FdInode(tk, fd).Mapping()
		got := make([]*vfs.Folio, racers)
		var wg sync.WaitGroup
		for r := range racers {
			// A task is used by one goroutine at a time: fork here.
			rt := tk.Fork("racer")
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer rt.Exit()
				fo, err := vfs.FilemapGrabFolio(rt, m, 0, vfs.FGP_CREAT|vfs.FGP_LOCK)
				if err != nil {
					t.Error(err)
					return
				}
				got[r] = fo
				vfs.FolioUnlock(rt, fo)
				vfs.FolioPut(fo)
			}()
		}
		wg.Wait()
		for r := 1; r < racers; r++ {
			if got[r] != got[0] {
				t.Fatalf("%s: racers got different folios", path)
			}
		}
		if m.NrPages() != 1 {
			t.Fatalf("%s: %d pages, want 1", path, m.NrPages())
		}
		// Whoever won, the embedded folio is in the cache now or is
		// still the spare, taken by the next new folio.
		fo, err := vfs.FilemapGrabFolio(tk, m, 1, vfs.FGP_CREAT|vfs.FGP_LOCK)
		if err != nil {
			t.Fatal(err)
		}
		if vfs.FolioEmbedded(got[0]) == vfs.FolioEmbedded(fo) {
			t.Fatalf("%s: page 0 embedded %v, page 1 embedded %v: want exactly one", path, vfs.FolioEmbedded(got[0]), vfs.FolioEmbedded(fo))
		}
		vfs.FolioUnlock(tk, fo)
		vfs.FolioPut(fo)
		if err := tk.Close(fd); err != nil {
			t.Fatal(err)
		}
	}
}
