// Package host holds the front ends that run on a Go host: the wazero
// filesystem adapter SysFS (this file, sysfs_file.go, errno.go), the
// vfscope command (cmd/vfscope) and its shell (shell).
package host

import (
	"io/fs"
	"sync"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"

	"github.com/vfscope/vfscope/host/internal/taskpool"
	"github.com/vfscope/vfscope/vfs"
)

// SysFS is wazero's experimental/sys.FS over the VFS: an embedder that
// keeps wazero's own WASI mounts it with
//
//	wazero.NewFSConfig().(sysfs.FSConfig).WithSysFSMount(host.NewSysFS(t, "/"), "/")
//
// and the guest's files get Linux semantics (hard links, symlinks,
// permissions, rename rules, stable directory offsets) from the VFS.
//
// Every call is made by a task of the SysFS's own, spawned from the task
// given to NewSysFS and chrooted to root, so paths the guest gives are
// resolved as a process in that chroot resolves them: relative to root,
// with ".." stopping at root and absolute symlinks starting there. Files
// the guest opens are descriptors in the table those tasks share
// (RLIMIT_NOFILE, 1024, at a time, as a Linux process's default; beyond,
// EMFILE).
//
// Calls run concurrently, as a Linux process's threads make theirs: each
// is made by a task of the SysFS's own that shares the descriptor table
// (vfs.Task.CloneFiles), taken from a pool and given back when the call
// returns. So a guest asleep in a FIFO's read or open holds one task,
// and the module writing the other end, through the same SysFS, runs on
// another.
//
// Errors are the VFS's Linux errno values mapped once, through
// ErrnoTable (errno.go), onto wazero's smaller set. Where wazero's
// sys.File documents a different error than Linux gives for an operation
// on a directory, the method says so.
//
// Non-blocking mode: wazero asks a file for IsNonblock, SetNonblock and
// Poll only through an interface of its internal packages (internal/fsapi)
// whose Poll takes a type no other module can name, so it wraps every
// file of a sys.FS it did not write itself and answers for it:
// IsNonblock false, SetNonblock ENOSYS (and with it fd_fdstat_set_flags,
// which asks for SetNonblock before SetAppend). File implements the three
// methods anyway, with wazero's meaning, for callers in Go and for the
// day wazero exports the interface; see File.SetNonblock.
type SysFS struct {
	// mu protects pool and err. It is held only to take a task from the
	// pool or give one back, never across a call a guest makes: outside
	// every lock of the VFS, and held with no lock of a File's.
	mu sync.Mutex
	// pool holds the chrooted task the SysFS was made with, whose table
	// holds the guest's descriptors and which makes no call itself, and
	// the tasks sharing that table that the calls run on (protected by
	// mu; nil once closed).
	pool *taskpool.Pool
	// root is the directory of the VFS exposed (immutable).
	root string
	// err is why construction failed, or EBADF once closed; every call
	// returns it (protected by mu).
	err vfs.Errno
}

var _ experimentalsys.FS = (*SysFS)(nil)

// NewSysFS returns a SysFS exposing the directory root of t's VFS, as t
// resolves root. Call it from the goroutine that drives t; afterwards the
// SysFS shares nothing with t (Spawn: t's credentials, umask, limits,
// root and working directory, none of its descriptors or mappings, so
// that closing the SysFS touches nothing of t's).
//
// The guest acts with t's credentials. Setting up the chroot is the
// host's act, as a container runtime's: if t may not chroot (it lacks
// the capability), the SysFS's task does it with root credentials for
// that one call and then drops them. Root must still be a directory t
// can search.
//
// NewSysFS does not fail: if root cannot be used, every method returns
// the mapped error, and Err says which Linux errno it was.
func NewSysFS(t *vfs.Task, root string) *SysFS {
	n := t.Spawn("sysfs")
	s := &SysFS{pool: taskpool.New(n, "sysfs"), root: root}
	if err := n.Chdir(root); err != nil {
		s.err = vfs.ErrnoOf(err)
		return s
	}
	err := n.Chroot(".")
	if vfs.ErrnoOf(err) == vfs.EPERM {
		cred := n.Cred()
		n.SetCred(vfs.RootCred)
		err = n.Chroot(".")
		n.SetCred(cred)
	}
	if err == nil {
		err = n.Chdir("/")
	}
	if err != nil {
		s.err = vfs.ErrnoOf(err)
	}
	return s
}

// Err returns nil, or the Linux errno (a vfs.Errno) that made root
// unusable in NewSysFS or that Close left behind (EBADF).
func (s *SysFS) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == 0 {
		return nil
	}
	return s.err
}

// Root returns the directory of the VFS this SysFS exposes.
func (s *SysFS) Root() string { return s.root }

// String implements fmt.Stringer, as wazero's DirFS does.
func (s *SysFS) String() string { return "vfscope:" + s.root }

// Close closes every file still open through the SysFS and ends its
// tasks. Later calls return EBADF. Call it once the modules using the
// SysFS are closed; a call still running (a read asleep in a FIFO) goes
// on with the file it has, as a Linux thread's does when another closes
// the descriptor, and ends its task when it returns.
func (s *SysFS) Close() error {
	s.mu.Lock()
	pool := s.pool
	s.pool = nil
	if s.err == 0 {
		s.err = vfs.EBADF
	}
	s.mu.Unlock()
	if pool == nil {
		return nil
	}
	// Each close now, rather than at the table's last exit: a task
	// still in a call shares the table. The pool, out of s's reach,
	// is this goroutine's alone.
	tmpl := pool.Template()
	for _, fd := range tmpl.FDs() {
		tmpl.Close(fd)
	}
	pool.Exit()
	return nil
}

// task returns a task for one call, which gives it back with done, or
// the construction or Close error.
func (s *SysFS) task() (*vfs.Task, experimentalsys.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != 0 {
		return nil, ToSysErrno(s.err)
	}
	return s.pool.Take(), 0
}

// done gives back the task of a call; after Close the task exits.
func (s *SysFS) done(t *vfs.Task) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pool == nil {
		t.Exit()
		return
	}
	s.pool.Give(t)
}

// OpenFile implements sys.FS.OpenFile: openat(2) in the chroot, the
// descriptor kept by the returned File.
//
// # Flags
//
// O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, O_CREAT, O_DIRECTORY, O_DSYNC,
// O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_SYNC and O_TRUNC are Linux's; O_RSYNC
// is O_SYNC, as Linux defines it. Bits wazero does not define are ignored.
// perm is applied with the task's umask (022 unless t changed it), as
// open(2) does. A fifo opened without O_NONBLOCK waits for the other
// side (a writer for O_RDONLY, a reader for O_WRONLY), as fifo_open does.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise (Linux's
// order: the walk, then the last component, then the open):
//   - ENOENT: a component of `path` doesn't exist, or the last does and
//     `flag` lacks O_CREAT.
//   - ENOTDIR: a component is not a directory, or O_DIRECTORY names a file.
//   - EACCES: search permission on a component, or the permission the
//     access mode needs, is missing.
//   - ELOOP: too many symlinks, or O_NOFOLLOW and the last is one.
//   - EEXIST: O_CREAT|O_EXCL and `path` exists.
//   - EISDIR: `path` is a directory and `flag` asks for writing.
//   - ENAMETOOLONG: a component is longer than NAME_MAX or `path` than
//     PATH_MAX.
//   - EIO: opening a device node without a driver or a socket, or a fifo
//     O_WRONLY|O_NONBLOCK with no reader (Linux ENXIO), or out of space
//     creating it (Linux ENOSPC).
//   - EBADF: RLIMIT_NOFILE files are open through this SysFS (Linux
//     EMFILE).
//   - EROFS: writing or creating on a read-only mount.
func (s *SysFS) OpenFile(path string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	t, errno := s.task()
	if errno != 0 {
		return nil, errno
	}
	defer s.done(t)
	fd, err := t.Open(path, toLinuxFlags(flag), fromFileMode(perm))
	if err != nil {
		return nil, sysErr(err)
	}
	f := &File{
		fs:       s,
		fd:       fd,
		path:     path,
		append:   flag&experimentalsys.O_APPEND != 0,
		nonblock: flag&experimentalsys.O_NONBLOCK != 0,
	}
	f.seekMethod.f = f
	return f, 0
}

// Lstat implements sys.FS.Lstat: lstat(2).
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - ENOENT: `path` doesn't exist.
//   - ENOTDIR: a component before the last is not a directory.
//   - EACCES: search permission on a component is missing.
//   - ELOOP, ENAMETOOLONG: as for OpenFile.
func (s *SysFS) Lstat(path string) (sys.Stat_t, experimentalsys.Errno) {
	return s.stat(path, vfs.AT_SYMLINK_NOFOLLOW)
}

// Stat implements sys.FS.Stat: stat(2), following a final symlink.
//
// # Errors
//
// As Lstat; ENOENT also for a dangling symlink, ELOOP for a cycle.
func (s *SysFS) Stat(path string) (sys.Stat_t, experimentalsys.Errno) {
	return s.stat(path, 0)
}

func (s *SysFS) stat(path string, flags int) (sys.Stat_t, experimentalsys.Errno) {
	t, errno := s.task()
	if errno != 0 {
		return sys.Stat_t{}, errno
	}
	defer s.done(t)
	var st vfs.Stat
	if err := t.Fstatat(vfs.AT_FDCWD, path, &st, flags); err != nil {
		return sys.Stat_t{}, sysErr(err)
	}
	return toStat(&st), 0
}

// Mkdir implements sys.FS.Mkdir: mkdir(2), perm under the umask.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EEXIST: `path` exists (as anything, also a dangling symlink).
//   - ENOENT: a component before the last doesn't exist.
//   - ENOTDIR: a component before the last is not a directory.
//   - EACCES: write or search permission on the parent is missing.
//   - EIO: the parent's link count is at the maximum (Linux EMLINK) or
//     the filesystem is full (Linux ENOSPC).
//   - EROFS: the parent is on a read-only mount.
func (s *SysFS) Mkdir(path string, perm fs.FileMode) experimentalsys.Errno {
	t, errno := s.task()
	if errno != 0 {
		return errno
	}
	defer s.done(t)
	return sysErr(t.Mkdir(path, fromFileMode(perm)))
}

// Chmod implements sys.FS.Chmod: chmod(2), following a final symlink.
// The permission bits and fs.ModeSetuid, fs.ModeSetgid and fs.ModeSticky
// are applied.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - ENOENT: `path` does not exist.
//   - EPERM: the task does not own the file.
//   - EROFS: the file is on a read-only mount.
func (s *SysFS) Chmod(path string, perm fs.FileMode) experimentalsys.Errno {
	t, errno := s.task()
	if errno != 0 {
		return errno
	}
	defer s.done(t)
	return sysErr(t.Chmod(path, fromFileMode(perm)))
}

// Rename implements sys.FS.Rename: rename(2), with Linux's rules (a
// directory replaces only an empty directory; renaming a file onto a
// hard link of itself does nothing; a directory cannot move below
// itself).
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - ENOENT: `from` doesn't exist, or a parent of `to` doesn't.
//   - ENOTDIR: `from` is a directory and `to` a file.
//   - EISDIR: `from` is a file and `to` a directory.
//   - ENOTEMPTY: `to` is a non-empty directory.
//   - EINVAL: `to` is below `from`.
//   - EACCES, EPERM: permission on a parent is missing, or the sticky bit
//     protects an entry.
//   - EIO: `from` and `to` are on different mounts (Linux EXDEV), either
//     is a mount point (Linux EBUSY), or a link count would pass the
//     maximum (Linux EMLINK).
func (s *SysFS) Rename(from, to string) experimentalsys.Errno {
	t, errno := s.task()
	if errno != 0 {
		return errno
	}
	defer s.done(t)
	return sysErr(t.Rename(from, to))
}

// Rmdir implements sys.FS.Rmdir: rmdir(2).
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - ENOENT: `path` doesn't exist.
//   - ENOTDIR: `path` isn't a directory.
//   - ENOTEMPTY: `path` isn't empty.
//   - EINVAL: the last component is ".".
//   - EIO: `path` is a mount point or the root (Linux EBUSY).
func (s *SysFS) Rmdir(path string) experimentalsys.Errno {
	t, errno := s.task()
	if errno != 0 {
		return errno
	}
	defer s.done(t)
	return sysErr(t.Rmdir(path))
}

// Unlink implements sys.FS.Unlink: unlink(2); a symlink is removed, not
// its target.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - ENOENT: `path` doesn't exist.
//   - EISDIR: `path` is a directory.
//   - EACCES, EPERM: write permission on the parent is missing, or the
//     sticky bit protects the entry.
//   - EIO: `path` is a mount point (Linux EBUSY).
func (s *SysFS) Unlink(path string) experimentalsys.Errno {
	t, errno := s.task()
	if errno != 0 {
		return errno
	}
	defer s.done(t)
	return sysErr(t.Unlink(path))
}

// Link implements sys.FS.Link: link(2); a symlink `oldPath` is linked
// itself, not followed, as Linux does.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - ENOENT: `oldPath` doesn't exist, or the parent of `newPath` doesn't.
//   - EEXIST: `newPath` exists.
//   - EPERM: `oldPath` is a directory.
//   - EIO: the two are on different mounts (Linux EXDEV) or the link
//     count is at the maximum (Linux EMLINK).
func (s *SysFS) Link(oldPath, newPath string) experimentalsys.Errno {
	t, errno := s.task()
	if errno != 0 {
		return errno
	}
	defer s.done(t)
	return sysErr(t.Link(oldPath, newPath))
}

// Symlink implements sys.FS.Symlink: symlink(2). `oldPath` is stored as
// given; an absolute target resolves from the SysFS's root when the link
// is followed, since the task is chrooted there (wazero's DirFS refuses
// absolute targets with EPERM because its host kernel would resolve them
// from the host's root).
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EEXIST: `linkName` exists.
//   - ENOENT: `oldPath` is empty, or the parent of `linkName` doesn't
//     exist.
//   - ENAMETOOLONG: `oldPath` is longer than PATH_MAX.
func (s *SysFS) Symlink(oldPath, linkName string) experimentalsys.Errno {
	t, errno := s.task()
	if errno != 0 {
		return errno
	}
	defer s.done(t)
	return sysErr(t.Symlink(oldPath, linkName))
}

// Readlink implements sys.FS.Readlink: readlink(2), the target as stored.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - EINVAL: `path` is not a symlink.
//   - ENOENT: `path` doesn't exist or is empty.
func (s *SysFS) Readlink(path string) (string, experimentalsys.Errno) {
	t, errno := s.task()
	if errno != 0 {
		return "", errno
	}
	defer s.done(t)
	target, err := t.Readlink(path)
	return target, sysErr(err)
}

// Utimens implements sys.FS.Utimens: utimensat(AT_FDCWD, path, times, 0),
// following a final symlink. sys.UTIME_OMIT keeps a time.
//
// # Errors
//
// A zero Errno is success. The below are expected otherwise:
//   - ENOENT: `path` doesn't exist.
//   - EPERM: explicit times, and the task does not own the file.
//   - EACCES: times of "now" need write permission the task lacks.
//   - EROFS: the file is on a read-only mount.
func (s *SysFS) Utimens(path string, atim, mtim int64) experimentalsys.Errno {
	t, errno := s.task()
	if errno != 0 {
		return errno
	}
	defer s.done(t)
	times := [2]vfs.Timespec{toTimespec(atim), toTimespec(mtim)}
	return sysErr(t.Utimensat(vfs.AT_FDCWD, path, &times, 0))
}

// toLinuxFlags converts wazero's Oflag to open(2)'s flags.
func toLinuxFlags(f experimentalsys.Oflag) int {
	var fl int
	switch f & (experimentalsys.O_RDWR | experimentalsys.O_WRONLY) {
	case experimentalsys.O_RDONLY:
		fl = vfs.O_RDONLY
	case experimentalsys.O_RDWR:
		fl = vfs.O_RDWR
	case experimentalsys.O_WRONLY:
		fl = vfs.O_WRONLY
	default:
		// Both bits: Linux's access mode 3, which checks read and write
		// permission and opens for neither.
		fl = vfs.O_ACCMODE
	}
	for _, b := range [...]struct {
		w experimentalsys.Oflag
		l int
	}{
		{experimentalsys.O_APPEND, vfs.O_APPEND},
		{experimentalsys.O_CREAT, vfs.O_CREAT},
		{experimentalsys.O_DIRECTORY, vfs.O_DIRECTORY},
		{experimentalsys.O_DSYNC, vfs.O_DSYNC},
		{experimentalsys.O_EXCL, vfs.O_EXCL},
		{experimentalsys.O_NOFOLLOW, vfs.O_NOFOLLOW},
		{experimentalsys.O_NONBLOCK, vfs.O_NONBLOCK},
		{experimentalsys.O_RSYNC, vfs.O_SYNC}, // include/uapi/asm-generic/fcntl.h: O_RSYNC is O_SYNC
		{experimentalsys.O_SYNC, vfs.O_SYNC},
		{experimentalsys.O_TRUNC, vfs.O_TRUNC},
	} {
		if f&b.w != 0 {
			fl |= b.l
		}
	}
	return fl
}

// dtFileType converts a d_type to the fs.FileMode type wazero's Dirent
// carries (fs.ModeIrregular for DT_UNKNOWN).
func dtFileType(dt uint8) fs.FileMode {
	if dt == vfs.DT_UNKNOWN {
		return fs.ModeIrregular
	}
	return toFileMode(uint32(dt)<<12) & fs.ModeType
}

// toStat converts struct kstat to wazero's Stat_t.
func toStat(st *vfs.Stat) sys.Stat_t {
	return sys.Stat_t{
		Dev:   st.Dev,
		Ino:   st.Ino,
		Mode:  toFileMode(st.Mode),
		Nlink: uint64(st.Nlink),
		Size:  st.Size,
		Atim:  st.Atime,
		Mtim:  st.Mtime,
		Ctim:  st.Ctime,
	}
}

// toTimespec converts epoch nanoseconds, or sys.UTIME_OMIT, to a
// utimensat timespec (nanoseconds in [0, 1e9) also before 1970).
func toTimespec(ns int64) vfs.Timespec {
	if ns == experimentalsys.UTIME_OMIT {
		return vfs.Timespec{Nsec: vfs.UTIME_OMIT}
	}
	sec, nsec := ns/1e9, ns%1e9
	if nsec < 0 {
		sec, nsec = sec-1, nsec+1e9
	}
	return vfs.Timespec{Sec: sec, Nsec: nsec}
}

// fromFileMode is the permission and special bits of an fs.FileMode.
func fromFileMode(perm fs.FileMode) uint32 { return vfs.StMode(perm) & vfs.S_IALLUGO }

// toFileMode is vfs.FileMode, except that a mode naming no file type is
// fs.ModeIrregular for wazero (a Linux inode always has one).
func toFileMode(m uint32) fs.FileMode {
	if m&vfs.S_IFMT == 0 {
		return vfs.FileMode(m) | fs.ModeIrregular
	}
	return vfs.FileMode(m)
}
