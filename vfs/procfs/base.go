package procfs

import (
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// pidEntry is one row of tgid_base_stuff (fs/proc/base.c): what
// /proc/<pid>/ holds, in Linux's order.
type pidEntry struct {
	name string
	mode uint32
	// show generates a file's content for reader t about task.
	show func(t *vfs.Task, task *vfs.Task, b *strings.Builder) error
	// link picks the path a magic link points at, from the task's root
	// and working directory.
	link func(root, cwd vfs.Path) vfs.Path
	// showFD generates a file's content about one of task's
	// descriptors (fdinfo/N).
	showFD func(t *vfs.Task, task *vfs.Task, fd int, b *strings.Builder) error
	// showRoot generates a file's content from the task's root as it
	// was when the file was opened (mounts_open_common pins it), so an
	// open file reads on after the task exits.
	showRoot func(t *vfs.Task, root vfs.Path, b *strings.Builder) error
	// ptraceRead: opening the file needs leave to look into the task
	// (proc_mem_open with PTRACE_MODE_READ): EACCES otherwise.
	ptraceRead bool
}

var pidEntries = []*pidEntry{
	{name: "fd", mode: vfs.S_IFDIR | 0o500},
	{name: "fdinfo", mode: vfs.S_IFDIR | 0o555},
	{name: "status", mode: vfs.S_IFREG | 0o444, show: showStatus},
	{name: "maps", mode: vfs.S_IFREG | 0o444, show: showMaps, ptraceRead: true},
	{name: "cwd", mode: vfs.S_IFLNK | 0o777, link: func(root, cwd vfs.Path) vfs.Path { return cwd }},
	{name: "root", mode: vfs.S_IFLNK | 0o777, link: func(root, cwd vfs.Path) vfs.Path { return root }},
	{name: "mounts", mode: vfs.S_IFREG | 0o444, showRoot: showMounts},
	{name: "mountinfo", mode: vfs.S_IFREG | 0o444, showRoot: showMountinfo},
}

// pidIno numbers /proc/<pid> (sub 0), its entries (sub 1+index) and its
// fd/N links (sub fdSub+N). pids are positive and never reused, so every
// number is unique for the life of the VFS while pids stay below 1<<30,
// and none is 0 or collides with the static range (below 1<<32); all
// are below 1<<53, which JavaScript numbers hold exactly.
func pidIno(pid int32, sub uint64) uint64 { return 1<<52 | uint64(pid)<<22 | sub }

const fdSub = 0x1000 // above len(pidEntries); fdinfoSub+NR_OPEN < 1<<22

// pid_dentry_operations.
var pidDentryOps = &vfs.DentryOperations{Revalidate: pidRevalidate, Delete: pidDelete}

// tid_fd_dentry_operations.
var fdDentryOps = &vfs.DentryOperations{Revalidate: fdRevalidate, Delete: pidDelete}

var pidDirOps = &vfs.InodeOperations{Lookup: pidEntryLookup, Permission: pidPermission, Setattr: pidSetattr}
var pidDirFileOps = &vfs.FileOperations{Iterate: pidIterate, Llseek: vfs.GenericFileLlseek}
var pidFileOps = &vfs.InodeOperations{Permission: permission, Setattr: pidSetattr}
var pidLinkOps = &vfs.InodeOperations{GetLink: magicGetLink(pidLinkPath), Readlink: magicReadlink(pidLinkPath)}
var fdDirOps = &vfs.InodeOperations{Lookup: fdLookup, Permission: fdPermission, Setattr: pidSetattr, Getattr: fdGetattr}
var fdDirFileOps = &vfs.FileOperations{Iterate: fdIterate, Llseek: vfs.GenericFileLlseek}
var fdLinkOps = &vfs.InodeOperations{GetLink: magicGetLink(fdLinkPath), Readlink: magicReadlink(fdLinkPath)}

// taskOf is get_proc_task(): the live task an inode belongs to, or nil.
func taskOf(t *vfs.Task, in *vfs.Inode) *vfs.Task {
	return t.VFS().TaskByPID(pn(in).pid)
}

// pidPermission is proc_pid_permission(), the ->permission of
// /proc/<pid> (proc_tgid_base_inode_operations): ESRCH once the task is
// gone, before the mode bits, so every walk from an open /proc/<pid>
// of a dead task (".", "..", any name) and fchdir to it fail with ESRCH.
// vfscope has no hidepid, so has_pid_permissions always allows; the
// mode bits then decide, with root's override (generic_permission).
func pidPermission(t *vfs.Task, in *vfs.Inode, mask int) error {
	if taskOf(t, in) == nil {
		return vfs.ESRCH
	}
	return t.GenericPermission(in, mask)
}

// pidRevalidate is pid_revalidate(): valid while the task lives, the
// owner brought up to date with the task's credentials
// (pid_update_inode). It blocks on nothing, so it serves RCU mode too.
func pidRevalidate(t *vfs.Task, d *vfs.Dentry, flags uint32) (int, error) {
	in := d.Inode()
	if in == nil {
		return 0, nil
	}
	task := taskOf(t, in)
	if task == nil {
		return 0, nil
	}
	pidUpdateInode(task, in)
	return 1, nil
}

// pidUpdateInode is pid_update_inode()'s task_dump_owner(): a
// /proc/<pid> inode is owned by the task's (fs)uid and gid as they are
// now, not as they were at the first lookup. (vfscope has no dumpable
// flag: the owner is always the task's.) The owner is atomic, so a walk
// in RCU mode may update it.
func pidUpdateInode(task *vfs.Task, in *vfs.Inode) {
	c := task.TaskCred() // another task's: get_task_cred
	in.SetUID(c.UID)
	in.SetGID(c.GID)
}

// pidDelete is pid_delete_dentry(): do not cache a dead task's dentries.
func pidDelete(t *vfs.Task, d *vfs.Dentry) bool {
	in := d.Inode()
	return in == nil || taskOf(t, in) == nil
}

// pidInode is proc_pid_make_inode(): owned by the task's (fs)uid.
func pidInode(t *vfs.Task, sb *vfs.SuperBlock, task *vfs.Task, ino uint64, mode, nlink uint32, n *pnode) *vfs.Inode {
	in := newInode(t, sb, ino, mode, nlink)
	pidUpdateInode(task, in)
	n.pid = task.PID()
	in.Private = n
	return in
}

// pidLookup is proc_pid_lookup(): /proc/<pid> for a live task.
func pidLookup(t *vfs.Task, sb *vfs.SuperBlock, d *vfs.Dentry, pid int32) error {
	task := t.VFS().TaskByPID(pid)
	if task == nil {
		return vfs.ENOENT
	}
	nlink := uint32(2) // pid_entry_nlink(): 2 + the subdirectories
	for _, e := range pidEntries {
		if vfs.IsDir(e.mode) {
			nlink++
		}
	}
	in := pidInode(t, sb, task, pidIno(pid, 0), vfs.S_IFDIR|0o555, nlink, &pnode{})
	in.Ops = pidDirOps
	in.FOps = pidDirFileOps
	d.SetOps(pidDentryOps)
	vfs.DAdd(t, d, in)
	return nil
}

// pidEntryLookup is proc_pident_lookup().
func pidEntryLookup(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, flags uint32) (*vfs.Dentry, error) {
	task := taskOf(t, dir)
	if task == nil {
		return nil, vfs.ENOENT
	}
	for i, e := range pidEntries {
		if e.name != d.Name() {
			continue
		}
		nlink := uint32(1)
		if vfs.IsDir(e.mode) {
			nlink = 2
		}
		in := pidInode(t, dir.SB(), task, pidIno(task.PID(), uint64(i+1)), e.mode, nlink, &pnode{pent: e})
		switch {
		case e.name == "fd":
			in.Ops = fdDirOps
			in.FOps = fdDirFileOps
			in.Private.(*pnode).pent = nil
		case e.name == "fdinfo":
			in.Ops = fdinfoDirOps
			in.FOps = fdinfoDirFileOps
			in.Private.(*pnode).pent = nil
		case e.link != nil:
			in.Ops = pidLinkOps
		default:
			in.Ops = pidFileOps
			in.FOps = regFileOps
		}
		d.SetOps(pidDentryOps)
		vfs.DAdd(t, d, in)
		return nil, nil
	}
	return nil, vfs.ENOENT
}

// pidIterate is proc_pident_readdir(): entry i at position 2+i.
func pidIterate(t *vfs.Task, f *vfs.File, ctx *vfs.DirContext) error {
	task := taskOf(t, f.Inode())
	if task == nil {
		return vfs.ENOENT
	}
	if !vfs.DirEmitDots(f, ctx) {
		return nil
	}
	for ctx.Pos >= 2 && ctx.Pos-2 < int64(len(pidEntries)) {
		i := ctx.Pos - 2
		e := pidEntries[i]
		next := ctx.Pos + 1
		if !ctx.Emit(e.name, pidIno(task.PID(), uint64(i+1)), vfs.DTType(e.mode), next) {
			return nil
		}
		ctx.Pos = next
	}
	return nil
}

// mayPtrace is a reduced ptrace_may_access(PTRACE_MODE_READ_FSCREDS):
// the task itself, root, or a task of the same uid.
func mayPtrace(t, task *vfs.Task) bool {
	return t == task || t.Cred().UID == 0 || t.Cred().UID == task.TaskCred().UID
}

// pidLinkPath is proc_cwd_link() / proc_root_link() behind
// proc_fd_access_allowed(): the task's directory, with a reference.
func pidLinkPath(t *vfs.Task, in *vfs.Inode) (vfs.Path, error) {
	task := taskOf(t, in)
	if task == nil {
		return vfs.Path{}, vfs.ENOENT
	}
	if !mayPtrace(t, task) {
		return vfs.Path{}, vfs.EACCES
	}
	root, cwd, ok := t.FSPaths(task)
	if !ok {
		return vfs.Path{}, vfs.ENOENT
	}
	p := pn(in).pent.link(root, cwd)
	if p == root {
		cwd.Put(t)
	} else {
		root.Put(t)
	}
	return p, nil
}

// magicGetLink is proc_pid_get_link() over a link's path function: the
// walk jumps to the path itself (nd_jump_link), so a deleted file or a
// directory outside the reader's root opens as what it is. It takes
// references, so not in RCU mode.
func magicGetLink(linkPath func(*vfs.Task, *vfs.Inode) (vfs.Path, error)) func(*vfs.Task, *vfs.Dentry, *vfs.Inode) (string, error) {
	return func(t *vfs.Task, d *vfs.Dentry, in *vfs.Inode) (string, error) {
		if d == nil {
			return "", vfs.ECHILD
		}
		p, err := linkPath(t, in)
		if err != nil {
			return "", err
		}
		return "", t.NdJumpLink(p)
	}
}

// magicReadlink is proc_pid_readlink(): the d_path of the link's path,
// as the reader sees it.
func magicReadlink(linkPath func(*vfs.Task, *vfs.Inode) (vfs.Path, error)) func(*vfs.Task, *vfs.Dentry) (string, error) {
	return func(t *vfs.Task, d *vfs.Dentry) (string, error) {
		p, err := linkPath(t, d.Inode())
		if err != nil {
			return "", err
		}
		s := t.DPath(p)
		p.Put(t)
		return s, nil
	}
}

// fdPermission is proc_fd_permission(): the mode bits, or the task
// looking at its own descriptors.
func fdPermission(t *vfs.Task, in *vfs.Inode, mask int) error {
	err := t.GenericPermission(in, mask)
	if err != nil && pn(in).pid == t.PID() {
		return nil
	}
	return err
}

// fdGetattr is proc_fd_getattr(): the generic attributes, and as the
// fd directory's size the number of the task's open descriptors
// (proc_readfd_count; ENOENT once the task is gone).
func fdGetattr(t *vfs.Task, p vfs.Path, st *vfs.Stat, mask, flags uint32) error {
	in := p.Dentry.Inode()
	vfs.GenericFillattr(in, st)
	task := taskOf(t, in)
	if task == nil {
		return vfs.ENOENT
	}
	st.Size = int64(len(t.FDsOf(task)))
	return nil
}

// fdMode is tid_fd_update_inode()'s mode of an fd link: read and
// write bits for the owner from the description's f_mode.
func fdMode(fmode uint32) uint32 {
	m := uint32(vfs.S_IFLNK)
	if fmode&vfs.FMODE_READ != 0 {
		m |= 0o500
	}
	if fmode&vfs.FMODE_WRITE != 0 {
		m |= 0o300
	}
	return m
}

// fdOfName is proc_lookupfd_common()'s look into the table: the task
// of dir (fd/ or fdinfo/) and its open descriptor that name names, with
// the description's FMODE_* bits; ENOENT for a dead task, a name that is
// not a descriptor number, or a descriptor not open.
func fdOfName(t *vfs.Task, dir *vfs.Inode, name string) (*vfs.Task, int64, uint32, error) {
	task := taskOf(t, dir)
	if task == nil {
		return nil, 0, 0, vfs.ENOENT
	}
	fd := nameToInt(name)
	if fd < 0 {
		return nil, 0, 0, vfs.ENOENT
	}
	p, fmode, ok := t.FDFile(task, int(fd))
	if !ok {
		return nil, 0, 0, vfs.ENOENT
	}
	p.Put(t)
	return task, fd, fmode, nil
}

// fdLookup is proc_lookupfd_common(): a link per open descriptor.
func fdLookup(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, flags uint32) (*vfs.Dentry, error) {
	task, fd, fmode, err := fdOfName(t, dir, d.Name())
	if err != nil {
		return nil, err
	}
	in := pidInode(t, dir.SB(), task, pidIno(task.PID(), fdSub+uint64(fd)), fdMode(fmode), 1, &pnode{fd: int(fd)})
	in.SetSize(64) // proc_fd_instantiate: i_size = 64
	in.Ops = fdLinkOps
	d.SetOps(fdDentryOps)
	vfs.DAdd(t, d, in)
	return nil, nil
}

// fdRevalidate is tid_fd_revalidate(): valid while the task lives and
// the descriptor is open; the owner follows the task's credentials and
// an fd/N link's mode the description's (tid_fd_update_inode; an
// fdinfo/N file keeps its own mode). Ref-walk only:
// looking into the descriptor table takes a reference.
func fdRevalidate(t *vfs.Task, d *vfs.Dentry, flags uint32) (int, error) {
	if flags&vfs.LOOKUP_RCU != 0 {
		return 0, vfs.ECHILD
	}
	in := d.Inode()
	if in == nil {
		return 0, nil
	}
	task := taskOf(t, in)
	if task == nil {
		return 0, nil
	}
	p, fmode, ok := t.FDFile(task, pn(in).fd)
	if !ok {
		return 0, nil
	}
	p.Put(t)
	pidUpdateInode(task, in)
	if vfs.IsLnk(in.Mode()) {
		in.SetMode(fdMode(fmode))
	}
	return 1, nil
}

// fdIterate is proc_readfd_common(): descriptor n at position n+2.
func fdIterate(t *vfs.Task, f *vfs.File, ctx *vfs.DirContext) error {
	return iterateFDs(t, f, ctx, fdSub, vfs.DT_LNK)
}

// iterateFDs is proc_readfd_common() for fd/ and fdinfo/: an entry of
// type typ for each open descriptor n at position n+2, numbered
// pidIno(pid, sub+n).
func iterateFDs(t *vfs.Task, f *vfs.File, ctx *vfs.DirContext, sub uint64, typ uint8) error {
	task := taskOf(t, f.Inode())
	if task == nil {
		return vfs.ENOENT
	}
	if !vfs.DirEmitDots(f, ctx) {
		return nil
	}
	for _, fd := range t.FDsOf(task) {
		pos := int64(fd) + 2
		if pos < ctx.Pos {
			continue
		}
		ctx.Pos = pos
		if !ctx.Emit(strconv.Itoa(fd), pidIno(task.PID(), sub+uint64(fd)), typ, pos+1) {
			return nil
		}
		ctx.Pos = pos + 1
	}
	return nil
}

// fdLinkPath is proc_fd_link() behind proc_fd_access_allowed(): the
// open file's path, with a reference.
func fdLinkPath(t *vfs.Task, in *vfs.Inode) (vfs.Path, error) {
	task := taskOf(t, in)
	if task == nil {
		return vfs.Path{}, vfs.ENOENT
	}
	if !mayPtrace(t, task) {
		return vfs.Path{}, vfs.EACCES
	}
	p, _, ok := t.FDFile(task, pn(in).fd)
	if !ok {
		return vfs.Path{}, vfs.ENOENT
	}
	return p, nil
}
