package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestInvalidate2DirtyPage: invalidate_inode_pages2_range on a page a
// store through a shared mapping dirtied. With ->launder_folio the page
// is written first and then dropped; without one (or when it fails) the
// dirty page stays and the call is EBUSY, as invalidate_complete_folio2
// refuses a dirty folio: the store is never lost.
func TestInvalidate2DirtyPage(t *testing.T) {
	for _, c := range []struct {
		name    string
		launder func(*vfs.Task, *vfs.Folio) error // nil: the method is absent
		keep    bool                              // keep the pcmfs method
		want    error
		pages   int64
	}{
		{"laundered", nil, true, nil, 0},
		{"no launder_folio", nil, false, vfs.EBUSY, 1},
		{"launder_folio fails", func(*vfs.Task, *vfs.Folio) error { return vfs.EIO }, false, vfs.EIO, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, tk, _ := mmEnv(t)
			a := make([]byte, P)
			for i := range a {
				a[i] = 'a'
			}
			fd := mmFile(t, tk, "/pm/f", a, vfs.O_RDWR)
			mustT(t, "fsync", tk.Fsync(fd))
			sh, err := tk.Mmap(fd, 0, P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
			mustT(t, "mmap", err)
			store(t, sh, 0, []byte("XYZ"))
			m := vfs.FdInode(tk, fd).Mapping()
			if !c.keep {
				m.AOps.LaunderFolio = c.launder
			}
			if err := vfs.InvalidateInodePages2Range(tk, m, 0, 1<<40); err != c.want {
				t.Fatalf("invalidate2 = %v, want %v", err, c.want)
			}
			if got := m.NrPages(); got != c.pages {
				t.Errorf("%d pages cached after, want %d", got, c.pages)
			}
			b := make([]byte, 3)
			if _, err := tk.Pread(fd, b, 0); err != nil {
				t.Fatal(err)
			}
			if string(b) != "XYZ" {
				t.Fatalf("pread after = %q, want the store's XYZ", b)
			}
		})
	}
}
