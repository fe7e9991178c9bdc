package vfs

// Accessors for procfs (vfs/procfs): what fs/proc reads of other tasks
// and of the mount tree. Each takes the reading task t first: it is
// `current`, the owner of every lock taken, while the task whose file is
// read (target) may be another one.

// ECHILD is what ->d_revalidate and ->get_link return in RCU mode to ask
// for ref-walk (the same value as the walk's own errECHILD).
const ECHILD = errECHILD

// ProcMount is one mount as show_vfsmnt() and show_mountinfo() read it.
type ProcMount struct {
	ID, ParentID int32
	Dev          uint64 // s_dev
	Root         string // mnt_root within its filesystem (seq_dentry)
	Mountpoint   string // the mount's root as seen from the root given
	MntFlags     uint32 // MNT_*
	SBFlags      uint32 // SB_*
	FSType       string
	Source       string // mnt_devname
	ShowOptions  string // ->show_options output (",size=1024k")
}

// ProcMounts lists, in mount order, the mounts reachable from root (the
// root of the task whose /proc/<pid>/mounts is read), as m_start/m_next
// of fs/proc_namespace.c walk them under namespace_sem; a mount with no
// path from root (outside it, or on a mountpoint renamed out from under
// a bind mount's root: __d_path's NULL) is skipped (SEQ_SKIP).
// ->show_options is called under namespace_sem, as locking.rst says.
func (t *Task) ProcMounts(root Path) []ProcMount {
	v := t.vfs
	o := t.owner()
	v.namespaceSem.RLock(o)
	defer v.namespaceSem.RUnlock(o)
	var out []ProcMount
	for _, m := range v.mounts.Load().list {
		mp, ok := pathStringFrom(o, v, Path{m, m.root}, root)
		if !ok {
			continue
		}
		out = append(out, ProcMount{
			ID: m.id, ParentID: m.parentID, Dev: m.sb.dev,
			Root:        dentryPathInSB(o, m.root),
			Mountpoint:  mp,
			MntFlags:    m.flags.Load(),
			SBFlags:     m.sb.flags.Load(),
			FSType:      m.sb.fsType.Name,
			Source:      m.devName,
			ShowOptions: m.sb.showOptions(t),
		})
	}
	return out
}

// FSPaths returns target's root and working directory with references
// (get_fs_root, get_fs_pwd); ok is false once the task has dropped them
// (exit_fs). The caller puts both. Both are read under target's
// fs->lock, as Linux's get_fs_root and get_fs_pwd do, so a chdir or
// chroot target runs meanwhile gives the old or the new path, each with
// its reference, never a freed one.
func (t *Task) FSPaths(target *Task) (root, cwd Path, ok bool) {
	target.fs.lock.Lock(t.o)
	defer target.fs.lock.Unlock(t.o)
	r, c := target.fs.root, target.fs.cwd
	if r.Mnt == nil || c.Mnt == nil {
		return Path{}, Path{}, false
	}
	return r.Get(), c.Get(), true
}

// FDsOf lists target's open descriptors in ascending order, taking
// target's file_lock as t.
func (t *Task) FDsOf(target *Task) []int {
	ft := target.files.Load()
	ft.lock.Lock(t.o)
	defer ft.lock.Unlock(t.o)
	var out []int
	for i, e := range ft.fds {
		if e.f != nil {
			out = append(out, i)
		}
	}
	return out
}

// FDFile returns the path of target's descriptor fd with a reference and
// the description's FMODE_* bits, for /proc/<pid>/fd (proc_fd_link,
// tid_fd_mode); ok is false if fd is not open. The caller puts the path.
func (t *Task) FDFile(target *Task, fd int) (p Path, fmode uint32, ok bool) {
	ft := target.files.Load()
	ft.lock.Lock(t.o)
	defer ft.lock.Unlock(t.o)
	if fd < 0 || fd >= len(ft.fds) || ft.fds[fd].f == nil {
		return Path{}, 0, false
	}
	f := ft.fds[fd].f
	return f.path.Get(), f.mode, true
}

// FDInfo is what /proc/<pid>/fdinfo/<fd> shows of a descriptor
// (fs/proc/fd.c: seq_show): the description's position, its f_flags
// with O_CLOEXEC added for a close-on-exec descriptor, the id of its
// mount, its inode's number, and the locks the description holds
// (show_fd_locks).
type FDInfo struct {
	Pos   int64
	Flags uint32
	MntID int32
	Ino   uint64
	Locks []ProcLock
}

// FDInfoOf returns target's descriptor fd as /proc/<pid>/fdinfo shows
// it; ok is false if fd is not open.
func (t *Task) FDInfoOf(target *Task, fd int) (info FDInfo, ok bool) {
	ft := target.files.Load()
	ft.lock.Lock(t.o)
	if fd < 0 || fd >= len(ft.fds) || ft.fds[fd].f == nil {
		ft.lock.Unlock(t.o)
		return FDInfo{}, false
	}
	f := fget(ft.fds[fd].f)
	cloexec := ft.fds[fd].cloexec
	ft.lock.Unlock(t.o)
	defer fput(t, f)
	// seq_fdinfo_open's show reads f_pos without f_pos_lock, which a
	// task reading or writing an unshared description does not take:
	// the position is atomic for that.
	info.Pos = f.pos.Load()
	info.Flags = f.flags.Load()
	if cloexec {
		info.Flags |= O_CLOEXEC
	}
	info.MntID = f.path.Mnt.id
	info.Ino = f.inode.ino
	info.Locks = t.fdLocks(f, ft)
	return info, true
}

// ProcStatus is what /proc/<pid>/status shows of a task that the core
// keeps (fs/proc/array.c: task_state, proc_pid_status).
type ProcStatus struct {
	// Umask is fs->umask, read under fs->lock as get_task_umask reads
	// it under task_lock.
	Umask uint32
	// FDSize is the size of the descriptor table (fdt->max_fds): one
	// past the highest descriptor the table has held room for.
	FDSize int
}

// StatusOf returns what /proc/<pid>/status shows of target, taking
// target's fs->lock and file_lock as t.
func (t *Task) StatusOf(target *Task) ProcStatus {
	var s ProcStatus
	if target == t {
		s.Umask = t.fs.umask
	} else {
		target.fs.lock.Lock(t.o)
		s.Umask = target.fs.umask
		target.fs.lock.Unlock(t.o)
	}
	ft := target.files.Load()
	ft.lock.Lock(t.o)
	s.FDSize = len(ft.fds)
	ft.lock.Unlock(t.o)
	return s
}

// FilesStat returns what /proc/sys/fs/file-nr shows: the files
// allocated (nr_files) and fs.file-max.
func (v *VFS) FilesStat() (nrFiles, maxFiles int64) {
	return v.files.nrFiles.Load(), v.files.maxFiles.Load()
}

// SetMaxFiles sets fs.file-max (proc_doulongvec_minmax from 0 to
// LONG_MAX): EINVAL for a negative value. It applies to the opens that
// follow; files already open stay open.
func (v *VFS) SetMaxFiles(n int64) error {
	if n < 0 {
		return EINVAL
	}
	v.files.maxFiles.Store(n)
	return nil
}
