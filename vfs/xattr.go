package vfs

import (
	"encoding/binary"
	"strings"
)

// Extended attributes (fs/xattr.c): the name's prefix chooses the
// handler of sb.Xattr; "user." is for regular files and directories
// only and obeys the mode bits; "trusted." is for CAP_SYS_ADMIN.

// xattrName is import_xattr_name(): an empty name or one longer than
// XATTR_NAME_MAX is ERANGE, checked before the path walk. A name is a C
// string, as a path is: a NUL byte in it is EINVAL (checkNameNUL), or it
// would split into two names in listxattr's NUL-separated list.
func xattrName(name string) error {
	if name == "" || len(name) > XATTR_NAME_MAX {
		return ERANGE
	}
	return checkNameNUL(name)
}

// setxattrArgs is setxattr_copy(): the flags, the name, then the size.
func setxattrArgs(name string, value []byte, flags int) error {
	if flags&^(XATTR_CREATE|XATTR_REPLACE) != 0 {
		return EINVAL
	}
	if err := xattrName(name); err != nil {
		return err
	}
	if len(value) > XATTR_SIZE_MAX {
		return E2BIG
	}
	return nil
}

// xattrResolve is xattr_resolve_name(): the handler for name and the
// name without prefix; EOPNOTSUPP for a namespace the filesystem does
// not have, EINVAL for a bare prefix. Asked after xattr_permission.
func xattrResolve(sb *SuperBlock, name string) (*XattrHandler, string, error) {
	for _, h := range sb.Xattr {
		if strings.HasPrefix(name, h.Prefix) {
			if len(name) == len(h.Prefix) {
				return nil, "", EINVAL
			}
			return h, name[len(h.Prefix):], nil
		}
	}
	return nil, "", EOPNOTSUPP
}

// xattrPermission is xattr_permission(): security.* and system.* are
// the filesystem's to decide; trusted.* is for the capable; user.* for
// regular files and directories, and on a sticky directory written only
// by its owner; then, for any other name too, inode_permission. With no
// security module, security_inode_setxattr and security_inode_removexattr
// add commoncap's rule (cap_inode_setxattr): setting or removing a
// security.* name is for CAP_SYS_ADMIN (security.capability for
// CAP_SETFCAP, the same here: vfscope's credentials have one capability
// bit).
//
// security.capability is the exception: setting it is checked by
// capConvertNscap (for a non-empty value only, as vfs_setxattr calls
// cap_convert_nscap only then, and cap_inode_setxattr leaves the name to
// it), removing it by cap_inode_removexattr (CAP_SETFCAP); vfsSetxattr
// asks for the removal.
func (t *Task) xattrPermission(in *Inode, name string, mask int) error {
	switch {
	case strings.HasPrefix(name, "security."):
		if mask&MAY_WRITE != 0 && !t.cred.capable() && name != XATTR_NAME_CAPS {
			return EPERM
		}
		return nil
	case strings.HasPrefix(name, "system."):
		return nil
	case strings.HasPrefix(name, "trusted."):
		if !t.cred.capable() {
			if mask&MAY_WRITE != 0 {
				return EPERM
			}
			return ENODATA
		}
		return nil
	case strings.HasPrefix(name, "user."):
		m := in.mode.Load()
		if !IsReg(m) && !IsDir(m) {
			if mask&MAY_WRITE != 0 {
				return EPERM
			}
			return ENODATA
		}
		if IsDir(m) && m&S_ISVTX != 0 && mask&MAY_WRITE != 0 && !t.cred.ownerOrCapable(in.uid.Load()) {
			return EPERM
		}
	}
	return t.inodePermission(in, mask)
}

func (t *Task) xattrPath(path string, follow bool) (Path, error) {
	var lf uint32
	if follow {
		lf = LOOKUP_FOLLOW
	}
	return t.pathLookup(AT_FDCWD, path, lf)
}

// Getxattr is getxattr(2) (Lgetxattr: without following the last link).
func (t *Task) Getxattr(path, name string) ([]byte, error) { return t.getxattr(path, name, true) }
func (t *Task) Lgetxattr(path, name string) ([]byte, error) {
	return t.getxattr(path, name, false)
}

func (t *Task) getxattr(path, name string, follow bool) ([]byte, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("getxattr"))
	}
	if err := xattrName(name); err != nil {
		return nil, err
	}
	p, err := t.xattrPath(path, follow)
	if err != nil {
		return nil, err
	}
	defer p.Put(t)
	return t.vfsGetxattr(p.Dentry, name)
}

// Fgetxattr is fgetxattr(2).
func (t *Task) Fgetxattr(fd int, name string) ([]byte, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("fgetxattr"))
	}
	f, err := t.fdget(fd) // an O_PATH descriptor is EBADF
	if err != nil {
		return nil, err
	}
	defer fput(t, f)
	if err := xattrName(name); err != nil {
		return nil, err
	}
	return t.vfsGetxattr(f.path.Dentry, name)
}

// vfsGetxattr is vfs_getxattr(): permission, then the handler.
func (t *Task) vfsGetxattr(d *Dentry, name string) ([]byte, error) {
	in := d.inode.Load()
	if err := t.xattrPermission(in, name, MAY_READ); err != nil {
		return nil, err
	}
	h, short, err := xattrResolve(d.sb, name)
	if err != nil {
		return nil, err
	}
	if h.Get == nil {
		return nil, EOPNOTSUPP
	}
	v, err := t.xopGet(h, d, in, short)
	if err == nil && name == XATTR_NAME_CAPS {
		return capInodeGetsecurity(v)
	}
	return v, err
}

// Setxattr is setxattr(2) with XATTR_CREATE and XATTR_REPLACE.
func (t *Task) Setxattr(path, name string, value []byte, flags int) error {
	return t.setxattr(path, name, value, flags, true)
}
func (t *Task) Lsetxattr(path, name string, value []byte, flags int) error {
	return t.setxattr(path, name, value, flags, false)
}

func (t *Task) setxattr(path, name string, value []byte, flags int, follow bool) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("setxattr"))
	}
	if err := setxattrArgs(name, value, flags); err != nil {
		return err
	}
	if value == nil {
		value = []byte{}
	}
	p, err := t.xattrPath(path, follow)
	if err != nil {
		return err
	}
	defer p.Put(t)
	return t.vfsSetxattr(p, name, value, flags)
}

// Fsetxattr is fsetxattr(2).
func (t *Task) Fsetxattr(fd int, name string, value []byte, flags int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fsetxattr"))
	}
	f, err := t.fdget(fd) // an O_PATH descriptor is EBADF
	if err != nil {
		return err
	}
	defer fput(t, f)
	if err := setxattrArgs(name, value, flags); err != nil {
		return err
	}
	if value == nil {
		value = []byte{}
	}
	return t.vfsSetxattr(f.path, name, value, flags)
}

// vfsSetxattr is vfs_setxattr() and vfs_removexattr() (value nil
// removes): write access, then vfsSetxattrLocked under the inode's
// i_rwsem. A delegation on the inode makes that return with *delegated
// set; then, with i_rwsem dropped, break_deleg_wait waits for it to go
// and the locked part starts again (retry_deleg).
func (t *Task) vfsSetxattr(p Path, name string, value []byte, flags int) error {
	if err := t.mntWantWrite(p.Mnt); err != nil {
		return err
	}
	defer t.mntDropWrite(p.Mnt)
	if name == XATTR_NAME_CAPS && len(value) > 0 {
		// vfs_setxattr: cap_convert_nscap before i_rwsem.
		if err := t.capConvertNscap(value); err != nil {
			return err
		}
	}
	var delegated *Inode
	for {
		err := t.vfsSetxattrLocked(p.Dentry, name, value, flags, &delegated)
		if delegated == nil {
			return err
		}
		if err := t.breakDelegWait(&delegated); err != nil {
			return err
		}
	}
}

// vfsSetxattrLocked is __vfs_setxattr_locked() and
// __vfs_removexattr_locked(): with the inode's i_rwsem exclusive,
// permission, then try_break_deleg (the permission checks come first, so
// a refused task recalls no delegation), then the handler.
func (t *Task) vfsSetxattrLocked(d *Dentry, name string, value []byte, flags int, delegated **Inode) error {
	in := d.inode.Load()
	in.rwsem.Lock(t.o)
	defer in.rwsem.Unlock(t.o)
	if err := t.xattrPermission(in, name, MAY_WRITE); err != nil {
		return err
	}
	caps := name == XATTR_NAME_CAPS
	if caps && value == nil && !t.cred.capable() {
		return EPERM // cap_inode_removexattr: CAP_SETFCAP
	}
	if err := t.tryBreakDeleg(in, delegated); err != nil {
		return err
	}
	h, short, err := xattrResolve(d.sb, name)
	if err != nil {
		return err
	}
	if h.Set == nil {
		return EOPNOTSUPP
	}
	if err := t.xopSet(h, d, in, short, value, flags); err != nil {
		return err
	}
	if caps {
		// Only a non-empty value is removed by a write
		// (cap_inode_need_killpriv asks for a size above 0).
		if len(value) > 0 {
			in.state.Or(S_FCAPS)
		} else {
			in.state.And(^uint32(S_FCAPS))
		}
	}
	in.ctime.Store(t.vfs.now())
	MarkInodeDirty(t, in, I_DIRTY_SYNC)
	return nil
}

// Removexattr is removexattr(2) (Lremovexattr: without following the
// last link). fs/xattr.c path_removexattr: the name (ERANGE) before the
// walk, then mnt_want_write (EROFS), then vfs_removexattr.
func (t *Task) Removexattr(path, name string) error { return t.removexattr(path, name, true) }
func (t *Task) Lremovexattr(path, name string) error {
	return t.removexattr(path, name, false)
}

func (t *Task) removexattr(path, name string, follow bool) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("removexattr"))
	}
	if err := xattrName(name); err != nil {
		return err
	}
	p, err := t.xattrPath(path, follow)
	if err != nil {
		return err
	}
	defer p.Put(t)
	return t.vfsSetxattr(p, name, nil, XATTR_REPLACE)
}

// Fremovexattr is fremovexattr(2): the descriptor first (fdget, so an
// O_PATH descriptor is EBADF), then the name.
func (t *Task) Fremovexattr(fd int, name string) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fremovexattr"))
	}
	f, err := t.fdget(fd)
	if err != nil {
		return err
	}
	defer fput(t, f)
	if err := xattrName(name); err != nil {
		return err
	}
	return t.vfsSetxattr(f.path, name, nil, XATTR_REPLACE)
}

// Listxattr is listxattr(2) (Llistxattr: without following the last
// link): the names the handlers let this task see.
func (t *Task) Listxattr(path string) ([]string, error) { return t.listxattr(path, true) }
func (t *Task) Llistxattr(path string) ([]string, error) {
	return t.listxattr(path, false)
}

func (t *Task) listxattr(path string, follow bool) ([]string, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("listxattr"))
	}
	p, err := t.xattrPath(path, follow)
	if err != nil {
		return nil, err
	}
	defer p.Put(t)
	return t.vfsListxattr(p.Dentry)
}

// Flistxattr is flistxattr(2): fdget, so an O_PATH descriptor is EBADF.
func (t *Task) Flistxattr(fd int) ([]string, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("flistxattr"))
	}
	f, err := t.fdget(fd)
	if err != nil {
		return nil, err
	}
	defer fput(t, f)
	return t.vfsListxattr(f.path.Dentry)
}

// vfsListxattr is vfs_listxattr(): the inode's ->listxattr (none: no
// names), filtered by each handler's ->list. The list is returned whole,
// as into a buffer of XATTR_LIST_MAX bytes (listxattr caps a larger one
// there): names whose NUL-terminated length adds up to more are E2BIG,
// where Linux's ->listxattr fills the buffer and fails ERANGE, which
// listxattr turns into E2BIG at that size. (vfscope's API has no size-0
// query, which in Linux returns the whole length, uncapped.)
func (t *Task) vfsListxattr(d *Dentry) ([]string, error) {
	in := d.inode.Load()
	if in.Ops == nil || in.Ops.Listxattr == nil {
		return nil, nil
	}
	names, err := t.iopListxattr(d)
	if err != nil {
		return nil, err
	}
	var out []string
	size := 0 // of the list as listxattr(2) returns it: each name and its NUL
	for _, n := range names {
		for _, h := range d.sb.Xattr {
			if strings.HasPrefix(n, h.Prefix) {
				if h.List == nil || t.xopList(h, d) {
					out = append(out, n)
					size += len(n) + 1
				}
				break
			}
		}
	}
	if size > XATTR_LIST_MAX {
		return nil, E2BIG
	}
	return out, nil
}

// File capabilities (security/commoncap.c). vfscope has no user
// namespaces: every task and superblock is in the initial one, where
// cap_convert_nscap keeps a version 2 value as it is and a version 3
// value with its rootid (any but -1, which maps to no uid), and
// cap_inode_getsecurity returns a version 3 value whose rootid is 0 as
// version 2 (RATIONALE.md, "File capabilities").
const (
	XATTR_NAME_CAPS         = "security.capability"
	VFS_CAP_REVISION_2      = 0x02000000
	VFS_CAP_REVISION_3      = 0x03000000
	VFS_CAP_FLAGS_EFFECTIVE = 0x000001
	XATTR_CAPS_SZ_2         = 20 // magic_etc, then permitted and inheritable of 2 words each
	XATTR_CAPS_SZ_3         = 24 // XATTR_CAPS_SZ_2 and rootid
)

// capRevision is the revision of a security.capability value of a valid
// size and header (is_v2header, is_v3header: the magic without
// VFS_CAP_FLAGS_EFFECTIVE, little-endian), or 0.
func capRevision(v []byte) uint32 {
	if len(v) != XATTR_CAPS_SZ_2 && len(v) != XATTR_CAPS_SZ_3 {
		return 0
	}
	rev := binary.LittleEndian.Uint32(v) &^ VFS_CAP_FLAGS_EFFECTIVE
	switch {
	case len(v) == XATTR_CAPS_SZ_2 && rev == VFS_CAP_REVISION_2,
		len(v) == XATTR_CAPS_SZ_3 && rev == VFS_CAP_REVISION_3:
		return rev
	}
	return 0
}

// capConvertNscap is cap_convert_nscap() in the initial user namespace:
// EINVAL for a value that is neither a version 2 nor a version 3 header
// of its size, EPERM without CAP_SETFCAP, EINVAL for a version 3 rootid
// of -1 (no uid). The value is then stored as it is.
func (t *Task) capConvertNscap(v []byte) error {
	rev := capRevision(v)
	if rev == 0 {
		return EINVAL
	}
	if !t.cred.capable() {
		return EPERM
	}
	if rev == VFS_CAP_REVISION_3 && binary.LittleEndian.Uint32(v[20:]) == NoID {
		return EINVAL
	}
	return nil
}

// capInodeGetsecurity is cap_inode_getsecurity() for a reader in the
// initial user namespace: a stored value that is not a valid header
// (an empty one, which anyone may set) is EINVAL; a version 3 value
// whose rootid is 0 is returned as version 2, its effective flag kept.
func capInodeGetsecurity(v []byte) ([]byte, error) {
	switch capRevision(v) {
	case VFS_CAP_REVISION_2:
		return v, nil
	case VFS_CAP_REVISION_3:
		if binary.LittleEndian.Uint32(v[20:]) != 0 {
			return v, nil
		}
		out := make([]byte, XATTR_CAPS_SZ_2)
		magic := uint32(VFS_CAP_REVISION_2) | binary.LittleEndian.Uint32(v)&VFS_CAP_FLAGS_EFFECTIVE
		binary.LittleEndian.PutUint32(out, magic)
		copy(out[4:], v[4:XATTR_CAPS_SZ_2])
		return out, nil
	}
	return nil, EINVAL
}
