package tmpfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// TestWhiteout: tmpfs's ->rename with RENAME_WHITEOUT (shmem_rename2,
// shmem_whiteout) on the root tmpfs
// boot makes (its root, /tmp, /proc and /dev take four inodes), called as vfs_rename calls it, then d_move as
// vfs_rename does after it. The whiteout left at the old name is a
// character device 0:0 with mode 020000, its own inode counted against
// nr_inodes: ENOSPC with nothing moved when none is left. A flag
// shmem_rename2 does not know is EINVAL. (Linux 6.18's tmpfs at
// /dev/shm, and one mounted with nr_inodes=3, give the same.)
func TestWhiteout(t *testing.T) {
	cases := []struct {
		name      string
		opts      string
		files     []string // made before the rename, besides "a"
		to        string
		flags     uint32
		want      error
		wantA     uint32 // "a"'s mode after
		wantNames []string
	}{
		{"file over nothing", "", nil, "b", vfs.RENAME_WHITEOUT, nil, vfs.S_IFCHR, []string{"a", "b"}},
		{"file over file", "", []string{"b"}, "b", vfs.RENAME_WHITEOUT, nil, vfs.S_IFCHR, []string{"a", "b"}},
		{"no inode left", "nr_inodes=6", []string{"x"}, "b", vfs.RENAME_WHITEOUT, vfs.ENOSPC, vfs.S_IFREG | 0o644, []string{"a", "x"}},
		{"no inode left over a file", "nr_inodes=6", []string{"b"}, "b", vfs.RENAME_WHITEOUT, vfs.ENOSPC, vfs.S_IFREG | 0o644, []string{"a", "b"}},
		{"unknown flag", "", nil, "b", 1 << 5, vfs.EINVAL, vfs.S_IFREG | 0o644, []string{"a"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, err := boot.NewRoot(vfs.Options{Lockdep: true}, "tmpfs", c.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			for _, n := range append([]string{"a"}, c.files...) {
				fd, err := tk.Open("/"+n, vfs.O_CREAT|vfs.O_WRONLY, 0o644)
				if err != nil {
					t.Fatal(err)
				}
				tk.Close(fd)
			}
			root := tk.Root().Dentry
			dir := root.Inode()
			od, err := vfs.DLookup(tk, root, "a")
			if err != nil || od == nil {
				t.Fatal("a not cached", err)
			}
			nd, err := vfs.DLookup(tk, root, c.to)
			if err == nil && nd == nil {
				nd, err = vfs.DAlloc(tk, root, c.to)
			}
			if err != nil {
				t.Fatal(err)
			}
			err = tmpfs.Rename(tk, dir, od, dir, nd, c.flags)
			if err == nil {
				vfs.DMove(tk, od, nd)
			}
			vfs.Dput(tk, nd)
			vfs.Dput(tk, od)
			if err != c.want {
				t.Fatalf("->rename: %v, want %v", err, c.want)
			}
			var st vfs.Stat
			if err := tk.Lstat("/a", &st); err != nil || st.Mode != c.wantA {
				t.Fatalf("a: %v mode %o, want %o", err, st.Mode, c.wantA)
			}
			if c.wantA == vfs.S_IFCHR && (st.Rdev != 0 || st.Nlink != 1 || st.Size != 0) {
				t.Fatalf("whiteout: rdev %#x nlink %d size %d", st.Rdev, st.Nlink, st.Size)
			}
			fd, err := tk.Open("/", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
			if err != nil {
				t.Fatal(err)
			}
			ents, err := tk.Getdents(fd, 4096)
			tk.Close(fd)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range ents {
				switch e.Name {
				case ".", "..", "tmp", "proc", "dev":
				default:
					names = append(names, e.Name)
				}
			}
			if len(names) != len(c.wantNames) {
				t.Fatalf("/ holds %q, want %q", names, c.wantNames)
			}
			for _, n := range c.wantNames {
				if err := tk.Lstat("/"+n, &st); err != nil {
					t.Fatalf("%s: %v", n, err)
				}
			}
			if r := v.Validator(); r != nil && len(r.Reports()) > 0 {
				t.Fatalf("lock validator: %v", r.Reports())
			}
		})
	}
}
