package procfs

import (
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// /proc/<pid>/fdinfo (fs/proc/fd.c): a directory that lists the task's
// descriptors as fd/ does, each a read-only file describing the open
// file:
//
//	pos:	5
//	flags:	02102002
//	mnt_id:	30
//	ino:	4627609
//	lock:	1: FLOCK  ADVISORY  READ 21869 00:1b:4627609 0 EOF
//
// The directory is dr-xr-xr-x and its files -r--r--r-- (Linux 6.x), both
// behind proc_fdinfo_permission: the reader must be allowed to look at
// the task (ptrace_may_access), then the mode bits apply.

// fdinfoSub numbers fdinfo/N (sub fdinfoSub+N) after fd/N's range.
const fdinfoSub = fdSub + vfs.NR_OPEN

var fdinfoDirOps = &vfs.InodeOperations{Lookup: fdinfoLookup, Permission: fdinfoPermission, Setattr: pidSetattr}
var fdinfoDirFileOps = &vfs.FileOperations{Iterate: fdinfoIterate, Llseek: vfs.GenericFileLlseek}
var fdinfoFileIOps = &vfs.InodeOperations{Permission: fdinfoPermission, Setattr: pidSetattr}

// fdinfoFile is the pidEntry of every fdinfo/N file: its content is
// the descriptor's (showFD).
var fdinfoFile = &pidEntry{name: "fdinfo/N", mode: vfs.S_IFREG | 0o444, showFD: showFdinfo}

// fdinfoPermission is proc_fdinfo_permission(): ESRCH for a dead task,
// EACCES unless the reader may look at it, then the mode bits.
func fdinfoPermission(t *vfs.Task, in *vfs.Inode, mask int) error {
	task := taskOf(t, in)
	if task == nil {
		return vfs.ESRCH
	}
	if !mayPtrace(t, task) {
		return vfs.EACCES
	}
	return t.GenericPermission(in, mask)
}

// fdinfoLookup is proc_lookupfdinfo(): a file per open descriptor.
func fdinfoLookup(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, flags uint32) (*vfs.Dentry, error) {
	task, fd, _, err := fdOfName(t, dir, d.Name())
	if err != nil {
		return nil, err
	}
	in := pidInode(t, dir.SB(), task, pidIno(task.PID(), fdinfoSub+uint64(fd)), fdinfoFile.mode, 1, &pnode{pent: fdinfoFile, fd: int(fd)})
	in.Ops = fdinfoFileIOps
	in.FOps = regFileOps
	d.SetOps(fdDentryOps)
	vfs.DAdd(t, d, in)
	return nil, nil
}

// fdinfoIterate is proc_readfdinfo(): descriptor n at position n+2.
func fdinfoIterate(t *vfs.Task, f *vfs.File, ctx *vfs.DirContext) error {
	return iterateFDs(t, f, ctx, fdinfoSub, vfs.DT_REG)
}

// showFdinfo is seq_show() of fs/proc/fd.c: ENOENT once the descriptor
// is closed.
func showFdinfo(t *vfs.Task, task *vfs.Task, fd int, b *strings.Builder) error {
	info, ok := t.FDInfoOf(task, fd)
	if !ok {
		return vfs.ENOENT
	}
	b.WriteString("pos:\t")
	b.WriteString(strconv.FormatInt(info.Pos, 10))
	b.WriteString("\nflags:\t0")
	b.WriteString(strconv.FormatUint(uint64(info.Flags), 8))
	b.WriteString("\nmnt_id:\t")
	b.WriteString(strconv.Itoa(int(info.MntID)))
	b.WriteString("\nino:\t")
	b.WriteString(strconv.FormatUint(info.Ino, 10))
	b.WriteByte('\n')
	for _, l := range info.Locks {
		b.WriteString("lock:\t")
		formatLock(b, l)
	}
	return nil
}
