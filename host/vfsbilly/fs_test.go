package vfsbilly_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/util"

	"github.com/vfscope/vfscope/host/vfsbilly"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// newVFS boots a VFS with lock validation on and checks, when the test
// ends, that the validator and the locking tables saw nothing wrong.
func newVFS(t *testing.T) (*vfs.VFS, *vfs.Task) {
	t.Helper()
	v, tk, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r := v.Validator().Reports(); len(r) != 0 {
			t.Errorf("lockdep reports: %v", r)
		}
		if lv := v.LockingViolations(); len(lv) != 0 {
			t.Errorf("locking violations: %v", lv)
		}
	})
	return v, tk
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func stat(t *testing.T, tk *vfs.Task, p string, follow bool) vfs.Stat {
	t.Helper()
	var st vfs.Stat
	if follow {
		must(t, tk.Stat(p, &st))
	} else {
		must(t, tk.Lstat(p, &st))
	}
	return st
}

// go-billy v5.9.2 has no ChangeSuite; these are its calls, checked
// against what the VFS records.
func TestChange(t *testing.T) {
	_, tk := newVFS(t)
	bfs := vfsbilly.New(tk, "/w")
	ch := bfs.(billy.Change)
	must(t, util.WriteFile(bfs, "f", []byte("x"), 0o644))
	must(t, bfs.Symlink("f", "l"))

	must(t, ch.Chmod("f", 0o640|os.ModeSetgid|os.ModeSticky))
	if st := stat(t, tk, "/w/f", true); st.Mode != vfs.S_IFREG|vfs.S_ISGID|vfs.S_ISVTX|0o640 {
		t.Errorf("chmod: mode %o", st.Mode)
	}
	fi, err := bfs.Stat("f")
	must(t, err)
	if fi.Mode() != 0o640|os.ModeSetgid|os.ModeSticky {
		t.Errorf("Stat mode %v", fi.Mode())
	}

	must(t, ch.Chown("l", 10, 20)) // follows the link
	if st := stat(t, tk, "/w/f", true); st.UID != 10 || st.GID != 20 {
		t.Errorf("chown: %d:%d", st.UID, st.GID)
	}
	must(t, ch.Lchown("l", 30, -1)) // the link itself; gid unchanged
	if st := stat(t, tk, "/w/l", false); st.UID != 30 || st.GID != 0 {
		t.Errorf("lchown link: %d:%d", st.UID, st.GID)
	}
	if st := stat(t, tk, "/w/f", true); st.UID != 10 || st.GID != 20 {
		t.Errorf("lchown touched the target: %d:%d", st.UID, st.GID)
	}

	at := time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC)
	mt := time.Date(2002, 3, 4, 5, 6, 7, 8, time.UTC)
	must(t, ch.Chtimes("l", at, mt))
	st := stat(t, tk, "/w/f", true)
	if st.Atime != at.UnixNano() || st.Mtime != mt.UnixNano() {
		t.Errorf("chtimes: %d %d", st.Atime, st.Mtime)
	}
	must(t, ch.Chtimes("f", time.Time{}, at)) // zero atime: unchanged
	st = stat(t, tk, "/w/f", true)
	if st.Atime != at.UnixNano() || st.Mtime != at.UnixNano() {
		t.Errorf("chtimes with zero atime: %d %d", st.Atime, st.Mtime)
	}
	fi, err = bfs.Stat("f")
	must(t, err)
	if !fi.ModTime().Equal(at) {
		t.Errorf("ModTime %v", fi.ModTime())
	}
	if s, ok := fi.Sys().(*vfs.Stat); !ok || s.Ino == 0 || s.Nlink != 1 {
		t.Errorf("Sys() = %#v", fi.Sys())
	}

	for _, err := range []error{
		ch.Chmod("missing", 0o644),
		ch.Chown("missing", 1, 1),
		ch.Lchown("missing", 1, 1),
		ch.Chtimes("missing", at, at),
	} {
		if !os.IsNotExist(err) {
			t.Errorf("on a missing file: %v", err)
		}
	}
}

// A task without privileges gets EACCES and EPERM as os.IsPermission,
// and the billy filesystem keeps the task's credentials even though its
// root is entered with chroot(2).
func TestPermissions(t *testing.T) {
	_, tk := newVFS(t)
	must(t, tk.Mkdir("/home", 0o755))
	must(t, tk.Mkdir("/home/u", 0o755))
	must(t, tk.Chown("/home/u", 1000, 1000))
	must(t, tk.Mkdir("/home/u/locked", 0o700))
	user := tk.Fork("user")
	user.SetCred(&vfs.Cred{UID: 1000, GID: 1000})

	bfs := vfsbilly.New(user, "/home/u")
	must(t, util.WriteFile(bfs, "mine", []byte("x"), 0o600))
	if st := stat(t, tk, "/home/u/mine", true); st.UID != 1000 || st.Mode&0o777 != 0o600 {
		t.Errorf("created as %d mode %o", st.UID, st.Mode)
	}
	_, err := bfs.Create("locked/f") // owned by root, 0700
	if !os.IsPermission(err) || !errors.Is(err, fs.ErrPermission) || vfsbilly.ErrnoOf(err) != vfs.EACCES {
		t.Errorf("create in a root-owned 0700 directory: %v", err)
	}
	if err := bfs.(billy.Change).Chown("mine", 0, 0); !os.IsPermission(err) || vfsbilly.ErrnoOf(err) != vfs.EPERM {
		t.Errorf("chown to root: %v", err)
	}
	// Chroot into a directory the user cannot search fails at first use.
	locked, err := bfs.Chroot("locked")
	must(t, err)
	if _, err := locked.Stat("x"); !os.IsPermission(err) {
		t.Errorf("stat in an unsearchable chroot: %v", err)
	}
	// So does a Chroot whose directory cannot be made, on a call naming
	// two paths too: one *os.LinkError with the errno inside.
	deep, err := bfs.Chroot("locked/sub")
	must(t, err)
	for name, err := range map[string]error{"symlink": deep.Symlink("x", "y"), "rename": deep.Rename("x", "y")} {
		var le *os.LinkError
		if !errors.As(err, &le) || !os.IsPermission(err) || vfsbilly.ErrnoOf(err) != vfs.EACCES {
			t.Errorf("%s in a chroot that cannot be made: %#v", name, err)
		}
	}
	// The root of another filesystem of the same user is still the
	// user's to read, as the fork keeps its credentials.
	if _, err := vfsbilly.New(user, "/").Stat("home/u/mine"); err != nil {
		t.Error(err)
	}
}

// Errors come back in the os package's shapes.
func TestErrors(t *testing.T) {
	_, tk := newVFS(t)
	bfs := vfsbilly.New(tk, "/w")
	must(t, util.WriteFile(bfs, "d/f", []byte("x"), 0o644))

	var pe *os.PathError
	_, err := bfs.Open("d/missing")
	if !errors.As(err, &pe) || pe.Op != "open" || pe.Path != "d/missing" || !os.IsNotExist(err) {
		t.Errorf("open missing: %#v", err)
	}
	if err := bfs.MkdirAll("d/f/g", 0o755); vfsbilly.ErrnoOf(err) != vfs.ENOTDIR {
		t.Errorf("MkdirAll through a file: %v", err)
	}
	var le *os.LinkError
	if err := bfs.Rename("nothing", "x"); !errors.As(err, &le) || !os.IsNotExist(err) {
		t.Errorf("rename missing: %#v", err)
	}
	if err := bfs.Symlink("f", "d/f"); !errors.As(err, &le) || !os.IsExist(err) {
		t.Errorf("symlink over a file: %#v", err)
	}
	if err := bfs.Remove("d"); !os.IsExist(err) || vfsbilly.ErrnoOf(err) != vfs.ENOTEMPTY {
		t.Errorf("remove a non-empty directory: %v", err)
	}
	if _, err := bfs.OpenFile("d/f", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644); !errors.Is(err, fs.ErrExist) {
		t.Errorf("O_EXCL on an existing file: %v", err)
	}
	if _, err := bfs.Readlink("d/f"); vfsbilly.ErrnoOf(err) != vfs.EINVAL {
		t.Errorf("readlink of a file: %v", err)
	}
	// Access mode 3 (O_WRONLY|O_RDWR) is open(2)'s: a descriptor that
	// neither reads nor writes, as osfs's on Linux.
	f3, err := bfs.OpenFile("d/f", os.O_WRONLY|os.O_RDWR, 0)
	must(t, err)
	if _, err := f3.Read(make([]byte, 1)); vfsbilly.ErrnoOf(err) != vfs.EBADF {
		t.Errorf("read with access mode 3: %v, want EBADF", err)
	}
	if _, err := f3.Write([]byte("y")); vfsbilly.ErrnoOf(err) != vfs.EBADF {
		t.Errorf("write with access mode 3: %v, want EBADF", err)
	}
	must(t, f3.Close())
	if _, err := bfs.Open("/../../etc"); err != billy.ErrCrossedBoundary {
		t.Errorf("climbing out: %v", err)
	}
	// The root itself is EBUSY, as rmdir(2) of a chrooted "/" (the
	// package doc's differences), for New's root and a Chroot's alike.
	sub, err := bfs.Chroot("d")
	must(t, err)
	for _, tc := range []struct {
		fs   billy.Filesystem
		name string
	}{{bfs, ""}, {bfs, "/"}, {bfs, "."}, {bfs, "d/.."}, {sub, ""}, {sub, "/"}} {
		var pe *os.PathError
		if err := tc.fs.Remove(tc.name); !errors.As(err, &pe) || pe.Op != "remove" || vfsbilly.ErrnoOf(err) != vfs.EBUSY {
			t.Errorf("Remove(%q) of the root: %#v, want remove: EBUSY", tc.name, err)
		}
	}

	f, err := bfs.Open("d/f")
	must(t, err)
	must(t, f.Close())
	for _, err := range []error{
		f.Close(),
		func() error { _, err := f.Read(make([]byte, 1)); return err }(),
		func() error { _, err := f.Seek(0, io.SeekStart); return err }(),
		f.Truncate(0),
	} {
		if !errors.Is(err, os.ErrClosed) {
			t.Errorf("after Close: %v", err)
		}
	}
}

func TestCapabilitiesAndLock(t *testing.T) {
	_, tk := newVFS(t)
	bfs := vfsbilly.New(tk, "/")
	want := billy.WriteCapability | billy.ReadCapability | billy.ReadAndWriteCapability |
		billy.SeekCapability | billy.TruncateCapability | billy.LockCapability
	if got := billy.Capabilities(bfs); got != want {
		t.Errorf("capabilities %b, want %b", got, want)
	}
	f1, err := bfs.Create("/tmp/f")
	must(t, err)
	f2, err := bfs.Open("/tmp/f")
	must(t, err)
	must(t, f1.Lock())
	// f2 waits for f1's lock; f1 stays usable meanwhile.
	locked := make(chan error, 1)
	go func() { locked <- f2.Lock() }()
	for i := 0; i < 20; i++ {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-locked:
		t.Fatalf("second Lock returned %v while the first was held", err)
	default:
	}
	if _, err := f1.Write([]byte("x")); err != nil {
		t.Fatalf("write while another file waits for the lock: %v", err)
	}
	must(t, f1.Unlock())
	must(t, <-locked)
	// Close releases the lock.
	must(t, f2.Close())
	must(t, f1.Lock())
	must(t, f1.Unlock())
	must(t, f1.Close())
	if err := f1.Lock(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Lock after Close: %v", err)
	}
}

// The root is a chroot: absolute symlinks resolve from it and ".."
// stops at it, whatever the VFS holds above.
func TestChrootConfinement(t *testing.T) {
	_, tk := newVFS(t)
	must(t, tk.Mkdir("/secret", 0o755))
	fd, err := tk.Creat("/secret/key", 0o644)
	must(t, err)
	tk.Write(fd, []byte("outside"))
	tk.Close(fd)

	bfs := vfsbilly.New(tk, "/jail")
	must(t, util.WriteFile(bfs, "secret/key", []byte("inside"), 0o644))
	must(t, bfs.Symlink("/secret/key", "abs"))
	must(t, bfs.Symlink("../../../secret/key", "dir/rel"))
	for _, name := range []string{"abs", "dir/rel", "/secret/key"} {
		b, err := util.ReadFile(bfs, name)
		if err != nil || string(b) != "inside" {
			t.Errorf("%s: %q %v", name, b, err)
		}
	}
	if got, _ := bfs.Readlink("abs"); got != "/secret/key" {
		t.Errorf("readlink %q", got)
	}
	if bfs.Root() != "/jail" {
		t.Errorf("Root %q", bfs.Root())
	}
	sub, err := bfs.Chroot("secret")
	must(t, err)
	if sub.Root() != "/jail/secret" {
		t.Errorf("Root %q", sub.Root())
	}
	b, err := util.ReadFile(sub, "/key")
	if err != nil || string(b) != "inside" {
		t.Errorf("chroot of chroot: %q %v", b, err)
	}
}

// Several goroutines may share one filesystem and its files: the mutex
// serialises them on the filesystem's task (run with -race).
func TestConcurrentUse(t *testing.T) {
	_, tk := newVFS(t)
	bfs := vfsbilly.New(tk, "/c")
	shared, err := bfs.Create("shared")
	must(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dir := fmt.Sprintf("g%d", g)
			sub, err := bfs.Chroot(dir)
			if err != nil {
				t.Error(err)
				return
			}
			for i := range 50 {
				name := fmt.Sprintf("%s/f%d", dir, i)
				if err := util.WriteFile(bfs, name, []byte(name), 0o644); err != nil {
					t.Error(err)
					return
				}
				if b, err := util.ReadFile(sub, fmt.Sprintf("f%d", i)); err != nil || string(b) != name {
					t.Errorf("%s: %q %v", name, b, err)
					return
				}
				if _, err := shared.Write([]byte{byte('a' + g)}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	fi, err := bfs.Stat("shared")
	must(t, err)
	if fi.Size() != 8*50 {
		t.Errorf("shared size %d", fi.Size())
	}
	must(t, shared.Close())
	ents, err := bfs.ReadDir("/")
	must(t, err)
	if len(ents) != 9 {
		t.Errorf("%d entries", len(ents))
	}
}
