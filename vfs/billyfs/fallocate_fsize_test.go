package billyfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestFallocateFsize: an allocating fallocate that would grow the file
// past RLIMIT_FSIZE is EFBIG and changes nothing, as ext4_do_fallocate
// and ext4_zero_range ask inode_newsize_ok; with KEEP_SIZE the size does
// not grow, so ext4 allows it (this machine's kernel: fallocate(KEEP_SIZE,
// 0, 20) under a limit of 10 succeeds on ext4, where tmpfs says EFBIG);
// a punched hole never grows anything.
func TestFallocateFsize(t *testing.T) {
	const P = 4096
	const limit = 5*P + 10
	cases := []struct {
		name     string
		mode     int
		off, len int64
		want     vfs.Errno
		size     int64 // after
	}{
		{"grow past the limit", 0, 5 * P, P, vfs.EFBIG, 5 * P},
		{"grow to the limit", 0, 0, limit, 0, limit},
		{"keep size past the limit", vfs.FALLOC_FL_KEEP_SIZE, 5 * P, 3 * P, 0, 5 * P},
		{"zero range past the limit", vfs.FALLOC_FL_ZERO_RANGE, 4 * P, 2 * P, vfs.EFBIG, 5 * P},
		{"zero range kept past the limit", vfs.FALLOC_FL_ZERO_RANGE | vfs.FALLOC_FL_KEEP_SIZE, 4 * P, 2 * P, 0, 5 * P},
		{"punch past the limit", vfs.FALLOC_FL_PUNCH_HOLE | vfs.FALLOC_FL_KEEP_SIZE, 4 * P, 4 * P, 0, 5 * P},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, "")
			e.mount("size=64k")
			e.writeAt("/mnt/f", pattern(1, 5*P), 0, 0)
			tk := e.Root.Fork("limited")
			defer tk.Exit()
			e.Must(tk.Setrlimit(vfs.RLIMIT_FSIZE, vfs.Rlimit{Cur: limit, Max: vfs.RLIM_INFINITY}))
			fd, err := tk.Open("/mnt/f", vfs.O_RDWR, 0)
			e.Must(err)
			defer tk.Close(fd)
			if err := tk.Fallocate(fd, c.mode, c.off, c.len); vfs.ErrnoOf(err) != c.want {
				t.Fatalf("fallocate: %v, want %v", err, c.want)
			}
			if st := e.Stat("/mnt/f"); st.Size != c.size {
				t.Fatalf("size %d, want %d", st.Size, c.size)
			}
		})
	}
}
