package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

func wantNlink(path string, n uint32) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		if st := e.Lstat(path); st.Nlink != n {
			e.TB.Fatalf("%s: nlink %d, want %d", path, st.Nlink, n)
		}
	}
}

func checks(fs ...func(e *vt.Env)) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		for _, f := range fs {
			f(e)
		}
	}
}

// TestMkdir: mkdir(2) and mkdirat(2).
func TestMkdir(t *testing.T) {
	vt.Run(t, []vt.Case{
		{Name: "new", Op: func(e *vt.Env) error { return e.T.Mkdir("/d/n", 0o777) },
			Check: checks(wantMode("/d/n", S_IFDIR|0o755), wantNlink("/d/n", 2), wantNlink("/d", 4))},
		{Name: "sticky kept", Op: func(e *vt.Env) error { return e.T.Mkdir("/d/n", 0o1777) }, Check: wantMode("/d/n", S_IFDIR|S_ISVTX|0o755)},
		{Name: "file type bits ignored", Op: func(e *vt.Env) error { return e.T.Mkdir("/d/n", S_IFREG|0o700) }, Check: wantMode("/d/n", S_IFDIR|0o700)},
		{Name: "exists", Op: func(e *vt.Env) error { return e.T.Mkdir("/d/sub", 0o755) }, Want: EEXIST},
		{Name: "exists as file", Op: func(e *vt.Env) error { return e.T.Mkdir("/d/f", 0o755) }, Want: EEXIST},
		{Name: "dangling symlink", Op: func(e *vt.Env) error { return e.T.Mkdir("/d/dangle", 0o755) }, Want: EEXIST, Check: wantAbsent("/d/nothere")},
		{Name: "trailing slash", Op: func(e *vt.Env) error { return e.T.Mkdir("/d/n/", 0o755) }},
		{Name: "trailing slashes", Op: func(e *vt.Env) error { return e.T.Mkdir("/d/n//", 0o755) }},
		{Name: "missing parent", Op: func(e *vt.Env) error { return e.T.Mkdir("/x/y", 0o755) }, Want: ENOENT},
		{Name: "parent is file", Op: func(e *vt.Env) error { return e.T.Mkdir("/d/f/y", 0o755) }, Want: ENOTDIR},
		{Name: "dot", Op: func(e *vt.Env) error { return e.T.Mkdir("/d/.", 0o755) }, Want: EEXIST},
		{Name: "dotdot", Op: func(e *vt.Env) error { return e.T.Mkdir("/d/..", 0o755) }, Want: EEXIST},
		{Name: "root", Op: func(e *vt.Env) error { return e.T.Mkdir("/", 0o755) }, Want: EEXIST},
		{Name: "empty", Op: func(e *vt.Env) error { return e.T.Mkdir("", 0o755) }, Want: ENOENT},
		{Name: "name too long", Op: func(e *vt.Env) error { return e.T.Mkdir("/d/"+rep('a', 256), 0o755) }, Want: ENAMETOOLONG},
		{Name: "no write permission", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: func(e *vt.Env) error { return e.T.Mkdir("/d/n", 0o755) }, Want: EACCES},
		{Name: "no search permission", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: func(e *vt.Env) error { return e.T.Mkdir("/priv/n", 0o755) }, Want: EACCES},
		{Name: "in removed cwd", Setup: func(e *vt.Env) { e.Must(e.Root.Chdir("/e")); e.Must(e.Root.Rmdir("/e")) },
			Op: func(e *vt.Env) error { return e.T.Mkdir("n", 0o755) }, Want: ENOENT},
		{Name: "mkdirat", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/sub", O_RDONLY|O_DIRECTORY)
			return e.T.Mkdirat(fd, "n", 0o700)
		}, Check: wantMode("/d/sub/n", S_IFDIR|0o700)},
	})
}

// TestMknod: mknod(2).
func TestMknod(t *testing.T) {
	vt.Run(t, []vt.Case{
		{Name: "fifo", Op: func(e *vt.Env) error { return e.T.Mknod("/d/p", S_IFIFO|0o666, 0) }, Check: wantMode("/d/p", S_IFIFO|0o644)},
		{Name: "regular by default", Op: func(e *vt.Env) error { return e.T.Mknod("/d/r", 0o600, 0) }, Check: wantMode("/d/r", S_IFREG|0o600)},
		{Name: "socket", Op: func(e *vt.Env) error { return e.T.Mknod("/d/s", S_IFSOCK|0o600, 0) }, Check: wantMode("/d/s", S_IFSOCK|0o600)},
		{Name: "chr as root", Op: func(e *vt.Env) error { return e.T.Mknod("/d/c", S_IFCHR|0o600, 1<<8|3) },
			Check: func(e *vt.Env) {
				if st := e.Lstat("/d/c"); st.Mode != S_IFCHR|0o600 || st.Rdev != 1<<8|3 {
					e.TB.Fatalf("%+v", st)
				}
			}},
		{Name: "blk as root", Op: func(e *vt.Env) error { return e.T.Mknod("/d/b", S_IFBLK|0o600, 8<<8) }, Check: wantMode("/d/b", S_IFBLK|0o600)},
		{Name: "chr as user", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: func(e *vt.Env) error { return e.T.Mknod("/tmp/c", S_IFCHR|0o600, 1<<8|3) }, Want: EPERM},
		// A whiteout (chr 0:0) needs no CAP_MKNOD: vfs_mknod in
		// fs/namei.c exempts WHITEOUT_DEV (Linux 5.8 on); a block device
		// 0:0 is no whiteout.
		{Name: "whiteout as user", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: func(e *vt.Env) error { return e.T.Mknod("/tmp/w", S_IFCHR|0o600, 0) },
			Check: func(e *vt.Env) {
				if st := e.Lstat("/tmp/w"); st.Mode != S_IFCHR|0o600 || st.Rdev != 0 || st.UID != 1000 {
					e.TB.Fatalf("%+v", st)
				}
			}},
		{Name: "blk as user", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: func(e *vt.Env) error { return e.T.Mknod("/tmp/b", S_IFBLK|0o600, 0) }, Want: EPERM},
		{Name: "blk 1:3 as user", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: func(e *vt.Env) error { return e.T.Mknod("/tmp/b", S_IFBLK|0o600, 1<<8|3) }, Want: EPERM},
		{Name: "fifo as user", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: func(e *vt.Env) error { return e.T.Mknod("/tmp/p", S_IFIFO|0o600, 0) }},
		{Name: "dir type", Op: func(e *vt.Env) error { return e.T.Mknod("/d/x", S_IFDIR|0o755, 0) }, Want: EPERM},
		{Name: "bad type", Op: func(e *vt.Env) error { return e.T.Mknod("/d/x", 0o030000|0o644, 0) }, Want: EINVAL},
		{Name: "exists", Op: func(e *vt.Env) error { return e.T.Mknod("/d/f", S_IFIFO|0o644, 0) }, Want: EEXIST},
		{Name: "trailing slash", Op: func(e *vt.Env) error { return e.T.Mknod("/d/x/", S_IFIFO|0o644, 0) }, Want: ENOENT},
		{Name: "nodev mount refuses open", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mount("none", "/e", "tmpfs", MS_NODEV, ""))
			e.Must(e.Root.Mknod("/e/c", S_IFCHR|0o666, 1<<8|3))
		}, Op: func(e *vt.Env) error { return openOnly(e, "/e/c", O_RDONLY, 0) }, Want: EACCES},
	})
}

// TestRmdirUnlink: rmdir(2), unlink(2), unlinkat(2).
func TestRmdirUnlink(t *testing.T) {
	vt.Run(t, []vt.Case{
		{Name: "rmdir empty", Setup: func(e *vt.Env) { e.Must(e.Root.Mkdir("/d/x", 0o755)) },
			Op: func(e *vt.Env) error { return e.T.Rmdir("/d/x") }, Check: checks(wantAbsent("/d/x"), wantNlink("/d", 3))},
		{Name: "rmdir nonempty", Op: func(e *vt.Env) error { return e.T.Rmdir("/d") }, Want: ENOTEMPTY},
		{Name: "rmdir file", Op: func(e *vt.Env) error { return e.T.Rmdir("/d/f") }, Want: ENOTDIR},
		{Name: "rmdir symlink to dir", Op: func(e *vt.Env) error { return e.T.Rmdir("/d/ld") }, Want: ENOTDIR},
		{Name: "rmdir missing", Op: func(e *vt.Env) error { return e.T.Rmdir("/d/nope") }, Want: ENOENT},
		{Name: "rmdir dot", Op: func(e *vt.Env) error { return e.T.Rmdir("/e/.") }, Want: EINVAL},
		{Name: "rmdir dotdot", Op: func(e *vt.Env) error { return e.T.Rmdir("/d/sub/..") }, Want: ENOTEMPTY},
		{Name: "rmdir root", Op: func(e *vt.Env) error { return e.T.Rmdir("/") }, Want: EBUSY},
		{Name: "rmdir trailing slash", Op: func(e *vt.Env) error { return e.T.Rmdir("/e/") }},
		{Name: "rmdir mountpoint", Setup: func(e *vt.Env) { e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, "")) },
			Op: func(e *vt.Env) error { return e.T.Rmdir("/e") }, Want: EBUSY},
		{Name: "rmdir no permission", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: func(e *vt.Env) error { return e.T.Rmdir("/e") }, Want: EACCES},
		{Name: "rmdir cwd", Setup: func(e *vt.Env) { e.Must(e.Root.Chdir("/e")) }, Op: func(e *vt.Env) error { return e.T.Rmdir("/e") }},
		{Name: "unlink", Op: func(e *vt.Env) error { return e.T.Unlink("/d/f") }, Check: checks(wantAbsent("/d/f"), wantNlink("/d", 3))},
		{Name: "unlink symlink not target", Op: func(e *vt.Env) error { return e.T.Unlink("/d/l") },
			Check: checks(wantAbsent("/d/l"), wantSize("/d/f", 5))},
		{Name: "unlink dangling", Op: func(e *vt.Env) error { return e.T.Unlink("/d/dangle") }},
		{Name: "unlink dir", Op: func(e *vt.Env) error { return e.T.Unlink("/d/sub") }, Want: EISDIR},
		{Name: "unlink missing", Op: func(e *vt.Env) error { return e.T.Unlink("/d/nope") }, Want: ENOENT},
		{Name: "unlink trailing slash file", Op: func(e *vt.Env) error { return e.T.Unlink("/d/f/") }, Want: ENOTDIR},
		{Name: "unlink trailing slash dir", Op: func(e *vt.Env) error { return e.T.Unlink("/d/sub/") }, Want: EISDIR},
		{Name: "unlink dot", Op: func(e *vt.Env) error { return e.T.Unlink("/d/.") }, Want: EISDIR},
		{Name: "unlink root", Op: func(e *vt.Env) error { return e.T.Unlink("/") }, Want: EISDIR},
		{Name: "unlink through file", Op: func(e *vt.Env) error { return e.T.Unlink("/d/f/x") }, Want: ENOTDIR},
		{Name: "unlink no permission", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: func(e *vt.Env) error { return e.T.Unlink("/d/f") }, Want: EACCES},
		{Name: "unlinkat removedir", Op: func(e *vt.Env) error { return e.T.Unlinkat(AT_FDCWD, "/e", AT_REMOVEDIR) }},
		{Name: "unlinkat bad flags", Op: func(e *vt.Env) error { return e.T.Unlinkat(AT_FDCWD, "/d/f", 0x1) }, Want: EINVAL},
		{Name: "unlinkat relative", Op: func(e *vt.Env) error { return e.T.Unlinkat(openT(e, "/d", O_RDONLY), "f", 0) }, Check: wantAbsent("/d/f")},
		{Name: "unlink bind-mounted file", Setup: func(e *vt.Env) { e.WriteFile("/d/t", "", 0o644); e.Must(e.Root.Mount("/d/f", "/d/t", "", MS_BIND, "")) },
			Op: func(e *vt.Env) error { return e.T.Unlink("/d/t") }, Want: EBUSY},
	})
}

// TestLinkSymlink: link(2), linkat(2), symlink(2), readlink(2).
func TestLinkSymlink(t *testing.T) {
	vt.Run(t, []vt.Case{
		{Name: "link", Op: func(e *vt.Env) error { return e.T.Link("/d/f", "/d/h") },
			Check: checks(wantNlink("/d/f", 2), wantContent("/d/h", "hello"), func(e *vt.Env) {
				if e.Stat("/d/f").Ino != e.Stat("/d/h").Ino {
					e.TB.Fatal("different inodes")
				}
			})},
		{Name: "link exists", Op: func(e *vt.Env) error { return e.T.Link("/d/f", "/d/sub/g") }, Want: EEXIST},
		{Name: "link dir", Op: func(e *vt.Env) error { return e.T.Link("/d/sub", "/d/h") }, Want: EPERM},
		{Name: "link missing", Op: func(e *vt.Env) error { return e.T.Link("/d/nope", "/d/h") }, Want: ENOENT},
		{Name: "link into missing dir", Op: func(e *vt.Env) error { return e.T.Link("/d/f", "/nope/h") }, Want: ENOENT},
		{Name: "link trailing slash", Op: func(e *vt.Env) error { return e.T.Link("/d/f", "/d/h/") }, Want: ENOENT},
		{Name: "link symlink itself", Op: func(e *vt.Env) error { return e.T.Link("/d/l", "/d/h") },
			Check: checks(wantMode("/d/h", S_IFLNK|0o777), wantNlink("/d/l", 2), wantNlink("/d/f", 1))},
		{Name: "linkat follow", Op: func(e *vt.Env) error { return e.T.Linkat(AT_FDCWD, "/d/l", AT_FDCWD, "/d/h", AT_SYMLINK_FOLLOW) },
			Check: checks(wantMode("/d/h", S_IFREG|0o644), wantNlink("/d/f", 2))},
		{Name: "linkat follow dangling", Op: func(e *vt.Env) error {
			return e.T.Linkat(AT_FDCWD, "/d/dangle", AT_FDCWD, "/d/h", AT_SYMLINK_FOLLOW)
		}, Want: ENOENT},
		{Name: "linkat bad flags", Op: func(e *vt.Env) error { return e.T.Linkat(AT_FDCWD, "/d/f", AT_FDCWD, "/d/h", 0x2) }, Want: EINVAL},
		{Name: "link across mounts", Setup: func(e *vt.Env) { e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, "")) },
			Op: func(e *vt.Env) error { return e.T.Link("/d/f", "/e/h") }, Want: EXDEV},
		{Name: "link across bind mounts of one fs", Setup: func(e *vt.Env) { e.Must(e.Root.Mount("/d", "/e", "", MS_BIND, "")) },
			Op: func(e *vt.Env) error { return e.T.Link("/d/f", "/e/h") }, Want: EXDEV},
		{Name: "link in unwritable dir", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: func(e *vt.Env) error { return e.T.Link("/d/f", "/d/h") }, Want: EACCES},
		{Name: "link to another's file", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: func(e *vt.Env) error { return e.T.Link("/d/f", "/tmp/h") }},
		{Name: "symlink", Op: func(e *vt.Env) error { return e.T.Symlink("../x/y", "/d/s") },
			Check: checks(wantMode("/d/s", S_IFLNK|0o777), wantSize("/d/l", 5), func(e *vt.Env) {
				if st := e.Lstat("/d/s"); st.Size != 6 {
					e.TB.Fatalf("symlink size %d", st.Size)
				}
			})},
		{Name: "symlink exists", Op: func(e *vt.Env) error { return e.T.Symlink("x", "/d/f") }, Want: EEXIST},
		{Name: "symlink over dangling", Op: func(e *vt.Env) error { return e.T.Symlink("x", "/d/dangle") }, Want: EEXIST},
		{Name: "symlink empty target", Op: func(e *vt.Env) error { return e.T.Symlink("", "/d/s") }, Want: ENOENT},
		{Name: "symlink target too long", Op: func(e *vt.Env) error { return e.T.Symlink(rep('a', 4096), "/d/s") }, Want: ENAMETOOLONG},
		{Name: "symlink trailing slash", Op: func(e *vt.Env) error { return e.T.Symlink("x", "/d/s/") }, Want: ENOENT},
		{Name: "symlink missing dir", Op: func(e *vt.Env) error { return e.T.Symlink("x", "/nope/s") }, Want: ENOENT},
		{Name: "symlink unwritable dir", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: func(e *vt.Env) error { return e.T.Symlink("x", "/d/s") }, Want: EACCES},
		{Name: "readlink", Op: func(e *vt.Env) error {
			s, err := e.T.Readlink("/d/dangle")
			if s != "nothere" {
				e.TB.Fatalf("%q", s)
			}
			return err
		}},
		{Name: "readlink file", Op: func(e *vt.Env) error { _, err := e.T.Readlink("/d/f"); return err }, Want: EINVAL},
		{Name: "readlink dir", Op: func(e *vt.Env) error { _, err := e.T.Readlink("/d"); return err }, Want: EINVAL},
		{Name: "readlink missing", Op: func(e *vt.Env) error { _, err := e.T.Readlink("/d/nope"); return err }, Want: ENOENT},
		{Name: "readlink through link dir", Op: func(e *vt.Env) error { _, err := e.T.Readlink("/d/ld/g"); return err }, Want: EINVAL},
		{Name: "readlink trailing slash", Op: func(e *vt.Env) error { _, err := e.T.Readlink("/d/ld/"); return err }, Want: EINVAL},
		{Name: "readlinkat empty path", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/l", O_PATH|O_NOFOLLOW)
			s, err := e.T.Readlinkat(fd, "")
			if s != "f" {
				e.TB.Fatalf("%q", s)
			}
			return err
		}},
		{Name: "readlink needs search", Setup: func(e *vt.Env) { e.Must(e.Root.Symlink("x", "/priv/s")); e.As(1000, 1000) },
			Op: func(e *vt.Env) error { _, err := e.T.Readlink("/priv/s"); return err }, Want: EACCES},
	})
}
