// Package procfs is vfscope's proc filesystem: /proc/filesystems,
// /proc/mounts, /proc/meminfo, /proc/locks, /proc/lockdep,
// /proc/lockdep_stats, /proc/self,
// /proc/<pid>/{mounts,mountinfo,maps,cwd,root,fd/,fdinfo/},
// /proc/sys/fs/{dentry-state,inode-nr,inode-state,lease-break-time,
// protected_*} and /proc/sys/vm/*, printed as Linux prints them.
//
// It is built the Linux way (fs/proc):
//
//   - Nothing is pinned in the dcache. ->lookup makes a dentry and its
//     inode on demand; unused dentries go to the superblock's LRU and are
//     pruned like any other; inodes are never hashed and go with their
//     dentry (generic_delete_inode).
//   - /proc/<pid> dentries carry pid_dentry_operations: ->d_revalidate
//     (pid_revalidate) fails once the task has exited, so a cached
//     /proc/<pid> answers ENOENT, and ->d_delete (pid_delete_dentry)
//     refuses to cache the dentries of a dead task. Its ->permission
//     (proc_pid_permission) gives ESRCH once the task has exited, so a
//     walk from a /proc/<pid> opened before ("status", ".", "..") and
//     fchdir to it fail with ESRCH. /proc/<pid>/fd/N
//     dentries revalidate against the descriptor table
//     (tid_fd_revalidate).
//   - A file's content is generated when it is opened, into
//     File.Private, and reads are served from that snapshot: a reader
//     sees one consistent picture however small its reads (seq_file
//     generates per read buffer; a snapshot at open is the simple form of
//     the same promise). A read at offset 0 after the first generates it
//     again, as seq_read_iter starts over there, so a reader that seeks
//     back to 0 sees current values. A /proc/<pid> file about the task
//     (status, maps, fdinfo/N) is generated at its first read instead,
//     as seq_file does, so a task gone by then fails that read.
//     Sizes are 0 in stat, as on Linux.
//   - Inode numbers are stable for the life of the VFS and never 0: the
//     root is 1 (PROC_ROOT_INO), static entries have fixed numbers from
//     0xF0000001 (Linux's proc_alloc_inum range), and pid entries follow
//     pidIno (pids are never reused by a VFS).
//   - The magic links /proc/<pid>/cwd, root and fd/N are Linux's:
//     ->get_link jumps to the path itself (vfs.Task.NdJumpLink, Linux's
//     nd_jump_link), so a walk through one reaches the open file or the
//     directory even when it is unlinked, renamed or outside the
//     reader's root, and ->readlink gives its d_path text
//     (proc_pid_readlink). The jump takes references, so in RCU mode
//     ->get_link asks for ref-walk (ECHILD), as proc_pid_get_link does.
//   - Files are read-only. Outside /proc/sys the mode bits decide, with
//     root's override: root may open /proc/meminfo for writing, and the
//     write gives EIO (proc_reg_write without a proc_write) on the static
//     files, EINVAL on the /proc/<pid> files (no ->write); O_TRUNC is
//     accepted and changes nothing. Under /proc/sys, proc_sys_permission's
//     test_perm refuses a write to a read-only entry at open with EACCES,
//     for root too. The writable files are the sysctl files of
//     /proc/sys/vm and /proc/sys/fs (sysvm.go, root.go), read and written as
//     proc_dointvec_minmax does (sysctl.go); /proc/meminfo is meminfo.go.
//
// Mount options: none. Any option fails the mount with EINVAL.
//
// Lock order: procfs's one lock is an open file's snapshot.mu
// (seq_file's m->lock), taken by ->read inside File.posLock and outside
// every lock generating the content takes; nothing else nests with it,
// so it is a plain mutex outside the validator. Otherwise procfs runs
// inside the VFS's order (package vfs): ->lookup and ->iterate under the directory's
// i_rwsem (shared); the mount table under namespace_sem (read), taken by
// vfs.Task.ProcMounts around ->show_options; a task's file_lock by
// vfs.Task.FDsOf and FDFile; a task's fs->lock (a leaf) by
// vfs.Task.FSPaths for the cwd and root links; the task list's tasklist mutex (a leaf,
// outside the validator) by VFS.TaskByPID, also from ->d_revalidate in
// RCU mode and from ->d_delete under d_lock.
//
// Departures from Linux (each for a reason):
//
//   - Access to another task's links, fdinfo and maps is allowed to root
//     and to a task of the same uid (a reduced ptrace_may_access: vfscope
//     has no ptrace, no dumpable flag and no capabilities beyond uid 0).
//   - readdir does not populate the dcache (Linux's proc_fill_cache):
//     inode numbers come from the formula, so nothing needs
//     instantiating, and listing /proc does not change dentry-state.
//   - vfscope has no threads: no /proc/thread-self, no /proc/<pid>/task.
//   - A jump is refused (EXDEV) only to a scoped walk (vfs.Task.SetResolve,
//     nd_jump_link's refusal of LOOKUP_IS_SCOPED); vfscope has no
//     openat2, so RESOLVE_NO_MAGICLINKS and RESOLVE_NO_XDEV have no callers.
package procfs

import (
	"strconv"
	"strings"
	"sync"

	"github.com/vfscope/vfscope/vfs"
)

// PROC_SUPER_MAGIC is the statfs f_type of proc.
const PROC_SUPER_MAGIC = 0x9fa0

// PROC_ROOT_INO is the inode number of /proc.
const PROC_ROOT_INO = 1

// Type is the proc filesystem type; Register adds it to a VFS.
func Type() *vfs.FileSystemType {
	return &vfs.FileSystemType{Name: "proc", FSFlags: vfs.FS_USERNS_MOUNT, Mount: mount, KillSB: vfs.KillAnonSuper}
}

// Register registers proc with v.
func Register(t *vfs.Task, v *vfs.VFS) error { return v.RegisterFilesystem(t, Type()) }

// mount is proc_get_tree(): a new superblock per mount (Linux since 5.8,
// when proc gained per-mount options).
func mount(t *vfs.Task, fst *vfs.FileSystemType, flags uint32, dev, data string) (*vfs.Dentry, error) {
	return vfs.MountNodev(t, fst, flags, data, fillSuper)
}

// fillSuper is proc_fill_super().
func fillSuper(t *vfs.Task, sb *vfs.SuperBlock, data string) error {
	for _, opt := range strings.Split(data, ",") {
		if opt != "" {
			return vfs.EINVAL
		}
	}
	sb.Magic = PROC_SUPER_MAGIC
	sb.Blocksize = 1024
	sb.MaxBytes = 1<<63 - 1
	sb.TimeGran = 1
	sb.Ops = superOps
	in := newInode(t, sb, PROC_ROOT_INO, vfs.S_IFDIR|0o555, 2)
	in.Ops = rootDirOps
	in.FOps = rootDirFileOps
	in.Private = &pnode{ent: rootEntry}
	root, err := vfs.MakeRoot(t, in)
	if err != nil {
		return err
	}
	sb.SetRoot(root)
	return nil
}

var superOps = &vfs.SuperOperations{
	// generic_delete_inode: an inode goes with its last dentry.
	DropInode: func(t *vfs.Task, in *vfs.Inode) bool { return true },
	Statfs: func(t *vfs.Task, d *vfs.Dentry, st *vfs.Statfs) error {
		vfs.SimpleStatfs(d.SB(), st)
		return nil
	},
}

// pnode is what procfs keeps per inode (struct proc_inode): which entry
// it is and, for /proc/<pid> entries, of which task (proc_pid).
type pnode struct {
	ent  *entry    // static entries
	pid  int32     // /proc/<pid> and below; 0 otherwise
	pent *pidEntry // entry of /proc/<pid>; nil for the directory itself
	fd   int       // /proc/<pid>/fd/N and fdinfo/N: N
}

func pn(in *vfs.Inode) *pnode { return in.Private.(*pnode) }

// newInode is proc_get_inode() / proc_pid_make_inode(): a fresh,
// unhashed inode with a fixed number. It has no birth time: proc has
// no ->getattr that reports STATX_BTIME, so statx leaves it out and
// stat(1) prints "Birth: -".
func newInode(t *vfs.Task, sb *vfs.SuperBlock, ino uint64, mode uint32, nlink uint32) *vfs.Inode {
	in := vfs.NewInode(t, sb)
	in.SetIno(ino)
	in.SetModeType(mode)
	in.SetNlink(nlink)
	in.SetSize(0)
	in.SetBtime(0)
	return in
}

// permission is the mode bits with root's override (generic_permission,
// as proc's entries without ->permission have): root may open a 0444
// file for writing, and the write then fails (see pdeFileOps).
// /proc/<pid> itself has pidPermission (proc_pid_permission), its fd/
// fdPermission, its fdinfo/ fdinfoPermission, and /proc/sys its own
// rule (sysctlPermission).
func permission(t *vfs.Task, in *vfs.Inode, mask int) error {
	return t.GenericPermission(in, mask)
}

// Regular files: content made at open, and again by a read at offset 0
// (see the package doc).

// snapshot is a file's content, generated at open, or at the first
// read for a file about a task (see openFile).
type snapshot struct {
	// mu is seq_file's m->lock: it serialises the reads of one open
	// file, which make data anew and read through it. It protects data,
	// made and read; root is set at open and then only read.
	mu sync.Mutex
	// root is, for mounts and mountinfo, the task's root taken at open
	// with a reference (mounts_open_common's get_fs_root), put at
	// release; the mounts are listed as seen from it.
	root vfs.Path
	data []byte
	// made says data has been generated: a read before it generates it,
	// at any offset, as seq_read_iter's traverse shows from the start.
	made bool
	// read says a read has served data: the next read at offset 0
	// generates it again (the first one uses what open or it made).
	read bool
}

// regFileOps serves the /proc/<pid> files (proc_pid_maps_operations,
// proc_mounts_operations...): no ->write, so vfs_write gives EINVAL
// (no FMODE_CAN_WRITE).
var regFileOps = &vfs.FileOperations{
	Open:    openFile,
	Read:    readFile,
	Llseek:  vfs.NoSeekEndLlseek, // seq_lseek(): SEEK_SET and SEEK_CUR
	Release: releaseFile,
}

// pdeFileOps serves the static files made by proc_create_single and
// proc_create_seq (filesystems, meminfo, locks, lockdep): their
// file_operations are proc_reg_file_ops, whose ->write (proc_reg_write)
// gives EIO when the entry has no proc_write, and whose ->mmap
// (proc_reg_mmap) EIO when it has no proc_mmap, as none here has. The
// /proc/<pid> and /proc/sys files have no ->mmap: ENODEV.
var pdeFileOps = &vfs.FileOperations{
	Open:    openFile,
	Read:    readFile,
	Write:   func(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) { return 0, vfs.EIO },
	Llseek:  vfs.NoSeekEndLlseek,
	Release: releaseFile,
	Mmap:    func(t *vfs.Task, f *vfs.File, vma *vfs.Mapping) error { return vfs.EIO },
}

func releaseFile(t *vfs.Task, in *vfs.Inode, f *vfs.File) error {
	if s, ok := f.Private.(*snapshot); ok && s.root.Mnt != nil {
		s.root.Put(t)
	}
	f.Private = nil
	return nil
}

// pdeSetattr is proc_notify_change(): setattr_copy, which leaves the
// size alone, so O_TRUNC succeeds and changes nothing.
func pdeSetattr(t *vfs.Task, d *vfs.Dentry, a *vfs.Iattr) error {
	a.Valid &^= vfs.ATTR_SIZE
	vfs.SetattrCopy(t, d.Inode(), a)
	return nil
}

// pidSetattr is proc_setattr(): EPERM for a mode change; otherwise
// setattr_copy, so O_TRUNC succeeds and changes nothing.
func pidSetattr(t *vfs.Task, d *vfs.Dentry, a *vfs.Iattr) error {
	if a.Valid&vfs.ATTR_MODE != 0 {
		return vfs.EPERM
	}
	return pdeSetattr(t, d, a)
}

// openFile generates the file's content, once the reader may look into
// the task of a file that asks for it (proc_maps_open's proc_mem_open:
// ESRCH for a dead task, EACCES without ptrace read access). A file
// about a task (status, maps, fdinfo/N) is left to its first read, as
// seq_file makes it there: a task that exits between open and the first
// read gives that read ESRCH (ENOENT for fdinfo), not what it was at
// open. mounts and mountinfo show from the root pinned here, so open
// makes them, as the static files.
func openFile(t *vfs.Task, in *vfs.Inode, f *vfs.File) error {
	if n := pn(in); n.pent != nil && n.pent.ptraceRead {
		task := t.VFS().TaskByPID(n.pid)
		if task == nil {
			return vfs.ESRCH
		}
		if !mayPtrace(t, task) {
			return vfs.EACCES
		}
	}
	s := &snapshot{}
	if n := pn(in); n.pent != nil && n.pent.showRoot != nil {
		// mounts_open_common(): EINVAL for a task gone, ENOENT for one
		// that has dropped its fs_struct.
		task := t.VFS().TaskByPID(n.pid)
		if task == nil {
			return vfs.EINVAL
		}
		root, cwd, ok := t.FSPaths(task)
		if !ok {
			return vfs.ENOENT
		}
		cwd.Put(t)
		s.root = root
	}
	if n := pn(in); n.pent != nil && n.pent.showRoot == nil {
		f.Private = s
		return nil
	}
	data, err := generate(t, in, s)
	if err != nil {
		if s.root.Mnt != nil {
			s.root.Put(t)
		}
		return err
	}
	s.data = data
	s.made = true
	f.Private = s
	return nil
}

// generate runs the file's show method. A file of a task that has
// exited since it was opened reads on from the root it pinned (mounts,
// mountinfo); fdinfo gives ENOENT (fs/proc/fd.c seq_show), the others
// ESRCH.
func generate(t *vfs.Task, in *vfs.Inode, s *snapshot) ([]byte, error) {
	n := pn(in)
	var b strings.Builder
	switch {
	case n.pent != nil && n.pent.showRoot != nil:
		if err := n.pent.showRoot(t, s.root, &b); err != nil {
			return nil, err
		}
	case n.pent != nil:
		task := t.VFS().TaskByPID(n.pid)
		if task == nil && n.pent.showFD != nil {
			return nil, vfs.ENOENT
		}
		if task == nil {
			return nil, vfs.ESRCH
		}
		if n.pent.showFD != nil {
			if err := n.pent.showFD(t, task, n.fd, &b); err != nil {
				return nil, err
			}
		} else if err := n.pent.show(t, task, &b); err != nil {
			return nil, err
		}
	case n.ent != nil && n.ent.show != nil:
		if err := n.ent.show(t, &b); err != nil {
			return nil, err
		}
	default:
		return nil, vfs.EINVAL
	}
	return []byte(b.String()), nil
}

// readFile is seq_read_iter() over the snapshot: the first read of a
// task's file generates it (see openFile); a read at offset 0
// generates the content again ("if request is to read from zero offset,
// reset iterator", fs/seq_file.c), so that a reader that seeks back to 0
// or preads at 0, as procps's free and top do with /proc/meminfo, sees
// current values; a read further on continues the snapshot it started.
func readFile(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) {
	s := f.Private.(*snapshot)
	s.mu.Lock()
	if !s.made || *pos == 0 && s.read {
		data, err := generate(t, f.Inode(), s)
		if err != nil {
			s.mu.Unlock()
			return 0, err
		}
		s.data = data
		s.made = true
	}
	s.read = true
	n := 0
	if *pos < int64(len(s.data)) {
		n = copy(p, s.data[*pos:])
		*pos += int64(n)
	}
	s.mu.Unlock()
	return n, nil
}

// nameToInt is name_to_int(): a decimal number without leading zeros,
// or -1.
func nameToInt(name string) int64 {
	if name == "" || len(name) > 1 && name[0] == '0' {
		return -1
	}
	for i := 0; i < len(name); i++ {
		if name[i] < '0' || name[i] > '9' {
			return -1
		}
	}
	n, err := strconv.ParseInt(name, 10, 32)
	if err != nil {
		return -1
	}
	return n
}
