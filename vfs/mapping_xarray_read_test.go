package vfs_test

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestReadWithWrongHints: pread returns the file's bytes whatever the
// page index's prefetch hints say: files written in order, backwards and
// at random (so that pages lie in a row, reversed or scattered), read
// before and after every hint is made wrong, and after the pages were
// replaced (truncate and rewrite).
func TestReadWithWrongHints(t *testing.T) {
	const pages = 300
	for _, tc := range []struct {
		name  string
		order func(rng *rand.Rand) []int // the order pages are written in
	}{
		{"in order", func(*rand.Rand) []int {
			o := make([]int, pages)
			for i := range o {
				o[i] = i
			}
			return o
		}},
		{"backwards", func(*rand.Rand) []int {
			o := make([]int, pages)
			for i := range o {
				o[i] = pages - 1 - i
			}
			return o
		}},
		{"at random", func(rng *rand.Rand) []int { return rng.Perm(pages) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, _ := pcEnv(t)
			rng := rand.New(rand.NewSource(7))
			fd, err := tk.Open("/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			defer tk.Close(fd)
			model := make([]byte, pages*vfs.PAGE_SIZE)
			write := func() {
				rng.Read(model)
				for _, pg := range tc.order(rng) {
					off := int64(pg) * vfs.PAGE_SIZE
					if n, err := tk.Pwrite(fd, model[off:off+vfs.PAGE_SIZE], off); n != vfs.PAGE_SIZE {
						t.Fatalf("pwrite page %d: %d, %v", pg, n, err)
					}
				}
			}
			check := func(when string) {
				buf := make([]byte, 3*vfs.PAGE_SIZE)
				for range 2000 {
					off := rng.Int63n(int64(len(model)))
					n := 1 + rng.Intn(len(buf))
					got, err := tk.Pread(fd, buf[:n], off)
					want := min(n, len(model)-int(off))
					if err != nil || got != want || !bytes.Equal(buf[:got], model[off:off+int64(got)]) {
						t.Fatalf("%s: pread(%d, %d) = %d, %v; bytes equal %v", when, n, off, got, err,
							bytes.Equal(buf[:got], model[off:off+int64(got)]))
					}
				}
			}
			write()
			check("fresh")
			in := vfs.FdInode(tk, fd)
			for seed := range int64(3) {
				if vfs.ScrambleReadHints(in, seed) == 0 {
					t.Fatal("no leaves to scramble")
				}
				check("hints scrambled")
			}
			if err := tk.Ftruncate(fd, 0); err != nil {
				t.Fatal(err)
			}
			write()
			check("rewritten")
			pcCheck(t, v)
		})
	}
}
