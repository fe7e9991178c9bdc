package billyfs_test

import (
	"bytes"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestFallocate: each mode's effect on content, size and blocks, the
// same after a remount; punched pages never come back, even when the
// range is allocated again; allocation past size= is ENOSPC and changes
// nothing.
func TestFallocate(t *testing.T) {
	const P = 4096
	type step struct {
		mode      int
		off, len  int64
		want      vfs.Errno
		size      int64 // after
		blocks    int64 // st_blocks after (512-byte units)
		zeroes    [][2]int64
		fsyncDone bool
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"punch whole pages", []step{
			{mode: vfs.FALLOC_FL_PUNCH_HOLE | vfs.FALLOC_FL_KEEP_SIZE, off: P, len: 2 * P, size: 5 * P, blocks: 3 * 8, zeroes: [][2]int64{{P, 3 * P}}},
		}},
		{"punch partial ends", []step{
			{mode: vfs.FALLOC_FL_PUNCH_HOLE | vfs.FALLOC_FL_KEEP_SIZE, off: 100, len: 2*P + 50, size: 5 * P, blocks: 4 * 8, zeroes: [][2]int64{{100, 2*P + 150}}},
		}},
		{"punch inside a page", []step{
			{mode: vfs.FALLOC_FL_PUNCH_HOLE | vfs.FALLOC_FL_KEEP_SIZE, off: 10, len: 20, size: 5 * P, blocks: 5 * 8, zeroes: [][2]int64{{10, 30}}},
		}},
		{"punch past the end", []step{
			{mode: vfs.FALLOC_FL_PUNCH_HOLE | vfs.FALLOC_FL_KEEP_SIZE, off: 4 * P, len: 10 * P, size: 5 * P, blocks: 4 * 8, zeroes: [][2]int64{{4 * P, 5 * P}}},
		}},
		{"keep size", []step{
			{mode: vfs.FALLOC_FL_KEEP_SIZE, off: 5 * P, len: 3 * P, size: 5 * P, blocks: 8 * 8},
		}},
		{"grow", []step{
			{mode: 0, off: 6 * P, len: 2*P + 1, size: 8*P + 1, blocks: 8 * 8, zeroes: [][2]int64{{5 * P, 8*P + 1}}},
		}},
		{"zero range", []step{
			{mode: vfs.FALLOC_FL_ZERO_RANGE, off: P + 7, len: 2 * P, size: 5 * P, blocks: 5 * 8, zeroes: [][2]int64{{P + 7, 3*P + 7}}},
		}},
		{"zero range growing", []step{
			{mode: vfs.FALLOC_FL_ZERO_RANGE, off: 4 * P, len: 2 * P, size: 6 * P, blocks: 6 * 8, zeroes: [][2]int64{{4 * P, 6 * P}}},
		}},
		{"punched then allocated stays zero", []step{
			{mode: vfs.FALLOC_FL_PUNCH_HOLE | vfs.FALLOC_FL_KEEP_SIZE, off: 0, len: 5 * P, size: 5 * P, blocks: 0, zeroes: [][2]int64{{0, 5 * P}}, fsyncDone: true},
			{mode: 0, off: 0, len: 5 * P, size: 5 * P, blocks: 5 * 8, zeroes: [][2]int64{{0, 5 * P}}},
		}},
		{"over size=", []step{
			{mode: vfs.FALLOC_FL_KEEP_SIZE, off: 5 * P, len: 100 * P, want: vfs.ENOSPC, size: 5 * P, blocks: 5 * 8},
		}},
		{"collapse", []step{
			{mode: vfs.FALLOC_FL_COLLAPSE_RANGE, off: 0, len: P, want: vfs.EOPNOTSUPP, size: 5 * P, blocks: 5 * 8},
		}},
		{"write zeroes", []step{
			{mode: vfs.FALLOC_FL_WRITE_ZEROES, off: 5 * P, len: P, want: vfs.EOPNOTSUPP, size: 5 * P, blocks: 5 * 8},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, "")
			e.mount("size=64k")
			r := e.Root
			orig := pattern(1, 5*P)
			e.writeAt("/mnt/f", orig, 0, 0)
			fd, err := r.Open("/mnt/f", vfs.O_RDWR, 0)
			e.Must(err)
			e.Must(r.Fsync(fd))
			want := append([]byte{}, orig...)
			for i, s := range c.steps {
				err := r.Fallocate(fd, s.mode, s.off, s.len)
				if vfs.ErrnoOf(err) != s.want {
					t.Fatalf("step %d: %v, want %v", i, err, s.want)
				}
				if int64(len(want)) < s.size {
					want = append(want, make([]byte, s.size-int64(len(want)))...)
				}
				for _, z := range s.zeroes {
					clear(want[z[0]:min(z[1], int64(len(want)))])
				}
				if s.fsyncDone {
					e.Must(r.Fsync(fd))
				}
				check := func(when string) {
					st := e.Stat("/mnt/f")
					if st.Size != s.size || st.Blocks != s.blocks {
						t.Fatalf("step %d %s: size %d blocks %d, want %d %d", i, when, st.Size, st.Blocks, s.size, s.blocks)
					}
					if got := e.content("/mnt/f"); !bytes.Equal(got, want) {
						t.Fatalf("step %d %s: content differs at %d", i, when, firstDiff(got, want))
					}
					if fs := e.statfs(); int64(fs.Blocks-fs.Bfree)*8 != st.Blocks {
						t.Fatalf("step %d %s: statfs counts %d pages in use, the file holds %d", i, when, fs.Blocks-fs.Bfree, st.Blocks/8)
					}
				}
				check("now")
				if i == len(c.steps)-1 {
					e.Must(r.Close(fd))
					e.remount("size=64k")
					check("after a remount")
				}
			}
		})
	}
}
