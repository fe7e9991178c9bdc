package devmem_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestReadAtime: the atime is ->read's to touch, as on Linux, where
// vfs_read() leaves it to ->read_iter. tmpfs's (shmem_file_read_iter)
// touches it on every read, an empty one and one at the end of the file
// too; a character device's read (read_zero, read_null) and a procfs
// read (seq_read) leave it alone. On Linux 6.18, with relatime and an
// atime no newer than mtime: os.read(fd, 0) on a /dev/shm file changes
// st_atime, and reading /dev/zero or /dev/null on devtmpfs does not.
func TestReadAtime(t *testing.T) {
	cases := []struct {
		name  string
		path  string
		size  int   // bytes to read
		off   int64 // pread offset
		touch bool
	}{
		{"tmpfs file", "/tmp/f", 4, 0, true},
		{"tmpfs file, empty read", "/tmp/f", 0, 0, true},
		{"tmpfs file, at the end", "/tmp/f", 4, 100, true},
		{"/dev/zero", "/tmp/zero", 4, 0, false},
		{"/dev/null", "/tmp/null", 4, 0, false},
		{"/dev/zero, empty read", "/tmp/zero", 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, r, err := boot.New(vfs.Options{Lockdep: true})
			if err != nil {
				t.Fatal(err)
			}
			fd, err := r.Open("/tmp/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Write(fd, []byte("data")); err != nil {
				t.Fatal(err)
			}
			r.Close(fd)
			for path, dev := range map[string]uint64{"/tmp/zero": vfs.MkDev(1, 5), "/tmp/null": vfs.MkDev(1, 3)} {
				if err := r.Mknod(path, vfs.S_IFCHR|0o666, dev); err != nil {
					t.Fatal(err)
				}
			}
			// An atime older than mtime: relatime updates it on access.
			old := [2]vfs.Timespec{{Sec: 1000}, {Sec: 2000}}
			if err := r.Utimensat(vfs.AT_FDCWD, c.path, &old, 0); err != nil {
				t.Fatal(err)
			}
			fd, err = r.Open(c.path, vfs.O_RDONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close(fd)
			if _, err := r.Pread(fd, make([]byte, c.size), c.off); err != nil {
				t.Fatal(err)
			}
			var st vfs.Stat
			if err := r.Fstat(fd, &st); err != nil {
				t.Fatal(err)
			}
			if touched := st.Atime != 1000e9; touched != c.touch {
				t.Errorf("atime %d after the read: touched %v, want %v", st.Atime, touched, c.touch)
			}
			if rep := v.Validator().Reports(); len(rep) > 0 {
				t.Error(rep)
			}
		})
	}
}
