package billyfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestWritebackZeroesEOFTail: writeback of the page that holds EOF zeroes
// the cached page past i_size, as it writes only the bytes below it
// (Linux: ext4_bio_write_folio and __block_write_full_folio zero the
// folio past i_size, fs/ext4/page-io.c, fs/buffer.c). A store through a
// mapping past EOF in that page is then gone from the cache as it is
// from the store, and a later extension shows the same bytes before and
// after the cache is dropped. Without writeback before the extension the
// extension itself zeroes the page past the old size (ext4_setattr
// zeroes the partial EOF block when a file grows, fs/ext4/inode.c; POSIX
// ftruncate: the extended part reads as zeros), so the byte is zero
// there too. (tmpfs keeps the byte on Linux, and in vfscope.)
func TestWritebackZeroesEOFTail(t *testing.T) {
	const P = vfs.PAGE_SIZE
	cases := []struct {
		name      string
		writeback func(r *vfs.Task, fd int, m *vfs.Mapping) error // between the store and the extension
		want      byte                                            // the byte at 300 after the extension
	}{
		{"fsync", func(r *vfs.Task, fd int, m *vfs.Mapping) error { return r.Fsync(fd) }, 0},
		{"msync", func(r *vfs.Task, fd int, m *vfs.Mapping) error { return r.Msync(m, 0, P, vfs.MS_SYNC) }, 0},
		{"syncfs", func(r *vfs.Task, fd int, m *vfs.Mapping) error { return r.Syncfs(fd) }, 0},
		{"none", func(r *vfs.Task, fd int, m *vfs.Mapping) error { return nil }, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, "")
			e.mount("")
			r := e.Root
			fd, err := r.Open("/mnt/m", vfs.O_RDWR|vfs.O_CREAT, 0o644)
			e.Must(err)
			_, err = r.Pwrite(fd, make([]byte, P), 0)
			e.Must(err)
			m, err := r.Mmap(fd, 0, P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
			e.Must(err)
			e.Must(r.Ftruncate(fd, 100))
			// Past EOF inside the last page: allowed, and never
			// written to the file while it is past EOF.
			_, err = m.Store(300, []byte("Y"))
			e.Must(err)
			e.Must(c.writeback(r, fd, m))
			e.Must(r.Ftruncate(fd, P))
			b := make([]byte, 1)
			_, err = r.Pread(fd, b, 300)
			e.Must(err)
			if b[0] != c.want {
				t.Fatalf("byte at 300 after the extension: %q, want %q", b[0], c.want)
			}
			e.Must(r.Munmap(m))
			e.Must(r.Close(fd))
			e.remount("") // the cache dropped: the store's bytes
			fd, err = r.Open("/mnt/m", vfs.O_RDONLY, 0)
			e.Must(err)
			_, err = r.Pread(fd, b, 300)
			e.Must(err)
			e.Must(r.Close(fd))
			if b[0] != c.want {
				t.Fatalf("byte at 300 from the store: %q, want %q", b[0], c.want)
			}
		})
	}
}
