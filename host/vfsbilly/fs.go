package vfsbilly

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/vfscope/vfscope/host/internal/taskpool"
	"github.com/vfscope/vfscope/vfs"
)

// FS is a billy.Filesystem (and billy.Change and billy.Capable) over a
// vfs.Task of its own.
type FS struct {
	// parent is the filesystem this one was made from by Chroot (or by
	// New for a root other than "/"); nil for a filesystem bound at
	// creation. Immutable. It keeps the parent alive for binding.
	parent *FS
	// sub is the root of this filesystem as an absolute path in the
	// parent's namespace. Immutable.
	sub string
	// root is what Root returns. Immutable.
	root string
	// s is the task and its mutex; shared with this filesystem's files.
	s *session
}

// session is a filesystem's binding to its root and the mutex that
// guards it (see the package doc: Concurrency).
type session struct {
	// mu protects cur, retired and their groups' free lists and
	// counts. An ordinary call holds it only to take a task and to give
	// it back, never across the call. It is held across a VFS call in
	// three places: binding (FS.lock: the chroot, and its parent's
	// lock, which comes after it), a file's close (closeIn: close(2),
	// which may be the file's last reference) and a group's exit.
	// Outside the VFS's lock model (taken before any VFS lock, never
	// inside one).
	mu sync.Mutex
	// cur is the group new calls run in; nil until bound (the root may
	// not exist yet), after the root it was bound to was removed, and
	// after the filesystem was collected. Protected by mu.
	cur *group
	// retired holds the groups cur was before a rebind (the root was
	// removed) that files opened in them still use; each exits when
	// its last such file is closed. Protected by mu.
	retired map[*group]bool
}

// group is one binding's tasks (taskpool): the pool's template
// ("vfsbilly" in /proc), chrooted at the root, holds the descriptor
// table of the files opened in the binding, and the calls run on tasks
// sharing it ("vfsbilly-call"). Protected by the session's mu.
type group struct {
	*taskpool.Pool
	// files counts files opened in the group and not yet closed.
	files int
}

func newGroup(t *vfs.Task) *group { return &group{Pool: taskpool.New(t, "vfsbilly-call")} }

// retireLocked drops cur after its root was removed: it exits now, or
// when the last file open in it is closed and the last call in it
// returns (closedLocked). Precondition: s.mu held.
func (s *session) retireLocked() {
	g := s.cur
	s.cur = nil
	if s.retired == nil {
		s.retired = make(map[*group]bool)
	}
	s.retired[g] = true
	s.closedLocked(g) // exits now if no file and no call is in it
}

// liveLocked says whether g, the group a file was opened in, has not
// exited. Precondition: s.mu held.
func (s *session) liveLocked(g *group) bool { return g == s.cur || s.retired[g] }

// closedLocked is called after a file's descriptor in g was closed or a
// call in g returned: a retired group exits with its last file and its
// last call (a call may still install a descriptor, an open, or hold
// one, a ReadDir). Precondition: s.mu held.
func (s *session) closedLocked(g *group) {
	if s.retired[g] && g.files == 0 && g.Busy() == 0 {
		delete(s.retired, g)
		g.Exit()
	}
}

// unlock gives back a task of g that a call ran on.
func (s *session) unlock(g *group, t *vfs.Task) {
	s.mu.Lock()
	g.Give(t)
	s.closedLocked(g)
	s.mu.Unlock()
}

var (
	_ billy.Filesystem = (*FS)(nil)
	_ billy.Change     = (*FS)(nil)
	_ billy.Capable    = (*FS)(nil)
)

// New returns the tree under root, as seen by t, as a billy.Filesystem.
// A relative root is taken from t's working directory. The filesystem
// gets a task of its own, spawned from t (so t's credentials, umask,
// root and descriptor limit apply, and t stays the caller's to drive),
// confined to root by chroot(2). The task starts clean (vfs.Task.Spawn):
// none of t's descriptors or mappings, so nothing of t's is touched.
// Its soft RLIMIT_NOFILE is raised to the hard one, as the Go runtime
// raises a Go program's. The root need not exist yet: the first call
// that creates something creates it, as osfs does with its base
// directory.
//
// New must be called from the goroutine that drives t.
func New(t *vfs.Task, root string) billy.Filesystem {
	if !path.IsAbs(root) {
		if cwd, err := t.Getcwd(); err == nil {
			root = path.Join(cwd, root)
		}
	}
	root = path.Clean("/" + root)
	base := newFS(nil, "/", "/", spawn(t))
	if root == "/" {
		return base
	}
	return newFS(base, root, root, nil)
}

func newFS(parent *FS, sub, root string, t *vfs.Task) *FS {
	f := &FS{parent: parent, sub: sub, root: root, s: &session{}}
	if t != nil {
		f.s.cur = newGroup(t)
	}
	// A filesystem nobody can reach any more lets its tasks exit, which
	// closes descriptors of files leaked without Close. Files hold their
	// filesystem, so this never runs under an open one.
	runtime.AddCleanup(f, func(s *session) {
		s.mu.Lock()
		if s.cur != nil {
			s.cur.Exit()
			s.cur = nil
		}
		for g := range s.retired {
			g.Exit()
		}
		s.retired = nil
		s.mu.Unlock()
	}, f.s)
	return f
}

// spawn makes a task for a filesystem from t: a clean one (no
// descriptors, no mappings), whose soft RLIMIT_NOFILE is raised to the
// hard one, as Go's os package raises a Go program's at start on Linux
// (so a filesystem holds as many open files as osfs in a Go program).
func spawn(t *vfs.Task) *vfs.Task {
	n := t.Spawn("vfsbilly")
	if lim, err := n.Getrlimit(vfs.RLIMIT_NOFILE); err == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		n.Setrlimit(vfs.RLIMIT_NOFILE, lim)
	}
	return n
}

// rootDead says whether the directory t is chrooted at was removed
// (IS_DEADDIR): every walk in it fails with ENOENT for good.
func rootDead(t *vfs.Task) bool {
	d := t.Root().Dentry
	if d == nil {
		return false
	}
	in := d.Inode()
	return in == nil || in.State()&vfs.S_DEAD != 0
}

// lock binds the filesystem if needed and returns a task for one call,
// and its group, which unlock takes back; create says the caller is
// about to create something, and may create the root. A filesystem
// whose root directory was removed binds again to whatever its root
// path names now (and fails with ENOENT while nothing does), as osfs
// resolves its base path at every call; files already open stay with
// the directory they were opened in.
func (f *FS) lock(create bool) (*vfs.Task, *group, error) {
	s := f.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.cur; g != nil {
		if f.parent == nil || !rootDead(g.Template()) {
			return g.Take(), g, nil
		}
		s.retireLocked()
	}
	if err := f.bindLocked(create); err != nil {
		return nil, nil, err
	}
	return s.cur.Take(), s.cur, nil
}

func (f *FS) unlock(t *vfs.Task, g *group) { f.s.unlock(g, t) }

// bindLocked makes this filesystem's group: its task spawned from the
// parent's (clean: none of the parent's descriptors, whose write errors
// a close would consume), chrooted at sub. The chroot is the adapter
// acting as a container runtime does: the parent's credentials must
// allow searching sub (checked by chdir), and CAP_SYS_CHROOT is lent for
// the one call.
//
// Preconditions: f.s.mu held; f.s.cur nil (so f.parent is not nil).
// Lock order: a filesystem's mutex before its parent's.
func (f *FS) bindLocked(create bool) error {
	p := f.parent
	if create {
		if err := p.MkdirAll(f.sub, 0o777); err != nil {
			return err
		}
	}
	pt, pg, err := p.lock(create)
	if err != nil {
		return err
	}
	defer p.unlock(pt, pg)
	n := spawn(pt)
	if err := n.Chdir(f.sub); err != nil {
		n.Exit()
		return err
	}
	cred := n.Cred()
	if cred.UID != 0 {
		n.SetCred(vfs.RootCred)
	}
	err = n.Chroot(".")
	n.SetCred(cred)
	if err == nil {
		err = n.Chdir("/")
	}
	if err != nil {
		n.Exit()
		return err
	}
	f.s.cur = newGroup(n)
	return nil
}

// crossesBoundary is go-billy's lexical test (helper/chroot): a name
// that, cleaned without its leading slashes, starts with "..".
func crossesBoundary(name string) bool {
	name = strings.TrimLeft(filepath.ToSlash(name), "/")
	name = path.Clean(name)
	return name == ".." || strings.HasPrefix(name, "../")
}

// abs turns a billy name into the absolute path the task walks, or
// billy.ErrCrossedBoundary. Names are cleaned lexically, as go-billy's
// Join and chroot helper do.
func abs(name string) (string, error) {
	if crossesBoundary(name) {
		return "", billy.ErrCrossedBoundary
	}
	return path.Join("/", filepath.ToSlash(name)), nil
}

// display is the name a File reports: the cleaned name without a
// leading slash, as memfs and the chroot helper report it.
func display(absPath string) string {
	if absPath == "/" {
		return "/"
	}
	return absPath[1:]
}

// Capabilities reports what the filesystem does: everything go-billy
// names, LockCapability included (File.Lock and File.Unlock are
// flock(2) locks).
func (f *FS) Capabilities() billy.Capability {
	return billy.WriteCapability | billy.ReadCapability |
		billy.ReadAndWriteCapability | billy.SeekCapability |
		billy.TruncateCapability | billy.LockCapability
}

// Root returns the root given to New or Chroot, as a path in the
// namespace of the task New was given.
func (f *FS) Root() string { return f.root }

// Join joins with "/": the tree is Linux's whatever the host.
func (f *FS) Join(elem ...string) string { return path.Join(elem...) }

// Create is OpenFile(name, O_RDWR|O_CREATE|O_TRUNC, 0666).
func (f *FS) Create(name string) (billy.File, error) {
	return f.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// Open is OpenFile(name, O_RDONLY, 0).
func (f *FS) Open(name string) (billy.File, error) {
	return f.OpenFile(name, os.O_RDONLY, 0)
}

// OpenFile is open(2). With O_CREATE the missing parent directories are
// made first (mode 0777 less the umask), as osfs does.
func (f *FS) OpenFile(name string, flag int, perm os.FileMode) (billy.File, error) {
	p, err := abs(name)
	if err != nil {
		return nil, err
	}
	create := flag&os.O_CREATE != 0
	t, g, err := f.lock(create)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	defer f.unlock(t, g)
	if create {
		if err := mkdirAll(t, path.Dir(p), 0o777); err != nil {
			return nil, pathErr("open", name, err)
		}
	}
	fd, err := t.Open(p, openFlags(flag), vfsMode(perm))
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	f.s.mu.Lock()
	g.files++
	f.s.mu.Unlock()
	return newFile(f, g, fd, display(p)), nil
}

// openFlags translates the os package's O_ flags, whose values depend on
// the platform, to Linux's: the access mode and every flag of
// hostOpenFlags, so O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_DSYNC and the
// rest act as open(2) makes them act. Flags open(2) does not know are
// ignored, as Linux ignores them.
func openFlags(flag int) int {
	var o int
	switch flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR) {
	case os.O_WRONLY:
		o = vfs.O_WRONLY
	case os.O_RDWR:
		o = vfs.O_RDWR
	case os.O_WRONLY | os.O_RDWR:
		// Linux's access mode 3: both permissions checked, and a
		// descriptor that neither reads nor writes (EBADF).
		o = vfs.O_ACCMODE
	default:
		o = vfs.O_RDONLY
	}
	for _, b := range hostOpenFlags {
		if flag&b.host == b.host {
			o |= b.vfs
		}
	}
	return o | vfs.O_CLOEXEC
}

// FileInfo is the os.FileInfo of a vfs.Stat. Sys returns the *vfs.Stat.
type FileInfo struct {
	name string
	st   vfs.Stat
}

// Name, Size, Mode, ModTime and IsDir are os.FileInfo's; Name is the
// last element of the name asked for (not of a symlink's target).
func (fi *FileInfo) Name() string       { return fi.name }
func (fi *FileInfo) Size() int64        { return fi.st.Size }
func (fi *FileInfo) Mode() os.FileMode  { return fileMode(fi.st.Mode) }
func (fi *FileInfo) ModTime() time.Time { return time.Unix(0, fi.st.Mtime) }
func (fi *FileInfo) IsDir() bool        { return vfs.IsDir(fi.st.Mode) }
func (fi *FileInfo) Sys() any           { return &fi.st }

// Stat is stat(2).
func (f *FS) Stat(name string) (os.FileInfo, error) { return f.stat("stat", name, true) }

// Lstat is lstat(2).
func (f *FS) Lstat(name string) (os.FileInfo, error) { return f.stat("lstat", name, false) }

func (f *FS) stat(op, name string, follow bool) (os.FileInfo, error) {
	p, err := abs(name)
	if err != nil {
		return nil, err
	}
	t, g, err := f.lock(false)
	if err != nil {
		return nil, pathErr(op, name, err)
	}
	defer f.unlock(t, g)
	fi := &FileInfo{name: path.Base(p)}
	if follow {
		err = t.Stat(p, &fi.st)
	} else {
		err = t.Lstat(p, &fi.st)
	}
	if err != nil {
		return nil, pathErr(op, name, err)
	}
	return fi, nil
}

// Rename is os.Rename, as osfs's is: rename(2), after making newpath's
// missing parents, except that an existing directory at newpath is never
// replaced: EEXIST (unless it is oldpath itself under another name), or
// oldpath's own error if oldpath does not exist, as os.Rename checks
// with lstat first (os/file_unix.go). billy.Basic's Rename promises
// only to replace a newpath that is not a directory.
func (f *FS) Rename(oldpath, newpath string) error {
	op, err := abs(oldpath)
	if err != nil {
		return err
	}
	np, err := abs(newpath)
	if err != nil {
		return err
	}
	t, g, err := f.lock(false)
	if err != nil {
		return linkErr("rename", oldpath, newpath, err)
	}
	defer f.unlock(t, g)
	var nst, ost vfs.Stat
	if t.Lstat(np, &nst) == nil && vfs.IsDir(nst.Mode) {
		if err := t.Lstat(op, &ost); err != nil {
			return linkErr("rename", oldpath, newpath, err)
		}
		if op == np || ost.Dev != nst.Dev || ost.Ino != nst.Ino {
			return linkErr("rename", oldpath, newpath, vfs.EEXIST)
		}
	}
	if err := mkdirAll(t, path.Dir(np), 0o777); err != nil {
		return linkErr("rename", oldpath, newpath, err)
	}
	return linkErr("rename", oldpath, newpath, t.Rename(op, np))
}

// Remove is os.Remove: unlink(2), or rmdir(2) for a directory.
func (f *FS) Remove(name string) error {
	p, err := abs(name)
	if err != nil {
		return err
	}
	t, g, err := f.lock(false)
	if err != nil {
		return pathErr("remove", name, err)
	}
	defer f.unlock(t, g)
	err = t.Unlink(p)
	if err == vfs.EISDIR {
		err = t.Rmdir(p)
	}
	return pathErr("remove", name, err)
}

// TempFile creates a file named prefix followed by a random number in
// dir (made if missing), opened O_RDWR|O_CREATE|O_EXCL with mode 0600.
// An empty dir means /tmp when the root is "/", else ".tmp", as
// go-billy's util.TempFile chooses. A prefix holding a "/" (or the
// host's own separator, which names become "/" at) is refused before
// anything is made, as os.CreateTemp (osfs's TempFile) refuses it: the
// file would be made in a directory below dir.
func (f *FS) TempFile(dir, prefix string) (billy.File, error) {
	for i := 0; i < len(prefix); i++ {
		if prefix[i] == '/' || os.IsPathSeparator(prefix[i]) {
			return nil, &os.PathError{Op: "createtemp", Path: prefix, Err: errPatternHasSeparator}
		}
	}
	if dir == "" {
		dir = ".tmp"
		if f.root == "/" {
			dir = "/tmp"
		}
	}
	if _, err := abs(dir); err != nil {
		return nil, err
	}
	for range 10000 {
		name := path.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		file, err := f.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return file, err
	}
	return nil, &os.PathError{Op: "createtemp", Path: path.Join(dir, prefix+"*"), Err: fs.ErrExist}
}

// errPatternHasSeparator is the error os.CreateTemp gives a pattern
// holding a path separator, in an *os.PathError of Op "createtemp".
var errPatternHasSeparator = errors.New("pattern contains path separator")

// ReadDir lists a directory (following a symlink to it), sorted by name,
// without "." and "..". Each entry is lstat(2)ed, as os.ReadDir's Info
// does; an entry removed meanwhile is left out.
func (f *FS) ReadDir(name string) ([]os.FileInfo, error) {
	p, err := abs(name)
	if err != nil {
		return nil, err
	}
	t, g, err := f.lock(false)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	defer f.unlock(t, g)
	fd, err := t.Open(p, vfs.O_RDONLY|vfs.O_DIRECTORY|vfs.O_CLOEXEC, 0)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	var names []string
	for {
		ents, err := t.Getdents(fd, 8192)
		if err != nil {
			t.Close(fd)
			return nil, pathErr("readdirent", name, err)
		}
		if len(ents) == 0 {
			break
		}
		for _, e := range ents {
			if e.Name != "." && e.Name != ".." {
				names = append(names, e.Name)
			}
		}
	}
	t.Close(fd)
	sort.Strings(names)
	out := make([]os.FileInfo, 0, len(names))
	for _, n := range names {
		fi := &FileInfo{name: n}
		if err := t.Lstat(path.Join(p, n), &fi.st); err != nil {
			if err == vfs.ENOENT {
				continue
			}
			return nil, pathErr("lstat", path.Join(name, n), err)
		}
		out = append(out, fi)
	}
	return out, nil
}

// MkdirAll is os.MkdirAll: mkdir(2) for each missing directory, with
// mode perm less the umask; nothing if name is already a directory;
// ENOTDIR if something else is there.
func (f *FS) MkdirAll(name string, perm os.FileMode) error {
	p, err := abs(name)
	if err != nil {
		return err
	}
	t, g, err := f.lock(true)
	if err != nil {
		return pathErr("mkdir", name, err)
	}
	defer f.unlock(t, g)
	return pathErr("mkdir", name, mkdirAll(t, p, vfsMode(perm)))
}

// mkdirAll is os.MkdirAll on an absolute, clean path.
func mkdirAll(t *vfs.Task, p string, mode uint32) error {
	var st vfs.Stat
	if err := t.Stat(p, &st); err == nil {
		if vfs.IsDir(st.Mode) {
			return nil
		}
		return vfs.ENOTDIR
	}
	if parent := path.Dir(p); parent != p {
		if err := mkdirAll(t, parent, mode); err != nil {
			return err
		}
	}
	err := t.Mkdir(p, mode)
	if err != nil {
		// Made meanwhile, or a symlink to a directory: fine.
		if t.Stat(p, &st) == nil && vfs.IsDir(st.Mode) {
			return nil
		}
	}
	return err
}

// Symlink is symlink(2), after making link's missing parents, as osfs
// does. The target is stored as given: an absolute one is resolved from
// this filesystem's root, since its task is chrooted there.
func (f *FS) Symlink(target, link string) error {
	p, err := abs(link)
	if err != nil {
		return err
	}
	t, g, err := f.lock(true)
	if err != nil {
		return linkErr("symlink", target, link, err)
	}
	defer f.unlock(t, g)
	if err := mkdirAll(t, path.Dir(p), 0o777); err != nil {
		return linkErr("symlink", target, link, err)
	}
	return linkErr("symlink", target, link, t.Symlink(target, p))
}

// Readlink is readlink(2).
func (f *FS) Readlink(link string) (string, error) {
	p, err := abs(link)
	if err != nil {
		return "", err
	}
	t, g, err := f.lock(false)
	if err != nil {
		return "", pathErr("readlink", link, err)
	}
	defer f.unlock(t, g)
	s, err := t.Readlink(p)
	if err != nil {
		return "", pathErr("readlink", link, err)
	}
	return s, nil
}

// Chroot returns the tree under name as a filesystem with a task of its
// own, chrooted there. name need not exist yet (see New).
func (f *FS) Chroot(name string) (billy.Filesystem, error) {
	p, err := abs(name)
	if err != nil {
		return nil, err
	}
	if p == "/" {
		return f, nil
	}
	return newFS(f, p, path.Join(f.root, p), nil), nil
}

// Chmod is chmod(2): permission bits, set-user-ID, set-group-ID and
// sticky.
func (f *FS) Chmod(name string, mode os.FileMode) error {
	return f.pathOp("chmod", name, func(t *vfs.Task, p string) error {
		return t.Chmod(p, vfsMode(mode))
	})
}

// Lchown is lchown(2); -1 leaves an id unchanged.
func (f *FS) Lchown(name string, uid, gid int) error {
	return f.pathOp("lchown", name, func(t *vfs.Task, p string) error {
		return t.Lchown(p, id(uid), id(gid))
	})
}

// Chown is chown(2); -1 leaves an id unchanged.
func (f *FS) Chown(name string, uid, gid int) error {
	return f.pathOp("chown", name, func(t *vfs.Task, p string) error {
		return t.Chown(p, id(uid), id(gid))
	})
}

func id(v int) uint32 {
	if v == -1 {
		return vfs.NoID
	}
	return uint32(v)
}

// Chtimes is utimensat(2) following symlinks; a zero time leaves that
// time unchanged (UTIME_OMIT), as os.Chtimes does.
func (f *FS) Chtimes(name string, atime, mtime time.Time) error {
	ts := func(t time.Time) vfs.Timespec {
		if t.IsZero() {
			return vfs.Timespec{Nsec: vfs.UTIME_OMIT}
		}
		return vfs.Timespec{Sec: t.Unix(), Nsec: int64(t.Nanosecond())}
	}
	times := [2]vfs.Timespec{ts(atime), ts(mtime)}
	return f.pathOp("chtimes", name, func(t *vfs.Task, p string) error {
		return t.Utimensat(vfs.AT_FDCWD, p, &times, 0)
	})
}

// pathOp runs one call on one path under the session.
func (f *FS) pathOp(op, name string, call func(t *vfs.Task, p string) error) error {
	p, err := abs(name)
	if err != nil {
		return err
	}
	t, g, err := f.lock(false)
	if err != nil {
		return pathErr(op, name, err)
	}
	defer f.unlock(t, g)
	return pathErr(op, name, call(t, p))
}

// vfsMode is the permission and special bits of an os.FileMode.
func vfsMode(m os.FileMode) uint32 { return vfs.StMode(m) & vfs.S_IALLUGO }

// fileMode is the os package's fillFileStatFromSys on Linux.
func fileMode(m uint32) os.FileMode { return vfs.FileMode(m) }
