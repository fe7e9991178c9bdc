// Package probefs is a test filesystem that implements every operation
// the VFS core can call on a filesystem, so that tests can drive each row
// of Documentation/filesystems/locking.rst (vfs.LockingRows) and see the
// core's calls. It keeps its tree in the dcache, as ramfs and tmpfs do
// (every positive dentry pinned), and its file data and extended
// attributes in memory.
//
// Its names are case-insensitive (->d_hash and ->d_compare fold ASCII
// case; negative dentries are kept and revalidated against the
// directory's version). A directory named "auto" is an automount point
// (->d_automount mounts a tmpfs on it); one named "managed" has
// DCACHE_MANAGE_TRANSIT (->d_manage). AnonDentry makes a pseudo dentry
// that names itself through ->d_dname.
//
// Config switches on deliberate bugs for the lock validator's tests.
//
// Lock order: only the VFS's; FS.mu (the call counters) is a leaf.
package probefs

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/vfscope/vfscope/vfs"
)

// Config selects a probefs variant.
type Config struct {
	// Name is the filesystem type's name; "" means "probefs".
	Name string
	// SleepInDropInode makes ->drop_inode take the inode's i_rwsem,
	// a sleeping lock, where locking.rst says it must not block.
	SleepInDropInode bool
	// LeakMkdirLock makes ->mkdir return with the new directory's
	// i_rwsem still held.
	LeakMkdirLock bool
	// AutomountType is the type ->d_automount mounts; "" means "tmpfs".
	AutomountType string
	// SleepInRCUWalk makes ->d_revalidate and ->d_manage sleep
	// (might_sleep) even when called in RCU-walk, where locking.rst
	// says they must not block (they should return -ECHILD instead).
	SleepInRCUWalk bool
}

// FS is one probefs type with its call counters.
type FS struct {
	cfg Config
	// mu protects calls. A leaf lock.
	mu    sync.Mutex
	calls map[string]int64

	dops    *vfs.DentryOperations
	anonOps *vfs.DentryOperations
	dirI    *vfs.InodeOperations
	fileI   *vfs.InodeOperations
	lnkI    *vfs.InodeOperations
	sops    *vfs.SuperOperations
	xattr   []*vfs.XattrHandler
	dirF    *vfs.FileOperations
	regF    *vfs.FileOperations
}

// MAGIC is probefs's statfs f_type.
const MAGIC = 0x70726f62

// New makes a probefs type.
func New(cfg Config) *FS {
	if cfg.Name == "" {
		cfg.Name = "probefs"
	}
	if cfg.AutomountType == "" {
		cfg.AutomountType = "tmpfs"
	}
	fs := &FS{cfg: cfg, calls: map[string]int64{}}
	fs.init()
	return fs
}

// Type returns the file_system_type to register.
func (fs *FS) Type() *vfs.FileSystemType {
	return &vfs.FileSystemType{Name: fs.cfg.Name, Mount: fs.mount, KillSB: fs.killSB}
}

// Register registers the type with v.
func (fs *FS) Register(t *vfs.Task, v *vfs.VFS) error { return v.RegisterFilesystem(t, fs.Type()) }

// Calls returns how often the method named (as in locking.rst:
// "d_revalidate", "lookup", "drop_inode"...) was called.
func (fs *FS) Calls(name string) int64 {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.calls[name]
}

// AllCalls returns every counter.
func (fs *FS) AllCalls() map[string]int64 {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make(map[string]int64, len(fs.calls))
	for k, n := range fs.calls {
		out[k] = n
	}
	return out
}

func (fs *FS) hit(name string) {
	fs.mu.Lock()
	fs.calls[name]++
	fs.mu.Unlock()
}

// node is what probefs keeps per inode.
type node struct {
	// data, link and xattrs are under the inode's i_rwsem (xattrs: set
	// exclusive, get and list shared).
	data   []byte
	link   string
	xattrs map[string][]byte
}

func nodeOf(in *vfs.Inode) *node { return in.Private.(*node) }

// sbInfo is s_fs_info.
type sbInfo struct {
	mu      sync.Mutex // protects opts; a leaf
	opts    string
	frozen  bool
	umounts int
}

func (fs *FS) mount(t *vfs.Task, fst *vfs.FileSystemType, flags uint32, dev, data string) (*vfs.Dentry, error) {
	fs.hit("mount")
	return vfs.MountNodev(t, fst, flags, data, fs.fill)
}

func (fs *FS) killSB(t *vfs.Task, sb *vfs.SuperBlock) {
	fs.hit("kill_sb")
	vfs.KillLitterSuper(t, sb)
}

func (fs *FS) fill(t *vfs.Task, sb *vfs.SuperBlock, data string) error {
	if data != "" && data != "probe" {
		return vfs.EINVAL
	}
	sb.FSInfo = &sbInfo{opts: data}
	sb.Magic = MAGIC
	sb.Ops = fs.sops
	sb.Xattr = fs.xattr
	sb.SetDentryOps(fs.dops)
	in := fs.newInode(t, sb, nil, vfs.S_IFDIR|0o755)
	root, err := vfs.MakeRoot(t, in)
	if err != nil {
		return err
	}
	sb.SetRoot(root)
	return nil
}

func (fs *FS) newInode(t *vfs.Task, sb *vfs.SuperBlock, dir *vfs.Inode, mode uint32) *vfs.Inode {
	in := vfs.NewInode(t, sb)
	in.Private = &node{}
	// Its inodes live in the dcache, never in the inode hash; a fake
	// hash puts them on the writeback lists when dirtied, so that sync
	// calls ->write_inode.
	vfs.InodeFakeHash(t, in)
	if dir != nil {
		in.InitOwner(t, dir, mode)
	} else {
		in.SetModeType(mode)
	}
	switch mode & vfs.S_IFMT {
	case vfs.S_IFDIR:
		in.SetNlink(2)
		in.Ops = fs.dirI
		in.FOps = fs.dirF
	case vfs.S_IFLNK:
		in.Ops = fs.lnkI
	default:
		in.Ops = fs.fileI
		in.FOps = fs.regF
	}
	return in
}

// AnonDentry is d_alloc_pseudo(): a dentry that is its own root, outside
// any tree, bound to a new inode of sb. Its path (t.DPath) comes from
// ->d_dname. Drop it with vfs.Dput.
func (fs *FS) AnonDentry(t *vfs.Task, sb *vfs.SuperBlock) (*vfs.Dentry, error) {
	in := fs.newInode(t, sb, nil, vfs.S_IFREG|0o600)
	d, err := vfs.MakeRoot(t, in)
	if err != nil {
		return nil, err
	}
	d.SetOps(fs.anonOps)
	return d, nil
}

// fold is the case-insensitive name hash.
func fold(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

func touch(t *vfs.Task, dir *vfs.Inode) {
	now := t.VFS().Now()
	dir.SetMtime(now)
	dir.SetCtime(now)
	dir.BumpVersion()
}

func (fs *FS) init() {
	fs.dops = &vfs.DentryOperations{
		Revalidate: func(t *vfs.Task, d *vfs.Dentry, flags uint32) (int, error) {
			fs.hit("d_revalidate")
			if fs.cfg.SleepInRCUWalk {
				t.Owner().MightSleep("probefs d_revalidate")
			}
			if !d.Negative() {
				return 1, nil
			}
			if flags&vfs.LOOKUP_CREATE != 0 {
				return 0, nil // create under the exact name asked for
			}
			dir := d.Parent().Inode()
			if v, ok := d.Fsdata.(uint64); ok && dir != nil && v == dir.Version() {
				return 1, nil
			}
			return 0, nil
		},
		WeakRevalidate: func(t *vfs.Task, d *vfs.Dentry, flags uint32) (int, error) {
			fs.hit("d_weak_revalidate")
			return 1, nil
		},
		Hash: func(t *vfs.Task, parent *vfs.Dentry, q *vfs.QStr) error {
			fs.hit("d_hash")
			q.Hash = fold(q.Name)
			return nil
		},
		Compare: func(t *vfs.Task, d *vfs.Dentry, str string, name vfs.QStr) bool {
			fs.hit("d_compare")
			return strings.EqualFold(str, name.Name)
		},
		Delete: func(t *vfs.Task, d *vfs.Dentry) bool {
			fs.hit("d_delete")
			return false // keep negative dentries; ->d_revalidate checks them
		},
		Init: func(t *vfs.Task, d *vfs.Dentry) error {
			fs.hit("d_init")
			return nil
		},
		Release: func(t *vfs.Task, d *vfs.Dentry) { fs.hit("d_release") },
		Prune:   func(t *vfs.Task, d *vfs.Dentry) { fs.hit("d_prune") },
		Iput: func(t *vfs.Task, d *vfs.Dentry, in *vfs.Inode) {
			fs.hit("d_iput")
			vfs.Iput(t, in)
		},
		Automount: func(t *vfs.Task, p vfs.Path) (*vfs.Mount, error) {
			fs.hit("d_automount")
			return t.KernMount(fs.cfg.AutomountType, "auto", 0, "")
		},
		Manage: func(t *vfs.Task, p vfs.Path, rcu bool) error {
			fs.hit("d_manage")
			if fs.cfg.SleepInRCUWalk {
				t.Owner().MightSleep("probefs d_manage")
			}
			return nil
		},
	}

	// Pseudo dentries (AnonDentry) name themselves, as pipefs's do; the
	// tree's dentries have real paths, so only these have ->d_dname.
	anon := *fs.dops
	anon.DName = func(t *vfs.Task, d *vfs.Dentry) string {
		fs.hit("d_dname")
		ino := uint64(0)
		if in := d.Inode(); in != nil {
			ino = in.Ino()
		}
		return fs.cfg.Name + ":[" + strconv.FormatUint(ino, 10) + "]"
	}
	fs.anonOps = &anon

	fs.dirI = &vfs.InodeOperations{
		Lookup:     fs.lookup,
		Create:     fs.create,
		Link:       fs.link,
		Unlink:     fs.unlink,
		Symlink:    fs.symlink,
		Mkdir:      fs.mkdir,
		Rmdir:      fs.rmdir,
		Mknod:      fs.mknod,
		Rename:     fs.rename,
		Permission: fs.permission,
		Setattr:    fs.setattr,
		Getattr:    fs.getattr,
		Listxattr:  fs.listxattr,
		UpdateTime: fs.updateTime,
		Tmpfile:    fs.tmpfile,
	}
	fs.fileI = &vfs.InodeOperations{
		Permission: fs.permission,
		Setattr:    fs.setattr,
		Getattr:    fs.getattr,
		Listxattr:  fs.listxattr,
		UpdateTime: fs.updateTime,
	}
	fs.lnkI = &vfs.InodeOperations{
		Readlink: func(t *vfs.Task, d *vfs.Dentry) (string, error) {
			fs.hit("readlink")
			return nodeOf(d.Inode()).link, nil
		},
		// No i_link: every follow calls ->get_link.
		GetLink: func(t *vfs.Task, d *vfs.Dentry, in *vfs.Inode) (string, error) {
			fs.hit("get_link")
			return nodeOf(in).link, nil
		},
		Permission: fs.permission,
		Setattr:    fs.setattr,
		Getattr:    fs.getattr,
		Listxattr:  fs.listxattr,
		UpdateTime: fs.updateTime,
	}

	get := func(t *vfs.Task, h *vfs.XattrHandler, d *vfs.Dentry, in *vfs.Inode, name string) ([]byte, error) {
		fs.hit("xattr_get")
		in.RwsemLockShared(t)
		defer in.RwsemUnlockShared(t)
		return vfs.SimpleXattrGet(nodeOf(in).xattrs, h.Prefix+name)
	}
	set := func(t *vfs.Task, h *vfs.XattrHandler, d *vfs.Dentry, in *vfs.Inode, name string, value []byte, flags int) error {
		fs.hit("xattr_set")
		n := nodeOf(in)
		var err error
		n.xattrs, err = vfs.SimpleXattrSet(n.xattrs, h.Prefix+name, value, flags)
		return err
	}
	list := func(t *vfs.Task, d *vfs.Dentry) bool {
		fs.hit("xattr_list")
		return true
	}
	fs.xattr = []*vfs.XattrHandler{
		{Prefix: "user.", List: list, Get: get, Set: set},
		{Prefix: "trusted.", List: list, Get: get, Set: set},
	}

	fs.sops = &vfs.SuperOperations{
		AllocInode: func(t *vfs.Task, sb *vfs.SuperBlock) *vfs.Inode {
			fs.hit("alloc_inode")
			return &vfs.Inode{}
		},
		DestroyInode: func(t *vfs.Task, in *vfs.Inode) { fs.hit("destroy_inode") },
		FreeInode:    func(t *vfs.Task, in *vfs.Inode) { fs.hit("free_inode") },
		DirtyInode:   func(t *vfs.Task, in *vfs.Inode, flags uint32) { fs.hit("dirty_inode") },
		WriteInode: func(t *vfs.Task, in *vfs.Inode, wbc *vfs.WritebackControl) error {
			fs.hit("write_inode")
			return nil
		},
		DropInode: func(t *vfs.Task, in *vfs.Inode) bool {
			fs.hit("drop_inode")
			if fs.cfg.SleepInDropInode {
				in.RwsemLock(t)
				in.RwsemUnlock(t)
			}
			return in.Nlink() == 0
		},
		EvictInode: func(t *vfs.Task, in *vfs.Inode) {
			fs.hit("evict_inode")
			n := nodeOf(in)
			n.data, n.xattrs = nil, nil
		},
		PutSuper: func(t *vfs.Task, sb *vfs.SuperBlock) { fs.hit("put_super") },
		SyncFS: func(t *vfs.Task, sb *vfs.SuperBlock, wait bool) error {
			fs.hit("sync_fs")
			return nil
		},
		FreezeFS: func(t *vfs.Task, sb *vfs.SuperBlock) error {
			fs.hit("freeze_fs")
			i := sb.FSInfo.(*sbInfo)
			i.mu.Lock()
			i.frozen = true
			i.mu.Unlock()
			return nil
		},
		UnfreezeFS: func(t *vfs.Task, sb *vfs.SuperBlock) error {
			fs.hit("unfreeze_fs")
			i := sb.FSInfo.(*sbInfo)
			i.mu.Lock()
			i.frozen = false
			i.mu.Unlock()
			return nil
		},
		Statfs: func(t *vfs.Task, d *vfs.Dentry, st *vfs.Statfs) error {
			fs.hit("statfs")
			vfs.SimpleStatfs(d.SB(), st)
			return nil
		},
		RemountFS: func(t *vfs.Task, sb *vfs.SuperBlock, flags *uint32, data string) error {
			fs.hit("remount_fs")
			if data != "" && data != "probe" {
				return vfs.EINVAL
			}
			i := sb.FSInfo.(*sbInfo)
			i.mu.Lock()
			i.opts = data
			i.mu.Unlock()
			return nil
		},
		UmountBegin: func(t *vfs.Task, sb *vfs.SuperBlock) {
			fs.hit("umount_begin")
			i := sb.FSInfo.(*sbInfo)
			i.mu.Lock()
			i.umounts++
			i.mu.Unlock()
		},
		ShowOptions: func(t *vfs.Task, w *strings.Builder, root *vfs.Dentry) error {
			fs.hit("show_options")
			i := root.SB().FSInfo.(*sbInfo)
			i.mu.Lock()
			defer i.mu.Unlock()
			if i.opts != "" {
				w.WriteString("," + i.opts)
			}
			return nil
		},
	}

	fs.dirF = &vfs.FileOperations{Iterate: fs.iterate}
	fs.regF = &vfs.FileOperations{
		Read: func(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) {
			in := f.Inode()
			in.RwsemLockShared(t)
			n := 0
			if data := nodeOf(in).data; *pos < int64(len(data)) {
				n = copy(p, data[*pos:])
				*pos += int64(n)
			}
			in.RwsemUnlockShared(t)
			vfs.FileAccessed(t, f) // as generic_file_read_iter
			return n, nil
		},
		Write: func(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) {
			in := f.Inode()
			in.RwsemLock(t)
			defer in.RwsemUnlock(t)
			n := nodeOf(in)
			if end := *pos + int64(len(p)); end > int64(len(n.data)) {
				n.data = append(n.data, make([]byte, end-int64(len(n.data)))...)
			}
			copy(n.data[*pos:], p)
			*pos += int64(len(p))
			in.SetSize(int64(len(n.data)))
			return len(p), nil
		},
		Llseek: vfs.GenericFileLlseek,
	}
}

// lookup is simple_lookup(): every entry is in the dcache, so a name that
// reaches ->lookup does not exist; the negative dentry is kept, stamped
// with the directory's version for ->d_revalidate.
func (fs *FS) lookup(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, flags uint32) (*vfs.Dentry, error) {
	fs.hit("lookup")
	d.Fsdata = dir.Version()
	vfs.DAdd(t, d, nil)
	return nil, nil
}

// instantiate binds d to in as a new name in dir.
func (fs *FS) instantiate(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, in *vfs.Inode) {
	vfs.DInstantiate(t, d, in)
	vfs.PinDentry(d)
	touch(t, dir)
	switch {
	case strings.EqualFold(d.Name(), "auto") && vfs.IsDir(in.Mode()):
		d.SetFlags(t, vfs.DCACHE_NEED_AUTOMOUNT)
	case strings.EqualFold(d.Name(), "managed") && vfs.IsDir(in.Mode()):
		d.SetFlags(t, vfs.DCACHE_MANAGE_TRANSIT)
	}
}

func (fs *FS) mknod(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32, dev uint64) error {
	fs.hit("mknod")
	in := fs.newInode(t, dir.SB(), dir, mode)
	in.SetRdev(dev)
	fs.instantiate(t, dir, d, in)
	return nil
}

func (fs *FS) create(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32, excl bool) error {
	fs.hit("create")
	fs.instantiate(t, dir, d, fs.newInode(t, dir.SB(), dir, mode|vfs.S_IFREG))
	return nil
}

func (fs *FS) mkdir(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32) error {
	fs.hit("mkdir")
	in := fs.newInode(t, dir.SB(), dir, mode|vfs.S_IFDIR)
	dir.IncNlink()
	fs.instantiate(t, dir, d, in)
	if fs.cfg.LeakMkdirLock {
		in.RwsemLock(t) // the bug: never unlocked
	}
	return nil
}

func (fs *FS) symlink(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, target string) error {
	fs.hit("symlink")
	in := fs.newInode(t, dir.SB(), dir, vfs.S_IFLNK|0o777)
	nodeOf(in).link = target
	in.SetSize(int64(len(target)))
	fs.instantiate(t, dir, d, in)
	return nil
}

func (fs *FS) link(t *vfs.Task, old *vfs.Dentry, dir *vfs.Inode, d *vfs.Dentry) error {
	fs.hit("link")
	in := old.Inode()
	in.SetCtime(t.VFS().Now())
	in.IncNlink()
	vfs.Ihold(in)
	fs.instantiate(t, dir, d, in)
	return nil
}

func (fs *FS) unlinkLocked(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry) {
	in := d.Inode()
	in.SetCtime(t.VFS().Now())
	in.DropNlink()
	touch(t, dir)
	vfs.UnpinDentry(t, d)
}

func (fs *FS) unlink(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry) error {
	fs.hit("unlink")
	fs.unlinkLocked(t, dir, d)
	return nil
}

func (fs *FS) rmdir(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry) error {
	fs.hit("rmdir")
	if !vfs.SimpleEmpty(t, d) {
		return vfs.ENOTEMPTY
	}
	d.Inode().DropNlink()
	dir.DropNlink()
	fs.unlinkLocked(t, dir, d)
	return nil
}

// rename is simple_rename().
func (fs *FS) rename(t *vfs.Task, oldDir *vfs.Inode, old *vfs.Dentry, newDir *vfs.Inode, nd *vfs.Dentry, flags uint32) error {
	fs.hit("rename")
	if flags&^(vfs.RENAME_NOREPLACE|vfs.RENAME_EXCHANGE) != 0 {
		return vfs.EINVAL // simple_rename makes no whiteouts
	}
	in := old.Inode()
	isDir := vfs.IsDir(in.Mode())
	if flags&vfs.RENAME_EXCHANGE != 0 {
		other := nd.Inode()
		if oldDir != newDir && isDir != vfs.IsDir(other.Mode()) {
			if isDir {
				oldDir.DropNlink()
				newDir.IncNlink()
			} else {
				newDir.DropNlink()
				oldDir.IncNlink()
			}
		}
		touch(t, oldDir)
		touch(t, newDir)
		return nil
	}
	if target := nd.Inode(); target != nil {
		if !vfs.SimpleEmpty(t, nd) {
			return vfs.ENOTEMPTY
		}
		fs.unlinkLocked(t, newDir, nd)
		if isDir {
			target.DropNlink()
			oldDir.DropNlink()
		}
	} else if isDir {
		oldDir.DropNlink()
		newDir.IncNlink()
	}
	touch(t, oldDir)
	touch(t, newDir)
	in.SetCtime(t.VFS().Now())
	return nil
}

func (fs *FS) permission(t *vfs.Task, in *vfs.Inode, mask int) error {
	fs.hit("permission")
	return t.GenericPermission(in, mask)
}

func (fs *FS) setattr(t *vfs.Task, d *vfs.Dentry, a *vfs.Iattr) error {
	fs.hit("setattr")
	in := d.Inode()
	if a.Valid&vfs.ATTR_SIZE != 0 && vfs.IsReg(in.Mode()) {
		n := nodeOf(in)
		if a.Size < int64(len(n.data)) {
			n.data = n.data[:a.Size]
		} else {
			n.data = append(n.data, make([]byte, a.Size-int64(len(n.data)))...)
		}
		in.SetSize(a.Size)
	}
	vfs.SetattrCopy(t, in, a)
	return nil
}

func (fs *FS) getattr(t *vfs.Task, p vfs.Path, st *vfs.Stat, mask, flags uint32) error {
	fs.hit("getattr")
	vfs.GenericFillattr(p.Dentry.Inode(), st)
	return nil
}

func (fs *FS) listxattr(t *vfs.Task, d *vfs.Dentry) ([]string, error) {
	fs.hit("listxattr")
	in := d.Inode()
	in.RwsemLockShared(t)
	defer in.RwsemUnlockShared(t)
	return vfs.SimpleXattrList(nodeOf(in).xattrs), nil
}

func (fs *FS) updateTime(t *vfs.Task, in *vfs.Inode, flags int) error {
	fs.hit("update_time")
	now := t.VFS().Now()
	if flags&vfs.S_ATIME != 0 {
		in.SetAtime(now)
	}
	if flags&vfs.S_MTIME != 0 {
		in.SetMtime(now)
	}
	if flags&vfs.S_CTIME != 0 {
		in.SetCtime(now)
	}
	vfs.MarkInodeDirty(t, in, vfs.I_DIRTY_SYNC)
	return nil
}

func (fs *FS) tmpfile(t *vfs.Task, dir *vfs.Inode, f *vfs.File, mode uint32) error {
	fs.hit("tmpfile")
	in := fs.newInode(t, dir.SB(), dir, mode)
	return vfs.FinishOpenTmpfile(t, f, f.Dentry(), in)
}

// iterate lists "." and "..", then the positive children in the order of
// their dentry ids (stable while they stay).
func (fs *FS) iterate(t *vfs.Task, f *vfs.File, ctx *vfs.DirContext) error {
	if !vfs.DirEmitDots(f, ctx) {
		return nil
	}
	kids := f.Dentry().Children(t)
	defer func() {
		for _, c := range kids {
			vfs.Dput(t, c)
		}
	}()
	sort.Slice(kids, func(i, j int) bool { return kids[i].ID() < kids[j].ID() })
	for _, c := range kids {
		pos := int64(c.ID()) + 2
		if pos < ctx.Pos {
			continue
		}
		in := c.Inode()
		if in == nil {
			continue
		}
		if !ctx.Emit(c.Name(), in.Ino(), vfs.DTType(in.Mode()), pos+1) {
			return nil
		}
		ctx.Pos = pos + 1
	}
	return nil
}
