package wasi

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestPreopenConfines: a preopen is a sandbox, as the WASI spec's path
// resolution requires: no path_* call reaches outside the directory its
// descriptor names. The guest's walks are RESOLVE_IN_ROOT: an absolute
// path or symlink starts at the preopen and a ".." there stays there, so
// /secret, ../../secret and a symlink to / name the preopen's own
// (absent) secret; a magic link, which would leave, fails with EPERM.
// Paths that stay inside work, and a rename across mounts inside the
// preopen is still EXDEV.
func TestPreopenConfines(t *testing.T) {
	_, host, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(host.Mkdir("/tmp/sb", 0o777))
	must(host.Mkdir("/tmp/sb/x", 0o777))
	must(host.Mkdir("/tmp/sb/m", 0o777))
	must(host.Mount("none", "/tmp/sb/m", "tmpfs", 0, ""))
	for _, p := range []string{"/secret", "/tmp/sb/f", "/tmp/sb/m/g"} {
		fd, err := host.Open(p, vfs.O_CREAT|vfs.O_WRONLY, 0o644)
		must(err)
		must(host.Close(fd))
	}
	must(host.Symlink("/", "/tmp/sb/abs"))
	must(host.Symlink("../../secret", "/tmp/sb/up"))
	must(host.Symlink("x", "/tmp/sb/in"))
	must(host.Mkdir("/tmp/sb/proc", 0o555))
	must(host.Mount("proc", "/tmp/sb/proc", "proc", 0, ""))

	f := &fx{t: t, host: host, m: make(Bytes, 1<<16), heap: 1024}
	f.a, err = New(Config{Task: host, Preopens: []string{"/tmp/sb"}})
	must(err)
	defer f.a.Close()

	open := func(path string, follow bool) Errno {
		p, n := f.str(path)
		var lf uint32
		if follow {
			lf = LookupSymlinkFollow
		}
		e := f.a.PathOpen(f.m, preFd, lf, p, n, 0, RightFdRead, 0, 0, res)
		if e == ESUCCESS {
			f.a.FdClose(int32(f.u32(res)))
		}
		return e
	}
	for _, c := range []struct {
		path string
		want Errno
	}{
		{"f", ESUCCESS},
		{"x/../f", ESUCCESS},
		{"in/../f", ESUCCESS},
		{"m/g", ESUCCESS},
		{"../../secret", ENOENT},
		{"..", ESUCCESS}, // the preopen itself
		{"../f", ESUCCESS},
		{"x/../../secret", ENOENT},
		{"/secret", ENOENT},
		{"/f", ESUCCESS},
		{"/tmp/sb/f", ENOENT},
		{"abs/secret", ENOENT},
		{"abs/f", ESUCCESS},
		{"up", ENOENT},
		{"m/../../secret", ENOENT},
		{"proc/self/root/secret", EPERM}, // a magic link
	} {
		f.is("path_open("+c.path+")", open(c.path, true), c.want)
	}
	stat := func(path string) Errno {
		p, n := f.str(path)
		return f.a.PathFilestatGet(f.m, preFd, LookupSymlinkFollow, p, n, res)
	}
	f.is("path_filestat_get(../../secret)", stat("../../secret"), ENOENT)
	f.is("path_filestat_get(up)", stat("up"), ENOENT)
	p, n := f.str("../../made")
	f.is("path_create_directory(../../made)", f.a.PathCreateDirectory(f.m, preFd, p, n), ESUCCESS)
	p, n = f.str("abs/secret")
	f.is("path_unlink_file(abs/secret)", f.a.PathUnlinkFile(f.m, preFd, p, n), ENOENT)
	rename := func(from, to string) Errno {
		op, on := f.str(from)
		np, nn := f.str(to)
		return f.a.PathRename(f.m, preFd, op, on, preFd, np, nn)
	}
	f.is("path_rename(/secret, x/s)", rename("/secret", "x/s"), ENOENT)
	f.is("path_rename(f, m/f) across mounts", rename("f", "m/f"), EXDEV)
	f.is("path_rename(f, ../../kept)", rename("f", "../../kept"), ESUCCESS)
	var st vfs.Stat
	for _, c := range []struct {
		path string
		want error
	}{
		{"/secret", nil}, {"/made", vfs.ENOENT}, {"/tmp/made", vfs.ENOENT}, {"/kept", vfs.ENOENT},
		{"/tmp/sb/made", nil}, {"/tmp/sb/kept", nil},
	} {
		if err := host.Stat(c.path, &st); err != c.want {
			t.Errorf("stat %s after the guest's calls: %v, want %v", c.path, err, c.want)
		}
	}
}

// TestPathOpenNofollowSymlink: path_open without symlink_follow fails on
// a final symlink with ELOOP whatever rights it asks, also none (which
// opens O_PATH, and O_PATH|O_NOFOLLOW would open the link itself);
// wasmtime's preview1 nofollow_errors test expects this.
func TestPathOpenNofollowSymlink(t *testing.T) {
	f := newFx(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.host.Mkdir("/tmp/nf", 0o777))
	must(f.host.Symlink("/tmp", "/tmp/nf/dirlink"))
	fd, err := f.host.Open("/tmp/nf/file", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
	must(err)
	must(f.host.Close(fd))
	must(f.host.Symlink("file", "/tmp/nf/filelink"))
	for _, c := range []struct {
		path   string
		rights Rights
		want   Errno
	}{
		{"tmp/nf/filelink", 0, ELOOP},
		{"tmp/nf/dirlink", 0, ELOOP},
		{"tmp/nf/filelink", RightFdFilestatGet, ELOOP},
		{"tmp/nf/filelink", RightFdRead, ELOOP},
		{"tmp/nf/file", 0, ESUCCESS},
		{"tmp/nf", 0, ESUCCESS},
	} {
		p, n := f.str(c.path)
		f.is("path_open(nofollow "+c.path+")", f.a.PathOpen(f.m, preFd, 0, p, n, 0, c.rights, 0, 0, res), c.want)
	}
}
