package vfs_test

import (
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestReadMarksFolioAccessedOnce: filemap_read marks a folio accessed
// when a read comes to it, but not when the read starts in the folio the
// previous copy on the description ended in (ra->prev_pos): five 100-byte
// reads through one page are one access (PG_referenced, still inactive),
// not five (the second would activate it). A read of page 0 after one of
// another page is a second access and activates it; one straight after a
// read that ended in page 0 (even at its last byte) is not.
func TestReadMarksFolioAccessedOnce(t *testing.T) {
	const P = vfs.PAGE_SIZE
	type rd struct{ off, n int64 }
	five := []rd{{0, 100}, {100, 100}, {200, 100}, {300, 100}, {400, 100}}
	for i, tc := range []struct {
		name   string
		reads  []rd
		active bool // page 0 after the reads; it is referenced in every row
	}{
		{"five 100-byte reads of one page", five, false},
		{"again straight after", append(five[:5:5], rd{0, 100}), false},
		{"again after a read of page 1", append(five[:5:5], rd{P, 100}, rd{0, 100}), true},
		{"one read of two pages, then page 0", []rd{{0, 2 * P}, {0, 100}}, true},
		{"after a read that ended at page 0's end", []rd{{0, P}, {0, 100}}, false},
		{"after a read that ended at page 0's end, from page 1", []rd{{0, P}, {P, 100}, {0, 100}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, _ := pcEnv(t)
			path := fmt.Sprintf("/pc/acc%d", i)
			fd, err := tk.Open(path, vfs.O_RDWR|vfs.O_CREAT, 0o644)
			mustT(t, "open", err)
			mustT(t, "write", pwriteAll(tk, fd, pattern(0, 2*P, 3), 0))
			mustT(t, "fsync", tk.Fsync(fd))
			m := vfs.FdInode(tk, fd).Mapping()
			vfs.InvalidateMappingPages(tk, m, 0, 1) // read in afresh: not referenced
			if m.NrPages() != 0 {
				t.Fatalf("%d pages cached after the invalidate", m.NrPages())
			}
			tk.Close(fd)
			fd, err = tk.Open(path, vfs.O_RDONLY, 0)
			mustT(t, "open", err)
			defer tk.Close(fd)
			for _, r := range tc.reads {
				buf := make([]byte, r.n)
				if n, err := tk.Pread(fd, buf, r.off); n != int(r.n) || err != nil {
					t.Fatalf("pread(%d, %d) = %d, %v", r.off, r.n, n, err)
				}
			}
			fo := vfs.FilemapGetFolio(m, 0)
			if fo == nil {
				t.Fatal("page 0 is not cached")
			}
			fl := fo.Flags()
			vfs.FolioPut(fo)
			if fl&vfs.PG_referenced == 0 && fl&vfs.PG_active == 0 {
				t.Errorf("page 0 flags %v: read but never marked accessed", vfs.FolioFlagNames(fl))
			}
			if got := fl&vfs.PG_active != 0; got != tc.active {
				t.Errorf("page 0 flags %v: active %v, want %v", vfs.FolioFlagNames(fl), got, tc.active)
			}
			pcCheck(t, v)
		})
	}
}
