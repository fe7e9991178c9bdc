package vfs

import (
	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
)

// Task is the process context of every operation: Linux's `current` with
// its credentials (struct cred), fs_struct (root, cwd, umask) and
// files_struct (the descriptor table), plus the held-lock stack that the
// validator checks. One goroutine drives a Task at a time, as one thread
// runs one task. A Task made by Fork has copies of its parent's
// credentials, fs_struct and descriptor table, but the descriptors name
// the same open file descriptions as the parent's (their f_pos, OFD
// locks, flock locks, leases and f_wb_err are shared, as after fork(2)),
// and its private mappings share their pages with the parent's until
// either writes them (copy-on-write, mmap_fork.go); shared mappings
// share the page cache. It may run concurrently with its parent.
type Task struct {
	vfs  *VFS
	pid  int32
	comm string
	// o is the held-lock stack (lockdep's task->held_locks).
	o *lock.Owner
	// chk says whether the task takes its checked paths: lock
	// validation is on, or the VFS is traced (Options.Trace) and someone
	// listens. Read by checking(), the one branch every operation pays
	// when both are off. Written under v.tasksMu by listTask and when the
	// trace bus gains its first listener or loses its last; a call
	// running then may see either value at each of its sites, which
	// costs it at most some of its events (each checked site pairs its
	// enter and exit through one read).
	chk atomic.Bool
	// cred is the task's credentials as the task reads them itself
	// (current_cred: every permission check of its walks); only the
	// driving goroutine reads or writes it. credRCU is the same pointer
	// published for other goroutines (/proc/<pid>'s owner, ptrace
	// checks: __task_cred under RCU), stored after cred by SetCred as
	// commit_creds does with rcu_assign_pointer (cred.go).
	cred    *Cred
	credRCU atomic.Pointer[Cred]
	fs      fsStruct
	// files is the descriptor table (task->files): shared with the
	// tasks CloneFiles made, and replaced by a private copy when an
	// exec unshares it (CloseOnExec). Only the task itself stores it,
	// as Linux changes task->files under task_lock; other tasks load
	// it (procfs). Atomic.
	files atomic.Pointer[FDTable]
	// mm is the address space of the task's file mappings (mmap.go),
	// made on its first mmap; atomic.
	mm atomic.Pointer[mmStruct]
	// rwPos holds the offset of a pread or pwrite while the call runs,
	// so that the position the file operations take by pointer need
	// not be allocated (rw.go). Only the driving goroutine uses it.
	rwPos int64
	// spareFile is a zeroed File whose last reference is gone, kept
	// for the task's next open (allocFile, freeFile). Only the driving
	// goroutine uses it.
	spareFile *File
	// lruAdd is the task's folio_add_lru batch (folio_lru.go).
	lruAdd lruAddBatch
	// jump is the part of current->nameidata that NdJumpLink needs:
	// whether a walk's ->get_link runs, and the path it jumps to
	// (namei.go). Only the driving goroutine uses it.
	jump linkJump
	// resolve is LOOKUP_BENEATH or LOOKUP_IN_ROOT for every walk of the
	// task, or 0 (SetResolve); Fork and Spawn copy it. Only the driving
	// goroutine uses it (Fork and Spawn read the parent's from the
	// parent's goroutine).
	resolve uint32
	// rlimNofile is the task's RLIMIT_NOFILE (rlimit.go). Only the
	// driving goroutine uses it (Fork reads the parent's from the
	// parent's goroutine).
	rlimNofile Rlimit
	// rlimFsize is the task's RLIMIT_FSIZE (rlimit.go), used as
	// rlimNofile is; RLIM_INFINITY unless Setrlimit lowered it.
	rlimFsize Rlimit
	// exited says Exit ran: a second call does nothing. Atomic.
	exited atomic.Bool
}

// openat2(2)'s scoping flags, for Task.SetResolve.
const (
	RESOLVE_BENEATH = 0x08
	RESOLVE_IN_ROOT = 0x10
)

// SetResolve scopes every path the task resolves to the directory its
// walk starts from (the descriptor of an *at call, or the working
// directory), as openat2(2)'s resolve flags scope one open:
// RESOLVE_BENEATH fails with EXDEV for an absolute path or symlink, a
// ".." at that directory and any magic link; RESOLVE_IN_ROOT makes that
// directory the walk's root instead (absolute paths and symlinks start
// there, ".." there stays there, as under chroot) and fails only magic
// links. 0 turns scoping off; both flags are EINVAL, as for openat2.
// Tasks made by Fork or Spawn start with t's scoping. Linux scopes one open at a time; a WASI host needs every *at call of
// its guest scoped (RATIONALE.md, "Why can a task resolve every path
// beneath its starting directory?").
func (t *Task) SetResolve(how uint64) error {
	switch how {
	case 0:
		t.resolve = 0
	case RESOLVE_BENEATH:
		t.resolve = LOOKUP_BENEATH
	case RESOLVE_IN_ROOT:
		t.resolve = LOOKUP_IN_ROOT
	default:
		return EINVAL
	}
	return nil
}

// fsStruct is struct fs_struct, one per Task here (no CLONE_FS): only its
// task writes it, and other tasks read root and cwd under lock.
type fsStruct struct {
	// lock is fs->lock: it protects root, cwd and umask against readers
	// from other tasks (procfs's cwd and root links, the Umask line of
	// /proc/<pid>/status). The owning task reads them without it, since
	// only it writes them; it takes the lock to write. A leaf lock.
	lock      lock.SpinLock
	root, cwd Path
	umask     uint32
}

// setFS replaces root and/or cwd (a zero Path keeps the old one) under
// fs->lock and drops the old references after releasing it.
func (t *Task) setFS(root, cwd Path) {
	t.fs.lock.Lock(t.o)
	oldRoot, oldCwd := t.fs.root, t.fs.cwd
	if root.Mnt != nil {
		t.fs.root = root
	} else {
		oldRoot = Path{}
	}
	if cwd.Mnt != nil {
		t.fs.cwd = cwd
	} else {
		oldCwd = Path{}
	}
	t.fs.lock.Unlock(t.o)
	if oldRoot.Mnt != nil {
		oldRoot.Put(t)
	}
	if oldCwd.Mnt != nil {
		oldCwd.Put(t)
	}
}

// NewTask makes a task whose root and working directory are the
// namespace root (if mounted yet), with umask 022.
func (v *VFS) NewTask(comm string, cred *Cred) *Task {
	if cred == nil {
		cred = RootCred
	}
	t := v.newTask(comm, cred, nil)
	v.listTask(t)
	return t
}

// newTask makes a task not yet listed in v.tasks, so that no other task
// can see it: with parent's umask, resource limits, resolve scoping,
// root and working directory (copy_fs and the rest of copy_process), or
// NewTask's defaults for a nil parent. Whatever /proc/<pid> shows of a
// task is set here or, for Fork, before listTask, as copy_process
// copies fs_struct and files_struct before attach_pid makes the pid
// findable: a reader never sees NewTask's umask or the namespace root in
// place of the parent's. Called from the parent's goroutine.
func (v *VFS) newTask(comm string, cred *Cred, parent *Task) *Task {
	t := &Task{vfs: v, comm: comm, cred: cred,
		rlimNofile: Rlimit{Cur: INR_OPEN_CUR, Max: INR_OPEN_MAX},
		rlimFsize:  Rlimit{Cur: RLIM_INFINITY, Max: RLIM_INFINITY}}
	t.credRCU.Store(cred)
	t.files.Store(newFDTable())
	t.fs.umask = 0o022
	t.lruAdd.init() // before lru_add_drain_all can find the task
	// Before v.tasks lists the task: /proc/<pid> readers take these.
	t.files.Load().lock.Init(classFileTable, 0)
	t.fs.lock.Init(classFSLock, 0)
	v.tasksMu.Lock()
	v.nextPID++
	t.pid = v.nextPID
	v.tasksMu.Unlock()
	t.o = lock.NewOwner("task "+itoa(int64(t.pid))+" ("+comm+")", v.validator)
	if v.trace.instrumented {
		t.o.SetTrace(v.trace.bus, t.pid)
	}
	if parent != nil {
		t.fs.umask = parent.fs.umask
		t.rlimNofile = parent.rlimNofile
		t.rlimFsize = parent.rlimFsize
		t.resolve = parent.resolve
		if parent.fs.root.Mnt != nil {
			t.fs.root, t.fs.cwd = parent.fs.root.Get(), parent.fs.cwd.Get()
			return t
		}
	}
	if m := v.root.Load(); m != nil {
		t.fs.root, t.fs.cwd = Path{m, m.root}.Get(), Path{m, m.root}.Get()
	}
	return t
}

// listTask puts t in v.tasks (attach_pid): from here on other tasks find
// it (Tasks, TaskByPID, /proc/<pid>) and read what they read of it under
// its locks.
func (v *VFS) listTask(t *Task) {
	v.tasksMu.Lock()
	v.tasks[t.pid] = t
	t.chk.Store(v.validator != nil || (v.trace.instrumented && v.trace.on.Load() != nil))
	v.tasksMu.Unlock()
}

// checking reports whether the task takes its checked paths (chk). Each
// system call asks first, so it also tells the task's lock owner whether
// somebody listens on a traced VFS's bus: its locks take their slow,
// reporting path only then (chk is exactly that for a traced VFS, and
// true whenever the owner validates).
func (t *Task) checking() bool {
	c := t.chk.Load()
	t.o.SetTracing(c)
	return c
}

// Fork makes a new task with a copy of t's credentials, root, working
// directory, umask, resource limits, resolve scoping (SetResolve),
// descriptor table and mappings (clone without CLONE_FS, CLONE_FILES or
// CLONE_VM; mmap_fork.go). The child walks scoped as t does: a task
// confined by SetResolve cannot leave its directory by forking.
//
// Fork calls into filesystems (vm_operations ->open for each mapping
// copied), so it is checked on return as every system call: on t, the
// task that made the call (the child, new, has taken no lock yet).
func (t *Task) Fork(comm string) *Task { return t.clone(comm, "fork", false) }

// CloneFiles makes a new task that shares t's descriptor table, as
// clone(2) with CLONE_FILES does (a thread of t's, in the sense that
// matters to files): a descriptor either opens, closes or dups is the
// other's too, fcntl's close-on-exec flag included, and POSIX locks
// belong to the table, so either's are both's and a close by either
// drops them. Everything else is Fork's: copies of t's credentials,
// root, working directory, umask, resource limits and resolve scoping,
// and copy-on-write copies of t's mappings (no CLONE_FS, no CLONE_VM).
// The two may run concurrently, each driven by its own goroutine; a
// descriptor closed by one while the other's call uses it stays open
// for that call, whose lookup took a reference (fileLight). The table's
// descriptors are closed when the last task sharing it exits.
func (t *Task) CloneFiles(comm string) *Task { return t.clone(comm, "clone", true) }

// clone is copy_process() for Fork and CloneFiles (sys names the call
// for the validator and the tracer): the child's table is t's own with
// shareFiles (copy_files with CLONE_FILES: files->count), else a copy
// (dup_fd). Either is the child's before listTask makes the child
// visible to /proc/<pid>/fd readers (copy_files before attach_pid), as
// its mappings are (dup_mm: /proc/<pid>/maps).
func (t *Task) clone(comm, sys string, shareFiles bool) *Task {
	if t.checking() {
		defer t.opDone(t.sysEnter(sys))
	}
	n := t.vfs.newTask(comm, t.cred, t)
	if shareFiles {
		ft := t.files.Load()
		ft.users.Add(1)
		n.files.Store(ft)
	} else {
		n.files.Load().fds = t.dupFD()
	}
	t.dupMmap(n)
	t.vfs.listTask(n)
	return n
}

// dupFD is dup_fd(): a copy of t's descriptor table, made under its
// file_lock, each file referenced once more; a slot another task's open
// has reserved is free in the copy, as it is in Linux's.
func (t *Task) dupFD() []fdEntry {
	ft := t.files.Load()
	ft.lock.Lock(t.o)
	defer ft.lock.Unlock(t.o)
	fds := make([]fdEntry, len(ft.fds))
	for fd, e := range ft.fds {
		if e.f != nil {
			fds[fd] = fdEntry{f: fget(e.f), cloexec: e.cloexec}
		}
	}
	return fds
}

// unshareFiles is unshare_files(), as execve calls it: if other tasks
// share t's descriptor table, t gets a private copy (dupFD) and leaves
// the shared one to them.
func (t *Task) unshareFiles() {
	old := t.files.Load()
	if old.users.Load() == 1 {
		return
	}
	ft := newFDTable()
	ft.lock.Init(classFileTable, 0)
	ft.fds = t.dupFD()
	if old.users.Add(-1) == 0 {
		// The others exited meanwhile: this task held the old
		// table's last reference (put_files_struct), still its own
		// while its descriptors close, so that their POSIX locks go
		// with the owner that took them.
		t.closeFiles(old)
	}
	t.files.Store(ft)
}

// closeFiles is close_files(): the descriptors of ft, whose last user
// is gone, each closed as close(2) would (filp_close). ft is t's table.
func (t *Task) closeFiles(ft *FDTable) {
	ft.lock.Lock(t.o)
	fds := ft.fds
	ft.fds = nil
	ft.lock.Unlock(t.o)
	for _, e := range fds {
		if e.f != nil {
			t.filpFlush(e.f)
			fput(t, e.f)
		}
	}
}

// Exit closes every descriptor, unless another task still shares the
// table (CloneFiles), and drops the root and working directory (do_exit:
// exit_files, exit_fs).
func (t *Task) Exit() {
	if t.exited.Swap(true) {
		return // a second Exit must not drop a shared table's count again
	}
	t.exitMmap()
	if ft := t.files.Load(); ft.users.Add(-1) == 0 { // put_files_struct
		t.closeFiles(ft)
	}
	t.fs.lock.Lock(t.o)
	root, cwd := t.fs.root, t.fs.cwd
	t.fs.root, t.fs.cwd = Path{}, Path{}
	t.fs.lock.Unlock(t.o)
	if root.Mnt != nil {
		root.Put(t)
		cwd.Put(t)
	}
	lruAddDrain(t)
	v := t.vfs
	v.tasksMu.Lock()
	delete(v.tasks, t.pid)
	v.tasksMu.Unlock()
	if v.validator != nil {
		// do_exit's debug_check_no_locks_held: a task must not die
		// holding locks (they would stay locked for ever).
		t.o.AssertNoneHeldAtExit()
		v.validator.Forget(t.o)
	}
}

// owner returns the held-lock stack; nil-safe for the few calls made
// before a task exists.
func (t *Task) owner() *lock.Owner {
	if t == nil {
		return nil
	}
	return t.o
}

// Owner returns the task's held-lock stack, for snapshots and tests.
func (t *Task) Owner() *lock.Owner { return t.o }

// PID returns the task's id.
func (t *Task) PID() int32 { return t.pid }

// Comm returns the task's name.
func (t *Task) Comm() string { return t.comm }

// VFS returns the instance the task lives in.
func (t *Task) VFS() *VFS { return t.vfs }

// Umask sets the file mode creation mask and returns the old one.
func (t *Task) Umask(mask uint32) uint32 {
	t.fs.lock.Lock(t.o) // /proc/<pid>/status reads it from other tasks
	old := t.fs.umask
	t.fs.umask = mask & 0o777
	t.fs.lock.Unlock(t.o)
	return old
}

// Root and Cwd return the task's root and working directory (no new
// references).
func (t *Task) Root() Path { return t.fs.root }
func (t *Task) Cwd() Path  { return t.fs.cwd }

// Tasks returns the live tasks, for procfs.
func (v *VFS) Tasks() []*Task {
	v.tasksMu.Lock()
	defer v.tasksMu.Unlock()
	out := make([]*Task, 0, len(v.tasks))
	for _, t := range v.tasks {
		out = append(out, t)
	}
	return out
}

// TaskByPID finds a live task.
func (v *VFS) TaskByPID(pid int32) *Task {
	v.tasksMu.Lock()
	defer v.tasksMu.Unlock()
	return v.tasks[pid]
}

// opDone is the check on every return to the caller ("lock held when
// returning to user space"), and the end of the call for the trace.
// Operations defer it only when checking, as
// `defer t.opDone(t.sysEnter("name"))`.
func (t *Task) opDone(name string) {
	t.o.AssertNoneHeld(name)
	t.sysExit(name)
}
