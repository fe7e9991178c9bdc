package billyfs

import (
	"maps"

	"github.com/vfscope/vfscope/vfs"
)

// setattr is ext4_setattr(): a size change truncates (or extends with a
// hole) through the page cache and the data file; a size that stays
// truncates too, freeing what fallocate preallocated past EOF (ext4
// calls ext4_truncate "even if i_size didn't change"), without touching
// the times. Then the generic copy marks the inode dirty for
// ->write_inode.
func setattr(t *vfs.Task, d *vfs.Dentry, a *vfs.Iattr) error {
	in := d.Inode()
	if a.Valid&vfs.ATTR_SIZE != 0 && vfs.IsReg(in.Mode()) {
		old := in.Size()
		if err := truncate(t, in, a.Size); err != nil {
			return err
		}
		if a.Size != old {
			now := t.VFS().Now()
			in.SetMtime(now)
			in.SetCtime(now)
		}
	}
	vfs.SetattrCopy(t, in, a)
	return nil
}

// xattrHandlers are billyfs's namespaces; the attributes live in the
// inode's record.
var xattrHandlers = []*vfs.XattrHandler{
	{Prefix: "security.", Get: xattrGet, Set: xattrSet}, // ext4_xattr_security_handler
	{Prefix: "user.", Get: xattrGet, Set: xattrSet},
	{Prefix: "trusted.", Get: xattrGet, Set: xattrSet, List: func(t *vfs.Task, d *vfs.Dentry) bool {
		return t.Cred().UID == 0
	}},
}

func xattrGet(t *vfs.Task, h *vfs.XattrHandler, d *vfs.Dentry, in *vfs.Inode, name string) ([]byte, error) {
	in.RwsemLockShared(t)
	defer in.RwsemUnlockShared(t)
	n := node(in)
	n.mu.Lock()
	defer n.mu.Unlock()
	return vfs.SimpleXattrGet(n.xattrs, h.Prefix+name)
}

// xattrSet sets or removes an attribute; the VFS holds i_rwsem exclusive
// and marks the inode dirty after. A new map is made for each change, so
// that a record being encoded keeps the one it has.
func xattrSet(t *vfs.Task, h *vfs.XattrHandler, d *vfs.Dentry, in *vfs.Inode, name string, value []byte, flags int) error {
	n := node(in)
	n.mu.Lock()
	defer n.mu.Unlock()
	m, err := vfs.SimpleXattrSet(maps.Clone(n.xattrs), h.Prefix+name, value, flags)
	if err != nil {
		return err
	}
	n.xattrs = m
	return nil
}

func listxattr(t *vfs.Task, d *vfs.Dentry) ([]string, error) {
	in := d.Inode()
	in.RwsemLockShared(t)
	defer in.RwsemUnlockShared(t)
	n := node(in)
	n.mu.Lock()
	defer n.mu.Unlock()
	return vfs.SimpleXattrList(n.xattrs), nil
}
