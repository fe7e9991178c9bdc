package hostfs

import (
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/go-git/go-billy/v5"
)

// Dir is a billy.Filesystem over a host directory, confined to it by
// os.Root: every path, with every symlink met on the way, is resolved by
// the host kernel beneath the directory (openat2 with RESOLVE_BENEATH on
// Linux, an O_NOFOLLOW walk elsewhere), so neither ".." nor a symlink
// (absolute, or relative and climbing) reaches outside it, even when the
// tree changes while a call runs. A name that would escape fails with
// os.Root's "path escapes from parent" (EXDEV through hostfs's errno).
//
// It is what `vfscope run --mount host:SRC:DST` mounts, rather than
// go-billy's osfs.New(SRC, osfs.WithBoundOS()): BoundOS confines too (it
// resolves names with filepath-securejoin inside the base), but it
// resolves the last component of Remove, Rename and Chmod as well, so
// unlink(2) of a symlink removed the file the link points to and left the
// link; it checks then opens (a tree changed in between is followed); and
// it has neither Chown nor Chtimes nor hard links. Dir has the Linux
// meaning: Remove and Rename act on the name itself, Lstat and Readlink do
// not follow, and it adds Mkdir (exclusive) and Link.
//
// Paths are slash-separated and relative to the directory; a leading "/"
// is ignored, as go-billy's stores do.
type Dir struct {
	root *os.Root
}

// OpenDir opens the host directory dir as a store. dir must be an
// absolute path (EINVAL otherwise): "" named the process's working
// directory, and a relative name depended on it.
func OpenDir(dir string) (*Dir, error) {
	if !filepath.IsAbs(dir) {
		return nil, &fs.PathError{Op: "openroot", Path: dir, Err: syscall.EINVAL}
	}
	abs := filepath.Clean(dir)
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, &fs.PathError{Op: "openroot", Path: dir, Err: syscall.ENOTDIR}
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		return nil, err
	}
	return &Dir{root: r}, nil
}

// withRootFd calls fn with a descriptor of the store's directory itself,
// opened through the os.Root: the directory OpenDir opened, wherever
// its name leads now.
func (d *Dir) withRootFd(fn func(fd int) error) error {
	f, err := d.root.Open(".")
	if err != nil {
		return err
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// Close releases the directory.
func (d *Dir) Close() error { return d.root.Close() }

func rel(name string) string {
	name = strings.TrimLeft(filepath.ToSlash(name), "/")
	if name == "" {
		return "."
	}
	return path.Clean(name)
}

// dirFile is a billy.File over an *os.File. It adds WriteAt, Stat and
// Sync (os.File's), which hostfs uses when a store's files have them.
type dirFile struct {
	*os.File
	name string
}

func (f *dirFile) Name() string { return f.name }

// Lock and Unlock: Dir declares no LockCapability (no flock without
// golang.org/x/sys); hostfs does not lock host files.
func (f *dirFile) Lock() error   { return billy.ErrNotSupported }
func (f *dirFile) Unlock() error { return billy.ErrNotSupported }

func (d *Dir) Create(name string) (billy.File, error) {
	return d.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

func (d *Dir) Open(name string) (billy.File, error) { return d.OpenFile(name, os.O_RDONLY, 0) }

func (d *Dir) OpenFile(name string, flag int, perm os.FileMode) (billy.File, error) {
	f, err := d.root.OpenFile(rel(name), flag, perm)
	if err != nil {
		return nil, err
	}
	return &dirFile{File: f, name: name}, nil
}

func (d *Dir) Stat(name string) (os.FileInfo, error)  { return d.root.Stat(rel(name)) }
func (d *Dir) Lstat(name string) (os.FileInfo, error) { return d.root.Lstat(rel(name)) }
func (d *Dir) Remove(name string) error               { return d.root.Remove(rel(name)) }
func (d *Dir) Join(elem ...string) string             { return path.Join(elem...) }
func (d *Dir) Link(oldname, newname string) error {
	return d.root.Link(rel(oldname), rel(newname))
}
func (d *Dir) Mkdir(name string, perm os.FileMode) error { return d.root.Mkdir(rel(name), perm) }
func (d *Dir) MkdirAll(name string, perm os.FileMode) error {
	return d.root.MkdirAll(rel(name), perm)
}
func (d *Dir) Symlink(target, link string) error    { return d.root.Symlink(target, rel(link)) }
func (d *Dir) Readlink(link string) (string, error) { return d.root.Readlink(rel(link)) }
func (d *Dir) Chmod(name string, mode os.FileMode) error {
	return d.root.Chmod(rel(name), mode)
}
func (d *Dir) Lchown(name string, uid, gid int) error { return d.root.Lchown(rel(name), uid, gid) }
func (d *Dir) Chown(name string, uid, gid int) error  { return d.root.Chown(rel(name), uid, gid) }
func (d *Dir) Chtimes(name string, atime, mtime time.Time) error {
	return d.root.Chtimes(rel(name), atime, mtime)
}

// ReadDir lists a directory, sorted by name, each entry as Lstat sees it.
func (d *Dir) ReadDir(name string) ([]os.FileInfo, error) {
	f, err := d.root.Open(rel(name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fis, err := f.Readdir(-1)
	if err != nil {
		return nil, err
	}
	sort.Slice(fis, func(i, j int) bool { return fis[i].Name() < fis[j].Name() })
	return fis, nil
}

// TempFile creates a new file named prefix followed by random characters
// in dir (which must be inside the directory; "" is its top).
func (d *Dir) TempFile(dir, prefix string) (billy.File, error) {
	for range 100 {
		var b [6]byte
		rand.Read(b[:])
		name := path.Join(rel(dir), prefix+hex.EncodeToString(b[:]))
		f, err := d.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil || !os.IsExist(err) {
			return f, err
		}
	}
	return nil, &fs.PathError{Op: "tempfile", Path: dir, Err: fs.ErrExist}
}

// Chroot returns the store of a directory inside this one, confined to it.
func (d *Dir) Chroot(name string) (billy.Filesystem, error) {
	r, err := d.root.OpenRoot(rel(name))
	if err != nil {
		return nil, err
	}
	return &Dir{root: r}, nil
}

// Root returns the host directory's name.
func (d *Dir) Root() string { return d.root.Name() }

// Capabilities: everything but file locking.
func (d *Dir) Capabilities() billy.Capability {
	return billy.DefaultCapabilities &^ billy.LockCapability
}

var (
	_ billy.Filesystem = (*Dir)(nil)
	_ billy.Change     = (*Dir)(nil)
	_ billy.Capable    = (*Dir)(nil)
	_ linker           = (*Dir)(nil)
	_ mkdirer          = (*Dir)(nil)
)
