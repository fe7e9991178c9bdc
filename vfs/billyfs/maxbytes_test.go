package billyfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestMaxBytes: a file of billyfs cannot grow past s_maxbytes, which is
// what its store can hold: the VFS's memory budget for a store in
// memory (go-billy's memfs keeps a file in one slice, holes included),
// ext4's limit for a host directory. Past it, write(2), ftruncate(2) and
// fallocate(2) fail with EFBIG before anything reaches the store, as
// generic_write_check_limits (mm/filemap.c), inode_newsize_ok
// (fs/attr.c) and vfs_fallocate (fs/open.c) make them on Linux; a write
// that crosses it is cut short there. Nothing panics, and the file is as
// it was.
func TestMaxBytes(t *testing.T) {
	const P = vfs.PAGE_SIZE
	e := newEnv(t, "")
	e.mount("")
	r := e.Root
	maxb := e.V.MemBudget() &^ (P - 1)
	cases := []struct {
		name string
		op   func(fd int) (int, error)
		want error
		n    int
	}{
		{"pwrite at 2^62", func(fd int) (int, error) { return r.Pwrite(fd, []byte("x"), 1<<62) }, vfs.EFBIG, 0},
		{"pwrite at s_maxbytes", func(fd int) (int, error) { return r.Pwrite(fd, []byte("x"), maxb) }, vfs.EFBIG, 0},
		{"ftruncate to 2^62", func(fd int) (int, error) { return 0, r.Ftruncate(fd, 1<<62) }, vfs.EFBIG, 0},
		{"ftruncate past s_maxbytes", func(fd int) (int, error) { return 0, r.Ftruncate(fd, maxb+1) }, vfs.EFBIG, 0},
		{"fallocate at 2^62", func(fd int) (int, error) { return 0, r.Fallocate(fd, 0, 1<<62, P) }, vfs.EFBIG, 0},
		{"fallocate keep size at 2^62", func(fd int) (int, error) {
			return 0, r.Fallocate(fd, vfs.FALLOC_FL_KEEP_SIZE, 1<<62, P)
		}, vfs.EFBIG, 0},
		{"fallocate crossing s_maxbytes", func(fd int) (int, error) {
			return 0, r.Fallocate(fd, vfs.FALLOC_FL_KEEP_SIZE, maxb-P, 2*P)
		}, vfs.EFBIG, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fd, err := r.Open("/mnt/big", vfs.O_RDWR|vfs.O_CREAT|vfs.O_TRUNC, 0o644)
			e.Must(err)
			defer r.Close(fd)
			n, err := c.op(fd)
			if err != c.want || n != c.n {
				t.Fatalf("got %d, %v; want %d, %v", n, err, c.n, c.want)
			}
			e.Must(r.Fsync(fd))
			var st vfs.Stat
			e.Must(r.Fstat(fd, &st))
			if st.Size != 0 || st.Blocks != 0 {
				t.Fatalf("size %d blocks %d after a failed call", st.Size, st.Blocks)
			}
		})
	}
	// The limit itself is reachable with ftruncate (a hole costs the
	// store nothing).
	fd, err := r.Open("/mnt/edge", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	e.Must(err)
	e.Must(r.Ftruncate(fd, maxb))
	e.Must(r.Fsync(fd))
	e.Must(r.Close(fd))
}
