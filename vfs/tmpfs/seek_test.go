package tmpfs_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestSeekDataHoleFallocated: fallocate's pages hold no data until
// something writes them. shmem_fallocate (mm/shmem.c) leaves its new
// folios !uptodate, and folio_seek_hole_data (mm/filemap.c) takes such a
// folio of a mapping without ->is_partially_uptodate for a hole; a read
// gives zeros (shmem_file_read_iter's SGP_READ treats it as a hole and
// does not make it data), a fault or a write makes it data. The wanted
// offsets are those of Linux 6.18 on /dev/shm for the same steps.
func TestSeekDataHoleFallocated(t *testing.T) {
	const P = vfs.PAGE_SIZE
	type op func(tk *vfs.Task, fd int) error
	pwrite := func(off int64, s string) op {
		return func(tk *vfs.Task, fd int) error { _, err := tk.Pwrite(fd, []byte(s), off); return err }
	}
	falloc := func(mode int, off, n int64) op {
		return func(tk *vfs.Task, fd int) error { return tk.Fallocate(fd, mode, off, n) }
	}
	ftruncate := func(n int64) op {
		return func(tk *vfs.Task, fd int) error { return tk.Ftruncate(fd, n) }
	}
	preadZeros := func(tk *vfs.Task, fd int) error {
		b := []byte{1, 1, 1, 1}
		if _, err := tk.Pread(fd, b, 0); err != nil {
			return err
		}
		if !bytes.Equal(b, make([]byte, 4)) {
			return errors.New("fallocated page does not read as zeros")
		}
		return nil
	}
	fault := func(tk *vfs.Task, fd int) error {
		vma, err := tk.Mmap(fd, 0, P, vfs.PROT_READ, vfs.MAP_SHARED)
		if err != nil {
			return err
		}
		b := []byte{1}
		vma.Load(0, b)
		if b[0] != 0 {
			return errors.New("fallocated page does not fault in zeroed")
		}
		return tk.Munmap(vma)
	}
	cases := []struct {
		name      string
		ops       []op
		data      int64 // SEEK_DATA from 0; -1: ENXIO
		hole      int64 // SEEK_HOLE from 0
		dataFrom2 int64 // SEEK_DATA from 2P-1 (0: not checked)
	}{
		{"1 byte at 2P, KEEP_SIZE 0..4P", []op{pwrite(2*P, "x"), falloc(vfs.FALLOC_FL_KEEP_SIZE, 0, 4*P)}, 2 * P, 0, 2 * P},
		{"a read leaves it a hole", []op{pwrite(2*P, "x"), falloc(vfs.FALLOC_FL_KEEP_SIZE, 0, 4*P), preadZeros}, 2 * P, 0, 2 * P},
		{"ftruncate 0, fallocate 0..2P", []op{pwrite(0, "x"), ftruncate(0), falloc(0, 0, 2*P)}, -1, 0, 0},
		{"a fault makes it data", []op{falloc(0, 0, 2*P), fault}, 0, P, 0},
		{"a 1-byte write makes its page data", []op{falloc(0, 0, 2*P), pwrite(P+5, "y")}, P, 0, 0},
		{"write at 5 of a fallocated page", []op{falloc(0, 0, 2*P), pwrite(5, "y")}, 0, P, 0},
		{"fallocate 3P, punch page 0", []op{falloc(0, 0, 3*P), falloc(vfs.FALLOC_FL_KEEP_SIZE|vfs.FALLOC_FL_PUNCH_HOLE, 0, P)}, -1, 0, 0},
		{"written pages stay data", []op{pwrite(0, "ab"), falloc(0, 0, 2*P)}, 0, P, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, err := boot.New(vfs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			fd, err := tk.Open("/tmp/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			defer tk.Close(fd)
			for i, o := range c.ops {
				if err := o(tk, fd); err != nil {
					t.Fatalf("op %d: %v", i, err)
				}
			}
			d, err := tk.Seek(fd, 0, vfs.SEEK_DATA)
			if c.data < 0 {
				if !errors.Is(err, vfs.ENXIO) {
					t.Errorf("SEEK_DATA 0: %d, %v; want ENXIO", d, err)
				}
			} else if d != c.data || err != nil {
				t.Errorf("SEEK_DATA 0: %d, %v; want %d", d, err, c.data)
			}
			if h, err := tk.Seek(fd, 0, vfs.SEEK_HOLE); h != c.hole || err != nil {
				t.Errorf("SEEK_HOLE 0: %d, %v; want %d", h, err, c.hole)
			}
			if c.dataFrom2 != 0 {
				if d, err := tk.Seek(fd, 2*P-1, vfs.SEEK_DATA); d != c.dataFrom2 || err != nil {
					t.Errorf("SEEK_DATA 2P-1: %d, %v; want %d", d, err, c.dataFrom2)
				}
			}
		})
	}
}
