package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

func wantOwner(path string, uid, gid uint32) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		if st := e.Lstat(path); st.UID != uid || st.GID != gid {
			e.TB.Fatalf("%s: owner %d:%d, want %d:%d", path, st.UID, st.GID, uid, gid)
		}
	}
}

// TestStat: stat(2), lstat(2), fstat(2), fstatat(2).
func TestStat(t *testing.T) {
	st := func(e *vt.Env, path string, flags int, check func(s Stat) bool) error {
		var s Stat
		err := e.T.Fstatat(AT_FDCWD, path, &s, flags)
		if err == nil && check != nil && !check(s) {
			e.TB.Fatalf("%s: %+v", path, s)
		}
		return err
	}
	vt.Run(t, []vt.Case{
		{Name: "file", Op: func(e *vt.Env) error {
			return st(e, "/d/f", 0, func(s Stat) bool {
				return s.Mode == S_IFREG|0o644 && s.Size == 5 && s.Nlink == 1 && s.Ino != 0 && s.UID == 0 && s.Blksize == 4096 && s.Blocks == 8
			})
		}},
		{Name: "dir", Op: func(e *vt.Env) error {
			return st(e, "/d", 0, func(s Stat) bool { return s.Mode == S_IFDIR|0o755 && s.Nlink == 3 })
		}},
		{Name: "follows symlink", Op: func(e *vt.Env) error {
			return st(e, "/d/l", 0, func(s Stat) bool { return IsReg(s.Mode) && s.Size == 5 })
		}},
		{Name: "lstat symlink", Op: func(e *vt.Env) error {
			return st(e, "/d/l", AT_SYMLINK_NOFOLLOW, func(s Stat) bool { return s.Mode == S_IFLNK|0o777 && s.Size == 1 })
		}},
		{Name: "dangling", Op: func(e *vt.Env) error { return st(e, "/d/dangle", 0, nil) }, Want: ENOENT},
		{Name: "lstat dangling", Op: func(e *vt.Env) error { return st(e, "/d/dangle", AT_SYMLINK_NOFOLLOW, nil) }},
		{Name: "lstat symlink trailing slash follows", Op: func(e *vt.Env) error {
			return st(e, "/d/ld/", AT_SYMLINK_NOFOLLOW, func(s Stat) bool { return IsDir(s.Mode) })
		}},
		{Name: "trailing slash file", Op: func(e *vt.Env) error { return st(e, "/d/f/", 0, nil) }, Want: ENOTDIR},
		{Name: "trailing dot file", Op: func(e *vt.Env) error { return st(e, "/d/f/.", 0, nil) }, Want: ENOTDIR},
		{Name: "missing", Op: func(e *vt.Env) error { return st(e, "/d/nope", 0, nil) }, Want: ENOENT},
		{Name: "empty", Op: func(e *vt.Env) error { return st(e, "", 0, nil) }, Want: ENOENT},
		{Name: "bad flags", Op: func(e *vt.Env) error { return st(e, "/d/f", 0x2, nil) }, Want: EINVAL},
		{Name: "dotdot of root is root", Op: func(e *vt.Env) error {
			if e.Stat("/..").Ino != e.Stat("/").Ino || e.Stat("/../../d").Ino != e.Stat("/d").Ino {
				e.TB.Fatal("/.. is not /")
			}
			return nil
		}},
		{Name: "double slashes", Op: func(e *vt.Env) error { return st(e, "//d///sub//g", 0, func(s Stat) bool { return s.Size == 1 }) }},
		{Name: "fstat", Op: func(e *vt.Env) error {
			var s Stat
			err := e.T.Fstat(openT(e, "/d/f", O_RDONLY), &s)
			if s.Ino != e.Stat("/d/f").Ino {
				e.TB.Fatal(s)
			}
			return err
		}},
		{Name: "fstat bad fd", Op: func(e *vt.Env) error { var s Stat; return e.T.Fstat(9, &s) }, Want: EBADF},
		{Name: "fstatat empty path", Op: func(e *vt.Env) error {
			var s Stat
			err := e.T.Fstatat(openT(e, "/d/f", O_RDONLY), "", &s, AT_EMPTY_PATH)
			if s.Size != 5 {
				e.TB.Fatal(s)
			}
			return err
		}},
		{Name: "fstatat empty path without flag", Op: func(e *vt.Env) error {
			var s Stat
			return e.T.Fstatat(openT(e, "/d/f", O_RDONLY), "", &s, 0)
		}, Want: ENOENT},
		{Name: "fstatat relative", Op: func(e *vt.Env) error {
			var s Stat
			return e.T.Fstatat(openT(e, "/d", O_RDONLY), "sub/g", &s, 0)
		}},
		{Name: "fstatat dirfd file", Op: func(e *vt.Env) error {
			var s Stat
			return e.T.Fstatat(openT(e, "/d/f", O_RDONLY), "x", &s, 0)
		}, Want: ENOTDIR},
		{Name: "no search", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: func(e *vt.Env) error { return st(e, "/priv/x", 0, nil) }, Want: EACCES},
		{Name: "stat needs no read", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0)); e.As(1000, 1000) },
			Op: func(e *vt.Env) error { return st(e, "/d/f", 0, nil) }},
	})
}

// TestInodeNumbers: never 0, stable over time, renames and links, and
// distinct for distinct live files.
func TestInodeNumbers(t *testing.T) {
	e := vt.New(t)
	e.Fixture()
	seen := map[uint64]string{}
	for _, p := range []string{"/", "/d", "/d/f", "/d/sub", "/d/sub/g", "/e", "/priv", "/priv/x", "/tmp"} {
		st := e.Lstat(p)
		if st.Ino == 0 {
			t.Fatalf("%s: ino 0", p)
		}
		if q, ok := seen[st.Ino]; ok {
			t.Fatalf("%s and %s share ino %d", p, q, st.Ino)
		}
		seen[st.Ino] = p
	}
	for _, p := range []string{"/d/l", "/d/ld", "/d/dangle"} {
		st := e.Lstat(p)
		if st.Ino == 0 || seen[st.Ino] != "" {
			t.Fatalf("%s: ino %d", p, st.Ino)
		}
	}
	ino := e.Stat("/d/f").Ino
	e.Must(e.Root.Rename("/d/f", "/e/f2"))
	e.Must(e.Root.Link("/e/f2", "/tmp/f3"))
	if e.Stat("/e/f2").Ino != ino || e.Stat("/tmp/f3").Ino != ino {
		t.Fatal("ino changed by rename or link")
	}
	// A dropped cache does not renumber a live file.
	if e.Stat("/e/f2").Ino != ino {
		t.Fatal("ino not stable")
	}
}

// TestTruncate: truncate(2), ftruncate(2).
func TestTruncate(t *testing.T) {
	vt.Run(t, []vt.Case{
		{Name: "shrink", Op: func(e *vt.Env) error { return e.T.Truncate("/d/f", 2) }, Check: wantContent("/d/f", "he")},
		{Name: "grow", Op: func(e *vt.Env) error { return e.T.Truncate("/d/f", 7) }, Check: wantContent("/d/f", "hello\x00\x00")},
		{Name: "shrink then grow zeroes", Op: func(e *vt.Env) error { e.Must(e.T.Truncate("/d/f", 1)); return e.T.Truncate("/d/f", 3) },
			Check: wantContent("/d/f", "h\x00\x00")},
		{Name: "follows symlink", Op: func(e *vt.Env) error { return e.T.Truncate("/d/l", 0) }, Check: wantSize("/d/f", 0)},
		{Name: "dir", Op: func(e *vt.Env) error { return e.T.Truncate("/d", 0) }, Want: EISDIR},
		{Name: "negative", Op: func(e *vt.Env) error { return e.T.Truncate("/d/f", -1) }, Want: EINVAL},
		{Name: "missing", Op: func(e *vt.Env) error { return e.T.Truncate("/d/nope", 0) }, Want: ENOENT},
		{Name: "fifo", Setup: func(e *vt.Env) { e.Must(e.Root.Mknod("/d/p", S_IFIFO|0o666, 0)) }, Op: func(e *vt.Env) error { return e.T.Truncate("/d/p", 0) }, Want: EINVAL},
		{Name: "no permission", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: func(e *vt.Env) error { return e.T.Truncate("/d/f", 0) }, Want: EACCES},
		{Name: "read-only mount", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mount("/d", "/e", "", MS_BIND, ""))
			e.Must(e.Root.Mount("", "/e", "", MS_REMOUNT|MS_BIND|MS_RDONLY, ""))
		}, Op: func(e *vt.Env) error { return e.T.Truncate("/e/f", 0) }, Want: EROFS},
		// O_TRUNC is write access whatever the access mode: do_open takes
		// mnt_want_write for it before may_open (fs/namei.c), so a
		// read-only mount refuses it and the file keeps its data.
		{Name: "open rdonly O_TRUNC on read-only mount", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mount("/d", "/e", "", MS_BIND, ""))
			e.Must(e.Root.Mount("", "/e", "", MS_REMOUNT|MS_BIND|MS_RDONLY, ""))
		}, Op: func(e *vt.Env) error { return openOnly(e, "/e/f", O_RDONLY|O_TRUNC, 0) }, Want: EROFS, Check: wantContent("/d/f", "hello")},
		{Name: "open creat O_TRUNC existing on read-only mount", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mount("/d", "/e", "", MS_BIND, ""))
			e.Must(e.Root.Mount("", "/e", "", MS_REMOUNT|MS_BIND|MS_RDONLY, ""))
		}, Op: func(e *vt.Env) error { return openOnly(e, "/e/f", O_RDONLY|O_CREAT|O_TRUNC, 0o644) }, Want: EROFS, Check: wantContent("/d/f", "hello")},
		{Name: "open rdonly O_TRUNC on read-only sb", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, ""))
			e.WriteFile("/e/f", "hello", 0o644)
			e.Must(e.Root.Mount("", "/e", "", MS_REMOUNT|MS_RDONLY, ""))
		}, Op: func(e *vt.Env) error { return openOnly(e, "/e/f", O_RDONLY|O_TRUNC, 0) }, Want: EROFS, Check: wantContent("/e/f", "hello")},
		{Name: "open rdonly O_TRUNC truncates", Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_RDONLY|O_TRUNC, 0) }, Check: wantContent("/d/f", "")},
		// may_open: O_TRUNC asks MAY_WRITE, which a directory refuses.
		{Name: "open O_TRUNC of a dir on read-only mount", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mount("/d", "/e", "", MS_BIND, ""))
			e.Must(e.Root.Mount("", "/e", "", MS_REMOUNT|MS_BIND|MS_RDONLY, ""))
		}, Op: func(e *vt.Env) error { return openOnly(e, "/e", O_RDONLY|O_TRUNC, 0) }, Want: EISDIR},
		{Name: "ftruncate", Op: func(e *vt.Env) error { return e.T.Ftruncate(openT(e, "/d/f", O_WRONLY), 3) }, Check: wantContent("/d/f", "hel")},
		{Name: "ftruncate rdonly", Op: func(e *vt.Env) error { return e.T.Ftruncate(openT(e, "/d/f", O_RDONLY), 3) }, Want: EINVAL},
		{Name: "ftruncate dir", Op: func(e *vt.Env) error { return e.T.Ftruncate(openT(e, "/d", O_RDONLY), 0) }, Want: EINVAL},
		{Name: "ftruncate path fd", Op: func(e *vt.Env) error { return e.T.Ftruncate(openT(e, "/d/f", O_PATH), 0) }, Want: EBADF},
		{Name: "ftruncate negative", Op: func(e *vt.Env) error { return e.T.Ftruncate(openT(e, "/d/f", O_WRONLY), -5) }, Want: EINVAL},
		{Name: "ftruncate bad fd", Op: func(e *vt.Env) error { return e.T.Ftruncate(66, 0) }, Want: EBADF},
		{Name: "ftruncate by non-owner kills suid", Setup: func(e *vt.Env) {
			e.Must(e.Root.Chmod("/d/f", 0o6777))
			e.As(1000, 1000)
		}, Op: func(e *vt.Env) error { return e.T.Ftruncate(openT(e, "/d/f", O_WRONLY), 0) }, Check: wantMode("/d/f", S_IFREG|0o777)},
	})
}

// TestChmodChown: chmod(2), fchmod(2), fchmodat(2), chown(2), lchown(2),
// fchown(2).
func TestChmodChown(t *testing.T) {
	user := func(e *vt.Env) { e.As(1000, 1000, 50) }
	mine := func(e *vt.Env) {
		e.WriteFile("/tmp/m", "m", 0o644)
		e.Must(e.Root.Chown("/tmp/m", 1000, 1000))
		user(e)
	}
	vt.Run(t, []vt.Case{
		{Name: "chmod", Op: func(e *vt.Env) error { return e.T.Chmod("/d/f", 0o4711) }, Check: wantMode("/d/f", S_IFREG|0o4711)},
		{Name: "chmod ignores type bits", Op: func(e *vt.Env) error { return e.T.Chmod("/d/f", S_IFDIR|0o600) }, Check: wantMode("/d/f", S_IFREG|0o600)},
		{Name: "chmod follows symlink", Op: func(e *vt.Env) error { return e.T.Chmod("/d/l", 0o600) },
			Check: checks(wantMode("/d/f", S_IFREG|0o600), wantMode("/d/l", S_IFLNK|0o777))},
		{Name: "fchmodat nofollow symlink", Op: func(e *vt.Env) error { return e.T.Fchmodat(AT_FDCWD, "/d/l", 0o600, AT_SYMLINK_NOFOLLOW) }, Want: EOPNOTSUPP},
		{Name: "fchmodat nofollow file", Op: func(e *vt.Env) error { return e.T.Fchmodat(AT_FDCWD, "/d/f", 0o600, AT_SYMLINK_NOFOLLOW) }},
		{Name: "fchmodat bad flags", Op: func(e *vt.Env) error { return e.T.Fchmodat(AT_FDCWD, "/d/f", 0o600, 0x4) }, Want: EINVAL},
		{Name: "chmod missing", Op: func(e *vt.Env) error { return e.T.Chmod("/d/nope", 0o600) }, Want: ENOENT},
		{Name: "chmod non-owner", Setup: user, Op: func(e *vt.Env) error { return e.T.Chmod("/d/f", 0o777) }, Want: EPERM},
		{Name: "chmod owner", Setup: mine, Op: func(e *vt.Env) error { return e.T.Chmod("/tmp/m", 0o600) }, Check: wantMode("/tmp/m", S_IFREG|0o600)},
		{Name: "chmod setgid non-member drops it", Setup: func(e *vt.Env) {
			e.WriteFile("/tmp/m", "m", 0o644)
			e.Must(e.Root.Chown("/tmp/m", 1000, 77))
			user(e)
		}, Op: func(e *vt.Env) error { return e.T.Chmod("/tmp/m", 0o2755) }, Check: wantMode("/tmp/m", S_IFREG|0o755)},
		{Name: "chmod setgid member keeps it", Setup: func(e *vt.Env) {
			e.WriteFile("/tmp/m", "m", 0o644)
			e.Must(e.Root.Chown("/tmp/m", 1000, 50))
			user(e)
		}, Op: func(e *vt.Env) error { return e.T.Chmod("/tmp/m", 0o2755) }, Check: wantMode("/tmp/m", S_IFREG|0o2755)},
		{Name: "fchmod", Op: func(e *vt.Env) error { return e.T.Fchmod(openT(e, "/d/f", O_RDONLY), 0o640) }, Check: wantMode("/d/f", S_IFREG|0o640)},
		{Name: "fchmod path fd", Op: func(e *vt.Env) error { return e.T.Fchmod(openT(e, "/d/f", O_PATH), 0o640) }, Want: EBADF, Check: wantMode("/d/f", S_IFREG|0o644)},
		{Name: "fchmod bad fd", Op: func(e *vt.Env) error { return e.T.Fchmod(61, 0o640) }, Want: EBADF},
		{Name: "chmod updates ctime", Op: func(e *vt.Env) error {
			before := e.Stat("/d/f").Ctime
			err := e.T.Chmod("/d/f", 0o600)
			if e.Stat("/d/f").Ctime < before {
				e.TB.Fatal("ctime went back")
			}
			return err
		}},
		{Name: "chown root", Op: func(e *vt.Env) error { return e.T.Chown("/d/f", 5, 6) }, Check: wantOwner("/d/f", 5, 6)},
		{Name: "chown keep both", Op: func(e *vt.Env) error { return e.T.Chown("/d/f", NoID, NoID) }, Check: wantOwner("/d/f", 0, 0)},
		{Name: "chown uid only", Op: func(e *vt.Env) error { return e.T.Chown("/d/f", 9, NoID) }, Check: wantOwner("/d/f", 9, 0)},
		{Name: "chown follows symlink", Op: func(e *vt.Env) error { return e.T.Chown("/d/l", 9, 9) }, Check: checks(wantOwner("/d/f", 9, 9), wantOwner("/d/l", 0, 0))},
		{Name: "lchown", Op: func(e *vt.Env) error { return e.T.Lchown("/d/l", 9, 9) }, Check: checks(wantOwner("/d/f", 0, 0), wantOwner("/d/l", 9, 9))},
		{Name: "lchown dangling", Op: func(e *vt.Env) error { return e.T.Lchown("/d/dangle", 9, 9) }},
		{Name: "chown dangling", Op: func(e *vt.Env) error { return e.T.Chown("/d/dangle", 9, 9) }, Want: ENOENT},
		{Name: "chown root clears suid", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0o6755)) },
			Op: func(e *vt.Env) error { return e.T.Chown("/d/f", 1, 1) }, Check: wantMode("/d/f", S_IFREG|0o755)},
		{Name: "chown keeps sgid without group exec", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0o2644)) },
			Op: func(e *vt.Env) error { return e.T.Chown("/d/f", 1, 1) }, Check: wantMode("/d/f", S_IFREG|0o2644)},
		{Name: "chown dir keeps setgid", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/sub", 0o2775)) },
			Op: func(e *vt.Env) error { return e.T.Chown("/d/sub", 1, 1) }, Check: wantMode("/d/sub", S_IFDIR|0o2775)},
		{Name: "user chown to other uid", Setup: mine, Op: func(e *vt.Env) error { return e.T.Chown("/tmp/m", 1001, NoID) }, Want: EPERM},
		{Name: "user chown to own uid", Setup: mine, Op: func(e *vt.Env) error { return e.T.Chown("/tmp/m", 1000, NoID) }},
		{Name: "user chgrp to member group", Setup: mine, Op: func(e *vt.Env) error { return e.T.Chown("/tmp/m", NoID, 50) }, Check: wantOwner("/tmp/m", 1000, 50)},
		{Name: "user chgrp to other group", Setup: mine, Op: func(e *vt.Env) error { return e.T.Chown("/tmp/m", NoID, 51) }, Want: EPERM},
		{Name: "user chgrp of others file", Setup: user, Op: func(e *vt.Env) error { return e.T.Chown("/d/f", NoID, 1000) }, Want: EPERM},
		{Name: "user chown noop of others file", Setup: user, Op: func(e *vt.Env) error { return e.T.Chown("/d/f", NoID, NoID) }},
		{Name: "user chgrp clears suid", Setup: func(e *vt.Env) { mine(e); e.Must(e.Root.Chmod("/tmp/m", 0o6755)) },
			Op: func(e *vt.Env) error { return e.T.Chown("/tmp/m", NoID, 50) }, Check: wantMode("/tmp/m", S_IFREG|0o755)},
		{Name: "fchown", Op: func(e *vt.Env) error { return e.T.Fchown(openT(e, "/d/f", O_RDONLY), 3, 4) }, Check: wantOwner("/d/f", 3, 4)},
		{Name: "fchownat bad flags", Op: func(e *vt.Env) error { return e.T.Fchownat(AT_FDCWD, "/d/f", 1, 1, 0x8) }, Want: EINVAL},
		{Name: "chown no search", Setup: user, Op: func(e *vt.Env) error { return e.T.Chown("/priv/x", NoID, NoID) }, Want: EACCES},
		{Name: "chown read-only", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mount("none", "/e", "tmpfs", MS_RDONLY, ""))
		}, Op: func(e *vt.Env) error { return e.T.Chown("/e", 1, 1) }, Want: EROFS},
	})
}

// TestUtimensat: utimensat(2) with UTIME_NOW and UTIME_OMIT, and who may
// set which times.
func TestUtimensat(t *testing.T) {
	ts := func(sa, na, sm, nm int64) *[2]Timespec { return &[2]Timespec{{sa, na}, {sm, nm}} }
	times := func(path string, at, mt int64) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.TB.Helper()
			st := e.Stat(path)
			if at >= 0 && st.Atime != at || mt >= 0 && st.Mtime != mt {
				e.TB.Fatalf("atime %d mtime %d, want %d %d", st.Atime, st.Mtime, at, mt)
			}
		}
	}
	user := func(e *vt.Env) { e.As(1000, 1000) }
	writable := func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0o666)); user(e) }
	vt.Run(t, []vt.Case{
		{Name: "set both", Op: func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/d/f", ts(1, 2, 3, 4), 0) }, Check: times("/d/f", 1e9+2, 3e9+4)},
		{Name: "omit atime", Setup: func(e *vt.Env) { e.Must(e.Root.Utimensat(AT_FDCWD, "/d/f", ts(7, 0, 7, 0), 0)) },
			Op: func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/d/f", ts(0, UTIME_OMIT, 3, 0), 0) }, Check: times("/d/f", 7e9, 3e9)},
		{Name: "now mtime", Setup: func(e *vt.Env) { e.Must(e.Root.Utimensat(AT_FDCWD, "/d/f", ts(7, 0, 7, 0), 0)) },
			Op: func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/d/f", ts(0, UTIME_OMIT, 0, UTIME_NOW), 0) },
			Check: func(e *vt.Env) {
				if st := e.Stat("/d/f"); st.Atime != 7e9 || st.Mtime <= 7e9 {
					e.TB.Fatal(st)
				}
			}},
		{Name: "both omit on missing file", Op: func(e *vt.Env) error {
			return e.T.Utimensat(AT_FDCWD, "/d/nope", ts(0, UTIME_OMIT, 0, UTIME_OMIT), 0)
		}},
		{Name: "nil times", Op: func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/d/f", nil, 0) }},
		{Name: "bad nsec", Op: func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/d/f", ts(0, 1e9, 0, 0), 0) }, Want: EINVAL},
		{Name: "negative nsec", Op: func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/d/f", ts(0, 0, 0, -1), 0) }, Want: EINVAL},
		{Name: "bad flags", Op: func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/d/f", nil, 0x2) }, Want: EINVAL},
		{Name: "missing", Op: func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/d/nope", nil, 0) }, Want: ENOENT},
		{Name: "nofollow sets link", Op: func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/d/l", ts(5, 0, 5, 0), AT_SYMLINK_NOFOLLOW) },
			Check: func(e *vt.Env) {
				if e.Lstat("/d/l").Mtime != 5e9 || e.Stat("/d/f").Mtime == 5e9 {
					e.TB.Fatal("wrong inode")
				}
			}},
		{Name: "fd with empty path", Op: func(e *vt.Env) error {
			return e.T.Utimensat(openT(e, "/d/f", O_RDONLY), "", ts(1, 0, 1, 0), 0)
		}, Check: times("/d/f", 1e9, 1e9)},
		{Name: "non-owner writable now", Setup: writable, Op: func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/d/f", nil, 0) }},
		{Name: "non-owner writable both now", Setup: writable, Op: func(e *vt.Env) error {
			return e.T.Utimensat(AT_FDCWD, "/d/f", ts(0, UTIME_NOW, 0, UTIME_NOW), 0)
		}},
		{Name: "non-owner writable one now", Setup: writable, Op: func(e *vt.Env) error {
			return e.T.Utimensat(AT_FDCWD, "/d/f", ts(0, UTIME_NOW, 0, UTIME_OMIT), 0)
		}, Want: EPERM},
		{Name: "non-owner explicit", Setup: writable, Op: func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/d/f", ts(1, 0, 1, 0), 0) }, Want: EPERM},
		{Name: "non-owner unwritable now", Setup: user, Op: func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/d/f", nil, 0) }, Want: EACCES},
		{Name: "owner explicit", Setup: func(e *vt.Env) {
			e.Must(e.Root.Chown("/d/f", 1000, 1000))
			e.Must(e.Root.Chmod("/d/f", 0o400))
			user(e)
		},
			Op: func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/d/f", ts(1, 0, 1, 0), 0) }},
		{Name: "read-only mount", Setup: func(e *vt.Env) { e.Must(e.Root.Mount("none", "/e", "tmpfs", MS_RDONLY, "")) },
			Op: func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/e", nil, 0) }, Want: EROFS},
	})
}

// TestAccess: access(2), faccessat(2).
func TestAccess(t *testing.T) {
	user := func(e *vt.Env) { e.As(1000, 1000) }
	vt.Run(t, []vt.Case{
		{Name: "exists", Op: func(e *vt.Env) error { return e.T.Access("/d/f", F_OK) }},
		{Name: "missing", Op: func(e *vt.Env) error { return e.T.Access("/d/nope", F_OK) }, Want: ENOENT},
		{Name: "dangling", Op: func(e *vt.Env) error { return e.T.Access("/d/dangle", F_OK) }, Want: ENOENT},
		{Name: "dangling nofollow", Op: func(e *vt.Env) error { return e.T.Faccessat(AT_FDCWD, "/d/dangle", F_OK, AT_SYMLINK_NOFOLLOW) }},
		{Name: "bad mode", Op: func(e *vt.Env) error { return e.T.Access("/d/f", 8) }, Want: EINVAL},
		{Name: "bad flags", Op: func(e *vt.Env) error { return e.T.Faccessat(AT_FDCWD, "/d/f", R_OK, 0x1) }, Want: EINVAL},
		{Name: "root rw on 000", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0)) }, Op: func(e *vt.Env) error { return e.T.Access("/d/f", R_OK|W_OK) }},
		{Name: "root x without x bits", Op: func(e *vt.Env) error { return e.T.Access("/d/f", X_OK) }, Want: EACCES},
		{Name: "root x with one x bit", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0o601)) }, Op: func(e *vt.Env) error { return e.T.Access("/d/f", X_OK) }},
		{Name: "root x on dir without x bits", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/e", 0)) }, Op: func(e *vt.Env) error { return e.T.Access("/e", X_OK) }},
		{Name: "user read other", Setup: user, Op: func(e *vt.Env) error { return e.T.Access("/d/f", R_OK) }},
		{Name: "user write", Setup: user, Op: func(e *vt.Env) error { return e.T.Access("/d/f", W_OK) }, Want: EACCES},
		{Name: "user no search", Setup: user, Op: func(e *vt.Env) error { return e.T.Access("/priv/x", F_OK) }, Want: EACCES},
		{Name: "ro mount write", Setup: func(e *vt.Env) { e.Must(e.Root.Mount("none", "/e", "tmpfs", MS_RDONLY, "")) },
			Op: func(e *vt.Env) error { return e.T.Access("/e", W_OK) }, Want: EROFS},
		{Name: "ro mount read", Setup: func(e *vt.Env) { e.Must(e.Root.Mount("none", "/e", "tmpfs", MS_RDONLY, "")) },
			Op: func(e *vt.Env) error { return e.T.Access("/e", R_OK|X_OK) }},
		{Name: "eaccess flag", Op: func(e *vt.Env) error { return e.T.Faccessat(AT_FDCWD, "/d/f", R_OK, AT_EACCESS) }},
		{Name: "empty path fd", Op: func(e *vt.Env) error { return e.T.Faccessat(openT(e, "/d/f", O_PATH), "", R_OK, AT_EMPTY_PATH) }},
	})
}
