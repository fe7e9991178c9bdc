package vfsbilly_test

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/host/vfsbilly"
	"github.com/vfscope/vfscope/vfs"
)

// setEIO records a write error on the file at p, as writeback meeting
// one does (mapping_set_error).
func setEIO(t *testing.T, tk *vfs.Task, p string) {
	t.Helper()
	f, err := tk.OpenFile(vfs.AT_FDCWD, p, vfs.O_RDONLY, 0)
	must(t, err)
	vfs.MappingSetError(f.Inode().Mapping(), vfs.EIO)
}

// TestNewTouchesNothingOfCaller: making a filesystem (New, and the first
// call on a Chroot, which makes the Chroot's task from its parent's)
// leaves the creator's descriptors and mappings alone. On Linux a child
// that closes what it inherited never consumes the parent's f_wb_err
// (errseq_check_and_advance runs on the closing description's own
// sample, and ext4 and tmpfs have no ->flush: fs/open.c filp_flush), and
// a child that does not map a file does not pin its pages. So a write
// error pending on the creator's description is still reported by the
// creator's fsync or close, and no task of the filesystem holds the
// creator's descriptors or mappings.
func TestNewTouchesNothingOfCaller(t *testing.T) {
	for _, tc := range []struct {
		name string
		// setup makes the creator's state and returns the call that
		// must still report EIO.
		setup func(t *testing.T, tk *vfs.Task) func() error
	}{
		{"New, caller's descriptor", func(t *testing.T, tk *vfs.Task) func() error {
			fd, err := tk.Open("/data/b", vfs.O_RDWR|vfs.O_CREAT, 0o644)
			must(t, err)
			_, err = tk.Write(fd, []byte("x"))
			must(t, err)
			setEIO(t, tk, "/data/b")
			bfs := vfsbilly.New(tk, "/data")
			_, _ = bfs.Stat("x")
			return func() error { return tk.Close(fd) }
		}},
		{"Chroot, parent's open file", func(t *testing.T, tk *vfs.Task) func() error {
			bfs := vfsbilly.New(tk, "/data")
			f, err := bfs.OpenFile("b", os.O_RDWR|os.O_CREATE, 0o644)
			must(t, err)
			_, err = f.Write([]byte("x"))
			must(t, err)
			setEIO(t, tk, "/data/b")
			c, err := bfs.Chroot("sub")
			must(t, err)
			_, _ = c.Stat("x")
			return f.Close
		}},
		{"Chroot of a filesystem at /", func(t *testing.T, tk *vfs.Task) func() error {
			bfs := vfsbilly.New(tk, "/")
			f, err := bfs.OpenFile("data/b", os.O_RDWR|os.O_CREATE, 0o644)
			must(t, err)
			_, err = f.Write([]byte("x"))
			must(t, err)
			setEIO(t, tk, "/data/b")
			c, err := bfs.Chroot("data/sub")
			must(t, err)
			_, _ = c.Stat("x")
			return f.Close
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk := newVFS(t)
			defer v.Shutdown()
			must(t, tk.Mkdir("/data", 0o755))
			must(t, tk.Mkdir("/data/sub", 0o755))
			report := tc.setup(t, tk)
			if err := report(); !errors.Is(err, syscall.EIO) && err != vfs.EIO {
				t.Errorf("the creator's report of the write error: %v, want EIO", err)
			}
		})
	}
}

// TestNewHoldsNoCallerMappings: a filesystem's task does not inherit its
// creator's mappings (nor descriptors): a file the creator mapped,
// unmapped and deleted is freed at once (mm/mmap.c: the pages go with
// the last mapping and the last reference), not kept for the
// filesystem's lifetime.
func TestNewHoldsNoCallerMappings(t *testing.T) {
	for _, root := range []string{"/", "/w"} {
		t.Run(root, func(t *testing.T) {
			v, tk := newVFS(t)
			defer v.Shutdown()
			fd, err := tk.Open("/tmp/big", vfs.O_RDWR|vfs.O_CREAT, 0o644)
			must(t, err)
			must(t, tk.Ftruncate(fd, 1<<20))
			m, err := tk.Mmap(fd, 0, 1<<20, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
			must(t, err)
			_, err = m.Store(0, make([]byte, 1<<20))
			must(t, err)
			var bfs billy.Filesystem = vfsbilly.New(tk, root)
			_, _ = bfs.Stat("x")
			n := 0
			for _, x := range v.Tasks() {
				if x.Comm() != "vfsbilly" {
					continue
				}
				n++
				if ms := tk.MappingsOf(x); len(ms) != 0 {
					t.Errorf("task %d of the filesystem holds %d mappings of its creator", x.PID(), len(ms))
				}
				if fds := tk.FDsOf(x); len(fds) != 0 {
					t.Errorf("task %d of the filesystem holds descriptors %v", x.PID(), fds)
				}
			}
			if n == 0 {
				t.Fatal("no task of the filesystem found")
			}
			must(t, tk.Munmap(m))
			must(t, tk.Close(fd))
		})
	}
}
