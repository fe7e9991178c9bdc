package vfs_test

import (
	"errors"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// TestFdTypeFlags: FdTypeFlags answers what fstat's S_IFMT bits and
// F_GETFL answer, for each kind of descriptor, after F_SETFL, and EBADF
// for one not open.
func TestFdTypeFlags(t *testing.T) {
	v := vfs.New(vfs.Options{Lockdep: true})
	defer v.Shutdown()
	tk := v.NewTask("typeflags", vfs.RootCred)
	if err := tmpfs.Register(tk, v); err != nil {
		t.Fatal(err)
	}
	if err := v.MountRoot(tk, "tmpfs", "mode=755"); err != nil {
		t.Fatal(err)
	}
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(t, tk.Mkdir("/d", 0o755))
	must(t, tk.Mknod("/fifo", vfs.S_IFIFO|0o644, 0))
	must(t, tk.Symlink("/d", "/link"))
	for _, tc := range []struct {
		name     string
		path     string
		flags    int
		setfl    int // F_SETFL after the open, if not 0
		wantType uint32
	}{
		{"regular, write-only append", "/f", vfs.O_CREAT | vfs.O_WRONLY | vfs.O_APPEND, 0, vfs.S_IFREG},
		{"regular, read-write sync", "/g", vfs.O_CREAT | vfs.O_RDWR | vfs.O_SYNC, 0, vfs.S_IFREG},
		{"regular, F_SETFL nonblock", "/h", vfs.O_CREAT | vfs.O_RDONLY, vfs.O_NONBLOCK, vfs.S_IFREG},
		{"directory", "/d", vfs.O_RDONLY | vfs.O_DIRECTORY, 0, vfs.S_IFDIR},
		{"fifo, O_PATH (no pipe stands behind one)", "/fifo", vfs.O_PATH, 0, vfs.S_IFIFO},
		{"symlink itself, O_PATH", "/link", vfs.O_PATH | vfs.O_NOFOLLOW, 0, vfs.S_IFLNK},
		{"symlink followed, O_PATH", "/link", vfs.O_PATH, 0, vfs.S_IFDIR},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fd, err := tk.Open(tc.path, tc.flags, 0o644)
			must(t, err)
			defer tk.Close(fd)
			if tc.setfl != 0 {
				_, err := tk.Fcntl(fd, vfs.F_SETFL, tc.setfl)
				must(t, err)
			}
			ifmt, flags, err := tk.FdTypeFlags(fd)
			must(t, err)
			var st vfs.Stat
			must(t, tk.Fstat(fd, &st))
			getfl, err := tk.Fcntl(fd, vfs.F_GETFL, 0)
			must(t, err)
			if ifmt != tc.wantType || ifmt != st.Mode&vfs.S_IFMT {
				t.Errorf("type %#o, want %#o (fstat says %#o)", ifmt, tc.wantType, st.Mode&vfs.S_IFMT)
			}
			if flags != getfl {
				t.Errorf("flags %#x, F_GETFL says %#x", flags, getfl)
			}
		})
	}
	for _, fd := range []int{-1, 5, 1 << 20} {
		if _, _, err := tk.FdTypeFlags(fd); !errors.Is(err, vfs.EBADF) {
			t.Errorf("FdTypeFlags(%d): %v, want EBADF", fd, err)
		}
	}
}
