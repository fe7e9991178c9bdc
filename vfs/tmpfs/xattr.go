package tmpfs

import (
	"sort"

	"github.com/vfscope/vfscope/vfs"
)

// xattrHandlers are tmpfs's namespaces (shmem_xattr_handlers).
var xattrHandlers = []*vfs.XattrHandler{
	{Prefix: "user.", Get: xattrGet, Set: xattrSet},
	{Prefix: "trusted.", Get: xattrGet, Set: xattrSet, List: func(t *vfs.Task, d *vfs.Dentry) bool {
		return t.Cred().UID == 0
	}},
}

func xattrGet(t *vfs.Task, h *vfs.XattrHandler, d *vfs.Dentry, in *vfs.Inode, name string) ([]byte, error) {
	in.RwsemLockShared(t)
	defer in.RwsemUnlockShared(t)
	v, ok := node(in).xattrs[h.Prefix+name]
	if !ok {
		return nil, vfs.ENODATA
	}
	return append([]byte{}, v...), nil
}

// xattrSet is simple_xattr_set(); the VFS holds i_rwsem exclusive.
func xattrSet(t *vfs.Task, h *vfs.XattrHandler, d *vfs.Dentry, in *vfs.Inode, name string, value []byte, flags int) error {
	n := node(in)
	full := h.Prefix + name
	_, exists := n.xattrs[full]
	switch {
	case flags&vfs.XATTR_CREATE != 0 && exists:
		return vfs.EEXIST
	case flags&vfs.XATTR_REPLACE != 0 && !exists:
		return vfs.ENODATA
	}
	if value == nil {
		delete(n.xattrs, full)
		return nil
	}
	if n.xattrs == nil {
		n.xattrs = make(map[string][]byte)
	}
	n.xattrs[full] = append([]byte{}, value...)
	return nil
}

func listxattr(t *vfs.Task, d *vfs.Dentry) ([]string, error) {
	in := d.Inode()
	in.RwsemLockShared(t)
	defer in.RwsemUnlockShared(t)
	var out []string
	for k := range node(in).xattrs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}
