package tmpfs

import "github.com/vfscope/vfscope/vfs"

// xattrHandlers are tmpfs's namespaces (shmem_xattr_handlers; the
// POSIX ACL handlers, system.posix_acl_*, are not there: vfscope has no
// ACLs, as a kernel built without CONFIG_TMPFS_POSIX_ACL).
var xattrHandlers = []*vfs.XattrHandler{
	{Prefix: "security.", Get: xattrGet, Set: xattrSet},
	{Prefix: "user.", Get: xattrGet, Set: xattrSet},
	{Prefix: "trusted.", Get: xattrGet, Set: xattrSet, List: func(t *vfs.Task, d *vfs.Dentry) bool {
		return t.Cred().UID == 0
	}},
}

func xattrGet(t *vfs.Task, h *vfs.XattrHandler, d *vfs.Dentry, in *vfs.Inode, name string) ([]byte, error) {
	in.RwsemLockShared(t)
	defer in.RwsemUnlockShared(t)
	return vfs.SimpleXattrGet(node(in).xattrs, h.Prefix+name)
}

// xattrSet is simple_xattr_set(); the VFS holds i_rwsem exclusive.
func xattrSet(t *vfs.Task, h *vfs.XattrHandler, d *vfs.Dentry, in *vfs.Inode, name string, value []byte, flags int) error {
	n := node(in)
	var err error
	n.xattrs, err = vfs.SimpleXattrSet(n.xattrs, h.Prefix+name, value, flags)
	return err
}

func listxattr(t *vfs.Task, d *vfs.Dentry) ([]string, error) {
	in := d.Inode()
	in.RwsemLockShared(t)
	defer in.RwsemUnlockShared(t)
	return vfs.SimpleXattrList(node(in).xattrs), nil
}
