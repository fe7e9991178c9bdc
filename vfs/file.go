package vfs

import (
	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
)

// f_mode bits (FMODE_* of include/linux/fs.h).
const (
	FMODE_READ   = 1 << 0
	FMODE_WRITE  = 1 << 1
	FMODE_LSEEK  = 1 << 2
	FMODE_PREAD  = 1 << 3
	FMODE_PWRITE = 1 << 4
	FMODE_EXEC   = 1 << 5
	FMODE_PATH   = 1 << 14
	FMODE_WRITER = 1 << 16 // holds write access to the mount
	// FMODE_CAN_ODIRECT: the file takes O_DIRECT, at open and by
	// F_SETFL (FOP_CAN_ODIRECT).
	FMODE_CAN_ODIRECT = 1 << 22
	// FMODE_RANDOM: readahead off, fadvise(POSIX_FADV_RANDOM).
	// FMODE_NOREUSE: the data will be used once,
	// fadvise(POSIX_FADV_NOREUSE). Both change after open (fadvise.go).
	FMODE_RANDOM  = 1 << 12
	FMODE_NOREUSE = 1 << 23
)

// File is struct file: an open file description.
type File struct {
	path  Path // immutable; holds references
	inode *Inode
	fop   *FileOperations
	cred  *Cred
	mode  uint32        // FMODE_*: immutable (fadvise's bits are in ra.bits)
	flags atomic.Uint32 // f_flags: O_APPEND and O_NONBLOCK change by fcntl
	count atomic.Int64

	// posLock is f_pos_lock: serialises users of pos, as Linux does for
	// read, write, lseek and getdents of one description of a regular
	// file or directory (FMODE_ATOMIC_POS; not of a stream such as a
	// pipe) shared by several descriptors or tasks, and for every
	// getdents of a directory (fdgetPos). Taken before i_rwsem.
	posLock lock.Mutex
	// pos is f_pos: changed under posLock, or by the only holder of an
	// unshared description without it (fdgetPos); atomic because
	// /proc/<pid>/fdinfo and F_GETLK's SEEK_CUR read it without the
	// lock (plain on js and wasip1).
	pos atomic.Int64

	// wbErr is f_wb_err, the description's ErrSeqT sample of its
	// mapping's write errors, taken at open; sbErr is f_sb_err, the same
	// for the superblock's (syncfs). Atomic: advanced by compare-and-swap
	// when an error is reported (FileCheckAndAdvanceWbErr).
	wbErr atomic.Uint32
	sbErr atomic.Uint32

	// Private is private_data, for the filesystem.
	Private any

	// ra is f_ra, the readahead state of sequential reads (filemap.go),
	// and what fadvise(2) changed (fadvise.go).
	ra fileRaState
}

// Path returns f_path; Inode its inode.
func (f *File) Path() Path      { return f.path }
func (f *File) Inode() *Inode   { return f.inode }
func (f *File) Flags() uint32   { return f.flags.Load() }
func (f *File) Mode() uint32    { return f.mode | f.ra.bits.Load()&fadvModeBits }
func (f *File) Cred() *Cred     { return f.cred }
func (f *File) Dentry() *Dentry { return f.path.Dentry }

func fget(f *File) *File {
	f.count.Add(1)
	return f
}

// fput drops a reference; the last one releases the file (__fput):
// ->release, write access to the mount, the path.
func fput(t *Task, f *File) {
	// Small enough to inline: most puts are not the last.
	if f.count.Add(-1) == 0 {
		fputFinal(t, f)
	}
}

// fputFinal is __fput(): the last reference to f is gone.
func fputFinal(t *Task, f *File) {
	if f.mode&FMODE_PATH == 0 {
		t.locksRemoveFile(f)
	}
	if f.mode&FMODE_PATH == 0 && f.fop != nil && f.fop.Release != nil {
		t.fopRelease(f)
	}
	if f.mode&(FMODE_READ|FMODE_WRITE|FMODE_PATH) == FMODE_READ {
		f.inode.readcount.Add(-1) // i_readcount_dec
	}
	if f.mode&FMODE_WRITER != 0 {
		f.inode.writecount.Add(-1) // put_write_access
		mntPutWriteAccess(f.path.Mnt)
	}
	f.path.Put(t)
	t.freeFile(f)
}

// filesStat is files_stat (fs/file_table.c): how many files (open file
// descriptions) are allocated, which /proc/sys/fs/file-nr shows, and
// fs.file-max, the limit unprivileged opens stop at. Both atomic, no
// lock. Linux counts with a percpu counter that file-nr reads
// approximately; this count is exact.
type filesStat struct {
	// nrFiles is nr_files: incremented by allocFile, decremented by
	// freeFile.
	nrFiles atomic.Int64
	// maxFiles is files_stat.max_files: 0 to LONG_MAX.
	maxFiles atomic.Int64
}

// NR_FILE is the smallest default fs.file-max (include/linux/fs.h).
const NR_FILE = 8192

// init is files_maxfiles_init(): a file with its inode and dentry takes
// very roughly 1 KiB, and by default files may take no more than a tenth
// of the memory that was free at boot, (nr_pages - memreserve) *
// (PAGE_SIZE/1024) / 10, with memreserve half as much again as the
// memory in use then; never less than NR_FILE. A VFS's memory is its
// budget (MemTotal) and nothing is charged to it yet when New calls
// this, so memreserve is 0: a tenth of the budget in KiB, 26214 for the
// default 256 MiB, NR_FILE for budgets below 80 MiB.
func (fs *filesStat) init(budget int64) {
	nrPages := budget / PAGE_SIZE
	fs.maxFiles.Store(max(nrPages*(PAGE_SIZE/1024)/10, NR_FILE))
}

// mayAllocFile is alloc_empty_file()'s test, made where path_openat
// allocates its file, before the walk: ENFILE once fs.file-max files
// are allocated, unless the opener is capable (CAP_SYS_ADMIN: uid 0
// here). Like Linux's, the test and the count are not one atomic step,
// so opens racing at the limit may each pass it.
func (t *Task) mayAllocFile() error {
	fs := &t.vfs.files
	if fs.nrFiles.Load() >= fs.maxFiles.Load() && !t.cred.capable() {
		return ENFILE
	}
	return nil
}

// allocFile is alloc_empty_file(): a new File of path p (inode in)
// with the task's credentials and FMODE_* bits mode, in the task's spare
// one if it has one (freeFile), counted in nr_files until freeFile.
func (t *Task) allocFile(p Path, in *Inode, mode uint32) *File {
	t.vfs.files.nrFiles.Add(1)
	if f := t.spareFile; f != nil {
		t.spareFile = nil
		*f = File{path: p, inode: in, cred: t.cred, mode: mode}
		return f
	}
	return &File{path: p, inode: in, cred: t.cred, mode: mode}
}

// freeFile is file_free(): the last reference to f is gone (or the open
// that allocated it failed before it was opened), so nothing can reach
// it any more (descriptor tables, mappings and file locks all hold
// references, or were cleared by __fput); it leaves nr_files, and the
// task keeps its memory for its next open, as Linux's filp slab does.
// One spare per task, used only by the goroutine driving the task: a
// task that opens and closes files in turn allocates none. The spare is
// overwritten whole when reused; until then it still points to what the
// closed description did (memory only: it holds no reference).
//
// Freeing a File whose f_pos_lock is still held is Linux's "BUG: held
// lock freed!" (debug_check_no_locks_freed in kmem_cache_free): the
// reuse would zero the lock under its holder, and the holder's Unlock
// would fail far from the bug. Re-initialising the lock here makes
// that check (Mutex.Init panics on a held lock) at the free.
func (t *Task) freeFile(f *File) {
	f.posLock.Init(classFPos, 0)
	t.vfs.files.nrFiles.Add(-1)
	if t.spareFile == nil {
		t.spareFile = f
	}
}

// fdEntry is one slot of the descriptor table. A slot is free when f
// is nil and it is not reserved; reserved is open_fds' bit of a slot
// that get_unused_fd_flags took and fd_install has not filled yet (an
// open walking its path): taken for every search of a free slot, empty
// (f nil) for every reader of the table, as Linux's readers see a NULL
// fdt->fd[fd].
type fdEntry struct {
	f        *File
	cloexec  bool
	reserved bool
}

// FDTable is files_struct.
type FDTable struct {
	// users is files->count: how many tasks share the table (CloneFiles
	// adds one, Exit takes one away). While it is 1, only the owning
	// task changes fds, so that task reads them without the lock
	// (fileLight). Atomic.
	users atomic.Int32
	// lock is file_lock: it protects fds. A leaf lock.
	lock lock.SpinLock
	fds  []fdEntry
}

func newFDTable() *FDTable {
	ft := &FDTable{}
	ft.users.Store(1)
	return ft
}

// allocFDLocked is alloc_fd's search: the lowest free slot at or above
// min and below limit, the table grown to hold it as expand_files does,
// or -1. Preconditions: ft.lock is held.
func (ft *FDTable) allocFDLocked(min, limit int) int {
	for fd := min; fd < limit; fd++ {
		if fd >= len(ft.fds) {
			ft.fds = append(ft.fds, make([]fdEntry, fd-len(ft.fds)+1)...)
		}
		if e := &ft.fds[fd]; e.f == nil && !e.reserved {
			return fd
		}
	}
	return -1
}

// getUnusedFD is get_unused_fd_flags (alloc_fd): it reserves the lowest
// free descriptor at or above min, below the task's RLIMIT_NOFILE
// (EMFILE if none is). The caller fills it with fdInstall or gives it
// back with putUnusedFD. A task sharing the table (CloneFiles) meets
// another's reservation only in dup2, which fails with EBUSY on it.
func (t *Task) getUnusedFD(min int, cloexec bool) (int, error) {
	return t.takeFD(min, fdEntry{cloexec: cloexec, reserved: true})
}

// fdInstall is fd_install: it puts f in the slot getUnusedFD reserved,
// taking over the caller's reference.
func (t *Task) fdInstall(fd int, f *File) {
	ft := t.files.Load()
	ft.lock.Lock(t.o)
	ft.fds[fd].f = f
	ft.fds[fd].reserved = false
	ft.lock.Unlock(t.o)
}

// putUnusedFD is put_unused_fd: it frees a slot getUnusedFD reserved and
// nothing filled.
func (t *Task) putUnusedFD(fd int) {
	ft := t.files.Load()
	ft.lock.Lock(t.o)
	ft.fds[fd] = fdEntry{}
	ft.lock.Unlock(t.o)
}

// installFD is get_unused_fd_flags + fd_install at once, for a file
// already open (dup, F_DUPFD): the lowest free descriptor at or above
// min, below the task's RLIMIT_NOFILE (EMFILE if none is). It takes
// over the caller's reference.
func (t *Task) installFD(f *File, cloexec bool, min int) (int, error) {
	return t.takeFD(min, fdEntry{f: f, cloexec: cloexec})
}

// takeFD puts e in the lowest free descriptor at or above min, below the
// task's RLIMIT_NOFILE (EMFILE if none is), under file_lock.
func (t *Task) takeFD(min int, e fdEntry) (int, error) {
	ft := t.files.Load()
	ft.lock.Lock(t.o)
	fd := ft.allocFDLocked(min, t.nofile())
	if fd < 0 {
		ft.lock.Unlock(t.o)
		return -1, EMFILE
	}
	ft.fds[fd] = e
	ft.lock.Unlock(t.o)
	return fd, nil
}

// fdget is fdget(): the file behind fd, with a reference, for the calls
// an O_PATH descriptor cannot make (its file is EBADF here, as fdget's
// FMODE_PATH mask makes it on Linux).
func (t *Task) fdget(fd int) (*File, error) {
	f, err := t.getFile(fd)
	if err != nil {
		return nil, err
	}
	if f.mode&FMODE_PATH != 0 {
		fput(t, f)
		return nil, EBADF
	}
	return f, nil
}

// fdput flags: what fdputFlags undoes of a descriptor lookup, as the
// flags of Linux's struct fd.
const (
	// fdputFput (FDPUT_FPUT): the lookup took a reference (the table
	// is shared).
	fdputFput = 1 << iota
	// fdputPosUnlock (FDPUT_POS_UNLOCK): fdgetPos took f_pos_lock.
	fdputPosUnlock
)

// fileLight is __fget_light() for the calling task's own system call:
// the file behind fd (O_PATH descriptors included), nil if none, and
// fdputFput if the caller must fput it (fdputFlags). Linux takes no
// reference when the descriptor table is not shared (files->count is
// 1): nobody else can close the descriptor while the call runs. An
// unshared table changes only by its own task (one goroutine drives a
// task at a time), and other tasks only read it, under file_lock
// (procfs), so the task reads it without the lock, and the file stays
// open until the task itself closes the descriptor, which it cannot do
// in the middle of this call. A table shared by CloneFiles can lose
// the descriptor to another task at any time: then the file is taken
// with a reference, under the lock. A table becomes shared only by its
// own task's CloneFiles, so a task that finds it unshared stays alone
// with it for the call.
//
// Hot callers write it out as fileFast, inlined, then fileSlow if that
// gave nil.
func (t *Task) fileLight(fd int) (*File, uint8) {
	if f := t.fileFast(fd); f != nil {
		return f, 0
	}
	return t.fileSlow(fd)
}

// fileFast is fileLight's common case, small enough to inline: the file
// behind fd in an unshared table, or nil (for a shared table too).
func (t *Task) fileFast(fd int) *File {
	ft := t.files.Load()
	if ft.users.Load() != 1 || uint(fd) >= uint(len(ft.fds)) {
		return nil
	}
	return ft.fds[fd].f
}

// fileSlow is fileLight where fileFast gave nil: for an unshared table
// the file without a reference (nil: no such descriptor), for a shared
// one the file with a reference.
func (t *Task) fileSlow(fd int) (*File, uint8) {
	if ft := t.files.Load(); ft.users.Load() == 1 {
		// Alone with the table now, if not at fileFast's look: the
		// other sharers may have exited since.
		if uint(fd) >= uint(len(ft.fds)) {
			return nil, 0
		}
		return ft.fds[fd].f, 0
	}
	f, err := t.getFile(fd)
	if err != nil {
		return nil, 0
	}
	return f, fdputFput
}

// fdputFlags is fdput(), or fdput_pos() with fdputPosUnlock: it
// undoes what fileLight or fdgetPos took. Small enough to inline: the
// flags are 0 on every call of an unshared table's task that needs no
// f_pos_lock.
func (t *Task) fdputFlags(f *File, flags uint8) {
	if flags != 0 {
		t.fdputSlow(f, flags)
	}
}

func (t *Task) fdputSlow(f *File, flags uint8) {
	if flags&fdputPosUnlock != 0 {
		f.posLock.Unlock(t.o)
	}
	if flags&fdputFput != 0 {
		fput(t, f)
	}
}

// getFile is fdget_raw(): the file behind fd, with a reference, O_PATH
// descriptors included.
func (t *Task) getFile(fd int) (*File, error) {
	// No defer: under WebAssembly it is a fifth of this function's
	// cost, and the function is on every *at() call's walk.
	ft := t.files.Load()
	ft.lock.Lock(t.o)
	if fd < 0 || fd >= len(ft.fds) || ft.fds[fd].f == nil {
		ft.lock.Unlock(t.o)
		return nil, EBADF
	}
	f := fget(ft.fds[fd].f)
	ft.lock.Unlock(t.o)
	return f, nil
}

// Close is close(2).
func (t *Task) Close(fd int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("close"))
	}
	ft := t.files.Load()
	ft.lock.Lock(t.o)
	if fd < 0 || fd >= len(ft.fds) || ft.fds[fd].f == nil {
		ft.lock.Unlock(t.o)
		return EBADF
	}
	f := ft.fds[fd].f
	ft.fds[fd] = fdEntry{}
	ft.lock.Unlock(t.o)
	err := t.filpFlush(f)
	if werr := filpReportWbErr(t, f); err == nil {
		err = werr
	}
	fput(t, f)
	return err
}

// filpFlush is filp_flush(), what every close of a descriptor does
// before dropping its reference (close(2), dup2 over an open
// descriptor, exit, close-on-exec): the file's ->flush, then the closing
// task's POSIX locks on the file go.
func (t *Task) filpFlush(f *File) error {
	var err error
	if f.mode&FMODE_PATH == 0 && f.fop != nil && f.fop.Flush != nil {
		err = t.fopFlush(f)
	}
	t.filpFlushLocks(f)
	return err
}

// Dup is dup(2).
func (t *Task) Dup(fd int) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("dup"))
	}
	f, err := t.getFile(fd)
	if err != nil {
		return -1, err
	}
	nfd, err := t.installFD(f, false, 0)
	if err != nil {
		fput(t, f)
	}
	return nfd, err
}

// Dup3 is dup3(2) (Dup2 with flags 0 and a check that the two differ).
func (t *Task) Dup3(oldfd, newfd int, flags int) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("dup3"))
	}
	if flags&^O_CLOEXEC != 0 || oldfd == newfd {
		return -1, EINVAL
	}
	return t.dup2(oldfd, newfd, flags&O_CLOEXEC != 0)
}

// Dup2 is dup2(2).
func (t *Task) Dup2(oldfd, newfd int) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("dup2"))
	}
	if oldfd == newfd {
		f, err := t.getFile(oldfd)
		if err != nil {
			return -1, err
		}
		fput(t, f)
		return newfd, nil
	}
	return t.dup2(oldfd, newfd, false)
}

func (t *Task) dup2(oldfd, newfd int, cloexec bool) (int, error) {
	if newfd < 0 || newfd >= t.nofile() {
		return -1, EBADF
	}
	f, err := t.getFile(oldfd)
	if err != nil {
		return -1, err
	}
	ft := t.files.Load()
	ft.lock.Lock(t.o)
	if newfd >= len(ft.fds) {
		ft.fds = append(ft.fds, make([]fdEntry, newfd-len(ft.fds)+1)...)
	}
	old := ft.fds[newfd].f
	if old == nil && ft.fds[newfd].reserved {
		// do_dup2: another task sharing the table (CloneFiles) has
		// the slot reserved for an open still walking its path.
		ft.lock.Unlock(t.o)
		fput(t, f)
		return -1, EBUSY
	}
	ft.fds[newfd] = fdEntry{f: f, cloexec: cloexec}
	ft.lock.Unlock(t.o)
	if old != nil {
		// do_dup2: filp_close, whose error is lost.
		t.filpFlush(old)
		fput(t, old)
	}
	return newfd, nil
}

// FD flags and fcntl commands.
const (
	FD_CLOEXEC      = 1
	F_DUPFD         = 0
	F_GETFD         = 1
	F_SETFD         = 2
	F_GETFL         = 3
	F_SETFL         = 4
	F_DUPFD_CLOEXEC = 1030
)

// Fcntl is fcntl(2) for the descriptor and status flag commands and the
// lease commands F_SETLEASE and F_GETLEASE (lease.go); the byte-range
// lock commands, whose argument is a struct flock, are FcntlLock.
func (t *Task) Fcntl(fd int, cmd int, arg int) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("fcntl"))
	}
	f, err := t.getFile(fd)
	if err != nil {
		return -1, err
	}
	n, err := t.fcntl(f, fd, cmd, arg)
	fput(t, f)
	return n, err
}

// FdTypeFlags returns the S_IFMT bits of the inode open at fd (fixed for
// the inode's life) and the description's status flags, as F_GETFL gives
// them: what a front end's "describe this descriptor" call needs (WASI's
// fd_fdstat_get), with one descriptor lookup instead of an fstat(2) and
// an fcntl(2). O_PATH descriptors are described too, as fstat and F_GETFL
// describe them.
//
// Errors: EBADF for a descriptor not open.
func (t *Task) FdTypeFlags(fd int) (ifmt uint32, flags int, err error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("fcntl"))
	}
	// The calling task's own descriptor: no reference needed to read
	// two words unless the table is shared (fileLight, as Pread's).
	f, fl := t.fileFast(fd), uint8(0)
	if f == nil {
		f, fl = t.fileSlow(fd)
	}
	if f == nil {
		return 0, 0, EBADF
	}
	ifmt, flags = f.inode.mode.Load()&S_IFMT, int(f.flags.Load())
	t.fdputFlags(f, fl)
	return ifmt, flags, nil
}

// fcntl is Fcntl's work on the file it holds a reference to. Apart, with
// no defer of its own: with its many returns, a defer in Fcntl's body
// would not be open-coded, and every call (Go's WASI guests call
// F_GETFL on each descriptor they open) went through defer records.
func (t *Task) fcntl(f *File, fd int, cmd int, arg int) (int, error) {
	ft := t.files.Load()
	// check_fcntl_cmd: an O_PATH descriptor allows only these.
	if f.mode&FMODE_PATH != 0 {
		switch cmd {
		case F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL:
		default:
			return -1, EBADF
		}
	}
	switch cmd {
	case F_DUPFD, F_DUPFD_CLOEXEC:
		if arg < 0 || arg >= t.nofile() {
			return -1, EINVAL
		}
		nfd, err := t.installFD(fget(f), cmd == F_DUPFD_CLOEXEC, arg)
		if err != nil {
			fput(t, f)
		}
		return nfd, err
	case F_GETFD:
		ft.lock.Lock(t.o)
		cloexec := ft.fds[fd].cloexec
		ft.lock.Unlock(t.o)
		if cloexec {
			return FD_CLOEXEC, nil
		}
		return 0, nil
	case F_SETFD:
		ft.lock.Lock(t.o)
		ft.fds[fd].cloexec = arg&FD_CLOEXEC != 0
		ft.lock.Unlock(t.o)
		return 0, nil
	case F_GETFL:
		return int(f.flags.Load()), nil
	case F_SETLEASE, F_GETLEASE:
		return t.fcntlLease(f, cmd, arg)
	case F_SETPIPE_SZ, F_GETPIPE_SZ:
		return t.pipeFcntl(f, cmd, arg)
	case F_SETFL:
		const settable = O_APPEND | O_NONBLOCK | O_NOATIME | O_DIRECT
		if arg&O_APPEND == 0 && f.flags.Load()&O_APPEND != 0 && IsAppend(f.inode) {
			return -1, EPERM
		}
		// setfl: only the owner or a capable task sets O_NOATIME.
		if arg&O_NOATIME != 0 && f.flags.Load()&O_NOATIME == 0 && !t.cred.ownerOrCapable(f.inode.uid.Load()) {
			return -1, EPERM
		}
		// setfl: O_DIRECT only where the open would take it, or on a
		// FIFO or pipe (packet mode, which vfscope's pipes do not
		// model: the flag is kept, the pipe stays a byte stream).
		if arg&O_DIRECT != 0 && !IsFifo(f.inode.mode.Load()) && f.mode&FMODE_CAN_ODIRECT == 0 {
			return -1, EINVAL
		}
		for {
			old := f.flags.Load()
			nf := old&^settable | uint32(arg)&settable
			if f.flags.CompareAndSwap(old, nf) {
				return 0, nil
			}
		}
	}
	return -1, EINVAL
}

// IsAppend is IS_APPEND(): the inode is append-only. The foundation has
// no chattr, so none is.
func IsAppend(i *Inode) bool { return false }

// CloseOnExec closes every O_CLOEXEC descriptor, as execve does: in a
// private copy of the table if other tasks share it (CloneFiles), which
// keep theirs open (begin_new_exec's unshare_files, then
// do_close_on_exec). It calls into filesystems (->flush, ->release), so
// like every system call it is checked on return for a lock left held.
func (t *Task) CloseOnExec() {
	if t.checking() {
		defer t.opDone(t.sysEnter("execve"))
	}
	t.unshareFiles()
	ft := t.files.Load()
	ft.lock.Lock(t.o)
	var closing []*File
	for i := range ft.fds {
		if ft.fds[i].f != nil && ft.fds[i].cloexec {
			closing = append(closing, ft.fds[i].f)
			ft.fds[i] = fdEntry{}
		}
	}
	ft.lock.Unlock(t.o)
	for _, f := range closing {
		t.filpFlush(f) // do_close_on_exec: filp_close
		fput(t, f)
	}
}

// FDs lists the open descriptors, for procfs.
func (t *Task) FDs() []int {
	ft := t.files.Load()
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
