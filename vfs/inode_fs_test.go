package vfs_test

import (
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// mountInodeFS mounts, at /mnt of a bare VFS, a filesystem of the
// given name whose superblock operations are sops and whose inodes the
// tests make with IgetLocked; it returns the VFS, the initial task and
// the superblock.
func mountInodeFS(t *testing.T, name string, sops *vfs.SuperOperations) (*vfs.VFS, *vfs.Task, *vfs.SuperBlock) {
	t.Helper()
	v, tk := bareVFS(t)
	var sb *vfs.SuperBlock
	fst := &vfs.FileSystemType{Name: name}
	fst.Mount = func(t *vfs.Task, fst *vfs.FileSystemType, flags uint32, dev, data string) (*vfs.Dentry, error) {
		return vfs.MountNodev(t, fst, flags, data, func(t *vfs.Task, s *vfs.SuperBlock, data string) error {
			s.Ops = sops
			root := vfs.NewInode(t, s)
			root.SetModeType(vfs.S_IFDIR | 0o755)
			d, err := vfs.MakeRoot(t, root)
			if err != nil {
				return err
			}
			s.SetRoot(d)
			sb = s
			return nil
		})
	}
	fst.KillSB = vfs.KillAnonSuper
	rulesMust(t, "register", v.RegisterFilesystem(tk, fst))
	rulesMust(t, "mkdir", tk.Mkdir("/mnt", 0o755))
	rulesMust(t, "mount", tk.Mount("none", "/mnt", name, 0, ""))
	return v, tk, sb
}

// waitInodeCond polls cond until it holds, failing the test after ten
// seconds.
func waitInodeCond(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 20000 {
		if cond() {
			return
		}
		time.Sleep(500 * time.Microsecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
