package tmpfs_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestXattrSpace: on a tmpfs with nr_inodes= (Linux 6.6+), extended
// attributes share the inode space: max_inodes * BOGO_INODE_SIZE (1024)
// bytes, of which each inode takes 1024 and each attribute
// simple_xattr_space(name, size) = 40 + size + strlen(name)
// (shmem_xattr_handler_set, mm/shmem.c); f_ffree is what is left / 1024.
// A value that does not fit is ENOSPC, checked before EEXIST; replacing
// or removing one, and evicting its inode, give the space back. Without
// nr_inodes (nr_inodes=0) nothing is charged. The first case is the
// reviewer's comparison with Linux 6.18: 20 inodes, 5 of them in use,
// then 296 + 50 + 46 bytes of attributes leave f_ffree 14, and a 64 KiB
// value never fits.
func TestXattrSpace(t *testing.T) {
	type step struct {
		op    func(tk *vfs.Task) error
		want  error
		ffree uint64
	}
	set := func(p, name string, size int, flags int) func(tk *vfs.Task) error {
		return func(tk *vfs.Task) error { return tk.Setxattr(p, name, make([]byte, size), flags) }
	}
	lset := func(p, name string, size int) func(tk *vfs.Task) error {
		return func(tk *vfs.Task) error { return tk.Lsetxattr(p, name, make([]byte, size), 0) }
	}
	remove := func(p, name string) func(tk *vfs.Task) error {
		return func(tk *vfs.Task) error { return tk.Removexattr(p, name) }
	}
	unlink := func(p string) func(tk *vfs.Task) error {
		return func(tk *vfs.Task) error { return tk.Unlink(p) }
	}
	long := "user." + strings.Repeat("n", 250) // 255 bytes
	cases := []struct {
		name  string
		opts  string
		steps []step
	}{
		{"the reviewer's nr_inodes=20", "nr_inodes=20", []step{
			{set("/l/f", "user.a", 65536, 0), vfs.ENOSPC, 15},
			{set("/l/f", long, 1, 0), nil, 14},      // 296 bytes
			{lset("/l/s", "trusted.x", 1), nil, 14}, // 50
			{set("/l/f", "user.e", 0, 0), nil, 14},  // 46: 15360-392 = 14968
			{set("/l/d", "user.big", 15000, 0), vfs.ENOSPC, 14},
			{set("/l/d", "user.big", 14968-48, 0), nil, 0}, // exactly what is left
			{set("/l/d", "user.c", 0, 0), vfs.ENOSPC, 0},
			{remove("/l/d", "user.big"), nil, 14},
		}},
		{"ENOSPC before EEXIST", "nr_inodes=6", []step{
			{set("/l/f", "user.a", 100, 0), nil, 0},
			{set("/l/f", "user.a", 2000, vfs.XATTR_CREATE), vfs.ENOSPC, 0},
			{set("/l/f", "user.a", 100, vfs.XATTR_CREATE), vfs.EEXIST, 0},
			{remove("/l/f", "user.a"), nil, 1},
		}},
		// The new value is charged before the old one is given back:
		// a replacement needs room for both for a moment.
		{"replacing gives the old value's space back", "nr_inodes=7", []step{
			{set("/l/f", "user.a", 900, 0), nil, 1}, // 946 of 2048
			{set("/l/f", "user.a", 900, 0), nil, 1}, // 946 more, then 946 back
			{set("/l/f", "user.a", 1200, 0), vfs.ENOSPC, 1},
			{set("/l/f", "user.a", 1, vfs.XATTR_REPLACE), nil, 1},
			{set("/l/f", "user.b", 900, 0), nil, 1},
			{remove("/l/f", "user.a"), nil, 1},
			{remove("/l/f", "user.b"), nil, 2},
		}},
		{"eviction gives it back", "nr_inodes=8", []step{
			{set("/l/f", "user.a", 1500, 0), nil, 1},
			{unlink("/l/f"), nil, 4},
		}},
		{"nothing charged without nr_inodes", "nr_inodes=0", []step{
			{set("/l/f", "user.a", 65536, 0), nil, 0},
			{set("/l/d", "user.a", 65536, 0), nil, 0},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, err := boot.New(vfs.Options{})
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
			must(tk.Mkdir("/l", 0o755))
			must(tk.Mount("none", "/l", "tmpfs", 0, c.opts))
			fd, err := tk.Open("/l/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
			must(err)
			must(tk.Close(fd))
			must(tk.Mkdir("/l/d", 0o755))
			must(tk.Symlink("f", "/l/s"))
			must(tk.Mknod("/l/p", vfs.S_IFIFO|0o644, 0))
			for i, s := range c.steps {
				if err := s.op(tk); !errors.Is(err, s.want) && !(err == nil && s.want == nil) {
					t.Fatalf("step %d: %v, want %v", i, err, s.want)
				}
				var st vfs.Statfs
				must(tk.Statfs("/l", &st))
				if st.Ffree != s.ffree {
					t.Fatalf("step %d: f_ffree %d, want %d", i, st.Ffree, s.ffree)
				}
			}
		})
	}
}

// TestXattrMemBudget: attribute values are memory, charged against the
// VFS's budget (Linux's simple_xattr_alloc is an accounted kmalloc, seen
// in Slab and SUnreclaim): 64 KiB values on a 16 MiB budget stop with
// ENOMEM before the budget is passed when nothing limits the inode space
// (nr_inodes=0), and with ENOSPC at the inode space of a default tmpfs
// (2048 inodes of 1024 bytes); removing them gives the memory back.
func TestXattrMemBudget(t *testing.T) {
	const budget = 16 << 20
	cases := []struct {
		name, opts string
		want       error
	}{
		{"no inode limit", "nr_inodes=0", vfs.ENOMEM},
		{"default", "", vfs.ENOSPC},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, err := boot.New(vfs.Options{MemBudget: budget})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			if err := tk.Mkdir("/l", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tk.Mount("none", "/l", "tmpfs", 0, c.opts); err != nil {
				t.Fatal(err)
			}
			fd, err := tk.Open("/l/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			tk.Close(fd)
			before := v.MemInfo()
			val := make([]byte, 65536)
			set := 0
			for ; set < 1024; set++ {
				if err = tk.Setxattr("/l/f", "user.x"+strconv.Itoa(set), val, 0); err != nil {
					break
				}
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("after %d values of 64 KiB: %v, want %v", set, err, c.want)
			}
			during := v.MemInfo()
			if used := v.MemUsed(); used > budget+vfs.PAGE_SIZE {
				t.Errorf("%d bytes charged on a %d-byte budget", used, budget)
			}
			if grew := during.SUnreclaim - before.SUnreclaim; grew < int64(set)*65536 {
				t.Errorf("SUnreclaim grew %d bytes for %d values of 64 KiB", grew, set)
			}
			for i := range set {
				if err := tk.Removexattr("/l/f", "user.x"+strconv.Itoa(i)); err != nil {
					t.Fatal(err)
				}
			}
			if after := v.MemInfo(); after.SUnreclaim != before.SUnreclaim {
				t.Errorf("SUnreclaim %d after removing them all, %d before", after.SUnreclaim, before.SUnreclaim)
			}
		})
	}
}
