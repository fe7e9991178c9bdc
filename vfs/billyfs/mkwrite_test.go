package billyfs_test

import (
	"errors"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestMmapStoreReserves: a store through a shared mapping to a page that
// has no place on the store reserves one (delayed allocation) at the
// write fault, as ext4_page_mkwrite does through ext4_da_write_begin
// (fs/ext4/inode.c): st_blocks counts it at once, size= is kept, and on
// a full filesystem the store gets SIGBUS (VM_FAULT_SIGBUS from ENOSPC)
// and changes nothing. A page already on the store, or already holding
// a reservation, needs none.
func TestMmapStoreReserves(t *testing.T) {
	const P = vfs.PAGE_SIZE
	type store struct {
		off        int64
		sigbus     bool
		wantBlocks int64 // st_blocks after (512-byte units)
	}
	cases := []struct {
		name    string
		written int64 // bytes written before the mapping (4 pages fill size=16k)
		synced  bool  // fsync'd before the mapping (on the store, not reserved)
		stores  []store
		bfree   uint64 // statfs f_bfree at the end, after fsync
	}{
		{"hole page reserves", P, false, []store{{2*P + 5, false, 16}, {2*P + 9, false, 16}, {3 * P, false, 24}}, 1},
		{"full: hole page is SIGBUS", 4 * P, false, []store{{5*P + 1, true, 32}, {6 * P, true, 32}}, 0},
		{"full: reserved page is fine", 4 * P, false, []store{{100, false, 32}, {3*P + 7, false, 32}}, 0},
		{"full: page on the store is fine", 4 * P, true, []store{{100, false, 32}, {5 * P, true, 32}}, 0},
		{"room for one", 3 * P, true, []store{{4 * P, false, 32}, {5 * P, true, 32}, {4*P + 1, false, 32}}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, "")
			e.mount("size=16k")
			r := e.Root
			fd, err := r.Open("/mnt/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
			e.Must(err)
			defer r.Close(fd)
			if c.written > 0 {
				_, err = r.Pwrite(fd, make([]byte, c.written), 0)
				e.Must(err)
			}
			if c.synced {
				e.Must(r.Fsync(fd))
			}
			e.Must(r.Ftruncate(fd, 8*P))
			m, err := r.Mmap(fd, 0, 8*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
			e.Must(err)
			defer r.Munmap(m)
			for _, s := range c.stores {
				_, err := m.Store(s.off, []byte("X"))
				if got := errors.Is(err, vfs.SIGBUS); got != s.sigbus {
					t.Fatalf("store at %d: %v, want SIGBUS %v", s.off, err, s.sigbus)
				}
				var st vfs.Stat
				e.Must(r.Fstat(fd, &st))
				if st.Blocks != s.wantBlocks {
					t.Fatalf("after the store at %d: st_blocks %d, want %d", s.off, st.Blocks, s.wantBlocks)
				}
			}
			e.Must(r.Msync(m, 0, 8*P, vfs.MS_SYNC))
			e.Must(r.Fsync(fd))
			if sf := e.statfs(); sf.Bfree != c.bfree {
				t.Fatalf("f_bfree %d after fsync, want %d", sf.Bfree, c.bfree)
			}
			for _, s := range c.stores {
				b := make([]byte, 1)
				_, err := r.Pread(fd, b, s.off)
				e.Must(err)
				if want := map[bool]byte{false: 'X', true: 0}[s.sigbus]; b[0] != want {
					t.Fatalf("byte at %d is %q, want %q", s.off, b[0], want)
				}
			}
		})
	}
}
