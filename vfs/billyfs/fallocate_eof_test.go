package billyfs_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestPunchHolePastEOF: a hole punched past i_size ends with the page
// that holds i_size, which goes whole, block and all (ext4_punch_hole:
// end = round_up(i_size, PAGE_SIZE)), so st_blocks, SEEK_DATA and
// SEEK_HOLE show it; a hole that ends at i_size, or begins at or past
// it, does not. The expectations are the host's ext4 (Linux 6.18) for
// the same calls after an fsync, and the same after a remount.
func TestPunchHolePastEOF(t *testing.T) {
	const enxio = -1
	cases := []struct {
		size, off, len int64
		blocks         int64 // st_blocks after
		data0, data4k  int64 // SEEK_DATA from 0 and from 4096 (enxio: ENXIO)
		hole0          int64 // SEEK_HOLE from 0
		zeroes         [2]int64
	}{
		{5000, 4096, 10000, 8, 0, enxio, 4096, [2]int64{4096, 5000}},
		{5000, 0, 10000, 0, enxio, enxio, 0, [2]int64{0, 5000}},
		{8192, 4096, 10000, 8, 0, enxio, 4096, [2]int64{4096, 8192}},
		{9000, 4096, 5000, 8, 0, enxio, 4096, [2]int64{4096, 9000}},
		{9000, 4096, 4096, 16, 0, 8192, 4096, [2]int64{4096, 8192}},
		{5000, 4100, 10000, 16, 0, 4096, 5000, [2]int64{4100, 5000}},
		{5000, 4096, 904, 16, 0, 4096, 5000, [2]int64{4096, 5000}},
		{5000, 6000, 100, 16, 0, 4096, 5000, [2]int64{}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("size %d punch %d+%d", c.size, c.off, c.len), func(t *testing.T) {
			e := newEnv(t, "")
			e.mount("")
			r := e.Root
			e.writeAt("/mnt/f", bytes.Repeat([]byte{'x'}, int(c.size)), 0, 0)
			fd, err := r.Open("/mnt/f", vfs.O_RDWR, 0)
			e.Must(err)
			e.Must(r.Fsync(fd))
			e.Must(r.Fallocate(fd, vfs.FALLOC_FL_PUNCH_HOLE|vfs.FALLOC_FL_KEEP_SIZE, c.off, c.len))
			want := bytes.Repeat([]byte{'x'}, int(c.size))
			clear(want[c.zeroes[0]:c.zeroes[1]])
			seek := func(off int64, whence int) int64 {
				got, err := r.Seek(fd, off, whence)
				if err == vfs.ENXIO {
					return enxio
				}
				e.Must(err)
				return got
			}
			check := func(when string) {
				st := e.Stat("/mnt/f")
				if st.Size != c.size || st.Blocks != c.blocks {
					t.Errorf("%s: size %d blocks %d, want %d %d", when, st.Size, st.Blocks, c.size, c.blocks)
				}
				if d0, d4, h0 := seek(0, vfs.SEEK_DATA), seek(4096, vfs.SEEK_DATA), seek(0, vfs.SEEK_HOLE); d0 != c.data0 || d4 != c.data4k || h0 != c.hole0 {
					t.Errorf("%s: SEEK_DATA 0 -> %d, 4096 -> %d, SEEK_HOLE 0 -> %d; want %d %d %d", when, d0, d4, h0, c.data0, c.data4k, c.hole0)
				}
				if got := e.content("/mnt/f"); !bytes.Equal(got, want) {
					t.Errorf("%s: content differs at %d", when, firstDiff(got, want))
				}
			}
			check("now")
			e.Must(r.Close(fd))
			e.remount("")
			fd, err = r.Open("/mnt/f", vfs.O_RDWR, 0)
			e.Must(err)
			check("after a remount")
			e.Must(r.Close(fd))
		})
	}
}
