package billyfs_test

import (
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestMaxBytes: a file of billyfs cannot grow past s_maxbytes, which is
// what its store can hold: 1 GiB for a store in memory (go-billy's memfs
// keeps a file in one slice, holes included), ext4's limit for a host
// directory. Past it, write(2), ftruncate(2) and
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
	const maxb = 1 << 30
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
}

// TestFileLargerThanBudget: a store in memory is the disk, not the page
// cache: a file on it may be larger than the VFS's memory budget (the
// reclaim lesson copies one), its pages written back and reclaimed as
// the budget requires, and it reads back whole.
func TestFileLargerThanBudget(t *testing.T) {
	v, r, err := boot.New(vfs.Options{MemBudget: 1 << 20, Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Shutdown()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(r.Mkdir("/disk", 0o755))
	store := fmt.Sprintf("mem:%s", t.Name())
	defer billyfs.ForgetStore(store)
	must(r.Mount("mem", "/disk", "billyfs", 0, "store="+store))
	const size = 1536 << 10 // 1.5 MiB against a 1 MiB budget
	fd, err := r.Open("/disk/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	must(err)
	must(r.Ftruncate(fd, size))
	chunk := make([]byte, 64<<10)
	for off := 0; off < size; off += len(chunk) {
		for i := range chunk {
			chunk[i] = byte(off/len(chunk) + i)
		}
		_, err := r.Pwrite(fd, chunk, int64(off))
		must(err)
	}
	must(r.Fsync(fd))
	got := make([]byte, len(chunk))
	for off := 0; off < size; off += len(chunk) {
		_, err := r.Pread(fd, got, int64(off))
		must(err)
		for i := range got {
			if got[i] != byte(off/len(chunk)+i) {
				t.Fatalf("byte %d reads %d", off+i, got[i])
			}
		}
	}
	must(r.Close(fd))
	must(r.Umount2("/disk", 0))
}
