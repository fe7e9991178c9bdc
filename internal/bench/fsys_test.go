package bench

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/spf13/afero"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// fsys is the little each workload needs from a filesystem. Paths are
// absolute ("/a/b"); abs turns them into what the implementation takes,
// and is called outside the timed loops so that no peer pays for string
// building there. One fsys is driven by one goroutine; fork gives another
// goroutine its own handle (a forked Task for vfscope, the same value for
// the peers, which are safe for concurrent use).
type fsys interface {
	abs(p string) string
	mkdir(p string) error
	stat(p string) error
	// create makes an empty file.
	create(p string) error
	// createWrite is open(O_CREAT|O_WRONLY|O_TRUNC), one write, close.
	createWrite(p string, data []byte) error
	rename(from, to string) error
	unlink(p string) error
	// readdir lists a whole directory and returns the number of entries
	// it saw ("." and ".." included where the implementation reports
	// them).
	readdir(p string) (int, error)
	fork() fsys
	// exit releases what fork made (a no-op for the peers).
	exit()
	// close discards the filesystem.
	close()
}

// peer is one implementation under test: its name, as the sub-benchmark
// is named, and a constructor for a fresh, empty filesystem.
type peer struct {
	name string
	new  func(b *testing.B) fsys
}

const (
	vfscopeName = "vfscope"
	memfsName   = "memfs"
	aferoName   = "afero"
	osName      = "os-tmpfs"
)

// peers lists vfscope first: ratios are computed against it.
var peers = []peer{
	{vfscopeName, func(b *testing.B) fsys { return newVfscope(b, vfs.Options{}) }},
	{memfsName, func(b *testing.B) fsys { return &memfsFS{fs: memfs.New()} }},
	{aferoName, func(b *testing.B) fsys { return &aferoFS{fs: afero.NewMemMapFs()} }},
	{osName, newOSFS},
}

// runPeers runs body once per peer as sub-benchmarks named after them
// and records each one's final ns/op under workload/peer.
func runPeers(b *testing.B, workload string, body func(b *testing.B, p peer)) {
	for _, p := range peers {
		b.Run(p.name, func(b *testing.B) {
			body(b, p)
			record(b, workload, p.name)
		})
	}
}

// ---- vfscope ----

type vfscopeFS struct {
	v *vfs.VFS
	t *vfs.Task
	// st is written by every stat: padded so that the handles of two
	// goroutines never share a cache line (false sharing would be the
	// benchmark's cost, not vfscope's).
	_  [64]byte
	st vfs.Stat
	_  [64]byte
}

func newVfscope(b *testing.B, opts vfs.Options) *vfscopeFS {
	v, t, err := boot.New(opts)
	if err != nil {
		b.Fatalf("boot.New: %v", err)
	}
	if v.Validator() != nil && !opts.Lockdep {
		lockdepLeaked.Store(true)
	}
	return &vfscopeFS{v: v, t: t}
}

func (f *vfscopeFS) abs(p string) string { return p }
func (f *vfscopeFS) mkdir(p string) error {
	return f.t.Mkdir(p, 0o755)
}
func (f *vfscopeFS) stat(p string) error { return f.t.Stat(p, &f.st) }
func (f *vfscopeFS) create(p string) error {
	fd, err := f.t.Open(p, vfs.O_CREAT|vfs.O_WRONLY|vfs.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	return f.t.Close(fd)
}
func (f *vfscopeFS) createWrite(p string, data []byte) error {
	fd, err := f.t.Open(p, vfs.O_CREAT|vfs.O_WRONLY|vfs.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.t.Write(fd, data); err != nil {
		f.t.Close(fd)
		return err
	}
	return f.t.Close(fd)
}
func (f *vfscopeFS) rename(from, to string) error { return f.t.Rename(from, to) }
func (f *vfscopeFS) unlink(p string) error        { return f.t.Unlink(p) }

// readdirBuf is the getdents64 buffer size of the readdir workload.
const readdirBuf = 32 << 10

func (f *vfscopeFS) readdir(p string) (int, error) {
	fd, err := f.t.Open(p, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		ents, err := f.t.Getdents(fd, readdirBuf)
		if err != nil {
			f.t.Close(fd)
			return n, err
		}
		if len(ents) == 0 {
			break
		}
		n += len(ents)
	}
	return n, f.t.Close(fd)
}
func (f *vfscopeFS) fork() fsys { return &vfscopeFS{v: f.v, t: f.t.Fork("bench")} }
func (f *vfscopeFS) exit()      { f.t.Exit() }

// close gives the VFS up as an application does (the bridge's vfsClose):
// the task exits and put_mnt_ns kills the superblocks, so their pages go
// back to the process's pool, where the next VFS's new folios find them,
// as Linux's freed pages go back to its page allocator.
func (f *vfscopeFS) close() {
	f.t.Exit()
	f.v.PutMntNS()
	f.v.Shutdown()
}

// ---- go-billy memfs ----

type memfsFS struct{ fs billy.Filesystem }

func (f *memfsFS) abs(p string) string { return p }
func (f *memfsFS) mkdir(p string) error {
	return f.fs.MkdirAll(p, 0o755)
}
func (f *memfsFS) stat(p string) error { _, err := f.fs.Stat(p); return err }
func (f *memfsFS) create(p string) error {
	h, err := f.fs.Create(p)
	if err != nil {
		return err
	}
	return h.Close()
}
func (f *memfsFS) createWrite(p string, data []byte) error {
	h, err := f.fs.Create(p)
	if err != nil {
		return err
	}
	if _, err := h.Write(data); err != nil {
		h.Close()
		return err
	}
	return h.Close()
}
func (f *memfsFS) rename(from, to string) error { return f.fs.Rename(from, to) }
func (f *memfsFS) unlink(p string) error        { return f.fs.Remove(p) }
func (f *memfsFS) readdir(p string) (int, error) {
	ents, err := f.fs.ReadDir(p)
	return len(ents), err
}
func (f *memfsFS) fork() fsys { return f }
func (f *memfsFS) exit()      {}
func (f *memfsFS) close()     {}

// ---- afero MemMapFs ----

type aferoFS struct{ fs afero.Fs }

func (f *aferoFS) abs(p string) string { return p }
func (f *aferoFS) mkdir(p string) error {
	return f.fs.Mkdir(p, 0o755)
}
func (f *aferoFS) stat(p string) error { _, err := f.fs.Stat(p); return err }
func (f *aferoFS) create(p string) error {
	h, err := f.fs.Create(p)
	if err != nil {
		return err
	}
	return h.Close()
}
func (f *aferoFS) createWrite(p string, data []byte) error {
	h, err := f.fs.Create(p)
	if err != nil {
		return err
	}
	if _, err := h.Write(data); err != nil {
		h.Close()
		return err
	}
	return h.Close()
}
func (f *aferoFS) rename(from, to string) error { return f.fs.Rename(from, to) }
func (f *aferoFS) unlink(p string) error        { return f.fs.Remove(p) }
func (f *aferoFS) readdir(p string) (int, error) {
	h, err := f.fs.Open(p)
	if err != nil {
		return 0, err
	}
	names, err := h.Readdirnames(-1)
	h.Close()
	return len(names), err
}
func (f *aferoFS) fork() fsys { return f }
func (f *aferoFS) exit()      {}
func (f *aferoFS) close()     {}

// ---- os on the host's tmpfs ----

// shmRoot is the directory under /dev/shm that holds the os peer's
// trees, or "" (with shmSkip saying why) when there is none.
var shmRoot, shmSkip string

type osFS struct{ root string }

func newOSFS(b *testing.B) fsys {
	if shmRoot == "" {
		b.Skip("os-tmpfs peer skipped: " + shmSkip)
	}
	d, err := os.MkdirTemp(shmRoot, "t")
	if err != nil {
		b.Fatal(err)
	}
	return &osFS{root: d}
}

func (f *osFS) abs(p string) string { return filepath.Join(f.root, p) }
func (f *osFS) mkdir(p string) error {
	return os.Mkdir(p, 0o755)
}
func (f *osFS) stat(p string) error { _, err := os.Stat(p); return err }
func (f *osFS) create(p string) error {
	h, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	return h.Close()
}
func (f *osFS) createWrite(p string, data []byte) error {
	h, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := h.Write(data); err != nil {
		h.Close()
		return err
	}
	return h.Close()
}
func (f *osFS) rename(from, to string) error { return os.Rename(from, to) }
func (f *osFS) unlink(p string) error        { return os.Remove(p) }

// readdir lists through the os package as Go programs do: os.File's
// Readdirnames calls getdents64 with its own 8 KiB buffer.
func (f *osFS) readdir(p string) (int, error) {
	h, err := os.Open(p)
	if err != nil {
		return 0, err
	}
	names, err := h.Readdirnames(-1)
	h.Close()
	return len(names), err
}
func (f *osFS) fork() fsys { return f }
func (f *osFS) exit()      {}
func (f *osFS) close() {
	if err := os.RemoveAll(f.root); err != nil && !errors.Is(err, os.ErrNotExist) {
		panic(err)
	}
}
