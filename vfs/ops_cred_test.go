package vfs_test

import (
	"strings"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestXattr: getxattr(2), setxattr(2), removexattr(2), listxattr(2).
func TestXattr(t *testing.T) {
	set := func(path, name, val string, flags int) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Setxattr(path, name, []byte(val), flags) }
	}
	get := func(path, name, want string) func(e *vt.Env) error {
		return func(e *vt.Env) error {
			v, err := e.T.Getxattr(path, name)
			if err == nil && string(v) != want {
				e.TB.Fatalf("%s=%q, want %q", name, v, want)
			}
			return err
		}
	}
	has := func(path, name, want string) func(e *vt.Env) {
		return func(e *vt.Env) { e.TB.Helper(); e.Must(get(path, name, want)(e)) }
	}
	ua := func(e *vt.Env) { e.Must(e.Root.Setxattr("/d/f", "user.a", []byte("1"), 0)) }
	user := func(e *vt.Env) { e.As(1000, 1000) }
	vt.Run(t, []vt.Case{
		{Name: "set get", Op: set("/d/f", "user.a", "v", 0), Check: has("/d/f", "user.a", "v")},
		{Name: "empty value", Op: set("/d/f", "user.a", "", 0), Check: has("/d/f", "user.a", "")},
		{Name: "replace value", Setup: ua, Op: set("/d/f", "user.a", "2", 0), Check: has("/d/f", "user.a", "2")},
		{Name: "create existing", Setup: ua, Op: set("/d/f", "user.a", "2", XATTR_CREATE), Want: EEXIST, Check: has("/d/f", "user.a", "1")},
		{Name: "create new", Op: set("/d/f", "user.a", "2", XATTR_CREATE)},
		{Name: "replace missing", Op: set("/d/f", "user.a", "2", XATTR_REPLACE), Want: ENODATA},
		{Name: "replace existing", Setup: ua, Op: set("/d/f", "user.a", "2", XATTR_REPLACE), Check: has("/d/f", "user.a", "2")},
		{Name: "bad flags", Op: set("/d/f", "user.a", "2", 4), Want: EINVAL},
		{Name: "get missing", Op: get("/d/f", "user.nope", ""), Want: ENODATA},
		{Name: "get missing file", Op: get("/d/nope", "user.a", ""), Want: ENOENT},
		{Name: "name too long", Op: set("/d/f", "user."+rep('n', 251), "x", 0), Want: ERANGE},
		{Name: "name 255 ok", Op: set("/d/f", "user."+rep('n', 250), "x", 0)},
		{Name: "get name too long", Op: get("/d/f", "user."+rep('n', 251), ""), Want: ERANGE},
		{Name: "empty name", Op: set("/d/f", "", "x", 0), Want: ERANGE},
		{Name: "prefix only", Op: set("/d/f", "user.", "x", 0), Want: EINVAL},
		{Name: "unknown namespace", Op: set("/d/f", "bogus.a", "x", 0), Want: EOPNOTSUPP},
		{Name: "value too big", Op: set("/d/f", "user.a", rep('v', XATTR_SIZE_MAX+1), 0), Want: E2BIG},
		{Name: "value max", Op: set("/d/f", "user.a", rep('v', XATTR_SIZE_MAX), 0)},
		{Name: "on dir", Op: set("/d/sub", "user.a", "x", 0), Check: has("/d/sub", "user.a", "x")},
		{Name: "follows symlink", Op: set("/d/l", "user.a", "x", 0), Check: has("/d/f", "user.a", "x")},
		{Name: "user on symlink", Op: func(e *vt.Env) error { return e.T.Lsetxattr("/d/l", "user.a", []byte("x"), 0) }, Want: EPERM},
		{Name: "user get on symlink", Op: func(e *vt.Env) error { _, err := e.T.Lgetxattr("/d/l", "user.a"); return err }, Want: ENODATA},
		{Name: "trusted on symlink as root", Op: func(e *vt.Env) error { return e.T.Lsetxattr("/d/l", "trusted.a", []byte("x"), 0) }},
		{Name: "user on fifo", Setup: func(e *vt.Env) { e.Must(e.Root.Mknod("/d/p", S_IFIFO|0o666, 0)) }, Op: set("/d/p", "user.a", "x", 0), Want: EPERM},
		{Name: "remove", Setup: ua, Op: func(e *vt.Env) error { return e.T.Removexattr("/d/f", "user.a") },
			Check: func(e *vt.Env) {
				if _, err := e.Root.Getxattr("/d/f", "user.a"); err != ENODATA {
					e.TB.Fatal(err)
				}
			}},
		{Name: "remove missing", Op: func(e *vt.Env) error { return e.T.Removexattr("/d/f", "user.a") }, Want: ENODATA},
		{Name: "list", Setup: func(e *vt.Env) { ua(e); e.Must(e.Root.Setxattr("/d/f", "trusted.t", []byte("t"), 0)) }, Op: func(e *vt.Env) error {
			names, err := e.T.Listxattr("/d/f")
			if strings.Join(names, ",") != "user.a,trusted.t" { // simple_xattr_list: descending
				e.TB.Fatal(names)
			}
			return err
		}},
		{Name: "list empty", Op: func(e *vt.Env) error {
			names, err := e.T.Listxattr("/d/f")
			if len(names) != 0 {
				e.TB.Fatal(names)
			}
			return err
		}},
		{Name: "list as user hides trusted", Setup: func(e *vt.Env) {
			ua(e)
			e.Must(e.Root.Setxattr("/d/f", "trusted.t", []byte("t"), 0))
			user(e)
		}, Op: func(e *vt.Env) error {
			names, err := e.T.Listxattr("/d/f")
			if strings.Join(names, ",") != "user.a" {
				e.TB.Fatal(names)
			}
			return err
		}},
		{Name: "fd set get", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/f", O_RDONLY)
			e.Must(e.T.Fsetxattr(fd, "user.b", []byte("b"), 0))
			v, err := e.T.Fgetxattr(fd, "user.b")
			if string(v) != "b" {
				e.TB.Fatal(v)
			}
			return err
		}},
		{Name: "fd bad", Op: func(e *vt.Env) error { return e.T.Fsetxattr(71, "user.b", []byte("b"), 0) }, Want: EBADF},
		{Name: "set changes ctime", Op: func(e *vt.Env) error {
			before := e.Stat("/d/f").Ctime
			err := e.T.Setxattr("/d/f", "user.a", []byte("1"), 0)
			if e.Stat("/d/f").Ctime < before {
				e.TB.Fatal("ctime")
			}
			return err
		}},
		{Name: "trusted as root", Op: set("/d/f", "trusted.a", "x", 0), Check: has("/d/f", "trusted.a", "x")},
		// security.*: no mode-bit check (xattr_permission), and with no
		// security module commoncap's cap_inode_setxattr and
		// cap_inode_removexattr: CAP_SYS_ADMIN to set or remove, anyone
		// may read and list (shmem_security_xattr_handler).
		{Name: "security as root", Op: set("/d/f", "security.a", "x", 0), Check: has("/d/f", "security.a", "x")},
		{Name: "security on symlink as root", Op: func(e *vt.Env) error { return e.T.Lsetxattr("/d/l", "security.a", []byte("x"), 0) }},
		{Name: "security set as user", Setup: func(e *vt.Env) { e.WriteFile("/tmp/m", "", 0o666); user(e) }, Op: set("/tmp/m", "security.a", "x", 0), Want: EPERM},
		{Name: "security remove as user", Setup: func(e *vt.Env) {
			e.WriteFile("/tmp/m", "", 0o666)
			e.Must(e.Root.Setxattr("/tmp/m", "security.a", []byte("x"), 0))
			user(e)
		}, Op: func(e *vt.Env) error { return e.T.Removexattr("/tmp/m", "security.a") }, Want: EPERM, Check: has("/tmp/m", "security.a", "x")},
		{Name: "security get as user without read permission", Setup: func(e *vt.Env) {
			e.Must(e.Root.Setxattr("/d/f", "security.a", []byte("x"), 0))
			e.Must(e.Root.Chmod("/d/f", 0o600))
			user(e)
		}, Op: get("/d/f", "security.a", "x")},
		{Name: "list as user shows security", Setup: func(e *vt.Env) {
			e.Must(e.Root.Setxattr("/d/f", "security.s", []byte("s"), 0))
			user(e)
		}, Op: func(e *vt.Env) error {
			names, err := e.T.Listxattr("/d/f")
			if strings.Join(names, ",") != "security.s" {
				e.TB.Fatal(names)
			}
			return err
		}},
		{Name: "trusted set as user", Setup: func(e *vt.Env) { e.WriteFile("/tmp/m", "", 0o666); user(e) }, Op: set("/tmp/m", "trusted.a", "x", 0), Want: EPERM},
		{Name: "trusted get as user", Setup: func(e *vt.Env) { e.Must(e.Root.Setxattr("/d/f", "trusted.a", []byte("x"), 0)); user(e) },
			Op: get("/d/f", "trusted.a", ""), Want: ENODATA},
		{Name: "user read without read permission", Setup: func(e *vt.Env) { ua(e); e.Must(e.Root.Chmod("/d/f", 0o600)); user(e) },
			Op: get("/d/f", "user.a", "1"), Want: EACCES},
		{Name: "user read with read permission", Setup: func(e *vt.Env) { ua(e); user(e) }, Op: get("/d/f", "user.a", "1")},
		{Name: "user write without write permission", Setup: user, Op: set("/d/f", "user.a", "x", 0), Want: EACCES},
		{Name: "user write with write permission", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0o666)); user(e) }, Op: set("/d/f", "user.a", "x", 0)},
		{Name: "user write on others sticky dir", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/tmp/s", 0o777))
			e.Must(e.Root.Chmod("/tmp/s", 0o1777))
			user(e)
		}, Op: set("/tmp/s", "user.a", "x", 0), Want: EPERM},
	})
}

// TestCredentials: who may do what, as uid 1000 (gid 1000, also in group
// 50), against root's overrides.
func TestCredentials(t *testing.T) {
	user := func(e *vt.Env) { e.As(1000, 1000, 50) }
	// /tmp/rf: root's file in sticky /tmp, 0666.
	rootFile := func(e *vt.Env) { e.WriteFile("/tmp/rf", "r", 0o666); user(e) }
	vt.Run(t, []vt.Case{
		{Name: "read other bits", Setup: user, Op: func(e *vt.Env) error { _, err := e.ReadFile("/d/f"); return err }},
		{Name: "write other bits", Setup: user, Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_WRONLY, 0) }, Want: EACCES},
		{Name: "group bits by supplementary group", Setup: func(e *vt.Env) {
			e.Must(e.Root.Chown("/d/f", 0, 50))
			e.Must(e.Root.Chmod("/d/f", 0o060))
			user(e)
		}, Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_RDWR, 0) }},
		{Name: "group bits by primary group", Setup: func(e *vt.Env) {
			e.Must(e.Root.Chown("/d/f", 0, 1000))
			e.Must(e.Root.Chmod("/d/f", 0o040))
			user(e)
		}, Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_RDONLY, 0) }},
		{Name: "owner bits decide for owner", Setup: func(e *vt.Env) {
			e.Must(e.Root.Chown("/d/f", 1000, 1000))
			e.Must(e.Root.Chmod("/d/f", 0o077))
			user(e)
		}, Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_RDONLY, 0) }, Want: EACCES},
		{Name: "group bits decide for member", Setup: func(e *vt.Env) {
			e.Must(e.Root.Chown("/d/f", 0, 50))
			e.Must(e.Root.Chmod("/d/f", 0o604))
			user(e)
		}, Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_RDONLY, 0) }, Want: EACCES},
		{Name: "root reads 000", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0)) }, Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_RDWR, 0) }},
		{Name: "root searches 000 dir", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d", 0)) }, Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_RDONLY, 0) }},
		{Name: "root creates in 000 dir", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d", 0)) }, Op: func(e *vt.Env) error { return e.T.Mkdir("/d/n", 0o755) }},
		{Name: "sticky unlink others file", Setup: rootFile, Op: func(e *vt.Env) error { return e.T.Unlink("/tmp/rf") }, Want: EPERM},
		{Name: "sticky rename others file", Setup: rootFile, Op: func(e *vt.Env) error { return e.T.Rename("/tmp/rf", "/tmp/mine") }, Want: EPERM},
		{Name: "sticky rename over others file", Setup: func(e *vt.Env) {
			rootFile(e)
			fd, err := e.T.Open("/tmp/mine", O_CREAT|O_WRONLY, 0o644)
			e.Must(err)
			e.Must(e.T.Close(fd))
		}, Op: func(e *vt.Env) error { return e.T.Rename("/tmp/mine", "/tmp/rf") }, Want: EPERM},
		{Name: "sticky unlink own file", Setup: user, Op: func(e *vt.Env) error {
			fd, err := e.T.Open("/tmp/mine", O_CREAT|O_WRONLY, 0o644)
			e.Must(err)
			e.Must(e.T.Close(fd))
			return e.T.Unlink("/tmp/mine")
		}},
		{Name: "sticky dir owner may unlink", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/tmp/s", 0o777))
			e.Must(e.Root.Chmod("/tmp/s", 0o1777))
			e.Must(e.Root.Chown("/tmp/s", 1000, 1000))
			e.WriteFile("/tmp/s/rf", "", 0o644)
			user(e)
		}, Op: func(e *vt.Env) error { return e.T.Unlink("/tmp/s/rf") }},
		{Name: "sticky root may unlink", Setup: func(e *vt.Env) {
			u := e.As(1000, 1000)
			fd, err := u.Open("/tmp/mine", O_CREAT|O_WRONLY, 0o644)
			e.Must(err)
			e.Must(u.Close(fd))
			e.T = e.Root
		}, Op: func(e *vt.Env) error { return e.T.Unlink("/tmp/mine") }},
		{Name: "sticky others file still writable", Setup: rootFile, Op: func(e *vt.Env) error { return openOnly(e, "/tmp/rf", O_WRONLY, 0) }},
		{Name: "setgid dir gives group", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/sg", 0o777))
			e.Must(e.Root.Chown("/sg", 0, 77))
			e.Must(e.Root.Chmod("/sg", 0o2777))
			user(e)
		}, Op: func(e *vt.Env) error {
			e.Must(openOnly(e, "/sg/f", O_CREAT|O_WRONLY, 0o2755))
			return e.T.Mkdir("/sg/sub", 0o755)
		}, Check: checks(wantOwner("/sg/f", 1000, 77), wantOwner("/sg/sub", 1000, 77), wantMode("/sg/sub", S_IFDIR|S_ISGID|0o755),
			// Not a member of 77: the new file's own setgid bit goes.
			wantMode("/sg/f", S_IFREG|0o755))},
		{Name: "setgid dir member keeps file sgid", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/sg", 0o777))
			e.Must(e.Root.Chown("/sg", 0, 50))
			e.Must(e.Root.Chmod("/sg", 0o2777))
			user(e)
		}, Op: func(e *vt.Env) error { return openOnly(e, "/sg/f", O_CREAT|O_WRONLY, 0o2755) }, Check: wantMode("/sg/f", S_IFREG|S_ISGID|0o755)},
		// vfs_prepare_mode strips S_ISGID before the umask: 02770 is
		// group-executable as asked, so a non-member loses the bit
		// although umask 077 leaves 02700.
		{Name: "setgid stripped before umask creat", Setup: sgUmask, Op: func(e *vt.Env) error {
			return openOnly(e, "/sg/f", O_CREAT|O_WRONLY, 0o2770)
		}, Check: wantMode("/sg/f", S_IFREG|0o700)},
		{Name: "setgid stripped before umask mknod", Setup: sgUmask, Op: func(e *vt.Env) error {
			return e.T.Mknod("/sg/p", S_IFIFO|0o2770, 0)
		}, Check: wantMode("/sg/p", S_IFIFO|0o700)},
		{Name: "setgid stripped before umask mknod reg", Setup: sgUmask, Op: func(e *vt.Env) error {
			return e.T.Mknod("/sg/r", S_IFREG|0o2770, 0)
		}, Check: wantMode("/sg/r", S_IFREG|0o700)},
		{Name: "setgid stripped before umask tmpfile", Setup: sgUmask, Op: func(e *vt.Env) error {
			fd, err := e.T.Open("/sg", O_TMPFILE|O_RDWR, 0o2770)
			if err != nil {
				return err
			}
			var st Stat
			e.Must(e.T.Fstat(fd, &st))
			if st.Mode != S_IFREG|0o700 {
				e.TB.Errorf("mode %o, want %o", st.Mode, S_IFREG|0o700)
			}
			return e.T.Close(fd)
		}},
		{Name: "setgid kept by capable under umask", Setup: func(e *vt.Env) { sgUmask(e); e.T = e.Root; e.T.Umask(0o077) },
			Op: func(e *vt.Env) error { return openOnly(e, "/sg/f", O_CREAT|O_WRONLY, 0o2770) }, Check: wantMode("/sg/f", S_IFREG|S_ISGID|0o700)},
		{Name: "plain dir gives creator group", Setup: user, Op: func(e *vt.Env) error { return e.T.Mkdir("/tmp/x", 0o755) }, Check: wantOwner("/tmp/x", 1000, 1000)},
		{Name: "umask 077", Op: func(e *vt.Env) error {
			old := e.T.Umask(0o077)
			if old != 0o022 {
				e.TB.Fatalf("old umask %o", old)
			}
			e.Must(openOnly(e, "/d/n", O_CREAT|O_WRONLY, 0o666))
			e.Must(e.T.Mknod("/d/p", S_IFIFO|0o666, 0))
			return e.T.Mkdir("/d/m", 0o777)
		}, Check: checks(wantMode("/d/n", S_IFREG|0o600), wantMode("/d/p", S_IFIFO|0o600), wantMode("/d/m", S_IFDIR|0o700))},
		{Name: "umask not applied to symlink", Op: func(e *vt.Env) error { e.T.Umask(0o777); return e.T.Symlink("x", "/d/s") },
			Check: wantMode("/d/s", S_IFLNK|0o777)},
		{Name: "umask not applied to chmod", Op: func(e *vt.Env) error { e.T.Umask(0o777); return e.T.Chmod("/d/f", 0o666) },
			Check: wantMode("/d/f", S_IFREG|0o666)},
		{Name: "write by non-owner kills suid", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0o6777)); user(e) },
			Op: func(e *vt.Env) error {
				_, err := e.T.Write(openT(e, "/d/f", O_WRONLY), []byte("x"))
				return err
			}, Check: wantMode("/d/f", S_IFREG|0o777)},
		{Name: "write by root keeps suid", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0o6777)) },
			Op: func(e *vt.Env) error {
				_, err := e.T.Write(openT(e, "/d/f", O_WRONLY), []byte("x"))
				return err
			}, Check: wantMode("/d/f", S_IFREG|0o6777)},
		{Name: "descriptor keeps opener's access", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0o666)); user(e) },
			Op: func(e *vt.Env) error {
				fd := openT(e, "/d/f", O_WRONLY)
				e.Must(e.Root.Chmod("/d/f", 0o600))
				_, err := e.T.Write(fd, []byte("x"))
				return err
			}},
	})
}

// sgUmask makes /sg, root's setgid directory of group 77, and turns the
// test task into uid 1000 (not in 77) with umask 077.
func sgUmask(e *vt.Env) {
	e.Must(e.Root.Mkdir("/sg", 0o777))
	e.Must(e.Root.Chown("/sg", 0, 77))
	e.Must(e.Root.Chmod("/sg", 0o2777))
	e.As(1000, 1000, 50).Umask(0o077)
}

// TestPathWalk: the errors of path resolution (path_resolution(7)).
func TestPathWalk(t *testing.T) {
	chain := func(n int) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.Must(e.Root.Symlink("f", "/d/c1"))
			for i := 2; i <= n; i++ {
				e.Must(e.Root.Symlink("c"+itoa(i-1), "/d/c"+itoa(i)))
			}
		}
	}
	stat := func(path string, flags int) func(e *vt.Env) error {
		return func(e *vt.Env) error { var st Stat; return e.T.Fstatat(AT_FDCWD, path, &st, flags) }
	}
	user := func(e *vt.Env) { e.As(1000, 1000) }
	vt.Run(t, []vt.Case{
		{Name: "40 nested symlinks", Setup: chain(40), Op: stat("/d/c40", 0)},
		{Name: "41 nested symlinks", Setup: chain(41), Op: stat("/d/c41", 0), Want: ELOOP},
		{Name: "41 nested lstat", Setup: chain(41), Op: stat("/d/c41", AT_SYMLINK_NOFOLLOW)},
		{Name: "41 nested open", Setup: chain(41), Op: func(e *vt.Env) error { return openOnly(e, "/d/c41", O_RDONLY, 0) }, Want: ELOOP},
		{Name: "41 nested creat", Setup: chain(41), Op: func(e *vt.Env) error { return openOnly(e, "/d/c41", O_CREAT|O_RDONLY, 0o644) }, Want: ELOOP},
		{Name: "40 nested creat", Setup: chain(40), Op: func(e *vt.Env) error { return openOnly(e, "/d/c40", O_CREAT|O_RDONLY, 0o644) }},
		{Name: "self loop", Setup: func(e *vt.Env) { e.Must(e.Root.Symlink("self", "/d/self")) }, Op: stat("/d/self", 0), Want: ELOOP},
		{Name: "loop in middle", Setup: func(e *vt.Env) { e.Must(e.Root.Symlink("b", "/d/a")); e.Must(e.Root.Symlink("a", "/d/b")) },
			Op: stat("/d/a/x", 0), Want: ELOOP},
		{Name: "symlinks in components count", Setup: func(e *vt.Env) {
			// s1 -> ., so /d/s1/s1/.../f follows one link per component.
			e.Must(e.Root.Symlink(".", "/d/s1"))
		}, Op: stat("/d"+strings.Repeat("/s1", 41)+"/f", 0), Want: ELOOP},
		{Name: "40 symlinks in components", Setup: func(e *vt.Env) { e.Must(e.Root.Symlink(".", "/d/s1")) },
			Op: stat("/d"+strings.Repeat("/s1", 40)+"/f", 0)},
		{Name: "relative symlink up", Setup: func(e *vt.Env) { e.Must(e.Root.Symlink("../f", "/d/sub/up")) }, Op: stat("/d/sub/up", 0)},
		{Name: "absolute symlink", Setup: func(e *vt.Env) { e.Must(e.Root.Symlink("/d/sub/g", "/e/abs")) }, Op: stat("/e/abs", 0)},
		{Name: "component 256", Op: stat("/d/"+rep('x', 256), 0), Want: ENAMETOOLONG},
		{Name: "component 256 in middle", Op: stat("/d/"+rep('x', 256)+"/f", 0), Want: ENAMETOOLONG},
		{Name: "component 255 missing", Op: stat("/d/"+rep('x', 255), 0), Want: ENOENT},
		{Name: "path 4096", Op: stat("/"+strings.Repeat("d/../", 819)+"d/f", 0), Want: ENAMETOOLONG},
		{Name: "path 4095", Op: stat("/"+strings.Repeat("./", 2044)+"d/f", 0)},
		{Name: "symlink body too long for path", Op: func(e *vt.Env) error {
			return e.T.Symlink(strings.Repeat("a/", 2048), "/d/long")
		}, Want: ENAMETOOLONG},
		{Name: "trailing slash on file", Op: stat("/d/f/", 0), Want: ENOTDIR},
		{Name: "trailing slash on symlink to file", Op: stat("/d/l/", 0), Want: ENOTDIR},
		{Name: "trailing slash on symlink to dir", Op: stat("/d/ld/", AT_SYMLINK_NOFOLLOW)},
		{Name: "file as directory", Op: stat("/d/f/x", 0), Want: ENOTDIR},
		{Name: "dotdot through file", Op: stat("/d/f/..", 0), Want: ENOTDIR},
		{Name: "missing middle", Op: stat("/d/nope/x", 0), Want: ENOENT},
		{Name: "dangling middle", Op: stat("/d/dangle/x", 0), Want: ENOENT},
		{Name: "search permission on every component", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/a", 0o755))
			e.Must(e.Root.Mkdir("/a/b", 0o700))
			e.Must(e.Root.Mkdir("/a/b/c", 0o755))
			e.WriteFile("/a/b/c/f", "x", 0o644)
			user(e)
		}, Op: stat("/a/b/c/f", 0), Want: EACCES},
		{Name: "search permission cwd below", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/a", 0o755))
			e.Must(e.Root.Mkdir("/a/b", 0o711))
			e.Must(e.Root.Chown("/a/b", 1000, 1000))
			e.Must(e.Root.Mkdir("/a/b/c", 0o755))
			user(e)
			e.Must(e.T.Chdir("/a/b/c"))
			e.Must(e.T.Chmod("/a/b", 0o600))
		}, Op: func(e *vt.Env) error {
			// Relative names below cwd need no search of its ancestors;
			// ".." back through /a/b does.
			var st Stat
			e.Must(e.T.Stat(".", &st))
			return e.T.Stat("../c", &st)
		}, Want: EACCES},
		{Name: "search via symlink target dir", Setup: func(e *vt.Env) { e.Must(e.Root.Symlink("/priv/x", "/tmp/px")); user(e) },
			Op: stat("/tmp/px", 0), Want: EACCES},
		{Name: "x without r on dir", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/priv", 0o711)); user(e) }, Op: stat("/priv/x", 0)},
		{Name: "r without x on dir", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/priv", 0o744)); user(e) }, Op: stat("/priv/x", 0), Want: EACCES},
		{Name: "o nofollow on symlink", Op: func(e *vt.Env) error { return openOnly(e, "/d/l", O_RDONLY|O_NOFOLLOW, 0) }, Want: ELOOP},
		{Name: "at symlink nofollow", Op: func(e *vt.Env) error {
			var st Stat
			e.Must(e.T.Fstatat(AT_FDCWD, "/d/l", &st, AT_SYMLINK_NOFOLLOW))
			if !IsLnk(st.Mode) {
				e.TB.Fatal(st)
			}
			return nil
		}},
		{Name: "empty path", Op: stat("", 0), Want: ENOENT},
		{Name: "dot", Op: stat(".", 0)},
		{Name: "dotdot above root", Op: stat("/../../..", 0)},
	})
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
