package vfs

import (
	"strings"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/trace"
)

// Per-mount flags (MNT_* of include/linux/mount.h).
const (
	MNT_NOSUID     = 0x01
	MNT_NODEV      = 0x02
	MNT_NOEXEC     = 0x04
	MNT_NOATIME    = 0x08
	MNT_NODIRATIME = 0x10
	MNT_RELATIME   = 0x20
	MNT_READONLY   = 0x40
	// MNT_WRITE_HOLD is set, under mountLock's write side, while a
	// remount to read-only counts the mount's writers:
	// mnt_get_write_access waits for it to clear.
	MNT_WRITE_HOLD = 0x200
	mntAtimeMask   = MNT_NOATIME | MNT_NODIRATIME | MNT_RELATIME
	mntUserFlags   = MNT_READONLY | MNT_NOSUID | MNT_NODEV | MNT_NOEXEC | mntAtimeMask
)

// mount(2) flags (MS_*).
const (
	MS_RDONLY      = 1
	MS_NOSUID      = 2
	MS_NODEV       = 4
	MS_NOEXEC      = 8
	MS_SYNCHRONOUS = 16
	MS_REMOUNT     = 32
	MS_MANDLOCK    = 64
	MS_DIRSYNC     = 128
	MS_NOATIME     = 1024
	MS_NODIRATIME  = 2048
	MS_BIND        = 4096
	MS_MOVE        = 8192
	MS_REC         = 16384
	MS_SILENT      = 32768
	MS_UNBINDABLE  = 1 << 17
	MS_PRIVATE     = 1 << 18
	MS_SLAVE       = 1 << 19
	MS_SHARED      = 1 << 20
	MS_RELATIME    = 1 << 21
	MS_STRICTATIME = 1 << 24
	MS_LAZYTIME    = 1 << 25
	MS_NOUSER      = 1 << 31
	// MS_MGC_VAL in the top half is the old magic, which mount(2)
	// discards (path_mount).
	MS_MGC_VAL = 0xC0ED0000
	MS_MGC_MSK = 0xffff0000
)

// umount2(2) flags.
const (
	MNT_FORCE       = 1
	MNT_DETACH      = 2
	MNT_EXPIRE      = 4
	UMOUNT_NOFOLLOW = 8
)

// Mount is struct mount (with its vfsmount): one place where a
// superblock's tree (or part of it, for a bind mount) is attached.
type Mount struct {
	id       int32
	parentID int32
	// parent and mountpoint are written under mountLock's write side
	// and read by lock-free walks (validated with mountLock's sequence).
	// A mount that is not attached is its own parent.
	parent     atomic.Pointer[Mount]
	mountpoint atomic.Pointer[Dentry]
	root       *Dentry // immutable
	sb         *SuperBlock
	flags      atomic.Uint32 // MNT_*: changed under mountLock's write side
	// count is mnt_count: references from paths (open files, working
	// directories, walks in progress, child mounts, the tree itself).
	// It also carries mnt_expiry_mark: a first umount2(MNT_EXPIRE)
	// subtracts mntExpiryBias, so a marked mount's count is negative and
	// the first put that sees it so clears the mark (Linux's mntput),
	// with no second word to load on every put. refs reads the count
	// without the mark.
	count atomic.Int64
	// writers counts write access (mnt_writers): files open for write
	// and modifications in progress. A remount to read-only fails with
	// EBUSY while it is not zero.
	writers atomic.Int64
	devName string
	// children: under namespaceSem.
	children []*Mount
	// attached says the mount is in the tree: written under
	// namespaceSem; read without it only as a hint that a check under
	// namespaceSem repeats (check_mnt in can_umount, then do_umount).
	attached atomic.Bool
	// doomed is set when the mount leaves the tree (umount, lazy
	// detach): the last reference then kills the superblock's use.
	doomed atomic.Bool
}

// Path is struct path: a mount and a dentry in it.
type Path struct {
	Mnt    *Mount
	Dentry *Dentry
}

// ID returns the mount's id as mountinfo shows it.
func (m *Mount) ID() int32 { return m.id }

// Root returns mnt_root.
func (m *Mount) Root() *Dentry { return m.root }

// SB returns mnt_sb.
func (m *Mount) SB() *SuperBlock { return m.sb }

// Flags returns the MNT_* flags.
func (m *Mount) Flags() uint32 { return m.flags.Load() &^ MNT_WRITE_HOLD }

// Parent returns the mount this one is attached to (itself for a root or
// a detached mount), and Mountpoint the dentry it covers.
func (m *Mount) Parent() *Mount      { return m.parent.Load() }
func (m *Mount) Mountpoint() *Dentry { return m.mountpoint.Load() }
func (m *Mount) DevName() string     { return m.devName }
func (m *Mount) Count() int64        { return m.refs() }
func (m *Mount) ReadOnly() bool      { return m.flags.Load()&MNT_READONLY != 0 || m.sb.ReadOnly() }

func mntget(m *Mount) *Mount {
	m.count.Add(1)
	return m
}

// mntExpiryBias is what mnt_expiry_mark subtracts from count: more
// than any number of references, so a marked count is negative.
const mntExpiryBias = 1 << 40

// noRefs reports whether count c, with or without the expiry mark,
// holds no reference: the last one is gone.
func noRefs(c int64) bool { return c == 0 || c == -mntExpiryBias }

// refs is mnt_get_count(): the references, without the expiry mark.
func (m *Mount) refs() int64 {
	n := m.count.Load()
	if n < 0 {
		n += mntExpiryBias
	}
	return n
}

// mntput drops a reference and clears the expiry mark; the last one on a
// doomed mount releases its superblock (cleanup_mnt → deactivate_super)
// and its root.
func mntput(t *Task, m *Mount) {
	// Small enough to inline (cost 80 of 80): most puts are neither
	// the last nor on a marked mount.
	if n := m.count.Add(-1); n <= 0 {
		mntputSlow(t, m, n)
	}
}

// mntputSlow is mntput for a count that reached zero or carries the
// expiry mark (n < 0): clear the mark (WRITE_ONCE(mnt_expiry_mark, 0)),
// then what mntput_no_expire does.
func mntputSlow(t *Task, m *Mount, n int64) {
	if n < 0 {
		m.clearExpiry()
	}
	if noRefs(n) {
		mntputFinal(t, m)
	}
}

// clearExpiry removes the expiry mark if it is set. It keeps the number
// of references as it is, so it never makes a last reference: the put
// whose decrement reached zero (with or without the mark) does the
// final work.
func (m *Mount) clearExpiry() {
	for {
		c := m.count.Load()
		if c >= 0 || noRefs(c) {
			return
		}
		if m.count.CompareAndSwap(c, c+mntExpiryBias) {
			return
		}
	}
}

// setExpiry is xchg(&mnt_expiry_mark, 1): set the mark and report
// whether it was already set.
func (m *Mount) setExpiry() bool {
	for {
		c := m.count.Load()
		if c < 0 {
			return true
		}
		if m.count.CompareAndSwap(c, c-mntExpiryBias) {
			return false
		}
	}
}

// mntputNoExpire is mntput_no_expire(): a put that leaves the expiry
// mark, for umount2's own reference on the mount it expires.
func mntputNoExpire(t *Task, m *Mount) {
	if n := m.count.Add(-1); noRefs(n) {
		mntputFinal(t, m)
	}
}

// mntputFinal is the last put: nothing to do for a mount still attached
// (its tree holds it), else cleanup_mnt(), the release of its root and
// superblock.
func mntputFinal(t *Task, m *Mount) {
	if !m.doomed.Load() {
		return
	}
	// A namespace's root mount has its own root as mountpoint and no
	// reference on it (parentID is its own id); any other mount took
	// one when it was attached, a directory bound onto itself too.
	if mp := m.mountpoint.Load(); mp != nil && m.parentID != m.id {
		dput(t, mp)
	}
	dput(t, m.root)
	m.sb.vfs.sbDelMount(t.owner(), m)
	deactivateSuper(t, m.sb)
}

// Get takes references on both parts (path_get).
func (p Path) Get() Path {
	mntget(p.Mnt)
	dget(p.Dentry)
	return p
}

// Put drops them (path_put).
func (p Path) Put(t *Task) {
	dput(t, p.Dentry)
	mntput(t, p.Mnt)
}

// mountTable is the mount hash (mount_hashtable): which mount sits on
// (parent mount, dentry). Immutable once published; replaced whole.
type mountTable struct {
	m    map[mountKey]*Mount
	list []*Mount // attached mounts in mount order (the namespace's list)
}

type mountKey struct {
	parent *Mount
	d      *Dentry
}

// lookupMnt is __lookup_mnt(): the mount on (parent, d), without locks.
func (v *VFS) lookupMnt(parent *Mount, d *Dentry) *Mount {
	return v.mounts.Load().m[mountKey{parent, d}]
}

// newMount wraps a root dentry (with its reference and an active
// superblock reference) in an unattached mount, on its superblock's
// s_mounts until the last reference goes.
func (t *Task) newMount(root *Dentry, flags uint32, devName string) *Mount {
	v := t.vfs
	m := &Mount{id: v.nextMountID.Add(1), root: root, sb: root.sb, devName: devName}
	m.parent.Store(m)
	m.flags.Store(flags)
	v.sbAddMount(t.owner(), m)
	return m
}

// attachMount is attach_recursive_mnt(): hang m on (parent, mp), with
// every mount linked below it: a tree built detached, as copy_tree
// builds a copy (see linkCopy), whose mounts no walk can reach yet.
// The whole tree becomes reachable in one mountLock write section and
// one new mount table, as attach_recursive_mnt hashes it in one
// lock_mount_hash() section, so that a walk (lock-free, validated with
// mountLock's sequence, or reading the table) that finds m finds its
// submounts on their places too, never the directories they cover.
// Each mountpoint is marked DCACHE_MOUNTED before the table names its
// mount, as lock_mount marks it first. A nil parent makes m the
// namespace root. namespaceSem held for write.
func (v *VFS) attachMount(t *Task, m, parent *Mount, mp *Dentry) {
	o := t.owner()
	tree := appendTree(nil, m)
	v.mountLock.WriteLock(o)
	old := v.mounts.Load()
	nt := &mountTable{m: make(map[mountKey]*Mount, len(old.m)+len(tree)), list: old.list}
	for k, x := range old.m {
		nt.m[k] = x
	}
	if parent != nil {
		m.parent.Store(parent)
		m.parentID = parent.id
		m.mountpoint.Store(dget(mp))
		parent.children = append(parent.children, m)
	} else {
		m.mountpoint.Store(m.root)
		m.parentID = m.id
	}
	for _, x := range tree {
		nt.list = insertByID(nt.list, x)
		if p := x.parent.Load(); p != x {
			xmp := x.mountpoint.Load()
			nt.m[mountKey{p, xmp}] = x
			mntget(p)
			xmp.lock.Lock(o)
			xmp.mounted++
			if xmp.flags.Or(DCACHE_MOUNTED)&DCACHE_MOUNTED == 0 {
				v.evDentryMounted(t, xmp, true)
			}
			xmp.lock.Unlock(o)
		}
		x.attached.Store(true)
		mntget(x) // the tree's reference
	}
	v.mounts.Store(nt)
	v.mountLock.WriteUnlock(o)
	for _, x := range tree {
		v.evMount(t, trace.Mount, x)
	}
}

// linkCopy is the half of copy_tree()'s attach_mnt that makes no mount
// reachable: c, a copy not yet attached, is linked below parent, itself
// a detached copy, on mp (a reference taken here, which c's last put
// drops). No mount table names c until attachMount publishes the tree
// it is in; until then only the caller can reach it. namespaceSem held
// for write.
func linkCopy(c, parent *Mount, mp *Dentry) {
	c.parent.Store(parent)
	c.parentID = parent.id
	c.mountpoint.Store(dget(mp))
	parent.children = append(parent.children, c)
}

// appendTree appends m and every mount below it to tree, parents before
// children. namespaceSem held.
func appendTree(tree []*Mount, m *Mount) []*Mount {
	tree = append(tree, m)
	for _, c := range m.children {
		tree = appendTree(tree, c)
	}
	return tree
}

// dropDetachedTree is umount_tree(UMOUNT_SYNC) for a tree built
// detached that will not be attached (graft_tree failed): every mount
// of it dies with its last reference, which this drops, children
// first. None was ever reachable, so none leaves a mount table.
// namespaceSem need not be held: no one else knows the tree.
func dropDetachedTree(t *Task, m *Mount) {
	for len(m.children) > 0 {
		c := m.children[len(m.children)-1]
		m.children = m.children[:len(m.children)-1]
		dropDetachedTree(t, c)
	}
	m.doomed.Store(true)
	mntget(m)
	mntput(t, m)
}

// putMountpoint is put_mountpoint(): mp has one mount fewer on it, and
// loses DCACHE_MOUNTED with the last. Takes mp's d_lock (inside
// mountLock, held for write by the caller with namespaceSem).
func (v *VFS) putMountpoint(t *Task, mp *Dentry) {
	o := t.owner()
	mp.lock.Lock(o)
	if mp.mounted--; mp.mounted == 0 {
		mp.flags.And(^uint32(DCACHE_MOUNTED))
		v.evDentryMounted(t, mp, false)
	}
	mp.lock.Unlock(o)
}

// removeChild takes c off m's children, the others keeping their
// order. namespaceSem held for write.
func (m *Mount) removeChild(c *Mount) {
	for i, x := range m.children {
		if x == c {
			m.children = append(m.children[:i:i], m.children[i+1:]...)
			return
		}
	}
}

// insertByID returns a copy of list (ordered by mount id) with m in its
// place: the namespace's mounts are ordered by id (mnt_id_unique), so a
// moved mount keeps its place.
func insertByID(list []*Mount, m *Mount) []*Mount {
	i := len(list)
	for i > 0 && list[i-1].id > m.id {
		i--
	}
	out := make([]*Mount, 0, len(list)+1)
	out = append(out, list[:i]...)
	out = append(out, m)
	return append(out, list[i:]...)
}

// detachMountLocked is umount_tree() on each of roots in turn, as
// detach_mounts runs it for each mount on a victim of d_invalidate:
// take each root and every mount below it off the tree; each lives on
// while referenced. All of the trees leave in one new mount table, as
// umount_tree unhashes all of a tree's mounts in one lock_mount_hash()
// section, so that a reader of the table (the mount list, a snapshot,
// mountpointOnSB) sees all of them or none, never a part of one tree or
// one tree gone and another still there (see detachMountsBelow for how
// that compares with d_invalidate's detach_mounts per mountpoint). A
// root already below an earlier root went with that one's tree; a tree
// holding an earlier root's tree takes what is left of it. The per-mount work keeps umount_tree's
// order, tree by tree and deepest first within each: each Umount event
// goes out once the table no longer has the mount (see
// evUmountPrepare), then its mountpoint loses DCACHE_MOUNTED, as
// put_mountpoint clears it after the unhash.
// namespaceSem and mountLock held for write: a caller that decided
// under mountLock that a root may go (umount's busy check) keeps it
// through the detach, so that a lock-free walk cannot take a reference
// it would then validate in between. The references the trees held (on
// each mount, and each mount's on its parent) are appended to drop: the
// caller puts them after releasing namespaceSem (namespace_unlock),
// since a last put kills a superblock under s_umount, which ranks above
// namespace_sem.
func (v *VFS) detachMountLocked(t *Task, roots []*Mount, drop *[]*Mount) {
	var tree []*Mount
	in := make(map[*Mount]bool)
	for _, r := range roots {
		if in[r] {
			continue // below an earlier root: gone with its tree
		}
		// Deepest first, the last child before the one before it:
		// the reverse of appendTree's parents-before-children order,
		// without the mounts an earlier tree took (which would no
		// longer be r's children had that tree gone on its own).
		sub := appendTree(nil, r)
		for i := len(sub) - 1; i >= 0; i-- {
			if !in[sub[i]] {
				tree = append(tree, sub[i])
			}
		}
		for _, x := range sub {
			in[x] = true
		}
	}
	type gone struct {
		parent *Mount
		mp     *Dentry
		ev     *trace.Event
	}
	was := make([]gone, len(tree))
	for i, x := range tree {
		// Described before anything changes: a mount's path and mount
		// point are those the tree had.
		was[i] = gone{x.parent.Load(), x.mountpoint.Load(), v.evUmountPrepare(t, x)}
	}
	old := v.mounts.Load()
	nt := &mountTable{m: make(map[mountKey]*Mount, len(old.m)), list: make([]*Mount, 0, len(old.list))}
	for k, x := range old.m {
		if !in[x] {
			nt.m[k] = x
		}
	}
	for _, x := range old.list {
		if !in[x] {
			nt.list = append(nt.list, x)
		}
	}
	for _, x := range tree {
		x.parent.Store(x)
		x.attached.Store(false)
		x.doomed.Store(true)
	}
	v.mounts.Store(nt)
	for i, x := range tree {
		parent, mp := was[i].parent, was[i].mp
		v.evUmountDone(was[i].ev)
		if parent != x {
			v.putMountpoint(t, mp)
			parent.removeChild(x)
			// The mountpoint dentry stays referenced until x dies
			// (mntput drops it): a detached mount may still be in use
			// below it.
			*drop = append(*drop, parent)
		}
		*drop = append(*drop, x) // the tree's reference
	}
}

// moveMount is attach_recursive_mnt() with moving set, for one mount
// with its subtree: take m off (its parent, its mountpoint) and hang it
// on (parent, mp), in one mountLock write section and one new mount
// table, so that a walk (lock-free, validated with mountLock's
// sequence, or reading the table) finds m at one place or the other,
// never at neither. The new mountpoint is marked DCACHE_MOUNTED before
// the table names m there, and the old one cleared after the table no
// longer does, as lock_mount marks it first and put_mountpoint clears
// it last: a ref-walk that reads the flag without the lock never skips
// a place m is at. m keeps its id, so its place in the mount list; its
// children move with it. namespaceSem held for write. The old parent's
// reference is appended to drop, for the caller to put after
// namespaceSem; the old mountpoint's reference is returned, for the
// caller to dput.
func (v *VFS) moveMount(t *Task, m, parent *Mount, mp *Dentry, drop *[]*Mount) (oldMP *Dentry) {
	o := t.owner()
	oldParent := m.parent.Load()
	oldMP = m.mountpoint.Load()
	ev := v.evUmountPrepare(t, m)
	mntget(parent)
	dget(mp)
	v.mountLock.WriteLock(o)
	mp.lock.Lock(o)
	mp.mounted++
	if mp.flags.Or(DCACHE_MOUNTED)&DCACHE_MOUNTED == 0 {
		v.evDentryMounted(t, mp, true)
	}
	mp.lock.Unlock(o)
	old := v.mounts.Load()
	nt := &mountTable{m: make(map[mountKey]*Mount, len(old.m)), list: old.list}
	for k, x := range old.m {
		if x != m {
			nt.m[k] = x
		}
	}
	nt.m[mountKey{parent, mp}] = m
	m.parent.Store(parent)
	m.parentID = parent.id
	m.mountpoint.Store(mp)
	v.mounts.Store(nt)
	v.evUmountDone(ev)
	v.putMountpoint(t, oldMP)
	oldParent.removeChild(m)
	parent.children = append(parent.children, m)
	v.mountLock.WriteUnlock(o)
	*drop = append(*drop, oldParent)
	v.evMount(t, trace.Mount, m)
	return oldMP
}

// putMounts drops the references detachMountLocked and moveMount
// collected.
func putMounts(t *Task, drop []*Mount) {
	for _, m := range drop {
		mntput(t, m)
	}
}

// Mounts returns the attached mounts in mount order, for /proc/mounts.
func (v *VFS) Mounts() []*Mount { return append([]*Mount(nil), v.mounts.Load().list...) }

// RootMount returns the namespace's root mount.
func (v *VFS) RootMount() *Mount { return v.root.Load() }

// MountRoot mounts a filesystem of type fstype as the namespace root, as
// the kernel mounts rootfs at boot. EBUSY if a root exists.
func (v *VFS) MountRoot(t *Task, fstype, data string) error {
	fst, err := v.getFSType(t, fstype)
	if err != nil {
		return err
	}
	o := t.owner()
	root, err := t.fstMount(fst, 0, "none", data)
	if err != nil {
		return err
	}
	root.sb.umount.Unlock(o)
	v.namespaceSem.Lock(o)
	if v.root.Load() != nil {
		v.namespaceSem.Unlock(o)
		dput(t, root)
		deactivateSuper(t, root.sb)
		return EBUSY
	}
	defer v.namespaceSem.Unlock(o)
	m := t.newMount(root, MNT_RELATIME, "none")
	v.attachMount(t, m, nil, nil)
	v.root.Store(m)
	t.setFS(Path{m, root}.Get(), Path{m, root}.Get())
	return nil
}

// mntFlagsFromMS converts mount(2) flags to per-mount flags as
// path_mount does: relatime unless noatime is asked, and strictatime
// clears both (it wins over noatime given with it).
func mntFlagsFromMS(flags uint32) uint32 {
	var f uint32
	if flags&MS_RDONLY != 0 {
		f |= MNT_READONLY
	}
	if flags&MS_NOSUID != 0 {
		f |= MNT_NOSUID
	}
	if flags&MS_NODEV != 0 {
		f |= MNT_NODEV
	}
	if flags&MS_NOEXEC != 0 {
		f |= MNT_NOEXEC
	}
	if flags&MS_NODIRATIME != 0 {
		f |= MNT_NODIRATIME
	}
	if flags&MS_NOATIME != 0 {
		f |= MNT_NOATIME
	} else {
		f |= MNT_RELATIME
	}
	if flags&MS_STRICTATIME != 0 {
		f &^= MNT_RELATIME | MNT_NOATIME
	}
	return f
}

// remountMntFlags is mntFlagsFromMS for a remount of m: one that names
// no atime flag keeps m's ("The default atime for remount is
// preservation", path_mount).
func remountMntFlags(m *Mount, flags uint32) uint32 {
	f := mntFlagsFromMS(flags)
	if flags&(MS_NOATIME|MS_NODIRATIME|MS_RELATIME|MS_STRICTATIME) == 0 {
		f = f&^mntAtimeMask | m.flags.Load()&mntAtimeMask
	}
	return f
}

// mntOptions returns the per-mount part of /proc/mounts' options.
func mntOptions(m *Mount) string {
	var b strings.Builder
	if m.ReadOnly() {
		b.WriteString("ro")
	} else {
		b.WriteString("rw")
	}
	f := m.flags.Load()
	for _, x := range []struct {
		bit  uint32
		name string
	}{{MNT_NOSUID, ",nosuid"}, {MNT_NODEV, ",nodev"}, {MNT_NOEXEC, ",noexec"}, {MNT_NOATIME, ",noatime"}, {MNT_NODIRATIME, ",nodiratime"}, {MNT_RELATIME, ",relatime"}} {
		if f&x.bit != 0 {
			b.WriteString(x.name)
		}
	}
	return b.String()
}

// MountInfo is one line of /proc/self/mountinfo or /proc/mounts.
type MountInfo struct {
	ID, ParentID int32
	Major, Minor uint32
	Root         string // the mount's root within its filesystem
	Mountpoint   string // as seen from the task's root
	MountOptions string // per-mount: rw,nosuid,relatime
	FSType       string
	Source       string
	SuperOptions string // rw plus ->show_options
}

// MountTable describes the mounts visible from t's root, in mount order.
func (t *Task) MountTable() []MountInfo {
	v := t.vfs
	o := t.owner()
	v.namespaceSem.RLock(o)
	defer v.namespaceSem.RUnlock(o)
	var out []MountInfo
	for _, m := range v.mounts.Load().list {
		mp, ok := t.mountpointPath(m)
		if !ok {
			continue
		}
		sbo := "rw"
		if m.sb.ReadOnly() {
			sbo = "ro"
		}
		out = append(out, MountInfo{
			ID: m.id, ParentID: m.parentID,
			Major: Major(m.sb.dev), Minor: Minor(m.sb.dev),
			Root:         dentryPathInSB(t.owner(), m.root),
			Mountpoint:   mp,
			MountOptions: mntOptions(m),
			FSType:       m.sb.fsType.Name,
			Source:       m.devName,
			SuperOptions: sbo + m.sb.showOptions(t),
		})
	}
	return out
}

// dentryPathInSB is dentry_path(): the path of d from its superblock's
// root, with "//deleted" after it once d is unlinked (d_unlinked). The
// walk up is __dentry_path's: retried while a rename ran (rename_lock),
// so that a name and a parent from either side of a rename never mix.
// o is the caller's lock owner, so that the validator sees the read
// section.
func dentryPathInSB(o *lock.Owner, d *Dentry) string {
	deleted := ""
	if !d.IsRoot() && !d.hashed() {
		deleted = "//deleted"
	}
	rl := &d.sb.vfs.renameLock
	for {
		seq := rl.ReadBeginBy(o)
		var parts []string
		for e := d; ; {
			p := e.parent.Load()
			if p == e {
				break
			}
			parts = append(parts, e.name.Load().Name)
			e = p
		}
		if rl.ReadRetry(seq) {
			continue
		}
		return joinRev(parts) + deleted
	}
}

// mountpointPath is the path of m's root as t sees it; false if m is not
// below t's root.
func (t *Task) mountpointPath(m *Mount) (string, bool) {
	s, err := t.pathString(Path{m, m.root})
	return s, err == nil
}
