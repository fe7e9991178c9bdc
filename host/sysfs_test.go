package host

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// testVFS boots a VFS with the lock validator on and checks, when the
// test ends, that it reported nothing and no filesystem method was
// called with the wrong locks.
func testVFS(t *testing.T) (*vfs.VFS, *vfs.Task) {
	t.Helper()
	v, task, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { requireClean(t, v) })
	return v, task
}

func requireClean(t *testing.T, v *vfs.VFS) {
	t.Helper()
	val := v.Validator()
	if val == nil {
		t.Error("lock validator is off")
		return
	}
	for _, r := range val.Reports() {
		t.Errorf("lockdep report:\n%s", r)
	}
	for _, s := range v.LockingViolations() {
		t.Errorf("locking violation: %s", s)
	}
}

// fixture is wazero's internal/fstest tree (the files its sysfs tests
// expect), plus the "-link" symlinks its Lstat test expects.
var fixture = []struct {
	name   string
	mode   uint32 // with S_IFDIR for directories, S_IFLNK for symlinks
	data   string // file content or symlink target
	mtimeS int64
}{
	{"empty.txt", vfs.S_IFREG | 0o600, "", 1577836800},
	{"emptydir", vfs.S_IFDIR | 0o755, "", 1577836800},
	{"animals.txt", vfs.S_IFREG | 0o644, "bear\ncat\nshark\ndinosaur\nhuman\n", 1667482413},
	{"sub", vfs.S_IFDIR | 0o755, "", 0},
	{"sub/test.txt", vfs.S_IFREG | 0o444, "greet sub dir\n", 1672531200},
	{"dir", vfs.S_IFDIR | 0o755, "", 1577836800},
	{"dir/-", vfs.S_IFREG | 0o400, "", 1577836800},
	{"dir/a-", vfs.S_IFDIR | 0o755, "", 1577836800},
	{"dir/ab-", vfs.S_IFREG | 0o400, "", 1577836800},
	{"animals.txt-link", vfs.S_IFLNK, "animals.txt", 0},
	{"sub-link", vfs.S_IFLNK, "sub", 0},
	{"sub-link-link", vfs.S_IFLNK, "sub-link", 0},
}

// newFixtureFS writes fixture under /srv and returns a SysFS rooted
// there (closed when the test ends).
func newFixtureFS(t *testing.T) (*vfs.VFS, *vfs.Task, *SysFS) {
	t.Helper()
	v, task := testVFS(t)
	must(t, task.Mkdir("/srv", 0o755))
	for _, f := range fixture {
		p := "/srv/" + f.name
		switch f.mode & vfs.S_IFMT {
		case vfs.S_IFDIR:
			must(t, task.Mkdir(p, f.mode&0o7777))
		case vfs.S_IFLNK:
			must(t, task.Symlink(f.data, p))
		default:
			writeFile(t, task, p, f.data, f.mode&0o7777)
		}
		if f.mtimeS != 0 {
			ts := vfs.Timespec{Sec: f.mtimeS}
			must(t, task.Utimensat(vfs.AT_FDCWD, p, &[2]vfs.Timespec{ts, ts}, 0))
		}
	}
	s := NewSysFS(task, "/srv")
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return v, task, s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, task *vfs.Task, path, data string, mode uint32) {
	t.Helper()
	fd, err := task.Open(path, vfs.O_CREAT|vfs.O_WRONLY|vfs.O_TRUNC, mode)
	must(t, err)
	if _, err := task.Write(fd, []byte(data)); err != nil {
		t.Fatal(err)
	}
	must(t, task.Close(fd))
}

func readFile(t *testing.T, task *vfs.Task, path string) string {
	t.Helper()
	fd, err := task.Open(path, vfs.O_RDONLY, 0)
	must(t, err)
	defer task.Close(fd)
	var b []byte
	buf := make([]byte, 4096)
	for {
		n, err := task.Read(fd, buf)
		must(t, err)
		if n == 0 {
			return string(b)
		}
		b = append(b, buf[:n]...)
	}
}

func requireErrno(t *testing.T, want, got experimentalsys.Errno, what string) {
	t.Helper()
	if got != want {
		t.Errorf("%s: errno %v (%s), want %v (%s)", what, got, sysNames[got], want, sysNames[want])
	}
}

func open(t *testing.T, s *SysFS, path string, flag experimentalsys.Oflag, perm fs.FileMode) experimentalsys.File {
	t.Helper()
	f, errno := s.OpenFile(path, flag, perm)
	if errno != 0 {
		t.Fatalf("OpenFile(%q): %v", path, errno)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestSysFSConformanceOpenRead is wazero's testOpen_Read
// (internal/sysfs/sysfs_test.go) on the VFS.
func TestSysFSConformanceOpenRead(t *testing.T) {
	_, _, s := newFixtureFS(t)

	_, errno := s.OpenFile("nope", experimentalsys.O_RDONLY, 0)
	requireErrno(t, experimentalsys.ENOENT, errno, "doesn't exist")

	t.Run("readdir . opens root", func(t *testing.T) {
		f := open(t, s, ".", experimentalsys.O_RDONLY, 0)
		got := readdirAll(t, f)
		want := []experimentalsys.Dirent{
			{Name: "animals.txt", Type: 0},
			{Name: "animals.txt-link", Type: fs.ModeSymlink},
			{Name: "dir", Type: fs.ModeDir},
			{Name: "empty.txt", Type: 0},
			{Name: "emptydir", Type: fs.ModeDir},
			{Name: "sub", Type: fs.ModeDir},
			{Name: "sub-link", Type: fs.ModeSymlink},
			{Name: "sub-link-link", Type: fs.ModeSymlink},
		}
		requireDirents(t, want, got)
	})
	t.Run("readdir empty", func(t *testing.T) {
		f := open(t, s, "emptydir", experimentalsys.O_RDONLY, 0)
		if got := readdirAll(t, f); len(got) != 0 {
			t.Errorf("entries %v", got)
		}
	})
	t.Run("readdir partial", func(t *testing.T) {
		f := open(t, s, "dir", experimentalsys.O_RDONLY, 0)
		var got []experimentalsys.Dirent
		for i := 0; i < 3; i++ {
			d, errno := f.Readdir(1)
			requireErrno(t, 0, errno, "Readdir(1)")
			if len(d) != 1 {
				t.Fatalf("Readdir(1) #%d gave %d entries", i, len(d))
			}
			got = append(got, d...)
		}
		requireDirents(t, []experimentalsys.Dirent{
			{Name: "-", Type: 0}, {Name: "a-", Type: fs.ModeDir}, {Name: "ab-", Type: 0},
		}, got)
		d, errno := f.Readdir(1)
		requireErrno(t, 0, errno, "exhausted")
		if len(d) != 0 {
			t.Errorf("exhausted directory gave %v", d)
		}
	})
	t.Run("file exists", func(t *testing.T) {
		f := open(t, s, "animals.txt", experimentalsys.O_RDONLY, 0)
		content := "bear\ncat\nshark\ndinosaur\nhuman\n"
		buf := make([]byte, len(content)-1)
		n, errno := f.Pread(buf, 1)
		requireErrno(t, 0, errno, "Pread")
		if n != len(buf) || string(buf) != content[1:] {
			t.Errorf("Pread = %d %q", n, buf[:n])
		}
		off, errno := f.Seek(1, 0)
		requireErrno(t, 0, errno, "Seek")
		if off != 1 {
			t.Errorf("Seek = %d", off)
		}
		n, errno = f.Read(buf)
		requireErrno(t, 0, errno, "Read")
		if n != len(buf) || string(buf) != content[1:] {
			t.Errorf("Read = %d %q", n, buf[:n])
		}
	})
	t.Run("file stat includes inode", func(t *testing.T) {
		f := open(t, s, "empty.txt", experimentalsys.O_RDONLY, 0)
		st, errno := f.Stat()
		requireErrno(t, 0, errno, "Stat")
		if st.Ino == 0 {
			t.Errorf("ino 0: %+v", st)
		}
	})
	t.Run("or'd flag", func(t *testing.T) {
		const O_NOATIME = experimentalsys.Oflag(0x40000)
		open(t, s, "animals.txt", experimentalsys.O_RDONLY|O_NOATIME, 0)
	})
	t.Run("writing to a read-only file is EBADF", func(t *testing.T) {
		f := open(t, s, "animals.txt", experimentalsys.O_RDONLY, 0)
		_, errno := f.Write([]byte{1, 2, 3, 4})
		requireErrno(t, experimentalsys.EBADF, errno, "Write")
	})
	t.Run("opening a directory with O_RDWR is EISDIR", func(t *testing.T) {
		_, errno := s.OpenFile("sub", experimentalsys.O_DIRECTORY|experimentalsys.O_RDWR, 0)
		requireErrno(t, experimentalsys.EISDIR, errno, "OpenFile")
	})
}

// TestSysFSConformanceOpenRDWR is wazero's testOpen_O_RDWR.
func TestSysFSConformanceOpenRDWR(t *testing.T) {
	_, task, s := newFixtureFS(t)
	writeFile(t, task, "/srv/file", "", 0o600)
	f := open(t, s, "file", experimentalsys.O_RDWR, 0)
	n, errno := f.Write([]byte{1, 2, 3, 4})
	requireErrno(t, 0, errno, "Write")
	if n != 4 || readFile(t, task, "/srv/file") != "\x01\x02\x03\x04" {
		t.Errorf("write did not land: %d %q", n, readFile(t, task, "/srv/file"))
	}
	requireErrno(t, 0, f.Close(), "Close")

	must(t, task.Unlink("/srv/file"))
	f = open(t, s, "file", experimentalsys.O_RDONLY|experimentalsys.O_CREAT, 0o444)
	_, errno = f.Write([]byte{1})
	requireErrno(t, experimentalsys.EBADF, errno, "write to O_RDONLY")
	st, errno := f.Stat()
	requireErrno(t, 0, errno, "Stat")
	if st.Mode != 0o444 {
		t.Errorf("mode %v, want -r--r--r--", st.Mode)
	}

	f = open(t, s, `e:xperi\ment.txt`, experimentalsys.O_WRONLY|experimentalsys.O_CREAT|experimentalsys.O_TRUNC, 0o600)
	_, errno = f.Stat()
	requireErrno(t, 0, errno, "strange name")

	writeFile(t, task, "/srv/truncate", "123456", 0o666)
	requireErrno(t, 0, open(t, s, "truncate", experimentalsys.O_RDWR|experimentalsys.O_TRUNC, 0o444).Close(), "O_TRUNC")
	if got := readFile(t, task, "/srv/truncate"); got != "" {
		t.Errorf("O_TRUNC left %q", got)
	}
}

// TestSysFSConformanceStat is wazero's testLstat and testStat.
func TestSysFSConformanceStat(t *testing.T) {
	_, _, s := newFixtureFS(t)
	for _, p := range []string{"cat", "sub/cat"} {
		_, errno := s.Lstat(p)
		requireErrno(t, experimentalsys.ENOENT, errno, "Lstat "+p)
		_, errno = s.Stat(p)
		requireErrno(t, experimentalsys.ENOENT, errno, "Stat "+p)
	}
	lstat := func(p string) sys.Stat_t {
		t.Helper()
		st, errno := s.Lstat(p)
		requireErrno(t, 0, errno, "Lstat "+p)
		return st
	}
	root := lstat(".")
	if !root.Mode.IsDir() || root.Ino == 0 || root.Dev == 0 {
		t.Errorf("root: %+v", root)
	}
	file := lstat("animals.txt")
	if file.Mode.Type() != 0 || file.Size != 30 || file.Ino == 0 || file.Nlink != 1 {
		t.Errorf("animals.txt: %+v", file)
	}
	if want := time.Unix(1667482413, 0).UnixNano(); file.Mtim != want || file.Atim != want {
		t.Errorf("times %d %d, want %d", file.Atim, file.Mtim, want)
	}
	if file.Ctim == 0 {
		t.Error("ctime 0")
	}
	sub := lstat("sub")
	if !sub.Mode.IsDir() || sub.Nlink != 2 {
		t.Errorf("sub: %+v (a directory with no subdirectories has 2 links)", sub)
	}
	for _, c := range []struct {
		path string
		of   sys.Stat_t
	}{{"animals.txt", file}, {"sub", sub}, {"sub-link", lstat("sub-link")}} {
		l := lstat(c.path + "-link")
		if l.Ino == c.of.Ino || l.Mode.Type() != fs.ModeSymlink || l.Size != int64(len(c.path)) {
			t.Errorf("%s-link: %+v", c.path, l)
		}
		if l.Mode.Perm() != 0o777 {
			t.Errorf("symlink mode %v", l.Mode)
		}
	}
	st, errno := s.Stat("sub/test.txt")
	requireErrno(t, 0, errno, "Stat")
	if st.Mode != 0o444 || st.Dev == 0 || st.Ino == 0 {
		t.Errorf("sub/test.txt: %+v", st)
	}
	st, errno = s.Stat("sub-link-link")
	requireErrno(t, 0, errno, "Stat follows")
	if st.Ino != sub.Ino || !st.Mode.IsDir() {
		t.Errorf("Stat(sub-link-link) = %+v, want sub's", st)
	}
}

// TestSysFSConformanceReadlink is wazero's testReadlink.
func TestSysFSConformanceReadlink(t *testing.T) {
	_, _, s := newFixtureFS(t)
	for _, l := range []struct{ old, dst string }{
		{"animals.txt", "symlinked-animals.txt"},
		{"sub/test.txt", "sub/symlinked-test.txt"},
		{"animals.txt", "sub/symlinked-animals.txt"},
		{"sub/test.txt", "symlinked-zoo.txt"},
	} {
		requireErrno(t, 0, s.Symlink(l.old, l.dst), "Symlink "+l.dst)
		got, errno := s.Readlink(l.dst)
		requireErrno(t, 0, errno, "Readlink "+l.dst)
		if got != l.old {
			t.Errorf("Readlink(%s) = %q, want %q", l.dst, got, l.old)
		}
	}
	for _, c := range []struct {
		path string
		want experimentalsys.Errno
	}{
		{"sub/test.txt", experimentalsys.EINVAL},
		{"animals.txt", experimentalsys.EINVAL},
		{"nope", experimentalsys.ENOENT},
	} {
		_, errno := s.Readlink(c.path)
		requireErrno(t, c.want, errno, "Readlink "+c.path)
	}
	// wazero asks only for an error. Linux's readlink("") is ENOENT
	// (do_readlinkat: empty && dfd < 0); vfs.Readlinkat gives EINVAL.
	if _, errno := s.Readlink(""); errno == 0 {
		t.Error(`Readlink("") succeeded`)
	}
}

// TestSysFSMethods is one table per FS method: each case runs on a fresh
// fixture and states the Linux result through wazero's errno set.
func TestSysFSMethods(t *testing.T) {
	type tc struct {
		name string
		run  func(s *SysFS) experimentalsys.Errno
		want experimentalsys.Errno
		// check, if set, inspects the VFS afterwards through the task.
		check func(t *testing.T, task *vfs.Task)
	}
	exists := func(p string, want bool) func(t *testing.T, task *vfs.Task) {
		return func(t *testing.T, task *vfs.Task) {
			t.Helper()
			var st vfs.Stat
			err := task.Lstat(p, &st)
			if (err == nil) != want {
				t.Errorf("%s exists: %v, want %v", p, err == nil, want)
			}
		}
	}
	tables := map[string][]tc{
		"Mkdir": {
			{"new", func(s *SysFS) experimentalsys.Errno { return s.Mkdir("new", 0o750) }, 0,
				func(t *testing.T, task *vfs.Task) {
					var st vfs.Stat
					must(t, task.Stat("/srv/new", &st))
					if st.Mode != vfs.S_IFDIR|0o750 {
						t.Errorf("mode %o", st.Mode)
					}
				}},
			{"umask applies", func(s *SysFS) experimentalsys.Errno { return s.Mkdir("u", 0o777) }, 0,
				func(t *testing.T, task *vfs.Task) {
					var st vfs.Stat
					must(t, task.Stat("/srv/u", &st))
					if st.Mode&0o777 != 0o755 {
						t.Errorf("mode %o, want 755 under umask 022", st.Mode)
					}
				}},
			{"exists as dir", func(s *SysFS) experimentalsys.Errno { return s.Mkdir("sub", 0o755) }, experimentalsys.EEXIST, nil},
			{"exists as file", func(s *SysFS) experimentalsys.Errno { return s.Mkdir("animals.txt", 0o755) }, experimentalsys.EEXIST, nil},
			{"parent missing", func(s *SysFS) experimentalsys.Errno { return s.Mkdir("no/x", 0o755) }, experimentalsys.ENOENT, nil},
			{"parent is a file", func(s *SysFS) experimentalsys.Errno { return s.Mkdir("animals.txt/x", 0o755) }, experimentalsys.ENOTDIR, nil},
			{"name too long", func(s *SysFS) experimentalsys.Errno { return s.Mkdir(strings.Repeat("n", 256), 0o755) }, experimentalsys.ENAMETOOLONG, nil},
		},
		"Chmod": {
			{"file", func(s *SysFS) experimentalsys.Errno { return s.Chmod("animals.txt", 0o600|fs.ModeSetuid) }, 0,
				func(t *testing.T, task *vfs.Task) {
					var st vfs.Stat
					must(t, task.Stat("/srv/animals.txt", &st))
					if st.Mode != vfs.S_IFREG|vfs.S_ISUID|0o600 {
						t.Errorf("mode %o", st.Mode)
					}
				}},
			{"follows symlink", func(s *SysFS) experimentalsys.Errno { return s.Chmod("sub-link", 0o700|fs.ModeSticky) }, 0,
				func(t *testing.T, task *vfs.Task) {
					var st vfs.Stat
					must(t, task.Stat("/srv/sub", &st))
					if st.Mode != vfs.S_IFDIR|vfs.S_ISVTX|0o700 {
						t.Errorf("mode %o", st.Mode)
					}
				}},
			{"missing", func(s *SysFS) experimentalsys.Errno { return s.Chmod("nope", 0o600) }, experimentalsys.ENOENT, nil},
		},
		"Rename": {
			{"file", func(s *SysFS) experimentalsys.Errno { return s.Rename("animals.txt", "sub/zoo") }, 0,
				func(t *testing.T, task *vfs.Task) {
					exists("/srv/animals.txt", false)(t, task)
					if got := readFile(t, task, "/srv/sub/zoo"); !strings.HasPrefix(got, "bear") {
						t.Errorf("content %q", got)
					}
				}},
			{"over file", func(s *SysFS) experimentalsys.Errno { return s.Rename("empty.txt", "animals.txt") }, 0,
				func(t *testing.T, task *vfs.Task) {
					if got := readFile(t, task, "/srv/animals.txt"); got != "" {
						t.Errorf("content %q", got)
					}
				}},
			{"onto itself", func(s *SysFS) experimentalsys.Errno { return s.Rename("sub", "sub") }, 0, exists("/srv/sub", true)},
			{"onto its hard link", func(s *SysFS) experimentalsys.Errno {
				if e := s.Link("animals.txt", "hard"); e != 0 {
					return e
				}
				return s.Rename("animals.txt", "hard")
			}, 0, func(t *testing.T, task *vfs.Task) {
				exists("/srv/animals.txt", true)(t, task)
				exists("/srv/hard", true)(t, task)
			}},
			{"dir over empty dir", func(s *SysFS) experimentalsys.Errno { return s.Rename("dir", "emptydir") }, 0, exists("/srv/emptydir/a-", true)},
			{"dir over non-empty dir", func(s *SysFS) experimentalsys.Errno { return s.Rename("emptydir", "dir") }, experimentalsys.ENOTEMPTY, nil},
			{"dir over file", func(s *SysFS) experimentalsys.Errno { return s.Rename("emptydir", "animals.txt") }, experimentalsys.ENOTDIR, nil},
			{"file over dir", func(s *SysFS) experimentalsys.Errno { return s.Rename("animals.txt", "emptydir") }, experimentalsys.EISDIR, nil},
			{"dir below itself", func(s *SysFS) experimentalsys.Errno { return s.Rename("dir", "dir/a-/x") }, experimentalsys.EINVAL, nil},
			{"missing", func(s *SysFS) experimentalsys.Errno { return s.Rename("nope", "x") }, experimentalsys.ENOENT, nil},
		},
		"Rmdir": {
			{"empty", func(s *SysFS) experimentalsys.Errno { return s.Rmdir("emptydir") }, 0, exists("/srv/emptydir", false)},
			{"not empty", func(s *SysFS) experimentalsys.Errno { return s.Rmdir("dir") }, experimentalsys.ENOTEMPTY, nil},
			{"file", func(s *SysFS) experimentalsys.Errno { return s.Rmdir("animals.txt") }, experimentalsys.ENOTDIR, nil},
			{"symlink to dir", func(s *SysFS) experimentalsys.Errno { return s.Rmdir("sub-link") }, experimentalsys.ENOTDIR, nil},
			{"dot", func(s *SysFS) experimentalsys.Errno { return s.Rmdir("emptydir/.") }, experimentalsys.EINVAL, nil},
			{"root (EBUSY)", func(s *SysFS) experimentalsys.Errno { return s.Rmdir("/") }, experimentalsys.EIO, nil},
			{"missing", func(s *SysFS) experimentalsys.Errno { return s.Rmdir("nope") }, experimentalsys.ENOENT, nil},
		},
		"Unlink": {
			{"file", func(s *SysFS) experimentalsys.Errno { return s.Unlink("animals.txt") }, 0, exists("/srv/animals.txt", false)},
			{"symlink, not target", func(s *SysFS) experimentalsys.Errno { return s.Unlink("sub-link") }, 0,
				func(t *testing.T, task *vfs.Task) {
					exists("/srv/sub-link", false)(t, task)
					exists("/srv/sub", true)(t, task)
				}},
			{"dir", func(s *SysFS) experimentalsys.Errno { return s.Unlink("emptydir") }, experimentalsys.EISDIR, nil},
			{"missing", func(s *SysFS) experimentalsys.Errno { return s.Unlink("nope") }, experimentalsys.ENOENT, nil},
		},
		"Link": {
			{"file", func(s *SysFS) experimentalsys.Errno { return s.Link("animals.txt", "sub/hard") }, 0,
				func(t *testing.T, task *vfs.Task) {
					var a, b vfs.Stat
					must(t, task.Stat("/srv/animals.txt", &a))
					must(t, task.Stat("/srv/sub/hard", &b))
					if a.Ino != b.Ino || a.Nlink != 2 {
						t.Errorf("ino %d %d nlink %d", a.Ino, b.Ino, a.Nlink)
					}
				}},
			{"symlink itself", func(s *SysFS) experimentalsys.Errno { return s.Link("sub-link", "l2") }, 0,
				func(t *testing.T, task *vfs.Task) {
					var st vfs.Stat
					must(t, task.Lstat("/srv/l2", &st))
					if !vfs.IsLnk(st.Mode) {
						t.Errorf("link(2) followed the symlink: mode %o", st.Mode)
					}
				}},
			{"dir", func(s *SysFS) experimentalsys.Errno { return s.Link("sub", "sub2") }, experimentalsys.EPERM, nil},
			{"exists", func(s *SysFS) experimentalsys.Errno { return s.Link("animals.txt", "empty.txt") }, experimentalsys.EEXIST, nil},
			{"missing", func(s *SysFS) experimentalsys.Errno { return s.Link("nope", "x") }, experimentalsys.ENOENT, nil},
		},
		"Symlink": {
			{"exists", func(s *SysFS) experimentalsys.Errno { return s.Symlink("x", "animals.txt") }, experimentalsys.EEXIST, nil},
			{"empty target", func(s *SysFS) experimentalsys.Errno { return s.Symlink("", "l") }, experimentalsys.ENOENT, nil},
			{"dangling", func(s *SysFS) experimentalsys.Errno { return s.Symlink("nowhere", "l") }, 0, exists("/srv/l", true)},
		},
		"Utimens": {
			{"both", func(s *SysFS) experimentalsys.Errno { return s.Utimens("animals.txt", 1e9+5, -1) }, 0,
				func(t *testing.T, task *vfs.Task) {
					var st vfs.Stat
					must(t, task.Stat("/srv/animals.txt", &st))
					if st.Atime != 1e9+5 || st.Mtime != -1 {
						t.Errorf("atime %d mtime %d", st.Atime, st.Mtime)
					}
				}},
			{"omit atime, follows symlink", func(s *SysFS) experimentalsys.Errno {
				return s.Utimens("animals.txt-link", experimentalsys.UTIME_OMIT, 7)
			}, 0, func(t *testing.T, task *vfs.Task) {
				var st vfs.Stat
				must(t, task.Stat("/srv/animals.txt", &st))
				if st.Atime != time.Unix(1667482413, 0).UnixNano() || st.Mtime != 7 {
					t.Errorf("atime %d mtime %d", st.Atime, st.Mtime)
				}
			}},
			{"missing", func(s *SysFS) experimentalsys.Errno { return s.Utimens("nope", 1, 1) }, experimentalsys.ENOENT, nil},
		},
		"OpenFile": {
			{"O_CREAT|O_EXCL on existing", func(s *SysFS) experimentalsys.Errno {
				_, e := s.OpenFile("animals.txt", experimentalsys.O_CREAT|experimentalsys.O_EXCL|experimentalsys.O_WRONLY, 0o600)
				return e
			}, experimentalsys.EEXIST, nil},
			{"O_DIRECTORY on file", func(s *SysFS) experimentalsys.Errno {
				_, e := s.OpenFile("animals.txt", experimentalsys.O_DIRECTORY, 0)
				return e
			}, experimentalsys.ENOTDIR, nil},
			{"O_NOFOLLOW on symlink", func(s *SysFS) experimentalsys.Errno {
				_, e := s.OpenFile("animals.txt-link", experimentalsys.O_NOFOLLOW, 0)
				return e
			}, experimentalsys.ELOOP, nil},
			{"through a file", func(s *SysFS) experimentalsys.Errno {
				_, e := s.OpenFile("animals.txt/x", experimentalsys.O_RDONLY, 0)
				return e
			}, experimentalsys.ENOTDIR, nil},
			{"creates with perm under umask", func(s *SysFS) experimentalsys.Errno {
				f, e := s.OpenFile("new", experimentalsys.O_CREAT|experimentalsys.O_WRONLY, 0o666)
				if e == 0 {
					f.Close()
				}
				return e
			}, 0, func(t *testing.T, task *vfs.Task) {
				var st vfs.Stat
				must(t, task.Stat("/srv/new", &st))
				if st.Mode != vfs.S_IFREG|0o644 {
					t.Errorf("mode %o", st.Mode)
				}
			}},
		},
	}
	for method, cases := range tables {
		for _, c := range cases {
			t.Run(method+"/"+c.name, func(t *testing.T) {
				_, task, s := newFixtureFS(t)
				requireErrno(t, c.want, c.run(s), method)
				if c.check != nil {
					c.check(t, task)
				}
			})
		}
	}
}

// TestSysFSChroot: the guest's paths stay below root, by Linux's rules
// for a chrooted process.
func TestSysFSChroot(t *testing.T) {
	_, task, s := newFixtureFS(t)
	writeFile(t, task, "/secret", "outside", 0o644)
	must(t, task.Symlink("/animals.txt", "/srv/abs"))
	must(t, task.Symlink("../../../secret", "/srv/sub/up"))

	for _, c := range []struct {
		path string
		want string // content, or "" for ENOENT
	}{
		{"../secret", ""},
		{"/../../secret", ""},
		{"sub/../../secret", ""},
		{"sub/up", ""},           // .. stops at the root: /srv/secret
		{"abs", "bear\n"},        // absolute symlinks start at the root
		{"/animals.txt", "bear"}, // absolute paths too
		{"../animals.txt", "bear"},
	} {
		f, errno := s.OpenFile(c.path, experimentalsys.O_RDONLY, 0)
		if c.want == "" {
			requireErrno(t, experimentalsys.ENOENT, errno, c.path)
			if errno == 0 {
				f.Close()
			}
			continue
		}
		if errno != 0 {
			t.Errorf("%s: %v", c.path, errno)
			continue
		}
		buf := make([]byte, 4)
		f.Read(buf)
		f.Close()
		if !strings.HasPrefix(c.want, string(buf)) {
			t.Errorf("%s read %q", c.path, buf)
		}
	}
	st, _ := s.Stat("..")
	root, _ := s.Stat(".")
	if st.Ino != root.Ino {
		t.Error(`".." of the root is not the root`)
	}
}

func TestNewSysFSErrors(t *testing.T) {
	_, task := testVFS(t)
	for _, c := range []struct {
		root string
		want vfs.Errno
	}{
		{"/nope", vfs.ENOENT},
		{"/proc/mounts", vfs.ENOTDIR},
	} {
		s := NewSysFS(task, c.root)
		if got := vfs.ErrnoOf(s.Err()); got != c.want {
			t.Errorf("NewSysFS(%s).Err() = %v, want %v", c.root, got, c.want)
		}
		_, errno := s.Stat(".")
		requireErrno(t, ToSysErrno(c.want), errno, "Stat on a broken SysFS")
		s.Close()
	}

	// An unprivileged task: the host sets up the chroot, the guest acts
	// with the task's credentials.
	must(t, task.Mkdir("/home", 0o755))
	must(t, task.Chown("/home", 1000, 1000))
	must(t, task.Mkdir("/home/rootdir", 0o755))
	user := task.Fork("user")
	user.SetCred(&vfs.Cred{UID: 1000, GID: 1000})
	s := NewSysFS(user, "/home")
	must(t, s.Err())
	defer s.Close()
	requireErrno(t, 0, s.Mkdir("mine", 0o755), "Mkdir as owner")
	requireErrno(t, experimentalsys.EACCES, s.Mkdir("rootdir/x", 0o755), "Mkdir in root's directory")
	var st vfs.Stat
	must(t, task.Stat("/home/mine", &st))
	if st.UID != 1000 {
		t.Errorf("created as uid %d, want 1000", st.UID)
	}
	user.Exit()

	// After Close, every call is EBADF.
	s2 := NewSysFS(task, "/")
	f, errno := s2.OpenFile("tmp", experimentalsys.O_RDONLY, 0)
	requireErrno(t, 0, errno, "open")
	s2.Close()
	_, errno = s2.Stat(".")
	requireErrno(t, experimentalsys.EBADF, errno, "Stat after Close")
	_, errno = f.Stat()
	requireErrno(t, experimentalsys.EBADF, errno, "File.Stat after SysFS.Close")
	requireErrno(t, 0, f.Close(), "File.Close after SysFS.Close")
}

// TestSysFSLossyErrnos reaches rows of ErrnoTable that lose information
// through real operations, so that the table describes what happens.
func TestSysFSLossyErrnos(t *testing.T) {
	_, task := testVFS(t)
	s := NewSysFS(task, "/")
	defer s.Close()
	writeFile(t, task, "/tmp/f", "x", 0o644)
	// EXDEV: rename across mounts.
	requireErrno(t, experimentalsys.EIO, s.Rename("tmp/f", "proc/f"), "rename into /proc (EXDEV)")
	// EBUSY: rmdir of a mount point.
	requireErrno(t, experimentalsys.EIO, s.Rmdir("proc"), "rmdir /proc (EBUSY)")
	// ENXIO: a fifo opened O_WRONLY|O_NONBLOCK with no reader (fifo_open).
	must(t, task.Mknod("/tmp/fifo", vfs.S_IFIFO|0o644, 0))
	_, errno := s.OpenFile("tmp/fifo", experimentalsys.O_WRONLY|experimentalsys.O_NONBLOCK, 0)
	requireErrno(t, experimentalsys.EIO, errno, "open fifo O_WRONLY|O_NONBLOCK without a reader (ENXIO)")
	// EMFILE: the task's RLIMIT_NOFILE.
	var files []experimentalsys.File
	for {
		f, errno := s.OpenFile("tmp/f", experimentalsys.O_RDONLY, 0)
		if errno != 0 {
			requireErrno(t, experimentalsys.EBADF, errno, "open past RLIMIT_NOFILE (EMFILE)")
			break
		}
		files = append(files, f)
		if len(files) > 2000 {
			t.Fatal("no limit on open files")
		}
	}
	if len(files) < 1000 {
		t.Errorf("only %d files opened", len(files))
	}
	for _, f := range files {
		f.Close()
	}
}

// guestSource is the guest of TestSysFSWasip1Guest: a Go program for
// GOOS=wasip1 that uses the os package as programs do, printing what it
// sees.
const guestSource = `package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"syscall"
	"time"
)

func must(err error) {
	if err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
}

func main() {
	// create, write, append, read
	must(os.MkdirAll("/work/d/sub", 0o755))
	must(os.WriteFile("/work/d/a.txt", []byte("hello\n"), 0o644))
	f, err := os.OpenFile("/work/d/a.txt", os.O_WRONLY|os.O_APPEND, 0)
	must(err)
	_, err = f.WriteString("world\n")
	must(err)
	must(f.Close())
	b, err := os.ReadFile("/work/d/a.txt")
	must(err)
	fmt.Printf("read %q\n", b)

	// readdir
	for i := 0; i < 3; i++ {
		must(os.WriteFile(fmt.Sprintf("/work/d/f%d", i), nil, 0o600))
	}
	ents, err := os.ReadDir("/work/d")
	must(err)
	for _, e := range ents {
		fmt.Println("entry", e.Name(), e.IsDir())
	}

	// a listing continued while entries come and go
	for i := 0; i < 40; i++ {
		must(os.WriteFile(fmt.Sprintf("/work/d/sub/n%02d", i), nil, 0o600))
	}
	dir, err := os.Open("/work/d/sub")
	must(err)
	first, err := dir.ReadDir(10)
	must(err)
	seen := map[string]int{}
	for _, e := range first {
		seen[e.Name()]++
	}
	gone := map[string]bool{}
	for i := 0; i < 40; i += 3 {
		name := fmt.Sprintf("n%02d", i)
		if seen[name] == 0 {
			gone[name] = true
		}
		must(os.Remove("/work/d/sub/" + name))
	}
	must(os.WriteFile("/work/d/sub/late", nil, 0o600))
	rest, err := dir.ReadDir(-1)
	must(err)
	must(dir.Close())
	for _, e := range rest {
		seen[e.Name()]++
	}
	bad := 0
	for i := 0; i < 40; i++ {
		name := fmt.Sprintf("n%02d", i)
		if seen[name] > 1 || seen[name] == 0 && !gone[name] {
			bad++
		}
	}
	fmt.Println("listing under churn: bad", bad)

	// rename, symlink, readlink, hard link
	must(os.Rename("/work/d/f0", "/work/d/g0"))
	must(os.Symlink("a.txt", "/work/d/link"))
	target, err := os.Readlink("/work/d/link")
	must(err)
	b, err = os.ReadFile("/work/d/link")
	must(err)
	fmt.Printf("readlink %s reads %q\n", target, b)
	must(os.Symlink("/work/d/a.txt", "/work/abs"))
	b, err = os.ReadFile("/work/abs")
	must(err)
	fmt.Printf("absolute symlink reads %q\n", b)
	must(os.Link("/work/d/a.txt", "/work/d/hard"))

	// stat
	st, err := os.Stat("/work/d/a.txt")
	must(err)
	hard, err := os.Lstat("/work/d/hard")
	must(err)
	sys := st.Sys().(*syscall.Stat_t)
	fmt.Println("stat", st.Mode(), st.Size(), "nlink", sys.Nlink, "ino>0", sys.Ino > 0, "dev>0", sys.Dev > 0, "same", os.SameFile(st, hard))
	lst, err := os.Lstat("/work/d/link")
	must(err)
	fmt.Println("lstat link", lst.Mode().Type() == fs.ModeSymlink, lst.Size())
	dst, err := os.Stat("/work/d")
	must(err)
	fmt.Println("dir", dst.Mode(), "nlink", dst.Sys().(*syscall.Stat_t).Nlink)
	mt := time.Unix(1700000000, 123456789)
	must(os.Chtimes("/work/d/a.txt", mt, mt))
	st, err = os.Stat("/work/d/a.txt")
	must(err)
	fmt.Println("mtime", st.ModTime().UnixNano())
	must(os.Truncate("/work/d/a.txt", 5))
	b, err = os.ReadFile("/work/d/hard")
	must(err)
	fmt.Printf("truncated, via hard link %q\n", b)

	// errors, as wazero's set carries them
	err = os.Remove("/work/d")
	fmt.Println("remove non-empty:", errors.Is(err, syscall.ENOTEMPTY))
	err = os.Mkdir("/work/d/a.txt", 0o755)
	fmt.Println("mkdir over file:", errors.Is(err, fs.ErrExist))
	_, err = os.Open("/work/nope")
	fmt.Println("open missing:", errors.Is(err, fs.ErrNotExist))
	err = os.Rename("/work/d/g0", "/proc/g0")
	fmt.Println("rename across mounts (EXDEV):", errors.Is(err, syscall.EIO))
	_, err = os.ReadFile("/../../work/d/g0")
	fmt.Println("dot-dot at the root is the root:", err == nil)
	f, err = os.Open("/work/d/g0")
	must(err)
	err = syscall.SetNonblock(int(f.Fd()), true)
	fmt.Println("set nonblock:", errors.Is(err, syscall.ENOSYS))
	must(f.Close())

	// remove
	must(os.RemoveAll("/work"))
	_, err = os.Stat("/work")
	fmt.Println("removed:", errors.Is(err, fs.ErrNotExist))
	names, err := os.ReadDir("/")
	must(err)
	var list []string
	for _, e := range names {
		list = append(list, e.Name())
	}
	sort.Strings(list)
	fmt.Println("root", list)
}
`

// guestWant is what the guest prints. WASI has no file modes: wazero
// creates files with 0600 and directories with 0700, whatever the guest
// asked (its path_open and path_create_directory), which the umask
// leaves as they are.
const guestWant = `read "hello\nworld\n"
entry a.txt false
entry f0 false
entry f1 false
entry f2 false
entry sub true
listing under churn: bad 0
readlink a.txt reads "hello\nworld\n"
absolute symlink reads "hello\nworld\n"
stat -rw------- 12 nlink 2 ino>0 true dev>0 true same true
lstat link true 5
dir drwx------ nlink 3
mtime 1700000000123456789
truncated, via hard link "hello"
remove non-empty: true
mkdir over file: true
open missing: true
rename across mounts (EXDEV): true
dot-dot at the root is the root: true
set nonblock: true
removed: true
root [dev proc tmp]
`

// TestSysFSWasip1Guest runs a Go program compiled for GOOS=wasip1 under
// wazero's own WASI with the VFS mounted through SysFS.
func TestSysFSWasip1Guest(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(guestSource), 0o644); err != nil {
		t.Fatal(err)
	}
	wasmPath := filepath.Join(dir, "guest.wasm")
	build := exec.Command(goTool, "build", "-o", wasmPath, "main.go")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GO111MODULE=off", "GOFLAGS=", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	wasmBytes, err := os.ReadFile(wasmPath)
	if err != nil {
		t.Fatal(err)
	}

	v, task := testVFS(t)
	s := NewSysFS(task, "/")
	defer s.Close()

	ctx := context.Background()
	// The interpreter: compiling a Go binary takes the compiler 25 s
	// under -race, the whole run here 4 s.
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	var stdout, stderr bytes.Buffer
	cfg := wazero.NewModuleConfig().
		WithArgs("guest").
		WithStdout(&stdout).
		WithStderr(&stderr).
		WithSysWalltime().
		WithFSConfig(wazero.NewFSConfig().(sysfs.FSConfig).WithSysFSMount(s, "/"))
	mod, err := r.InstantiateWithConfig(ctx, wasmBytes, cfg)
	if mod != nil {
		mod.Close(ctx)
	}
	var exit *sys.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 0) {
		t.Fatalf("guest: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if got := stdout.String(); got != guestWant {
		t.Errorf("guest printed:\n%s\nwant:\n%s\nstderr:\n%s", got, guestWant, stderr.String())
	}

	// The guest's work is the VFS's state.
	var st vfs.Stat
	if err := task.Stat("/work", &st); vfs.ErrnoOf(err) != vfs.ENOENT {
		t.Errorf("/work after the guest: %v", err)
	}
	requireClean(t, v)
}
