package tmpfs_test

import (
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

func tmpfsEnv(t *testing.T) (*vfs.VFS, *vfs.Task) {
	t.Helper()
	v := vfs.New(vfs.Options{Lockdep: true})
	tk := v.NewTask("init", vfs.RootCred)
	if err := tmpfs.Register(tk, v); err != nil {
		t.Fatal(err)
	}
	if err := v.MountRoot(tk, "tmpfs", "mode=755"); err != nil {
		t.Fatal(err)
	}
	return v, tk
}

// lookupInode returns the inode of /name with a dentry reference the
// caller drops with the returned func.
func lookupInode(t *testing.T, v *vfs.VFS, tk *vfs.Task, name string) (*vfs.Inode, func()) {
	t.Helper()
	d, err := vfs.DLookup(tk, v.RootMount().Root(), name)
	if err != nil || d == nil || d.Inode() == nil {
		t.Fatalf("lookup %s: %v, %v", name, d, err)
	}
	return d.Inode(), func() { vfs.Dput(tk, d) }
}

// TestInodeSlab: tmpfs hands out its inodes from slabs of InodeSlabLen,
// in order, one slab after the other; every inode is a distinct slot.
func TestInodeSlab(t *testing.T) {
	for _, n := range []int{1, tmpfs.InodeSlabLen, tmpfs.InodeSlabLen + 1, 3*tmpfs.InodeSlabLen + 2} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			v, tk := tmpfsEnv(t)
			sb := v.RootMount().Root().Inode().SB()
			left := tmpfs.SlabLeft(sb)
			var prev *vfs.Inode
			seen := map[*vfs.Inode]bool{}
			for i := range n {
				name := fmt.Sprintf("f%d", i)
				fd, err := tk.Open("/"+name, vfs.O_CREAT|vfs.O_WRONLY, 0o644)
				if err != nil {
					t.Fatal(err)
				}
				tk.Close(fd)
				in, put := lookupInode(t, v, tk, name)
				defer put()
				fresh := left == 0
				if fresh {
					left = tmpfs.InodeSlabLen
				}
				left--
				if got := tmpfs.SlabLeft(sb); got != left {
					t.Fatalf("after %d inodes the slab has %d left, want %d", i+1, got, left)
				}
				if seen[in] {
					t.Fatalf("inode %d handed out twice", i)
				}
				seen[in] = true
				if prev != nil && !fresh && !tmpfs.NextInSlab(prev, in) {
					t.Fatalf("inode %d is not its predecessor's neighbour in their slab", i)
				}
				if prev != nil && fresh && tmpfs.NextInSlab(prev, in) {
					t.Fatalf("inode %d starts a new slab but follows its predecessor", i)
				}
				prev = in
			}
		})
	}
}

// TestFreedInodeRetainsNothing: a removed directory's offset map and a
// removed file's extended attributes are dropped when the inode is
// freed, so that the slab, kept by its other inodes, keeps neither.
func TestFreedInodeRetainsNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		make  func(tk *vfs.Task, p string) error
		xattr bool
		rm    func(tk *vfs.Task, p string) error
	}{
		{"directory", func(tk *vfs.Task, p string) error { return tk.Mkdir(p, 0o755) }, false,
			func(tk *vfs.Task, p string) error { return tk.Rmdir(p) }},
		{"directory with xattr", func(tk *vfs.Task, p string) error { return tk.Mkdir(p, 0o755) }, true,
			func(tk *vfs.Task, p string) error { return tk.Rmdir(p) }},
		{"file with xattr", func(tk *vfs.Task, p string) error {
			fd, err := tk.Open(p, vfs.O_CREAT|vfs.O_WRONLY, 0o644)
			if err == nil {
				err = tk.Close(fd)
			}
			return err
		}, true, func(tk *vfs.Task, p string) error { return tk.Unlink(p) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk := tmpfsEnv(t)
			if err := tc.make(tk, "/x"); err != nil {
				t.Fatal(err)
			}
			if tc.xattr {
				if err := tk.Setxattr("/x", "user.a", []byte("b"), 0); err != nil {
					t.Fatal(err)
				}
			}
			in, put := lookupInode(t, v, tk, "x")
			if !tmpfs.Retains(in) {
				t.Fatal("a live inode has neither offsets nor xattrs")
			}
			vfs.Ihold(in)
			put()
			if err := tc.rm(tk, "/x"); err != nil {
				t.Fatal(err)
			}
			if !tmpfs.Retains(in) {
				t.Fatal("an inode still referenced lost its offsets or xattrs")
			}
			vfs.Iput(tk, in)
			if tmpfs.Retains(in) {
				t.Fatal("a freed inode still points to its offsets or xattrs")
			}
			if r := v.Validator().Reports(); len(r) != 0 {
				t.Fatalf("validator reports:\n%v", r)
			}
		})
	}
}
