package wasi

import "github.com/vfscope/vfscope/vfs"

// dirPath is the common start of the path_* calls: the directory entry
// with the right, and the path string.
func (a *ABI) dirPath(m Memory, fd int32, need Rights, ptr, n uint32) (*fdEntry, string, Errno) {
	e, errno := a.fd(fd, need)
	if errno != ESUCCESS {
		return nil, "", errno
	}
	path, errno := a.readPath(m, ptr, n)
	if errno != ESUCCESS {
		return nil, "", errno
	}
	if e.vfd < 0 {
		return nil, "", ENOTDIR
	}
	return e, path, ESUCCESS
}

// A guest's paths stay inside the directory descriptor they are relative
// to: its task resolves with RESOLVE_IN_ROOT (vfs.Task.SetResolve), so an
// absolute path or symlink starts at that directory and a ".." there
// stays there. The one escape the VFS refuses rather than keeps inside, a
// magic link (/proc/self/fd/N), fails with EXDEV, openat2's errno, which
// the guest gets as EPERM, as wazero and wasmtime report an escape; link
// and rename keep EXDEV, which they also give for a crossing of mounts.

// walkErr is errnoOf for the calls whose only EXDEV is an escape.
func walkErr(err error) Errno {
	if vfs.ErrnoOf(err) == vfs.EXDEV {
		return EPERM
	}
	return errnoOf(err)
}

// atFlags is the AT_SYMLINK_NOFOLLOW of lookupflags without
// symlink_follow.
func atFlags(lookup uint32) int {
	if lookup&LookupSymlinkFollow == 0 {
		return vfs.AT_SYMLINK_NOFOLLOW
	}
	return 0
}

// PathCreateDirectory is path_create_directory(fd, path, path_len):
// mkdirat(fd, path, 0777) (the task's umask applies).
func (a *ABI) PathCreateDirectory(m Memory, fd int32, path, n uint32) Errno {
	e, p, errno := a.dirPath(m, fd, RightPathCreateDirectory, path, n)
	if errno != ESUCCESS {
		return errno
	}
	return walkErr(a.task.Mkdirat(e.vfd, p, 0o777))
}

// PathFilestatGet is path_filestat_get(fd, flags, path, path_len, buf):
// fstatat(2), following a final symlink with symlink_follow.
func (a *ABI) PathFilestatGet(m Memory, fd int32, flags uint32, path, n, buf uint32) Errno {
	e, p, errno := a.dirPath(m, fd, RightPathFilestatGet, path, n)
	if errno != ESUCCESS {
		return errno
	}
	if err := a.task.Fstatat(e.vfd, p, &a.st, atFlags(flags)); err != nil {
		return walkErr(err)
	}
	return a.writeFilestat(m, buf, &a.st)
}

// PathFilestatSetTimes is path_filestat_set_times(fd, flags, path,
// path_len, atim, mtim, fst_flags): utimensat(2). No fst_flags is both
// times UTIME_OMIT, and succeeds before anything else is looked at, as
// the utimensat syscall returns 0 for it ("Nothing to do, we must not
// even check the path", fs/utimes.c) before do_utimes reads the name,
// gets the dirfd (no EBADF) or walks: neither the descriptor, its
// rights, the path's memory nor the path (an empty one included) is
// checked.
func (a *ABI) PathFilestatSetTimes(m Memory, fd int32, flags uint32, path, n uint32, atim, mtim uint64, fst uint16) Errno {
	if fst == 0 {
		return ESUCCESS
	}
	e, p, errno := a.dirPath(m, fd, RightPathFilestatSetTimes, path, n)
	if errno != ESUCCESS {
		return errno
	}
	times, errno := utimes(atim, mtim, fst)
	if errno != ESUCCESS {
		return errno
	}
	if p == "" {
		return ENOENT // utimensat(dirfd, "", ...) without AT_EMPTY_PATH
	}
	return walkErr(a.task.Utimensat(e.vfd, p, times, atFlags(flags)))
}

// PathLink is path_link(old_fd, old_flags, old_path, old_path_len,
// new_fd, new_path, new_path_len): linkat(2), with AT_SYMLINK_FOLLOW for
// symlink_follow.
func (a *ABI) PathLink(m Memory, oldFd int32, oldFlags uint32, oldPath, oldN uint32, newFd int32, newPath, newN uint32) Errno {
	oe, op, errno := a.dirPath(m, oldFd, RightPathLinkSource, oldPath, oldN)
	if errno != ESUCCESS {
		return errno
	}
	ne, np, errno := a.dirPath(m, newFd, RightPathLinkTarget, newPath, newN)
	if errno != ESUCCESS {
		return errno
	}
	fl := 0
	if oldFlags&LookupSymlinkFollow != 0 {
		fl = vfs.AT_SYMLINK_FOLLOW
	}
	return errnoOf(a.task.Linkat(oe.vfd, op, ne.vfd, np, fl))
}

// readRights and writeRights decide the access mode path_open asks of
// the VFS. Only FD_WRITE means writing: Go's wasip1 port asks a
// read-only open for every right but FD_WRITE, FD_DATASYNC, FD_ALLOCATE
// and PATH_FILESTAT_SET_SIZE (so FD_FILESTAT_SET_SIZE stays, and
// ftruncate then fails EINVAL as on a read-only Linux descriptor).
const (
	readRights  = RightFdRead | RightFdReaddir
	writeRights = RightFdWrite
)

// PathOpen is path_open(fd, dirflags, path, path_len, oflags,
// fs_rights_base, fs_rights_inheriting, fdflags, fd_ptr): openat(2).
//
// Rights, as wasi-libc expects them: the directory needs PATH_OPEN, plus
// PATH_CREATE_FILE for creat, and for trunc PATH_FILESTAT_SET_SIZE (or
// FD_FILESTAT_SET_SIZE among its inheriting rights, see below); the
// rights asked for (base and inheriting, plus FD_DATASYNC for dsync and
// FD_SYNC for sync and rsync) must be among the directory's inheriting
// rights. Any of these missing is ENOTCAPABLE. The new descriptor gets
// what it asked for.
//
// The access mode follows the rights: FD_READ or FD_READDIR read,
// FD_WRITE write; neither opens with O_PATH
// (stat, set_times and use as a directory work; read and write are
// EBADF), unless creat or trunc need a real open; without symlink_follow
// a final symlink is ELOOP in every mode. oflags map to O_CREAT,
// O_DIRECTORY, O_EXCL, O_TRUNC; lookupflags without symlink_follow to
// O_NOFOLLOW; fdflags to O_APPEND, O_NONBLOCK, O_DSYNC, O_SYNC (rsync is
// O_SYNC, as on Linux). creat with directory is EINVAL, as Linux 6.4 says
// of O_CREAT|O_DIRECTORY.
func (a *ABI) PathOpen(m Memory, fd int32, dirflags uint32, path, n uint32, oflags uint16, base, inh Rights, fdflags uint16, result uint32) Errno {
	need := RightPathOpen
	if oflags&OflagCreat != 0 {
		need |= RightPathCreateFile
	}
	e, p, errno := a.dirPath(m, fd, need, path, n)
	if errno != ESUCCESS {
		return errno
	}
	needInh := base | inh
	if fdflags&FdflagDsync != 0 {
		needInh |= RightFdDatasync
	}
	if fdflags&(FdflagRsync|FdflagSync) != 0 {
		needInh |= RightFdSync
	}
	if needInh&^e.inh != 0 {
		return ENOTCAPABLE
	}
	// trunc: the directory lets files below it be cut, by its own
	// PATH_FILESTAT_SET_SIZE or by FD_FILESTAT_SET_SIZE among the rights
	// it hands down. (Go's wasip1 port drops the former from directories
	// it opens read-only, os.Root's among them, but keeps the latter.)
	if oflags&OflagTrunc != 0 && e.base&RightPathFilestatSetSize == 0 && e.inh&RightFdFilestatSetSize == 0 {
		return ENOTCAPABLE
	}
	if oflags&^(OflagCreat|OflagDirectory|OflagExcl|OflagTrunc) != 0 ||
		fdflags&^(FdflagAppend|FdflagDsync|FdflagNonblock|FdflagRsync|FdflagSync) != 0 {
		return EINVAL
	}
	if oflags&(OflagCreat|OflagDirectory) == OflagCreat|OflagDirectory {
		return EINVAL
	}
	var fl int
	r, w := base&readRights != 0, base&writeRights != 0
	switch {
	case r && w:
		fl = vfs.O_RDWR
	case w:
		fl = vfs.O_WRONLY
	case r:
		fl = vfs.O_RDONLY
	case oflags&OflagTrunc != 0:
		fl = vfs.O_WRONLY
	case oflags&OflagCreat != 0 || fdflags != 0:
		fl = vfs.O_RDONLY
	default:
		fl = vfs.O_PATH
	}
	if oflags&OflagCreat != 0 {
		fl |= vfs.O_CREAT
	}
	if oflags&OflagDirectory != 0 {
		fl |= vfs.O_DIRECTORY
	}
	if oflags&OflagExcl != 0 {
		fl |= vfs.O_EXCL
	}
	if oflags&OflagTrunc != 0 {
		fl |= vfs.O_TRUNC
	}
	if dirflags&LookupSymlinkFollow == 0 {
		fl |= vfs.O_NOFOLLOW
	}
	if fdflags&FdflagAppend != 0 {
		fl |= vfs.O_APPEND
	}
	if fdflags&FdflagNonblock != 0 {
		fl |= vfs.O_NONBLOCK
	}
	if fdflags&FdflagDsync != 0 {
		fl |= vfs.O_DSYNC
	}
	if fdflags&(FdflagSync|FdflagRsync) != 0 {
		fl |= vfs.O_SYNC
	}
	// The result pointer is checked before the open: O_CREAT and
	// O_TRUNC must not take effect for a guest that is told EFAULT.
	if !a.inRange(m, result, 4) {
		return EFAULT
	}
	vfd, err := a.task.Openat(e.vfd, p, fl|vfs.O_CLOEXEC, 0o666)
	if err != nil {
		return walkErr(err)
	}
	if fl&(vfs.O_PATH|vfs.O_NOFOLLOW) == vfs.O_PATH|vfs.O_NOFOLLOW {
		// O_PATH|O_NOFOLLOW opens a final symlink itself; WASI has no
		// such descriptor, and a path_open without symlink_follow
		// fails on a symlink with ELOOP whatever the rights asked
		// (wasmtime's nofollow_errors test; wazero opens O_RDONLY).
		if err := a.task.Fstat(vfd, &a.st); err == nil && vfs.IsLnk(a.st.Mode) {
			a.task.Close(vfd)
			return ELOOP
		}
	}
	nfd := a.install(a.newEntry(vfd, base, inh))
	if !m.WriteUint32Le(result, uint32(nfd)) {
		a.FdClose(nfd)
		return EFAULT
	}
	return ESUCCESS
}

// PathReadlink is path_readlink(fd, path, path_len, buf, buf_len,
// bufused_ptr): readlinkat(2), truncating to buf_len as readlink does.
// A buf_len of 0 is EINVAL before anything else, as do_readlinkat checks
// it before the descriptor and the path.
func (a *ABI) PathReadlink(m Memory, fd int32, path, n, buf, bufLen, result uint32) Errno {
	if bufLen == 0 {
		return EINVAL
	}
	e, p, errno := a.dirPath(m, fd, RightPathReadlink, path, n)
	if errno != ESUCCESS {
		return errno
	}
	target, err := a.task.Readlinkat(e.vfd, p)
	if err != nil {
		return walkErr(err)
	}
	if len(target) > int(bufLen) {
		target = target[:bufLen]
	}
	if !m.Write(buf, []byte(target)) || !m.WriteUint32Le(result, uint32(len(target))) {
		return EFAULT
	}
	return ESUCCESS
}

// PathRemoveDirectory is path_remove_directory(fd, path, path_len):
// unlinkat(AT_REMOVEDIR).
func (a *ABI) PathRemoveDirectory(m Memory, fd int32, path, n uint32) Errno {
	e, p, errno := a.dirPath(m, fd, RightPathRemoveDirectory, path, n)
	if errno != ESUCCESS {
		return errno
	}
	return walkErr(a.task.Unlinkat(e.vfd, p, vfs.AT_REMOVEDIR))
}

// PathUnlinkFile is path_unlink_file(fd, path, path_len): unlinkat(2).
func (a *ABI) PathUnlinkFile(m Memory, fd int32, path, n uint32) Errno {
	e, p, errno := a.dirPath(m, fd, RightPathUnlinkFile, path, n)
	if errno != ESUCCESS {
		return errno
	}
	return walkErr(a.task.Unlinkat(e.vfd, p, 0))
}

// PathRename is path_rename(fd, old_path, old_path_len, new_fd,
// new_path, new_path_len): renameat(2).
func (a *ABI) PathRename(m Memory, fd int32, oldPath, oldN uint32, newFd int32, newPath, newN uint32) Errno {
	oe, op, errno := a.dirPath(m, fd, RightPathRenameSource, oldPath, oldN)
	if errno != ESUCCESS {
		return errno
	}
	ne, np, errno := a.dirPath(m, newFd, RightPathRenameTarget, newPath, newN)
	if errno != ESUCCESS {
		return errno
	}
	return errnoOf(a.task.Renameat2(oe.vfd, op, ne.vfd, np, 0))
}

// PathSymlink is path_symlink(old_path, old_path_len, fd, new_path,
// new_path_len): symlinkat(2). The target is stored as given.
func (a *ABI) PathSymlink(m Memory, oldPath, oldN uint32, fd int32, newPath, newN uint32) Errno {
	target, errno := a.readString(m, oldPath, oldN)
	if errno != ESUCCESS {
		return errno
	}
	e, p, errno := a.dirPath(m, fd, RightPathSymlink, newPath, newN)
	if errno != ESUCCESS {
		return errno
	}
	return walkErr(a.task.Symlinkat(target, e.vfd, p))
}
