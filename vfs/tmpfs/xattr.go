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

// xattrSet is shmem_xattr_handler_set(); the VFS holds i_rwsem
// exclusive. On a tmpfs with nr_inodes= (the default has one) a value
// takes simple_xattr_space() of the inode space first (ENOSPC when it
// does not fit, before EEXIST and ENODATA), and the value it replaces or
// removes gives its space back. On every tmpfs the same bytes are
// charged against the VFS's memory budget (ChargeKmem: ENOMEM when it
// is full), as Linux's simple_xattr_alloc is an accounted kmalloc.
func xattrSet(t *vfs.Task, h *vfs.XattrHandler, d *vfs.Dentry, in *vfs.Inode, name string, value []byte, flags int) error {
	n := node(in)
	si := info(in.SB())
	full := h.Prefix + name
	limited := si.ispace.max.Load() > 0
	var space, mem int64
	if value != nil {
		mem = xattrSpace(full, len(value))
		if limited {
			space = mem
			if err := si.ispace.reserve(space); err != nil {
				return err
			}
		}
		if err := t.ChargeKmem(mem); err != nil {
			si.ispace.release(space)
			return err
		}
	}
	old, had := n.xattrs[full]
	var err error
	n.xattrs, err = vfs.SimpleXattrSet(n.xattrs, full, value, flags)
	if err != nil {
		si.ispace.release(space)
		t.VFS().UnchargeKmem(mem)
		return err
	}
	if had {
		oldSpace := xattrSpace(full, len(old))
		if limited {
			si.ispace.release(oldSpace)
		}
		t.VFS().UnchargeKmem(oldSpace)
	}
	return nil
}

// xattrSpace is simple_xattr_space(): what an attribute takes of the
// inode space, 40 bytes (Linux's stand-in for struct simple_xattr) plus
// its name and value.
func xattrSpace(name string, size int) int64 { return int64(40 + size + len(name)) }

// xattrsSpace is the space all of in's attributes take (what
// simple_xattrs_free gives back at eviction).
func xattrsSpace(in *vfs.Inode) int64 {
	xs := node(in).xattrs
	if len(xs) == 0 {
		// Most inodes have none; ranging over an empty map is still a
		// call into the runtime (two under GOOS=js), on every eviction.
		return 0
	}
	var n int64
	for name, v := range xs {
		n += xattrSpace(name, len(v))
	}
	return n
}

func listxattr(t *vfs.Task, d *vfs.Dentry) ([]string, error) {
	in := d.Inode()
	in.RwsemLockShared(t)
	defer in.RwsemUnlockShared(t)
	return vfs.SimpleXattrList(node(in).xattrs), nil
}
