package vfs_test

import (
	"bytes"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestFreePages: a page whose folio's last reference goes returns to the
// process's pool, the next new folio takes it from there, a page handed
// to a write that does not fill it reads as zeros where the write did
// not reach (whatever file had it before), and the pool keeps no more
// than its bound.
func TestFreePages(t *testing.T) {
	ff := bytes.Repeat([]byte{0xff}, vfs.PAGE_SIZE)
	write := func(t *testing.T, tk *vfs.Task, p string, off int64, data []byte) {
		t.Helper()
		fd, err := tk.Open(p, vfs.O_CREAT|vfs.O_RDWR, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tk.Pwrite(fd, data, off); err != nil {
			t.Fatal(err)
		}
		if err := tk.Close(fd); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		max  int
		// files of dirty pages written and unlinked first
		freed int
		// then one write into a new file
		off  int64
		data []byte
	}{
		{"a freed page is reused", 8, 1, 0, ff},
		{"a partial write's page is zeroed", 8, 3, 100, []byte("x")},
		{"a write at the end of a page", 8, 1, vfs.PAGE_SIZE - 1, []byte("y")},
		{"the pool keeps at most its bound", 2, 5, 0, []byte("z")},
		{"an empty pool gives new pages", 8, 0, 10, []byte("w")},
	}
	// The pool after a new page was taken from one of n pages, and after
	// a page was freed into one of n: an empty pool allocates PoolRefill
	// pages at once and keeps the rest (under WebAssembly).
	var max int
	afterTake := func(n int) int {
		if n == 0 {
			return min(vfs.PoolRefill-1, max)
		}
		return n - 1
	}
	afterFree := func(n int) int { return min(n+1, max) }
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			old := vfs.SetFreePagesMax(c.max)
			defer vfs.SetFreePagesMax(old)
			v, tk, _ := pcEnv(t)
			defer v.Shutdown()
			max = c.max
			pool := 0
			for i := range c.freed {
				p := "/junk" + string(rune('a'+i))
				write(t, tk, p, 0, ff)
				pool = afterTake(pool)
				if err := tk.Unlink(p); err != nil {
					t.Fatal(err)
				}
				// The task's lru_add batch holds a reference on each
				// new folio until it drains (MemStat drains every
				// batch).
				v.MemStat()
				pool = afterFree(pool)
				if n := vfs.FreePages(); n != pool {
					t.Fatalf("pool after freeing page %d: %d, want %d", i, n, pool)
				}
			}
			write(t, tk, "/f", c.off, c.data)
			v.MemStat()
			if n, want := vfs.FreePages(), afterTake(pool); n != want {
				t.Fatalf("pool after the write: %d, want %d", n, want)
			}
			want := make([]byte, c.off+int64(len(c.data)))
			copy(want[c.off:], c.data)
			got := make([]byte, len(want)+1)
			fd, err := tk.Open("/f", vfs.O_RDONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer tk.Close(fd)
			n, err := tk.Pread(fd, got, 0)
			if err != nil || !bytes.Equal(got[:n], want) {
				t.Fatalf("read back %d bytes (%v), want the %d written around zeros", n, err, len(want))
			}
		})
	}
}

// TestFreePagesEveryWrite: pages filled by writes of any size, and by
// readahead, go back to the pool when their file goes.
func TestFreePagesEveryWrite(t *testing.T) {
	for _, c := range []struct {
		name  string
		chunk int
	}{
		{"whole pages", vfs.PAGE_SIZE},
		{"1000 bytes at a time", 1000},
		{"one byte per page", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			const pages = 8
			old := vfs.SetFreePagesMax(64)
			defer vfs.SetFreePagesMax(old)
			v, tk, _ := pcEnv(t)
			defer v.Shutdown()
			fd, err := tk.Open("/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			buf := bytes.Repeat([]byte{1}, c.chunk)
			for off := int64(0); off < pages*vfs.PAGE_SIZE; {
				if c.chunk == 1 {
					off += vfs.PAGE_SIZE - 1
				}
				n, err := tk.Pwrite(fd, buf[:min(int64(len(buf)), pages*vfs.PAGE_SIZE-off)], off)
				if err != nil {
					t.Fatal(err)
				}
				off += int64(n)
			}
			if err := tk.Close(fd); err != nil {
				t.Fatal(err)
			}
			v.MemStat()
			before := vfs.FreePages()
			if err := tk.Unlink("/f"); err != nil {
				t.Fatal(err)
			}
			v.MemStat()
			if got := vfs.FreePages() - before; got != pages {
				t.Fatalf("%d pages back in the pool, want %d", got, pages)
			}
		})
	}
}
