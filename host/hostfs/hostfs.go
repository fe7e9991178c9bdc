// Package hostfs is the filesystem type "hostfs": a directory of the host
// (or any go-billy filesystem) shown inside the VFS, the way User-Mode
// Linux's hostfs or a network filesystem shows storage that someone else
// owns and may change at any moment.
//
// It lives under host/ because it imports go-billy; the vfs package
// imports only the standard library.
//
// It is built like a network filesystem (fs/nfs) and like procfs here:
//
//   - Nothing is pinned in the dcache. ->lookup asks the backing store
//     (billy Lstat) and makes the dentry and its inode on demand; unused
//     dentries go to the superblock's LRU like any other.
//   - Inodes come from vfs.IgetLocked keyed by the host's inode number, so
//     two host names of one file (hard links) share one VFS inode. The
//     number is the host's st_ino when the backing store gives a
//     *syscall.Stat_t (linux; attr_linux.go), mixed with the device number
//     when a file sits on another host filesystem than the root (a mount
//     inside SRC), and otherwise a number kept per path, which follows
//     the file through a rename made through the VFS and is forgotten
//     when the file is removed (a file made there later is another
//     file). Never 0.
//   - Every dentry, negative ones too, carries ->d_revalidate: the host
//     may change under us, so a cached name is checked with one Lstat
//     before the walk trusts it (nfs_lookup_revalidate without an
//     attribute cache). A positive dentry stays valid while the host still
//     has a file of the same type and inode number there (its attributes
//     are refreshed on the way); a negative one while the host still has
//     nothing there. In RCU mode the method returns ECHILD, so walks
//     through a hostfs mount go by reference.
//   - Attributes are the host's: ->getattr refreshes the inode from an
//     Lstat before filling in the stat. Changes (setattr) go to the host
//     first and are copied into the inode only when the host took them.
//   - An open file keeps a billy.File in File.Private, opened at ->open
//     with the access mode and O_APPEND of the open; read, write, llseek
//     and fsync go through it, so reads and writes see the host's data at
//     once (there is no page cache in between). A write drops
//     set-user-ID and set-group-ID (file_remove_privs) on the host too,
//     through the open file. An O_SYNC or O_DSYNC write, and every write
//     of a -o sync mount, syncs the host file before it returns
//     (generic_write_sync). fsync(2) of a file or directory is fsync(2)
//     of the host's, fdatasync(2) and an O_DSYNC write fdatasync(2) on
//     Linux (sync_linux.go); elsewhere both are the host file's Sync
//     and a directory's sync does nothing on the host (sync_other.go).
//     sync(2) and syncfs(2) reach a host directory's filesystem through
//     ->sync_fs as syncfs(2) of the root's descriptor (Linux; nothing
//     elsewhere).
//   - readdir lists a snapshot taken by billy ReadDir when a listing
//     starts (position 0), sorted by name: entry i is at position 2+i, so
//     positions stay stable for the life of the listing.
//   - Errors of the backing store are mapped to Linux errno values once,
//     at this edge, by one table (errors.go).
//
// Hard links need more than go-billy offers: a backing store that has
// `Link(oldname, newname string) error` (as Dir, the os.Root-backed store
// `vfscope run --mount host:` uses) gets link(2); any other gives EPERM,
// as Linux does on a filesystem without hard links. A store with
// `Mkdir(name string, perm os.FileMode) error` gets an exclusive mkdir;
// any other gets an Lstat followed by MkdirAll.
//
// Mount options: none; any option fails the mount with EINVAL. The
// source (the dev argument of mount(2)) is handed to the open function
// given to Register, which returns the backing store.
//
// Lock order: hostfs runs inside the VFS's order (package vfs). It takes
// the inode's i_rwsem exclusive around a write (as generic_file_write_iter
// does) and, inside it, three leaf mutexes outside the validator, none
// taken inside another: a file handle's mu (the billy.File's offset, a
// directory's snapshot), inodeInfo.mu (a regular file's open host
// handles, held across setattr's call through one) and sbInfo.mu (the
// per-path inode numbers and the files ->create opened).
//
// Departures from Linux (each for a reason):
//
//   - The host path of a dentry is rebuilt from its names at each call.
//     A rename of an ancestor directory that runs concurrently with an
//     operation below it (they hold different i_rwsems) may make that
//     operation miss (ENOENT); NFS avoids this with file handles, which
//     a billy filesystem does not have. It cannot reach outside the
//     backing store: confinement is the store's (see Dir).
//   - A file unlinked while open keeps working through its open billy
//     file (ftruncate(2) too: ATTR_FILE truncates through it), but
//     ->getattr then reports the attributes cached in the inode (NFS
//     renames such a file to .nfsXXXX instead: "silly rename").
//     open(O_TRUNC) truncates through the new file's handle as well,
//     unless it was opened read-only (then by name).
//   - A store without renameat2 (anything but Dir on Linux, which
//     passes RENAME_NOREPLACE and RENAME_EXCHANGE to the host's
//     renameat2) has RENAME_NOREPLACE checked with an Lstat before the
//     rename: a file the host creates in between is replaced; and
//     RENAME_EXCHANGE is EINVAL there (go-billy has no exchange).
//     RENAME_WHITEOUT is EINVAL on every store.
//   - fcntl(F_SETFL) clearing O_APPEND does not reopen the host file: a
//     file opened with O_APPEND keeps appending on the host.
//   - A change by name (chmod, chown, utimensat without an open file)
//     that finds the host file gone fails with ESTALE, as NFS's does,
//     but leaves the dentry hashed: d_invalidate would detach mounts
//     under the i_rwsem setattr holds, so the next walk's ->d_revalidate
//     drops it instead.
package hostfs

import (
	"io"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

// HOSTFS_SUPER_MAGIC is the statfs f_type, that of User-Mode Linux's
// hostfs (include/uapi/linux/magic.h).
const HOSTFS_SUPER_MAGIC = 0x00c0ffee

// Name is the filesystem type's name, as /proc/filesystems shows it.
const Name = "hostfs"

// Type returns the hostfs filesystem type: open gives the backing store
// for the source of a mount.
func Type(open func(src string) (billy.Filesystem, error)) *vfs.FileSystemType {
	return &vfs.FileSystemType{
		Name: Name,
		Mount: func(t *vfs.Task, fst *vfs.FileSystemType, flags uint32, dev, data string) (*vfs.Dentry, error) {
			return mount(t, fst, flags, dev, data, open)
		},
		KillSB: vfs.KillAnonSuper,
	}
}

// Register registers hostfs with v.
func Register(t *vfs.Task, v *vfs.VFS, open func(src string) (billy.Filesystem, error)) error {
	return v.RegisterFilesystem(t, Type(open))
}

// sbInfo is what hostfs keeps per superblock (s_fs_info).
type sbInfo struct {
	fs  billy.Filesystem // immutable
	src string           // immutable: the mount source
	// rootDev is the host device of the root, when the store tells it
	// (hasDev): files on it get their host inode number as is.
	rootDev uint64
	hasDev  bool

	// mu protects inos and pending. A leaf.
	mu sync.Mutex
	// inos are the numbers given to paths whose store has no inode
	// numbers (inoByPath), moved by rename (renameInos) and dropped by
	// unlink and rmdir (removeInos); next is the last one given.
	inos map[string]uint64
	next uint64
	// pending holds, per creating task, the file its ->create opened,
	// for that task's ->open of that inode, which follows, to take (see
	// create; Linux tells that open by FMODE_CREATED). Keyed by task,
	// not inode: another task's ->open of the new file in between must
	// not take the creator's handle. A task has at most one: a handle
	// no open took (the open failed after the create) is closed at the
	// task's next ->create or ->open here, or when the inode is evicted.
	pending map[*vfs.Task]pendingFile
}

// pendingFile is a file ->create opened, for the creator's ->open.
type pendingFile struct {
	in *vfs.Inode
	f  billy.File
}

// putPending leaves f, the host file t's ->create opened for in, for
// t's ->open (takePending), closing a handle an earlier create of t
// left that no open took.
func (si *sbInfo) putPending(t *vfs.Task, in *vfs.Inode, f billy.File) {
	si.mu.Lock()
	old := si.pending[t]
	si.pending[t] = pendingFile{in: in, f: f}
	si.mu.Unlock()
	if old.f != nil {
		old.f.Close()
	}
}

// takePending is ->open's side: the file t's ->create opened for in,
// nil if there is none. A handle t left for another inode belongs to a
// create whose open never came: it is closed.
func (si *sbInfo) takePending(t *vfs.Task, in *vfs.Inode) billy.File {
	si.mu.Lock()
	pf, ok := si.pending[t]
	delete(si.pending, t)
	si.mu.Unlock()
	if !ok {
		return nil
	}
	if pf.in != in {
		pf.f.Close()
		return nil
	}
	return pf.f
}

// dropPending closes the handles ->create opened for in that no open
// took (in is being evicted).
func (si *sbInfo) dropPending(in *vfs.Inode) {
	var fs []billy.File
	si.mu.Lock()
	for t, pf := range si.pending {
		if pf.in == in {
			fs = append(fs, pf.f)
			delete(si.pending, t)
		}
	}
	si.mu.Unlock()
	for _, f := range fs {
		f.Close()
	}
}

func info(sb *vfs.SuperBlock) *sbInfo { return sb.FSInfo.(*sbInfo) }

// mount is ->mount: a new superblock per mount over open(dev).
func mount(t *vfs.Task, fst *vfs.FileSystemType, flags uint32, dev, data string, open func(string) (billy.Filesystem, error)) (*vfs.Dentry, error) {
	for _, opt := range strings.Split(data, ",") {
		if opt != "" {
			return nil, vfs.EINVAL
		}
	}
	fs, err := open(dev)
	if err != nil {
		return nil, errno(err)
	}
	d, err := vfs.MountNodev(t, fst, flags, data, func(t *vfs.Task, sb *vfs.SuperBlock, data string) error {
		return fillSuper(t, sb, fs, dev)
	})
	if err != nil {
		closeStore(fs)
	}
	return d, err
}

// fillSuper sets up the superblock: the root is the store's ".", which
// must be a directory.
func fillSuper(t *vfs.Task, sb *vfs.SuperBlock, fs billy.Filesystem, src string) error {
	fi, err := fs.Lstat(".")
	if err != nil {
		return errno(err)
	}
	if !fi.IsDir() {
		return vfs.ENOTDIR
	}
	si := &sbInfo{fs: fs, src: src, inos: make(map[string]uint64), pending: make(map[*vfs.Task]pendingFile)}
	si.rootDev, si.hasDev = hostDev(fi)
	sb.FSInfo = si
	sb.Magic = HOSTFS_SUPER_MAGIC
	sb.Blocksize = 4096
	sb.MaxBytes = 1<<63 - 1
	sb.TimeGran = 1
	sb.Ops = superOps
	sb.SetDentryOps(dentryOps)
	in, err := iget(t, sb, ".", fi)
	if err != nil {
		return err
	}
	root, err := vfs.MakeRoot(t, in)
	if err != nil {
		return err
	}
	sb.SetRoot(root)
	return nil
}

var superOps = &vfs.SuperOperations{
	Statfs:     statfs,
	SyncFS:     syncFS,
	EvictInode: evictInode,
	PutSuper:   func(t *vfs.Task, sb *vfs.SuperBlock) { closeStore(info(sb).fs) },
}

// closeStore closes a backing store that holds resources (Dir holds a
// directory descriptor).
func closeStore(fs billy.Filesystem) {
	if c, ok := fs.(io.Closer); ok {
		c.Close()
	}
}

// evictInode closes a file ->create opened that no ->open took.
func evictInode(t *vfs.Task, in *vfs.Inode) { info(in.SB()).dropPending(in) }

// statfs is hostfs_statfs(): the host filesystem's numbers, f_fsid
// included (statfs_linux.go), when the store is a host directory, else
// simple_statfs's (and the VFS gives f_fsid from the device number);
// f_type is always HOSTFS_SUPER_MAGIC.
func statfs(t *vfs.Task, d *vfs.Dentry, st *vfs.Statfs) error {
	if !hostStatfs(info(d.SB()).fs, st) {
		vfs.SimpleStatfs(d.SB(), st)
	}
	st.Type = HOSTFS_SUPER_MAGIC
	if st.Namelen == 0 {
		st.Namelen = vfs.NAME_MAX
	}
	return nil
}
