//go:build linux

package hostfs_test

import (
	"os"
	"syscall"
	"testing"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"

	"github.com/vfscope/vfscope/host/hostfs"
	"github.com/vfscope/vfscope/vfs"
)

// hostFsid is f_fsid of the host filesystem holding p, as statfs(2)
// gives it.
func hostFsid(t *testing.T, p string) uint64 {
	t.Helper()
	var s syscall.Statfs_t
	must(t, syscall.Statfs(p, &s))
	return uint64(uint32(s.Fsid.X__val[0])) | uint64(uint32(s.Fsid.X__val[1]))<<32
}

// TestStatfs: statfs(2) of a hostfs mount gives the host filesystem's
// numbers with its f_fsid (vfs_statfs leaves f_fsid to ->statfs), those
// of the directory the mount opened even when the host has since put
// another filesystem at its name; a store without a host directory gets
// simple_statfs's, and the VFS's device number as f_fsid.
func TestStatfs(t *testing.T) {
	tests := []struct {
		name string
		// setup mounts and returns the fixture and the f_fsid statfs
		// must give (0: any but 0).
		setup func(t *testing.T) (*fixture, uint64)
	}{
		{"host directory", func(t *testing.T) (*fixture, uint64) {
			fx := mountHost(t, 0)
			return fx, hostFsid(t, fx.dir)
		}},
		{"source replaced on the host by a link to another filesystem", func(t *testing.T) (*fixture, uint64) {
			fx := mountHost(t, 0)
			want := hostFsid(t, fx.dir)
			if hostFsid(t, "/dev/shm") == want {
				t.Skip("/dev/shm is on the same filesystem as the test's temporary directory")
			}
			must(t, os.Rename(fx.dir, fx.dir+".old"))
			must(t, os.Symlink("/dev/shm", fx.dir))
			t.Cleanup(func() { os.Remove(fx.dir); os.Rename(fx.dir+".old", fx.dir) })
			return fx, want
		}},
		{"memfs", func(t *testing.T) (*fixture, uint64) {
			mem := memfs.New()
			return mountStore(t, "mem", 0, func(string) (billy.Filesystem, error) { return mem, nil }), 0
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fx, want := tc.setup(t)
			var st vfs.Statfs
			must(t, fx.tk.Statfs("/data", &st))
			if st.Type != hostfs.HOSTFS_SUPER_MAGIC {
				t.Errorf("f_type %#x", st.Type)
			}
			if want != 0 && st.Fsid != want || st.Fsid == 0 {
				t.Errorf("f_fsid %#x, want %#x", st.Fsid, want)
			}
		})
	}
}
