// Package wasi is vfscope's own WASI preview1 ABI (wasi_snapshot_preview1):
// every preview1 function, written once over an abstract guest Memory, on a
// vfs.Task. Errors keep their meaning: the Linux errno the VFS returns is
// mapped once, by the table in errno.go, to the WASI errno of the same name
// (EXDEV, EBUSY, ENOSPC, EMLINK, EROFS, EDQUOT, ENOTEMPTY... reach the guest
// as themselves).
//
// The package imports no wasm runtime: host/wasihost registers Funcs in
// wazero, and the browser build gives the same Funcs to JavaScript hosts.
//
// Paths are resolved by the VFS's *at calls relative to the descriptor the
// guest names, so Linux's rules apply (symlinks, "..", permissions, mount
// crossing), and, as WASI requires, inside it: the guest's task resolves
// with RESOLVE_IN_ROOT (vfs.Task.SetResolve), so that an absolute path or
// symlink starts at the descriptor's directory and ".." there stays
// there: a preopened directory is a sandbox. The guest's task is a fork
// of Config.Task, chrooted to Config.Root as well.
//
// A guest is driven by one goroutine (the one running its code), as one
// thread drives one Linux task; an ABI is not safe for concurrent use.
package wasi

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// Config is what a guest runs with.
type Config struct {
	// Task is the process the guest's task is spawned from (credentials,
	// umask, root). Required.
	Task *vfs.Task
	// Root is the path, in Task's namespace, that becomes the guest's
	// root (chroot) and working directory; "" means "/".
	Root string
	// Preopens are the directories given to the guest as fds 3, 4, ...,
	// each a path inside Root (as the guest will name it); nil means
	// just "/".
	Preopens []string
	// Args and Env are the guest's argv and environment ("KEY=value").
	Args, Env []string
	// Stdin, Stdout and Stderr are fds 0, 1, 2; nil reads EOF or
	// discards.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Now is the realtime clock; nil means time.Now.
	Now func() time.Time
	// Nanotime is the monotonic clock in nanoseconds; nil means the
	// time since New (from time.Now's monotonic reading).
	Nanotime func() int64
	// Rand fills random_get; nil means crypto/rand.
	Rand io.Reader
	// Yield is sched_yield; nil means runtime.Gosched.
	Yield func()
	// Sleep waits d for poll_oneoff's clocks, or returns ctx's error;
	// nil means a timer. A host that cannot let timers fire during a
	// call (JavaScript, where the guest runs inside one synchronous
	// call) gives a Sleep of its own.
	Sleep func(ctx context.Context, d time.Duration) error
}

// ABI is one guest's WASI state: its task and descriptor table.
type ABI struct {
	task   *vfs.Task
	args   []string
	env    []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	now    func() time.Time
	nano   func() int64
	rand   io.Reader
	yield  func()
	sleep  func(ctx context.Context, d time.Duration) error

	// fds is the WASI descriptor table, indexed by WASI fd.
	fds []*fdEntry
	// spare holds entries of closed descriptors for install to reuse: a
	// path_open then allocates no entry.
	spare []*fdEntry

	// st and out are scratch for the call being made (a guest makes one
	// at a time): a stat result, and the bytes of a filestat or fdstat
	// on their way to guest memory. As locals they escaped through the
	// Task and Memory interfaces, two allocations per stat call.
	st  vfs.Stat
	out [sizeFilestat]byte

	// mem caches the capabilities of the guest's Memory (memcaps.go).
	mem memCaps
	// iovBufs and iovPtrs back iovecs' results for the common one or two
	// iovecs of a call, which then allocates nothing for them.
	iovBufs [2][]byte
	iovPtrs [2]uint32
	// paths holds the path strings of calls (readPath).
	paths StringArena
	// blocked is the time, in nanoseconds of nano, the guest spent
	// waiting in the ABI, which the CPU-time clocks leave out
	// (clockNow). Touched only by the guest's calls, one at a time.
	blocked int64
}

// fdEntry is one WASI descriptor: a VFS descriptor of the guest's task,
// or one of the host's streams.
type fdEntry struct {
	vfd        int // the task's descriptor; -1 for a stream
	r          io.Reader
	w          io.Writer
	streamFlag uint16 // fdflags of a stream (NONBLOCK only)
	base, inh  Rights
	preopen    string // the guest's name for a preopened directory
	isPreopen  bool
}

// New spawns the guest's task from cfg.Task (Task.Spawn: none of its
// descriptors or mappings), chroots it to cfg.Root, and opens the
// preopened directories.
//
// # Errors
//
// An error naming the entry for an argument holding a NUL, or an
// environment entry holding a NUL or no '=' (a guest gets them as C
// strings, "KEY=value"; wazero rejects the same); then those of chroot(2)
// and open(2) on Root and the preopens, as vfs.Errno.
func New(cfg Config) (*ABI, error) {
	if err := checkArgsEnv(cfg.Args, cfg.Env); err != nil {
		return nil, err
	}
	a := &ABI{
		args: cfg.Args, env: cfg.Env,
		stdin: cfg.Stdin, stdout: cfg.Stdout, stderr: cfg.Stderr,
		now: cfg.Now, nano: cfg.Nanotime, rand: cfg.Rand, yield: cfg.Yield,
		sleep: cfg.Sleep,
	}
	if a.stdin == nil {
		a.stdin = eofReader{}
	}
	if a.stdout == nil {
		a.stdout = io.Discard
	}
	if a.stderr == nil {
		a.stderr = io.Discard
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.nano == nil {
		start := time.Now()
		a.nano = func() int64 { return int64(time.Since(start)) + 1 }
	}
	if a.rand == nil {
		a.rand = rand.Reader
	}
	if a.yield == nil {
		a.yield = runtime.Gosched
	}
	root := cfg.Root
	if root == "" {
		root = "/"
	}
	// The guest's task is spawned, not forked: it holds none of the
	// host task's descriptors or mappings, so its exit closes and
	// flushes nothing of the host's (and consumes no write error of a
	// description the host still uses).
	t := cfg.Task.Spawn("wasi")
	a.task = t
	if err := chroot(t, root); err != nil {
		t.Exit()
		return nil, err
	}
	a.fds = []*fdEntry{
		{vfd: -1, r: a.stdin, base: RightsStdio &^ RightFdWrite},
		{vfd: -1, w: a.stdout, base: RightsStdio &^ RightFdRead},
		{vfd: -1, w: a.stderr, base: RightsStdio &^ RightFdRead},
	}
	pre := cfg.Preopens
	if pre == nil {
		pre = []string{"/"}
	}
	for i, p := range pre {
		vfd, err := t.Open(p, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
		if err != nil {
			a.Close()
			return nil, &PreopenError{Index: i, Path: p, Err: err}
		}
		a.fds = append(a.fds, &fdEntry{vfd: vfd, base: RightsDirBase, inh: RightsAll, preopen: p, isPreopen: true})
	}
	// From here on every path the guest names stays inside the
	// descriptor it is relative to (path.go).
	if err := t.SetResolve(vfs.RESOLVE_IN_ROOT); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// PreopenError is New's error for a preopen it could not open: which
// one (its index in Config.Preopens, and its path) and why (Err, the
// errno open(2) gave).
type PreopenError struct {
	Index int
	Path  string
	Err   error
}

func (e *PreopenError) Error() string { return "preopen " + e.Path + ": " + e.Err.Error() }
func (e *PreopenError) Unwrap() error { return e.Err }

// chroot makes root the task's root and working directory. Confining
// the guest is the host's act, as a container runtime's: a task without
// the capability chroots with root credentials for that one call.
func chroot(t *vfs.Task, root string) error {
	if err := t.Chdir(root); err != nil {
		return err
	}
	if root != "/" {
		err := t.Chroot(".")
		if vfs.ErrnoOf(err) == vfs.EPERM {
			cred := t.Cred()
			t.SetCred(vfs.RootCred)
			err = t.Chroot(".")
			t.SetCred(cred)
		}
		if err != nil {
			return err
		}
	}
	return t.Chdir("/")
}

// Task returns the guest's task (a fork of Config.Task).
func (a *ABI) Task() *vfs.Task { return a.task }

// Close releases every descriptor and the guest's task (exit_files).
func (a *ABI) Close() {
	a.fds = nil
	a.task.Exit()
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// ExitError is what proc_exit panics with: the host unwinds the guest and
// turns it into the exit code (host/wasihost: sys.ExitError).
type ExitError struct{ Code uint32 }

func (e *ExitError) Error() string {
	return "wasi: proc_exit(" + strconv.FormatInt(int64(e.Code), 10) + ")"
}

// fd returns the entry for a WASI descriptor, checking that it has every
// right in need: EBADF if there is no such descriptor, ENOTCAPABLE if a
// right is missing.
func (a *ABI) fd(fd int32, need Rights) (*fdEntry, Errno) {
	if fd < 0 || int(fd) >= len(a.fds) || a.fds[fd] == nil {
		return nil, EBADF
	}
	e := a.fds[fd]
	if e.base&need != need {
		return nil, ENOTCAPABLE
	}
	return e, ESUCCESS
}

// newEntry returns an entry for a VFS descriptor: a spare one if any.
func (a *ABI) newEntry(vfd int, base, inh Rights) *fdEntry {
	if n := len(a.spare); n > 0 {
		e := a.spare[n-1]
		a.spare = a.spare[:n-1]
		*e = fdEntry{vfd: vfd, base: base, inh: inh}
		return e
	}
	return &fdEntry{vfd: vfd, base: base, inh: inh}
}

// release keeps the entry of a descriptor closed or replaced (fd_close,
// fd_renumber) for newEntry; nothing may use e afterwards. Only entries
// of VFS descriptors are kept: a preopen's and a host stream's, made by
// New, are left to the collector.
func (a *ABI) release(e *fdEntry) {
	if e.isPreopen || e.r != nil || e.w != nil {
		return
	}
	if len(a.spare) < maxSpare {
		*e = fdEntry{}
		a.spare = append(a.spare, e)
	}
}

const maxSpare = 16

// install puts e at the lowest free WASI descriptor.
func (a *ABI) install(e *fdEntry) int32 {
	for i, x := range a.fds {
		if x == nil {
			a.fds[i] = e
			return int32(i)
		}
	}
	a.fds = append(a.fds, e)
	return int32(len(a.fds) - 1)
}

// readPath reads a guest path of n bytes, as a string in the ABI's
// arena (the VFS walks it and drops it). A NUL byte in it is EINVAL: a
// Linux path is a C string, and a Go program on Linux gets EINVAL for
// such a name before any system call.
func (a *ABI) readPath(m Memory, ptr, n uint32) (string, Errno) {
	b, errno := a.readCString(m, ptr, n)
	if errno != ESUCCESS {
		return "", errno
	}
	return a.paths.String(b), ESUCCESS
}

// readString is readPath for a string the VFS keeps (a symlink's
// target): an allocation of its own.
func (a *ABI) readString(m Memory, ptr, n uint32) (string, Errno) {
	b, errno := a.readCString(m, ptr, n)
	if errno != ESUCCESS {
		return "", errno
	}
	return string(b), ESUCCESS
}

// readCString reads a guest name as getname (fs/namei.c) does: at most
// PATH_MAX bytes are copied whatever length the guest gives, so a name
// of hundreds of MiB costs the host nothing. Errors, in order: EFAULT
// if any of the n bytes is outside memory, EINVAL for a NUL among the
// bytes read, ENAMETOOLONG if n >= PATH_MAX (getname's
// strncpy_from_user filling its PATH_MAX buffer).
func (a *ABI) readCString(m Memory, ptr, n uint32) ([]byte, Errno) {
	if !a.inRange(m, ptr, n) {
		return nil, EFAULT
	}
	b, ok := m.Read(ptr, min(n, vfs.PATH_MAX))
	if !ok {
		return nil, EFAULT
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return nil, EINVAL
	}
	if n >= vfs.PATH_MAX {
		return nil, ENAMETOOLONG
	}
	return b, ESUCCESS
}

// checkArgsEnv is New's check of the guest's argv and environment: C
// strings (no NUL), and environment entries of the form KEY=value.
func checkArgsEnv(args, env []string) error {
	for i, s := range args {
		if strings.IndexByte(s, 0) >= 0 {
			return fmt.Errorf("wasi: argument %d (%q) contains a NUL byte", i, s)
		}
	}
	for i, s := range env {
		if strings.IndexByte(s, 0) >= 0 {
			return fmt.Errorf("wasi: environment entry %d (%q) contains a NUL byte", i, s)
		}
		if !strings.Contains(s, "=") {
			return fmt.Errorf("wasi: environment entry %d (%q) is not of the form KEY=value", i, s)
		}
	}
	return nil
}
