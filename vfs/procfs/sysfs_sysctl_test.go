package procfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// readSysctl reads a sysctl file in one read(2), as a sysctl file must
// be read: a read past position 0 gives nothing.
func readSysctl(t *testing.T, tk *vfs.Task, path string) string {
	t.Helper()
	fd, err := tk.Open(path, vfs.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer tk.Close(fd)
	buf := make([]byte, 4096)
	n, err := tk.Read(fd, buf)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return string(buf[:n])
}

// TestSysFsSysctlReads: dentry-state, inode-nr and inode-state are
// sysctl files (proc_doulongvec_minmax), not seq files. As on Linux
// 6.18: a 3-byte read gives the first 3 bytes and the next read nothing,
// lseek SEEK_END is allowed (default_llseek over i_size 0), and a read at
// a position other than 0 gives 0 bytes.
func TestSysFsSysctlReads(t *testing.T) {
	_, tk := setup(t)
	for _, name := range []string{"dentry-state", "inode-nr", "inode-state"} {
		t.Run(name, func(t *testing.T) {
			path := "/proc/sys/fs/" + name
			fd, err := tk.Open(path, vfs.O_RDONLY, 0)
			must(t, err)
			defer tk.Close(fd)
			buf := make([]byte, 3)
			n, err := tk.Read(fd, buf)
			if n != 3 || err != nil {
				t.Fatalf("3-byte read: %d %v", n, err)
			}
			if n, err := tk.Read(fd, buf[:]); n != 0 || err != nil {
				t.Errorf("next read: %d %v, want 0 nil", n, err)
			}
			whole := make([]byte, 200)
			n, err = tk.Pread(fd, whole, 0)
			if err != nil || n < 4 || whole[n-1] != '\n' || string(whole[:3]) != string(buf) {
				t.Errorf("pread at 0: %q %v, want a line starting %q", whole[:n], err, buf)
			}
			if off, err := tk.Seek(fd, 5, vfs.SEEK_END); off != 5 || err != nil {
				t.Errorf("lseek(5, SEEK_END): %d %v, want 5 nil", off, err)
			}
			if n, err := tk.Pread(fd, make([]byte, 200), 3); n != 0 || err != nil {
				t.Errorf("pread at 3: %d %v, want 0 nil", n, err)
			}
		})
	}
}
