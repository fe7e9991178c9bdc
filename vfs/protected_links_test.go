package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestProtectedHardlinks: fs.protected_hardlinks (fs/namei.c may_linkat,
// safe_hardlink_source; Documentation/admin-guide/sysctl/fs.rst). With
// it 1, a task that neither owns the source nor has CAP_FOWNER (root)
// may link it only if it is a regular file, not set-user-ID, not
// set-group-ID with group execute, and the task may read and write it;
// else EPERM. do_linkat asks after filename_create (EEXIST, ENOENT) and
// the EXDEV check, before vfs_link's may_create (EACCES). The kernel's
// default is 0: nothing is checked.
func TestProtectedHardlinks(t *testing.T) {
	// src creates /tmp/src as root with mode, owned by uid:gid.
	src := func(mode, uid, gid uint32) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.WriteFile("/tmp/src", "s", mode&0o777)
			e.Must(e.Root.Chown("/tmp/src", uid, gid))
			e.Must(e.Root.Chmod("/tmp/src", mode))
		}
	}
	on := func(e *vt.Env) { e.Must(e.V.SetProtectedHardlinks(1)) }
	// as runs setup steps as root, then switches to uid 1000 (gid 1000).
	as := func(uid uint32, steps ...func(e *vt.Env)) func(e *vt.Env) {
		return func(e *vt.Env) {
			for _, s := range steps {
				s(e)
			}
			if uid != 0 {
				e.As(uid, 1000)
			}
		}
	}
	link := func(from, to string, flags int) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Linkat(AT_FDCWD, from, AT_FDCWD, to, flags) }
	}
	ln := link("/tmp/src", "/tmp/dst", 0)
	linked := func(e *vt.Env) {
		e.TB.Helper()
		if a, b := e.Lstat("/tmp/src"), e.Lstat("/tmp/dst"); a.Ino != b.Ino || a.Nlink != 2 {
			e.TB.Fatalf("src ino %d nlink %d, dst ino %d", a.Ino, a.Nlink, b.Ino)
		}
	}
	notLinked := wantAbsent("/tmp/dst")
	mkfifo := func(e *vt.Env) { e.Must(e.Root.Mknod("/tmp/src", S_IFIFO|0o666, 0)) }
	mkchr := func(e *vt.Env) { e.Must(e.Root.Mknod("/tmp/src", S_IFCHR|0o666, MkDev(1, 3))) }
	mklnk := func(e *vt.Env) { e.WriteFile("/tmp/t", "t", 0o666); e.Must(e.Root.Symlink("t", "/tmp/src")) }
	vt.Run(t, []vt.Case{
		// protected_hardlinks 0 (the default): nothing is checked.
		{Name: "off unreadable", Setup: as(1000, src(0o600, 0, 0)), Op: ln, Check: linked},
		{Name: "off setuid", Setup: as(1000, src(0o4777, 0, 0)), Op: ln, Check: linked},
		{Name: "off fifo", Setup: as(1000, mkfifo), Op: ln, Check: linked},
		// protected_hardlinks 1, a non-owner without CAP_FOWNER.
		{Name: "safe source", Setup: as(1000, on, src(0o666, 0, 0)), Op: ln, Check: linked},
		{Name: "not writable", Setup: as(1000, on, src(0o644, 0, 0)), Op: ln, Want: EPERM, Check: notLinked},
		{Name: "not readable", Setup: as(1000, on, src(0o622, 0, 0)), Op: ln, Want: EPERM, Check: notLinked},
		{Name: "no access", Setup: as(1000, on, src(0o600, 0, 0)), Op: ln, Want: EPERM, Check: notLinked},
		{Name: "group read write", Setup: as(1000, on, src(0o660, 0, 1000)), Op: ln, Check: linked},
		{Name: "setuid", Setup: as(1000, on, src(0o4666, 0, 0)), Op: ln, Want: EPERM, Check: notLinked},
		{Name: "setgid group exec", Setup: as(1000, on, src(0o2676, 0, 0)), Op: ln, Want: EPERM, Check: notLinked},
		{Name: "setgid without group exec", Setup: as(1000, on, src(0o2666, 0, 0)), Op: ln, Check: linked},
		{Name: "group exec without setgid", Setup: as(1000, on, src(0o676, 0, 0)), Op: ln, Check: linked},
		{Name: "fifo", Setup: as(1000, on, mkfifo), Op: ln, Want: EPERM, Check: notLinked},
		{Name: "char device", Setup: as(1000, on, mkchr), Op: ln, Want: EPERM, Check: notLinked},
		{Name: "symlink itself", Setup: as(1000, on, mklnk), Op: ln, Want: EPERM, Check: notLinked},
		{Name: "symlink followed to safe file", Setup: as(1000, on, mklnk), Op: link("/tmp/src", "/tmp/dst", AT_SYMLINK_FOLLOW),
			Check: func(e *vt.Env) {
				if a, b := e.Lstat("/tmp/t"), e.Lstat("/tmp/dst"); a.Ino != b.Ino {
					e.TB.Fatal("not linked to the target")
				}
			}},
		// The owner and CAP_FOWNER (root) may link anything linkable.
		{Name: "owner setuid unreadable", Setup: as(1000, on, src(0o4000, 1000, 1000)), Op: ln, Check: linked},
		{Name: "root others unreadable", Setup: as(0, on, src(0o4000, 2000, 2000)), Op: ln, Check: linked},
		{Name: "root fifo", Setup: as(0, on, mkfifo), Op: ln, Check: linked},
		// Order in do_linkat.
		{Name: "EEXIST before EPERM", Setup: as(1000, on, src(0o600, 0, 0), func(e *vt.Env) { e.WriteFile("/tmp/dst", "", 0o644) }),
			Op: ln, Want: EEXIST},
		{Name: "ENOENT new parent before EPERM", Setup: as(1000, on, src(0o600, 0, 0)), Op: link("/tmp/src", "/tmp/no/dst", 0), Want: ENOENT},
		{Name: "EXDEV before EPERM", Setup: as(1000, on, src(0o600, 0, 0), func(e *vt.Env) {
			e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, "mode=1777"))
		}), Op: link("/tmp/src", "/e/dst", 0), Want: EXDEV},
		{Name: "EPERM before EACCES of the new parent", Setup: as(1000, on, src(0o600, 0, 0)), Op: link("/tmp/src", "/d/dst", 0), Want: EPERM},
		{Name: "EACCES of the new parent for a safe source", Setup: as(1000, on, src(0o666, 0, 0)), Op: link("/tmp/src", "/d/dst", 0), Want: EACCES},
		{Name: "EROFS before EPERM", Setup: as(1000, on, func(e *vt.Env) {
			e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, "mode=1777"))
			e.WriteFile("/e/src", "s", 0o600)
			e.Must(e.Root.Mount("", "/e", "", MS_REMOUNT|MS_RDONLY, ""))
		}), Op: link("/e/src", "/e/dst", 0), Want: EROFS},
	})
}

// TestProtectedHardlinksSysctl: the kernel's default is 0, and only 0
// and 1 are accepted (proc_dointvec_minmax, extra1 0, extra2 1).
func TestProtectedHardlinksSysctl(t *testing.T) {
	e := vt.New(t)
	if got := e.V.ProtectedHardlinks(); got != 0 {
		t.Fatalf("default %d, want 0", got)
	}
	for _, c := range []struct {
		val  int64
		want Errno
		now  int64
	}{
		{1, 0, 1},
		{2, EINVAL, 1},
		{-1, EINVAL, 1},
		{0, 0, 0},
		{1 << 31, EINVAL, 0},
	} {
		if err := e.V.SetProtectedHardlinks(c.val); ErrnoOf(err) != c.want {
			t.Errorf("set %d: %v, want %v", c.val, err, c.want)
		}
		if got := e.V.ProtectedHardlinks(); got != c.now {
			t.Errorf("after set %d: %d, want %d", c.val, got, c.now)
		}
	}
}
