//go:build linux

package hostfs_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"

	"github.com/vfscope/vfscope/host/hostfs"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// fixture is a host directory mounted on /data of a fresh VFS.
type fixture struct {
	v   *vfs.VFS
	tk  *vfs.Task
	dir string // the host directory
}

func openDir(src string) (billy.Filesystem, error) {
	d, err := hostfs.OpenDir(src)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// mountHost boots a VFS with lock validation on, fills a host directory
// (f "hello", d/x "x", empty dir e, symlink l -> f) and mounts it on
// /data with flags. At the end of the test it unmounts and checks that
// neither the validator nor the locking tables saw anything wrong and
// that the dcache counters agree with a recount.
func mountHost(t *testing.T, flags uint32) *fixture {
	t.Helper()
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "f"), []byte("hello"), 0o644))
	must(t, os.Mkdir(filepath.Join(dir, "d"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "d", "x"), []byte("x"), 0o644))
	must(t, os.Mkdir(filepath.Join(dir, "e"), 0o755))
	must(t, os.Symlink("f", filepath.Join(dir, "l")))
	return mountStore(t, dir, flags, openDir)
}

func mountStore(t *testing.T, dir string, flags uint32, open func(string) (billy.Filesystem, error)) *fixture {
	t.Helper()
	v, tk, err := boot.New(vfs.Options{Lockdep: true})
	must(t, err)
	must(t, hostfs.Register(tk, v, open))
	must(t, tk.Mkdir("/data", 0o755))
	must(t, tk.Mount(dir, "/data", "hostfs", flags, ""))
	t.Cleanup(func() {
		if err := tk.Chdir("/"); err != nil {
			t.Errorf("chdir /: %v", err)
		}
		if err := tk.Umount2("/data", 0); err != nil {
			t.Errorf("umount /data: %v", err)
		}
		if r := v.Validator().Reports(); len(r) > 0 {
			t.Errorf("lock validator: %v", r)
		}
		if r := v.LockingViolations(); len(r) > 0 {
			t.Errorf("locking violations: %v", r)
		}
		if got, want := v.DentryState(), v.CountDentries(tk); got != want {
			t.Errorf("dentry-state counters %+v, recount %+v", got, want)
		}
	})
	return &fixture{v: v, tk: tk, dir: dir}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (fx *fixture) host(name string) string { return filepath.Join(fx.dir, name) }

func (fx *fixture) hostRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(fx.host(name))
	if err != nil {
		t.Fatalf("host: %v", err)
	}
	return string(b)
}

func (fx *fixture) hostExists(name string) bool {
	_, err := os.Lstat(fx.host(name))
	return err == nil
}

func hostIno(t *testing.T, p string) uint64 {
	t.Helper()
	fi, err := os.Lstat(p)
	must(t, err)
	return fi.Sys().(*syscall.Stat_t).Ino
}

// readAll reads a file of the VFS.
func readAll(tk *vfs.Task, p string) (string, error) {
	fd, err := tk.Open(p, vfs.O_RDONLY, 0)
	if err != nil {
		return "", err
	}
	defer tk.Close(fd)
	var b strings.Builder
	buf := make([]byte, 3)
	for {
		n, err := tk.Read(fd, buf)
		if err != nil {
			return "", err
		}
		if n == 0 {
			return b.String(), nil
		}
		b.Write(buf[:n])
	}
}

func writeFile(tk *vfs.Task, p string, flags int, mode uint32, data string) error {
	fd, err := tk.Open(p, flags, mode)
	if err != nil {
		return err
	}
	_, werr := tk.Write(fd, []byte(data))
	cerr := tk.Close(fd)
	if werr != nil {
		return werr
	}
	return cerr
}

func list(tk *vfs.Task, p string, bufSize int) ([]vfs.Dirent, error) {
	fd, err := tk.Open(p, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer tk.Close(fd)
	var out []vfs.Dirent
	for {
		ents, err := tk.Getdents(fd, bufSize)
		if err != nil {
			return nil, err
		}
		if len(ents) == 0 {
			return out, nil
		}
		out = append(out, ents...)
	}
}

func names(ents []vfs.Dirent) []string {
	var s []string
	for _, e := range ents {
		s = append(s, e.Name)
	}
	return s
}

// inoOf is the host's inode number of p, 0 if it has none.
func inoOf(p string) uint64 {
	fi, err := os.Lstat(p)
	if err != nil {
		return 0
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

func hostMode(t *testing.T, p string) uint32 {
	t.Helper()
	fi, err := os.Lstat(p)
	must(t, err)
	return uint32(fi.Sys().(*syscall.Stat_t).Mode) & 0o7777
}

// wantMode checks a file's mode (type and all permission bits) in the
// VFS and on the host: what Linux gives the same calls (checked on the
// host's tmpfs: open(O_CREAT, 06777) and mkdir(01777) with umask 0 give
// 0106777 and 041777; mkdir(07777) gives 041777; a directory made in a
// set-group-ID one is set-group-ID; a write by uid 65534 to a file of
// mode 06777 leaves 0777, one by root 06777: hostModeAfterWrite).
func wantMode(name string, mode uint32) func(t *testing.T, fx *fixture) {
	return func(t *testing.T, fx *fixture) {
		t.Helper()
		if m := hostMode(t, fx.host(name)); m != mode&0o7777 {
			t.Errorf("host mode %o, want %o", m, mode&0o7777)
		}
		var st vfs.Stat
		must(t, fx.tk.Stat("/data/"+name, &st))
		if st.Mode != mode {
			t.Errorf("stat mode %o, want %o", st.Mode, mode)
		}
	}
}

// hostModeAfterWrite is the mode the host kernel leaves on a file of
// mode 06777 after this process writes to it: 06777 when the process
// has CAP_FSETID (root), 0777 when it has not (file_remove_privs drops
// both bits, S_IXGRP being set).
func hostModeAfterWrite(t *testing.T) uint32 {
	t.Helper()
	p := filepath.Join(t.TempDir(), "probe")
	must(t, os.WriteFile(p, nil, 0o600))
	must(t, syscall.Chmod(p, 0o6777)) // os.Chmod would drop 06000
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	must(t, err)
	_, err = f.Write([]byte("x"))
	must(t, errors.Join(err, f.Close()))
	return hostMode(t, p)
}

// wantFdContent checks the size fstat gives for fd and what pread reads
// from it.
func wantFdContent(tk *vfs.Task, fd int, want string) error {
	var st vfs.Stat
	if err := tk.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Size != int64(len(want)) {
		return fmt.Errorf("fstat size %d, want %d", st.Size, len(want))
	}
	buf := make([]byte, 16)
	n, err := tk.Pread(fd, buf, 0)
	if err != nil {
		return err
	}
	if string(buf[:n]) != want {
		return fmt.Errorf("read %q, want %q", buf[:n], want)
	}
	return nil
}

// TestOps runs each operation through a vfs.Task on a fresh mount and
// checks its result in the VFS and on the host.
func TestOps(t *testing.T) {
	tests := []struct {
		name string
		op   func(fx *fixture) error
		want error
		// check looks at the VFS and the host afterwards.
		check func(t *testing.T, fx *fixture)
	}{
		{"stat", func(fx *fixture) error {
			var st vfs.Stat
			if err := fx.tk.Stat("/data/f", &st); err != nil {
				return err
			}
			if st.Size != 5 || !vfs.IsReg(st.Mode) || st.Mode&0o777 != 0o644 || st.Nlink != 1 {
				return errors.New("bad stat")
			}
			if st.Ino != inoOf(fx.host("f")) {
				return errors.New("ino is not the host's")
			}
			return nil
		}, nil, nil},
		{"stat missing", func(fx *fixture) error { var st vfs.Stat; return fx.tk.Stat("/data/nope", &st) }, vfs.ENOENT, nil},
		{"stat through a file", func(fx *fixture) error { var st vfs.Stat; return fx.tk.Stat("/data/f/x", &st) }, vfs.ENOTDIR, nil},
		{"read", func(fx *fixture) error {
			s, err := readAll(fx.tk, "/data/f")
			if err == nil && s != "hello" {
				return errors.New("read " + s)
			}
			return err
		}, nil, nil},
		{"read through symlink", func(fx *fixture) error {
			s, err := readAll(fx.tk, "/data/l")
			if err == nil && s != "hello" {
				return errors.New("read " + s)
			}
			return err
		}, nil, nil},
		{"create", func(fx *fixture) error {
			return writeFile(fx.tk, "/data/n", vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY, 0o640, "abc")
		}, nil, func(t *testing.T, fx *fixture) {
			if got := fx.hostRead(t, "n"); got != "abc" {
				t.Errorf("host has %q", got)
			}
			if m := hostMode(t, fx.host("n")); m != 0o640 {
				t.Errorf("host mode %o", m)
			}
		}},
		{"create existing O_EXCL", func(fx *fixture) error {
			return writeFile(fx.tk, "/data/f", vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY, 0o640, "abc")
		}, vfs.EEXIST, nil},
		{"create read-only mode, writable fd", func(fx *fixture) error {
			return writeFile(fx.tk, "/data/ro", vfs.O_CREAT|vfs.O_WRONLY, 0o444, "w")
		}, nil, func(t *testing.T, fx *fixture) {
			if got := fx.hostRead(t, "ro"); got != "w" {
				t.Errorf("host has %q", got)
			}
			if m := hostMode(t, fx.host("ro")); m != 0o444 {
				t.Errorf("host mode %o", m)
			}
		}},
		{"open O_TRUNC", func(fx *fixture) error {
			return writeFile(fx.tk, "/data/f", vfs.O_WRONLY|vfs.O_TRUNC, 0, "ab")
		}, nil, func(t *testing.T, fx *fixture) {
			if got := fx.hostRead(t, "f"); got != "ab" {
				t.Errorf("host has %q", got)
			}
		}},
		{"open O_RDONLY|O_TRUNC", func(fx *fixture) error {
			// Linux truncates (the flag needs write permission, not a
			// writable descriptor): the read-only host handle cannot.
			fd, err := fx.tk.Open("/data/f", vfs.O_RDONLY|vfs.O_TRUNC, 0)
			if err != nil {
				return err
			}
			return fx.tk.Close(fd)
		}, nil, func(t *testing.T, fx *fixture) {
			if got := fx.hostRead(t, "f"); got != "" {
				t.Errorf("host has %q", got)
			}
		}},
		{"write O_APPEND", func(fx *fixture) error {
			return writeFile(fx.tk, "/data/f", vfs.O_WRONLY|vfs.O_APPEND, 0, "XY")
		}, nil, func(t *testing.T, fx *fixture) {
			if got := fx.hostRead(t, "f"); got != "helloXY" {
				t.Errorf("host has %q", got)
			}
			var st vfs.Stat
			must(t, fx.tk.Stat("/data/f", &st))
			if st.Size != 7 {
				t.Errorf("size %d", st.Size)
			}
		}},
		{"append after fcntl F_SETFL O_APPEND", func(fx *fixture) error {
			fd, err := fx.tk.Open("/data/f", vfs.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer fx.tk.Close(fd)
			if _, err := fx.tk.Fcntl(fd, vfs.F_SETFL, vfs.O_APPEND); err != nil {
				return err
			}
			_, err = fx.tk.Write(fd, []byte("!"))
			return err
		}, nil, func(t *testing.T, fx *fixture) {
			if got := fx.hostRead(t, "f"); got != "hello!" {
				t.Errorf("host has %q", got)
			}
		}},
		{"write by a non-owner drops set-user-ID and set-group-ID", func(fx *fixture) error {
			if err := fx.tk.Chmod("/data/f", 0o6777); err != nil {
				return err
			}
			u := fx.v.NewTask("u", &vfs.Cred{UID: 1000, GID: 1000})
			return writeFile(u, "/data/f", vfs.O_WRONLY, 0, "x")
		}, nil, wantMode("f", vfs.S_IFREG|0o777)},
		{"write by root keeps set-user-ID and set-group-ID if the host does", func(fx *fixture) error {
			// The VFS's root has CAP_FSETID and leaves the bits to the
			// host's write, which keeps them only if this process has
			// CAP_FSETID too: stat shows what the host did.
			if err := fx.tk.Chmod("/data/f", 0o6777); err != nil {
				return err
			}
			return writeFile(fx.tk, "/data/f", vfs.O_WRONLY, 0, "x")
		}, nil, func(t *testing.T, fx *fixture) {
			wantMode("f", vfs.S_IFREG|hostModeAfterWrite(t))(t, fx)
		}},
		{"pwrite, lseek SEEK_END, fsync", func(fx *fixture) error {
			fd, err := fx.tk.Open("/data/f", vfs.O_RDWR, 0)
			if err != nil {
				return err
			}
			defer fx.tk.Close(fd)
			if _, err := fx.tk.Pwrite(fd, []byte("J"), 0); err != nil {
				return err
			}
			os.WriteFile(fx.host("f"), []byte("Jello, world"), 0o644) // the host grows it
			end, err := fx.tk.Seek(fd, 0, vfs.SEEK_END)
			if err != nil {
				return err
			}
			if end != 12 {
				return errors.New("SEEK_END did not see the host's size")
			}
			return fx.tk.Fsync(fd)
		}, nil, nil},
		{"mkdir", func(fx *fixture) error { return fx.tk.Mkdir("/data/nd", 0o750) }, nil, func(t *testing.T, fx *fixture) {
			if m := hostMode(t, fx.host("nd")); m != 0o750 {
				t.Errorf("host mode %o", m)
			}
		}},
		{"mkdir existing", func(fx *fixture) error { return fx.tk.Mkdir("/data/d", 0o750) }, vfs.EEXIST, nil},
		{"create mode 06777", func(fx *fixture) error {
			fx.tk.Umask(0)
			return writeFile(fx.tk, "/data/n", vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY, 0o6777, "")
		}, nil, wantMode("n", vfs.S_IFREG|0o6777)},
		{"mknod mode 06777", func(fx *fixture) error {
			fx.tk.Umask(0)
			return fx.tk.Mknod("/data/n", vfs.S_IFREG|0o6777, 0)
		}, nil, wantMode("n", vfs.S_IFREG|0o6777)},
		{"mkdir mode 01777", func(fx *fixture) error {
			fx.tk.Umask(0)
			return fx.tk.Mkdir("/data/nd", 0o1777)
		}, nil, wantMode("nd", vfs.S_IFDIR|0o1777)},
		{"mkdir mode 07777", func(fx *fixture) error { // vfs_mkdir keeps S_ISVTX only
			fx.tk.Umask(0)
			return fx.tk.Mkdir("/data/nd", 0o7777)
		}, nil, wantMode("nd", vfs.S_IFDIR|0o1777)},
		{"mkdir in a set-group-ID directory", func(fx *fixture) error {
			if err := syscall.Chmod(fx.host("d"), 0o2755); err != nil {
				return err
			}
			return fx.tk.Mkdir("/data/d/sub", 0o755)
		}, nil, wantMode("d/sub", vfs.S_IFDIR|0o2755)},
		{"mknod regular", func(fx *fixture) error { return fx.tk.Mknod("/data/r", vfs.S_IFREG|0o600, 0) }, nil, func(t *testing.T, fx *fixture) {
			if !fx.hostExists("r") {
				t.Error("not on the host")
			}
		}},
		{"mknod fifo", func(fx *fixture) error { return fx.tk.Mknod("/data/p", vfs.S_IFIFO|0o600, 0) }, vfs.EPERM, nil},
		{"unlink", func(fx *fixture) error { return fx.tk.Unlink("/data/f") }, nil, func(t *testing.T, fx *fixture) {
			if fx.hostExists("f") {
				t.Error("still on the host")
			}
		}},
		{"unlink symlink keeps its target", func(fx *fixture) error { return fx.tk.Unlink("/data/l") }, nil, func(t *testing.T, fx *fixture) {
			if fx.hostExists("l") || !fx.hostExists("f") {
				t.Error("the link, not its target, must go")
			}
		}},
		{"unlink directory", func(fx *fixture) error { return fx.tk.Unlink("/data/d") }, vfs.EISDIR, nil},
		{"rmdir non-empty", func(fx *fixture) error { return fx.tk.Rmdir("/data/d") }, vfs.ENOTEMPTY, nil},
		{"rmdir", func(fx *fixture) error { return fx.tk.Rmdir("/data/e") }, nil, func(t *testing.T, fx *fixture) {
			if fx.hostExists("e") {
				t.Error("still on the host")
			}
		}},
		{"rename", func(fx *fixture) error { return fx.tk.Rename("/data/f", "/data/d/g") }, nil, func(t *testing.T, fx *fixture) {
			if fx.hostExists("f") || fx.hostRead(t, "d/g") != "hello" {
				t.Error("not moved on the host")
			}
			if _, err := readAll(fx.tk, "/data/d/g"); err != nil {
				t.Error(err)
			}
		}},
		{"rename replacing", func(fx *fixture) error { return fx.tk.Rename("/data/f", "/data/d/x") }, nil, func(t *testing.T, fx *fixture) {
			if fx.hostRead(t, "d/x") != "hello" {
				t.Error("not replaced on the host")
			}
		}},
		{"rename symlink", func(fx *fixture) error { return fx.tk.Rename("/data/l", "/data/l2") }, nil, func(t *testing.T, fx *fixture) {
			if s, err := os.Readlink(fx.host("l2")); err != nil || s != "f" || !fx.hostExists("f") {
				t.Errorf("host: %q %v", s, err)
			}
		}},
		{"rename directory", func(fx *fixture) error { return fx.tk.Rename("/data/d", "/data/e/d") }, nil, func(t *testing.T, fx *fixture) {
			if fx.hostRead(t, "e/d/x") != "x" {
				t.Error("not moved on the host")
			}
			if s, err := readAll(fx.tk, "/data/e/d/x"); err != nil || s != "x" {
				t.Errorf("%q %v", s, err)
			}
		}},
		{"rename onto empty directory", func(fx *fixture) error { return fx.tk.Rename("/data/d", "/data/e") }, nil, func(t *testing.T, fx *fixture) {
			if fx.hostExists("d") || fx.hostRead(t, "e/x") != "x" {
				t.Error("not replaced on the host")
			}
		}},
		{"rename file onto directory", func(fx *fixture) error { return fx.tk.Rename("/data/f", "/data/e") }, vfs.EISDIR, nil},
		{"rename onto non-empty directory", func(fx *fixture) error { return fx.tk.Rename("/data/e", "/data/d") }, vfs.ENOTEMPTY, nil},
		{"rename RENAME_NOREPLACE", func(fx *fixture) error {
			return fx.tk.Renameat2(vfs.AT_FDCWD, "/data/f", vfs.AT_FDCWD, "/data/f2", vfs.RENAME_NOREPLACE)
		}, nil, func(t *testing.T, fx *fixture) {
			if !fx.hostExists("f2") {
				t.Error("not renamed")
			}
		}},
		{"rename RENAME_NOREPLACE existing", func(fx *fixture) error {
			return fx.tk.Renameat2(vfs.AT_FDCWD, "/data/f", vfs.AT_FDCWD, "/data/d/x", vfs.RENAME_NOREPLACE)
		}, vfs.EEXIST, nil},
		{"rename RENAME_EXCHANGE", func(fx *fixture) error {
			return fx.tk.Renameat2(vfs.AT_FDCWD, "/data/f", vfs.AT_FDCWD, "/data/d/x", vfs.RENAME_EXCHANGE)
		}, nil, func(t *testing.T, fx *fixture) {
			if fx.hostRead(t, "f") != "x" || fx.hostRead(t, "d/x") != "hello" {
				t.Error("not exchanged on the host")
			}
		}},
		{"utimensat AT_SYMLINK_NOFOLLOW on a symlink", func(fx *fixture) error {
			ts := [2]vfs.Timespec{{Sec: 1000, Nsec: vfs.UTIME_OMIT}, {Sec: 2000, Nsec: 5}}
			return fx.tk.Utimensat(vfs.AT_FDCWD, "/data/l", &ts, vfs.AT_SYMLINK_NOFOLLOW)
		}, nil, func(t *testing.T, fx *fixture) {
			// The link's own mtime, as utimensat(2) on the host's tmpfs
			// sets it; the file it points to keeps its own.
			lfi, err := os.Lstat(fx.host("l"))
			must(t, err)
			ffi, err := os.Lstat(fx.host("f"))
			must(t, err)
			if lfi.ModTime().UnixNano() != 2000e9+5 || ffi.ModTime().Unix() == 2000 {
				t.Errorf("host: link mtime %v, file mtime %v", lfi.ModTime(), ffi.ModTime())
			}
			var st vfs.Stat
			must(t, fx.tk.Lstat("/data/l", &st))
			if st.Mtime != 2000e9+5 {
				t.Errorf("lstat mtime %d", st.Mtime)
			}
		}},
		{"rename RENAME_WHITEOUT", func(fx *fixture) error {
			return fx.tk.Renameat2(vfs.AT_FDCWD, "/data/f", vfs.AT_FDCWD, "/data/f2", vfs.RENAME_WHITEOUT)
		}, vfs.EINVAL, nil},
		{"symlink", func(fx *fixture) error { return fx.tk.Symlink("d/x", "/data/s") }, nil, func(t *testing.T, fx *fixture) {
			if s, err := os.Readlink(fx.host("s")); err != nil || s != "d/x" {
				t.Errorf("host: %q %v", s, err)
			}
			if s, err := readAll(fx.tk, "/data/s"); err != nil || s != "x" {
				t.Errorf("through the link: %q %v", s, err)
			}
		}},
		{"readlink", func(fx *fixture) error {
			s, err := fx.tk.Readlink("/data/l")
			if err == nil && s != "f" {
				return errors.New("readlink " + s)
			}
			return err
		}, nil, nil},
		{"link", func(fx *fixture) error { return fx.tk.Link("/data/f", "/data/d/h") }, nil, func(t *testing.T, fx *fixture) {
			if hostIno(t, fx.host("f")) != hostIno(t, fx.host("d/h")) {
				t.Error("not a hard link on the host")
			}
			var a, b vfs.Stat
			must(t, fx.tk.Stat("/data/f", &a))
			must(t, fx.tk.Stat("/data/d/h", &b))
			if a.Ino != b.Ino || a.Nlink != 2 {
				t.Errorf("ino %d/%d nlink %d", a.Ino, b.Ino, a.Nlink)
			}
		}},
		{"chmod", func(fx *fixture) error { return fx.tk.Chmod("/data/f", 0o600) }, nil, func(t *testing.T, fx *fixture) {
			if m := hostMode(t, fx.host("f")); m != 0o600 {
				t.Errorf("host mode %o", m)
			}
		}},
		{"chown", func(fx *fixture) error {
			fi, _ := os.Lstat(fx.host("f"))
			st := fi.Sys().(*syscall.Stat_t)
			return fx.tk.Chown("/data/f", st.Uid, st.Gid) // to itself: allowed for any host user
		}, nil, nil},
		{"utimensat", func(fx *fixture) error {
			ts := [2]vfs.Timespec{{Sec: 1000000000}, {Sec: 1234567890, Nsec: 5}}
			return fx.tk.Utimensat(vfs.AT_FDCWD, "/data/f", &ts, 0)
		}, nil, func(t *testing.T, fx *fixture) {
			fi, err := os.Lstat(fx.host("f"))
			must(t, err)
			if !fi.ModTime().Equal(time.Unix(1234567890, 5)) {
				t.Errorf("host mtime %v", fi.ModTime())
			}
			var st vfs.Stat
			must(t, fx.tk.Stat("/data/f", &st))
			if st.Mtime != 1234567890_000000005 || st.Atime != 1000000000_000000000 {
				t.Errorf("stat times %d %d", st.Atime, st.Mtime)
			}
		}},
		{"truncate", func(fx *fixture) error { return fx.tk.Truncate("/data/f", 2) }, nil, func(t *testing.T, fx *fixture) {
			if got := fx.hostRead(t, "f"); got != "he" {
				t.Errorf("host has %q", got)
			}
		}},
		{"ftruncate after unlink", func(fx *fixture) error {
			fd, err := fx.tk.Open("/data/n", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			if err != nil {
				return err
			}
			defer fx.tk.Close(fd)
			if _, err := fx.tk.Write(fd, []byte("hello")); err != nil {
				return err
			}
			if err := fx.tk.Unlink("/data/n"); err != nil {
				return err
			}
			if err := fx.tk.Ftruncate(fd, 3); err != nil {
				return err
			}
			return wantFdContent(fx.tk, fd, "hel")
		}, nil, nil},
		{"ftruncate after the host renamed the file", func(fx *fixture) error {
			fd, err := fx.tk.Open("/data/f", vfs.O_RDWR, 0)
			if err != nil {
				return err
			}
			defer fx.tk.Close(fd)
			if err := os.Rename(fx.host("f"), fx.host("g")); err != nil {
				return err
			}
			if err := fx.tk.Ftruncate(fd, 3); err != nil {
				return err
			}
			return wantFdContent(fx.tk, fd, "hel")
		}, nil, func(t *testing.T, fx *fixture) {
			if got := fx.hostRead(t, "g"); got != "hel" {
				t.Errorf("host has %q", got)
			}
		}},
		{"ftruncate by a non-owner after unlink drops set-user-ID", func(fx *fixture) error {
			if err := fx.tk.Chmod("/data/f", 0o6777); err != nil {
				return err
			}
			u := fx.v.NewTask("u", &vfs.Cred{UID: 1000, GID: 1000})
			fd, err := u.Open("/data/f", vfs.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer u.Close(fd)
			if err := os.Link(fx.host("f"), fx.host("keep")); err != nil {
				return err
			}
			if err := fx.tk.Unlink("/data/f"); err != nil {
				return err
			}
			return u.Ftruncate(fd, 0)
		}, nil, func(t *testing.T, fx *fixture) {
			if m := hostMode(t, fx.host("keep")); m != 0o777 {
				t.Errorf("host mode %o, want 777", m)
			}
		}},
		{"readdir", func(fx *fixture) error {
			ents, err := list(fx.tk, "/data", 64) // a few entries per call
			if err != nil {
				return err
			}
			if got := strings.Join(names(ents), " "); got != ". .. d e f l" {
				return errors.New("listed " + got)
			}
			for _, e := range ents[2:] {
				if e.Ino != inoOf(fx.host(e.Name)) {
					return errors.New("ino of " + e.Name + " is not the host's")
				}
			}
			if ents[2].Type != vfs.DT_DIR || ents[4].Type != vfs.DT_REG || ents[5].Type != vfs.DT_LNK {
				return errors.New("bad types")
			}
			return nil
		}, nil, nil},
		{"statfs", func(fx *fixture) error {
			var st vfs.Statfs
			if err := fx.tk.Statfs("/data", &st); err != nil {
				return err
			}
			if st.Type != hostfs.HOSTFS_SUPER_MAGIC || st.Blocks == 0 || st.Bsize == 0 {
				return errors.New("bad statfs")
			}
			return nil
		}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fx := mountHost(t, 0)
			err := tc.op(fx)
			if err != tc.want {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.check != nil {
				tc.check(t, fx)
			}
		})
	}
}

// TestHostChanges: what the host does under the VFS is seen at the next
// walk (->d_revalidate) or listing.
func TestHostChanges(t *testing.T) {
	fx := mountHost(t, 0)
	tk := fx.tk
	var st vfs.Stat
	if err := tk.Stat("/data/new", &st); err != vfs.ENOENT {
		t.Fatalf("stat new: %v", err)
	}
	// A negative dentry is now cached for "new"; the host creates it.
	must(t, os.WriteFile(fx.host("new"), []byte("host"), 0o644))
	if s, err := readAll(tk, "/data/new"); err != nil || s != "host" {
		t.Fatalf("after the host created it: %q %v", s, err)
	}
	// Changed content and size are seen at once (no page cache).
	must(t, os.WriteFile(fx.host("new"), []byte("host2!"), 0o644))
	must(t, tk.Stat("/data/new", &st))
	if st.Size != 6 {
		t.Errorf("size %d after the host grew it", st.Size)
	}
	// Removed on the host.
	must(t, os.Remove(fx.host("new")))
	if err := tk.Stat("/data/new", &st); err != vfs.ENOENT {
		t.Errorf("after the host removed it: %v", err)
	}
	// Replaced by a directory: type and inode follow.
	must(t, tk.Stat("/data/f", &st))
	must(t, os.Remove(fx.host("f")))
	must(t, os.Mkdir(fx.host("f"), 0o755))
	must(t, tk.Stat("/data/f", &st))
	if !vfs.IsDir(st.Mode) || st.Ino != hostIno(t, fx.host("f")) {
		t.Errorf("after the host replaced f by a directory: mode %o ino %d", st.Mode, st.Ino)
	}
	// A directory renamed on the host: old name gone, new one there.
	must(t, tk.Stat("/data/d/x", &st))
	must(t, os.Rename(fx.host("d"), fx.host("d2")))
	if err := tk.Stat("/data/d/x", &st); err != vfs.ENOENT {
		t.Errorf("old name after the host's rename: %v", err)
	}
	if s, err := readAll(tk, "/data/d2/x"); err != nil || s != "x" {
		t.Errorf("new name: %q %v", s, err)
	}
	// An open directory sees host changes when its listing restarts.
	fd, err := tk.Open("/data", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	must(t, err)
	defer tk.Close(fd)
	ents, err := tk.Getdents(fd, 4096)
	must(t, err)
	before := strings.Join(names(ents), " ")
	must(t, os.WriteFile(fx.host("zz"), nil, 0o644))
	_, err = tk.Seek(fd, 0, vfs.SEEK_SET)
	must(t, err)
	ents, err = tk.Getdents(fd, 4096)
	must(t, err)
	after := strings.Join(names(ents), " ")
	if before != ". .. d2 e f l" || after != ". .. d2 e f l zz" {
		t.Errorf("listings %q then %q", before, after)
	}
	// Modes changed on the host reach permission checks.
	must(t, os.Chmod(fx.host("e"), 0o700))
	must(t, tk.Stat("/data/e", &st))
	if st.Mode&0o777 != 0o700 {
		t.Errorf("mode %o after the host's chmod", st.Mode&0o777)
	}
}

// TestListingPositions: positions are stable within a listing even when
// entries come and go on the host, and a removed entry is still listed
// from the snapshot.
func TestListingPositions(t *testing.T) {
	fx := mountHost(t, 0)
	for i := 0; i < 40; i++ {
		must(t, os.WriteFile(fx.host("n"+string(rune('a'+i%26))+string(rune('a'+i/26))), nil, 0o644))
	}
	fd, err := fx.tk.Open("/data", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	must(t, err)
	defer fx.tk.Close(fd)
	first, err := fx.tk.Getdents(fd, 200)
	must(t, err)
	// The host adds and removes entries mid-listing.
	must(t, os.Remove(fx.host("naa")))
	must(t, os.WriteFile(fx.host("a0"), nil, 0o644))
	var rest []vfs.Dirent
	for {
		ents, err := fx.tk.Getdents(fd, 200)
		must(t, err)
		if len(ents) == 0 {
			break
		}
		rest = append(rest, ents...)
	}
	all := append(first, rest...)
	seen := map[string]bool{}
	for _, e := range all {
		if seen[e.Name] {
			t.Errorf("%s listed twice", e.Name)
		}
		seen[e.Name] = true
	}
	if len(all) != 2+4+40 {
		t.Errorf("%d entries", len(all))
	}
	// Seeking back to a position given by getdents continues from there.
	_, err = fx.tk.Seek(fd, first[5].Off, vfs.SEEK_SET)
	must(t, err)
	ents, err := fx.tk.Getdents(fd, 64)
	must(t, err)
	if len(ents) == 0 || ents[0].Name != all[6].Name {
		t.Errorf("after seek to %d: %v, want %s first", first[5].Off, names(ents), all[6].Name)
	}
}

// TestConfinement: no ".." and no symlink reaches outside the host
// directory, whether the VFS walks it or the host changes the tree under
// a dentry the VFS holds.
func TestConfinement(t *testing.T) {
	fx := mountHost(t, 0)
	tk := fx.tk
	must(t, os.Symlink("/etc", fx.host("etc")))
	must(t, os.Symlink("../../../../../../..", fx.host("up")))
	secret, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Skip("no /etc/passwd on the host to hide")
	}
	// Walks: symlink bodies and ".." are resolved by the VFS in its own
	// tree, where /etc/passwd does not exist.
	for _, p := range []string{"/data/etc/passwd", "/data/up/etc/passwd", "/data/../../etc/passwd", "/data/d/../../../etc/passwd"} {
		if s, err := readAll(tk, p); err == nil || strings.Contains(s, string(secret)) {
			t.Errorf("%s: read %d bytes (%v)", p, len(s), err)
		}
	}
	if err := writeFile(tk, "/data/etc/vfscope-escape", vfs.O_CREAT|vfs.O_WRONLY, 0o644, "x"); err == nil {
		t.Error("created a file through the link to /etc")
	}
	if s, err := tk.Readlink("/data/etc"); err != nil || s != "/etc" {
		t.Errorf("readlink: %q %v", s, err)
	}
	// The host turns a directory the VFS stands in into a link to /etc:
	// the dentry of the cwd is not revalidated, so the host path
	// "d/passwd" goes to the store, which must refuse to follow it out.
	must(t, tk.Chdir("/data/d"))
	must(t, os.Rename(fx.host("d"), fx.host("d.old")))
	must(t, os.Symlink("/etc", fx.host("d")))
	if s, err := readAll(tk, "passwd"); err == nil || strings.Contains(s, string(secret)) {
		t.Errorf("relative to a cwd the host swapped for a link: read %d bytes (%v)", len(s), err)
	}
	var st vfs.Stat
	if err := tk.Stat("passwd", &st); err == nil {
		t.Error("stat through the swapped directory succeeded")
	}
	if err := tk.Mkdir("escape", 0o755); err == nil {
		t.Error("mkdir through the swapped directory succeeded")
	}
	if _, err := os.Lstat("/etc/escape"); err == nil {
		t.Error("/etc/escape exists on the host")
	}
	// The walk from the top revalidates d and follows the new link in
	// the VFS's tree instead.
	if _, err := readAll(tk, "/data/d/passwd"); err != vfs.ENOENT {
		t.Errorf("/data/d/passwd: %v", err)
	}

	// The store itself, asked directly.
	store, err := hostfs.OpenDir(fx.dir)
	must(t, err)
	defer store.Close()
	for _, p := range []string{"etc/passwd", "../../../../etc/passwd", "up/etc/passwd", "/../etc/passwd"} {
		if f, err := store.Open(p); err == nil {
			f.Close()
			t.Errorf("store opened %s", p)
		}
		if _, err := store.Stat(p); err == nil {
			t.Errorf("store stat %s", p)
		}
	}
	if _, err := store.Lstat("../" + filepath.Base(fx.dir)); err == nil {
		t.Error("store lstat of ../ succeeded")
	}
	if err := store.Chmod("etc/passwd", 0o777); err == nil {
		t.Error("store chmod through the link succeeded")
	}
}

// TestReadOnly: a read-only mount reads and refuses every change with
// EROFS.
func TestReadOnly(t *testing.T) {
	fx := mountHost(t, vfs.MS_RDONLY)
	tk := fx.tk
	if s, err := readAll(tk, "/data/f"); err != nil || s != "hello" {
		t.Fatalf("read: %q %v", s, err)
	}
	if ents, err := list(tk, "/data", 4096); err != nil || len(ents) != 6 {
		t.Fatalf("list: %v %v", names(ents), err)
	}
	ops := map[string]func() error{
		"open for write": func() error { _, err := tk.Open("/data/f", vfs.O_WRONLY, 0); return err },
		"create":         func() error { _, err := tk.Open("/data/n", vfs.O_CREAT|vfs.O_WRONLY, 0o644); return err },
		"mkdir":          func() error { return tk.Mkdir("/data/n", 0o755) },
		"mknod":          func() error { return tk.Mknod("/data/n", vfs.S_IFREG|0o644, 0) },
		"unlink":         func() error { return tk.Unlink("/data/f") },
		"rmdir":          func() error { return tk.Rmdir("/data/e") },
		"rename":         func() error { return tk.Rename("/data/f", "/data/g") },
		"symlink":        func() error { return tk.Symlink("f", "/data/s") },
		"link":           func() error { return tk.Link("/data/f", "/data/h") },
		"chmod":          func() error { return tk.Chmod("/data/f", 0o600) },
		"chown":          func() error { return tk.Chown("/data/f", 0, 0) },
		"truncate":       func() error { return tk.Truncate("/data/f", 0) },
		"utimensat":      func() error { return tk.Utimensat(vfs.AT_FDCWD, "/data/f", nil, 0) },
	}
	keys := make([]string, 0, len(ops))
	for k := range ops {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := ops[k](); err != vfs.EROFS {
			t.Errorf("%s: %v, want EROFS", k, err)
		}
	}
	if fx.hostRead(t, "f") != "hello" || fx.hostExists("n") || !fx.hostExists("e") {
		t.Error("the host changed")
	}
	var st vfs.Statfs
	must(t, tk.Statfs("/data", &st))
	if st.Flags&vfs.ST_RDONLY == 0 {
		t.Errorf("statfs flags %#x", st.Flags)
	}
}

// TestOtherStores: any billy.Filesystem works as the backing store:
// memfs (no host inode numbers, no hard links) and go-billy's osfs.
func TestOtherStores(t *testing.T) {
	mem := memfs.New()
	must(t, mem.MkdirAll("d", 0o755))
	f, err := mem.Create("d/x")
	must(t, err)
	f.Write([]byte("mem"))
	f.Close()
	fx := mountStore(t, "mem", 0, func(string) (billy.Filesystem, error) { return mem, nil })
	tk := fx.tk
	if s, err := readAll(tk, "/data/d/x"); err != nil || s != "mem" {
		t.Fatalf("read: %q %v", s, err)
	}
	must(t, writeFile(tk, "/data/d/y", vfs.O_CREAT|vfs.O_WRONLY, 0o644, "new"))
	if b, err := mem.Open("d/y"); err != nil {
		t.Fatal(err)
	} else {
		buf := make([]byte, 10)
		n, _ := b.Read(buf)
		b.Close()
		if string(buf[:n]) != "new" {
			t.Errorf("memfs has %q", buf[:n])
		}
	}
	var a, b vfs.Stat
	must(t, tk.Stat("/data/d/x", &a))
	must(t, tk.Stat("/data/d/y", &b))
	if a.Ino == 0 || b.Ino == 0 || a.Ino == b.Ino {
		t.Errorf("inode numbers %d %d", a.Ino, b.Ino)
	}
	ents, err := list(tk, "/data/d", 4096)
	must(t, err)
	if len(ents) != 4 || ents[2].Ino != a.Ino || ents[3].Ino != b.Ino {
		t.Errorf("listing %+v, stat inos %d %d", ents, a.Ino, b.Ino)
	}
	must(t, tk.Stat("/data/d/x", &b))
	if b.Ino != a.Ino {
		t.Error("inode number not stable")
	}
	if err := tk.Link("/data/d/x", "/data/d/z"); err != vfs.EPERM {
		t.Errorf("link on memfs: %v, want EPERM", err)
	}
	must(t, tk.Mkdir("/data/m", 0o755))
	if err := tk.Mkdir("/data/m", 0o755); err != vfs.EEXIST {
		t.Errorf("mkdir again: %v", err)
	}
	must(t, tk.Rename("/data/d/y", "/data/m/y"))
	must(t, tk.Unlink("/data/m/y"))
	must(t, tk.Rmdir("/data/m"))
	if _, err := mem.Lstat("m"); err == nil {
		t.Error("m still in memfs")
	}
}

// TestMountErrors: a missing source, a file as the source, options.
func TestMountErrors(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{Lockdep: true})
	must(t, err)
	must(t, hostfs.Register(tk, v, openDir))
	must(t, tk.Mkdir("/data", 0o755))
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o644))
	for _, c := range []struct {
		src, data string
		want      error
	}{
		{filepath.Join(dir, "nope"), "", vfs.ENOENT},
		{filepath.Join(dir, "file"), "", vfs.ENOTDIR},
		{dir, "size=1", vfs.EINVAL},
		{"", "", vfs.EINVAL},                 // was the process's cwd
		{filepath.Base(dir), "", vfs.EINVAL}, // relative to the cwd
		{".", "", vfs.EINVAL},
	} {
		if err := tk.Mount(c.src, "/data", "hostfs", 0, c.data); err != c.want {
			t.Errorf("mount %s -o %q: %v, want %v", c.src, c.data, err, c.want)
		}
	}
	if r := v.Validator().Reports(); len(r) > 0 {
		t.Errorf("lock validator: %v", r)
	}
}

// TestConcurrent: tasks working in the same mount at once (run with
// -race and lock validation on).
func TestConcurrent(t *testing.T) {
	fx := mountHost(t, 0)
	done := make(chan error)
	const workers, rounds = 4, 30
	for w := 0; w < workers; w++ {
		tk := fx.v.NewTask("w", vfs.RootCred)
		dir := "/data/w" + string(rune('0'+w))
		go func() {
			done <- func() error {
				if err := tk.Mkdir(dir, 0o755); err != nil {
					return err
				}
				for i := 0; i < rounds; i++ {
					p := dir + "/f"
					if err := writeFile(tk, p, vfs.O_CREAT|vfs.O_WRONLY|vfs.O_TRUNC, 0o644, "data"); err != nil {
						return err
					}
					if s, err := readAll(tk, p); err != nil || s != "data" {
						return errors.New("read back " + s)
					}
					if err := tk.Rename(p, dir+"/g"); err != nil {
						return err
					}
					if _, err := list(tk, "/data", 256); err != nil {
						return err
					}
					if err := tk.Unlink(dir + "/g"); err != nil {
						return err
					}
				}
				return tk.Rmdir(dir)
			}()
		}()
	}
	for w := 0; w < workers; w++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	ents, err := os.ReadDir(fx.dir)
	must(t, err)
	if len(ents) != 4 {
		t.Errorf("host has %d entries left", len(ents))
	}
}

// syncStore is a store whose open files count their Sync calls (fsync(2)
// on the host), for TestSyncWrites.
type syncStore struct {
	billy.Filesystem
	syncs *atomic.Int32
}

func (s syncStore) OpenFile(name string, flag int, perm os.FileMode) (billy.File, error) {
	f, err := s.Filesystem.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return syncFile{f, s.syncs}, nil
}

type syncFile struct {
	billy.File
	syncs *atomic.Int32
}

func (f syncFile) Sync() error { f.syncs.Add(1); return nil }

// TestSyncWrites: a write to an O_SYNC or O_DSYNC file, or to any file
// of a -o sync mount, reaches the host's storage before it returns
// (generic_write_sync: the host file is synced); a plain write does not
// wait for it. Created files (the handle ->create opened) too.
func TestSyncWrites(t *testing.T) {
	tests := []struct {
		name      string
		mount     uint32
		path      string
		flags     int
		wantSyncs bool
	}{
		{"plain", 0, "/data/f", vfs.O_WRONLY, false},
		{"O_SYNC", 0, "/data/f", vfs.O_WRONLY | vfs.O_SYNC, true},
		{"O_DSYNC", 0, "/data/f", vfs.O_WRONLY | vfs.O_DSYNC, true},
		{"O_APPEND|O_DSYNC", 0, "/data/f", vfs.O_WRONLY | vfs.O_APPEND | vfs.O_DSYNC, true},
		{"create O_SYNC", 0, "/data/n", vfs.O_CREAT | vfs.O_WRONLY | vfs.O_SYNC, true},
		{"create O_DSYNC", 0, "/data/n", vfs.O_CREAT | vfs.O_WRONLY | vfs.O_DSYNC, true},
		{"create plain", 0, "/data/n", vfs.O_CREAT | vfs.O_WRONLY, false},
		{"-o sync", vfs.MS_SYNCHRONOUS, "/data/f", vfs.O_WRONLY, true},
		{"-o sync create", vfs.MS_SYNCHRONOUS, "/data/n", vfs.O_CREAT | vfs.O_WRONLY, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			must(t, os.WriteFile(filepath.Join(dir, "f"), []byte("hello"), 0o644))
			var syncs atomic.Int32
			fx := mountStore(t, dir, tc.mount, func(src string) (billy.Filesystem, error) {
				d, err := hostfs.OpenDir(src)
				if err != nil {
					return nil, err
				}
				return syncStore{d, &syncs}, nil
			})
			fd, err := fx.tk.Open(tc.path, tc.flags, 0o644)
			must(t, err)
			defer fx.tk.Close(fd)
			if _, err := fx.tk.Write(fd, []byte("x")); err != nil {
				t.Fatal(err)
			}
			if got := syncs.Load() > 0; got != tc.wantSyncs {
				t.Errorf("host file synced %d times, want synced %v", syncs.Load(), tc.wantSyncs)
			}
		})
	}
}
