package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

func ren2(o, n string, flags uint32) func(e *vt.Env) error {
	return func(e *vt.Env) error { return e.T.Renameat2(AT_FDCWD, o, AT_FDCWD, n, flags) }
}

func ren(o, n string) func(e *vt.Env) error { return ren2(o, n, 0) }

func wantExists(path string) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		if !e.Exists(path) {
			e.TB.Fatalf("%s missing", path)
		}
	}
}

// TestRename: rename(2) and renameat2(2).
func TestRename(t *testing.T) {
	mnt := func(e *vt.Env) { e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, "")) }
	user := func(e *vt.Env) { e.As(1000, 1000) }
	vt.Run(t, []vt.Case{
		{Name: "file to new name", Op: ren("/d/f", "/d/n"), Check: checks(wantAbsent("/d/f"), wantContent("/d/n", "hello"))},
		{Name: "file over file", Op: ren("/d/f", "/d/sub/g"), Check: checks(wantAbsent("/d/f"), wantContent("/d/sub/g", "hello"))},
		{Name: "file over dir", Op: ren("/d/f", "/d/sub"), Want: EISDIR},
		{Name: "dir over file", Op: ren("/d/sub", "/d/f"), Want: ENOTDIR},
		{Name: "dir over empty dir", Op: ren("/d/sub", "/e"),
			Check: checks(wantAbsent("/d/sub"), wantExists("/e/g"), wantNlink("/d", 2))},
		{Name: "dir over nonempty dir", Setup: func(e *vt.Env) { e.Must(e.Root.Mkdir("/e/x", 0o755)) }, Op: ren("/e", "/d/sub"), Want: ENOTEMPTY},
		{Name: "dir into own subdir", Op: ren("/d", "/d/sub/x"), Want: EINVAL},
		{Name: "dir onto itself child", Op: ren("/d", "/d/sub"), Want: EINVAL},
		{Name: "dir onto own ancestor", Op: ren("/d/sub", "/d"), Want: ENOTEMPTY},
		{Name: "dir into other dir", Op: ren("/d/sub", "/e/sub"), Check: checks(wantNlink("/d", 2), wantNlink("/e", 3), func(e *vt.Env) {
			if e.Stat("/e/sub/..").Ino != e.Stat("/e").Ino {
				e.TB.Fatal(".. not updated")
			}
		})},
		{Name: "dir trailing slash", Op: ren("/d/sub/", "/e/sub/")},
		{Name: "file trailing slash source", Op: ren("/d/f/", "/d/n"), Want: ENOTDIR},
		{Name: "file trailing slash target", Op: ren("/d/f", "/d/n/"), Want: ENOTDIR},
		{Name: "missing source", Op: ren("/d/nope", "/d/n"), Want: ENOENT},
		{Name: "missing target dir", Op: ren("/d/f", "/nope/n"), Want: ENOENT},
		{Name: "target through file", Op: ren("/d/f", "/d/f/n"), Want: ENOTDIR},
		{Name: "same file", Op: ren("/d/f", "/d/f"), Check: wantExists("/d/f")},
		{Name: "hard links of one inode", Setup: func(e *vt.Env) { e.Must(e.Root.Link("/d/f", "/d/h")) }, Op: ren("/d/f", "/d/h"),
			Check: checks(wantExists("/d/f"), wantExists("/d/h"), wantNlink("/d/f", 2))},
		{Name: "symlink renamed not target", Op: ren("/d/l", "/d/l2"), Check: checks(wantMode("/d/l2", S_IFLNK|0o777), wantExists("/d/f"))},
		{Name: "across mounts", Setup: mnt, Op: ren("/d/f", "/e/f"), Want: EXDEV},
		{Name: "dot source", Op: ren("/d/sub/.", "/d/x"), Want: EBUSY},
		{Name: "dotdot source", Op: ren("/d/sub/..", "/d/x"), Want: EBUSY},
		{Name: "dot target", Op: ren("/d/f", "/d/sub/."), Want: EBUSY},
		{Name: "dotdot target", Op: ren("/d/f", "/d/sub/.."), Want: EBUSY},
		{Name: "root source", Op: ren("/", "/d/x"), Want: EBUSY},
		{Name: "mountpoint source", Setup: mnt, Op: ren("/e", "/d/x"), Want: EBUSY},
		{Name: "mountpoint target", Setup: func(e *vt.Env) { e.Must(e.Root.Mkdir("/x", 0o755)); mnt(e) }, Op: ren("/x", "/e"), Want: EBUSY},
		{Name: "noreplace new", Op: ren2("/d/f", "/d/n", RENAME_NOREPLACE), Check: wantExists("/d/n")},
		{Name: "noreplace existing", Op: ren2("/d/f", "/d/sub/g", RENAME_NOREPLACE), Want: EEXIST, Check: wantExists("/d/f")},
		{Name: "noreplace dangling symlink", Op: ren2("/d/f", "/d/dangle", RENAME_NOREPLACE), Want: EEXIST},
		{Name: "noreplace dotdot", Op: ren2("/d/f", "/d/sub/..", RENAME_NOREPLACE), Want: EEXIST},
		{Name: "exchange files", Setup: func(e *vt.Env) { e.WriteFile("/e/x", "x", 0o600) }, Op: ren2("/d/f", "/e/x", RENAME_EXCHANGE),
			Check: checks(wantContent("/d/f", "x"), wantContent("/e/x", "hello"), wantMode("/d/f", S_IFREG|0o600))},
		{Name: "exchange file and dir", Op: ren2("/d/f", "/d/sub", RENAME_EXCHANGE),
			Check: checks(wantContent("/d/sub", "hello"), wantExists("/d/f/g"), wantNlink("/d", 3))},
		{Name: "exchange dirs across parents", Op: ren2("/d/sub", "/e", RENAME_EXCHANGE),
			Check: checks(wantExists("/e/g"), wantNlink("/d", 3), func(e *vt.Env) {
				if e.Stat("/d/sub/..").Ino != e.Stat("/d").Ino || e.Stat("/e/..").Ino != e.Stat("/").Ino {
					e.TB.Fatal(".. not updated")
				}
			})},
		{Name: "exchange missing target", Op: ren2("/d/f", "/d/n", RENAME_EXCHANGE), Want: ENOENT},
		{Name: "exchange missing source", Op: ren2("/d/n", "/d/f", RENAME_EXCHANGE), Want: ENOENT},
		{Name: "exchange with ancestor", Op: ren2("/d/sub", "/d", RENAME_EXCHANGE), Want: EINVAL},
		{Name: "exchange with descendant", Op: ren2("/d", "/d/sub", RENAME_EXCHANGE), Want: EINVAL},
		{Name: "exchange same", Op: ren2("/d/f", "/d/f", RENAME_EXCHANGE)},
		{Name: "exchange and noreplace", Op: ren2("/d/f", "/d/n", RENAME_EXCHANGE|RENAME_NOREPLACE), Want: EINVAL},
		{Name: "unknown flag", Op: ren2("/d/f", "/d/n", 1<<5), Want: EINVAL},
		// RENAME_WHITEOUT (checked against Linux 6.18 on tmpfs): the
		// flag checks come before the walks (/tmp/x does not exist),
		// no capability is asked for, then the walks and permission
		// checks as for any rename; the filesystem answers last (the
		// whiteout tmpfs leaves, and EINVAL from one that makes none,
		// are TestRenameWhiteout's, on a tmpfs of its own whatever the
		// root filesystem is).
		{Name: "whiteout and exchange as user", Setup: user, Op: ren2("/tmp/x", "/tmp/y", RENAME_EXCHANGE|RENAME_WHITEOUT), Want: EINVAL},
		{Name: "whiteout, exchange and noreplace", Op: ren2("/tmp/x", "/tmp/y", RENAME_EXCHANGE|RENAME_NOREPLACE|RENAME_WHITEOUT), Want: EINVAL},
		{Name: "whiteout missing source as user", Setup: user, Op: ren2("/tmp/x", "/tmp/y", RENAME_WHITEOUT), Want: ENOENT},
		{Name: "whiteout no write on dir as user", Setup: user, Op: ren2("/d/f", "/d/w", RENAME_WHITEOUT), Want: EACCES},
		{Name: "whiteout noreplace existing as user", Setup: func(e *vt.Env) {
			e.WriteFile("/tmp/a", "a", 0o644)
			e.WriteFile("/tmp/b", "b", 0o644)
			e.Must(e.Root.Chown("/tmp/a", 1000, 1000))
			e.As(1000, 1000)
		}, Op: ren2("/tmp/a", "/tmp/b", RENAME_NOREPLACE|RENAME_WHITEOUT), Want: EEXIST},
		{Name: "whiteout noreplace existing", Op: ren2("/d/f", "/d/sub/g", RENAME_NOREPLACE|RENAME_WHITEOUT), Want: EEXIST},
		{Name: "whiteout sticky other's file as user", Setup: func(e *vt.Env) {
			e.WriteFile("/tmp/a", "a", 0o666)
			e.As(1000, 1000)
		}, Op: ren2("/tmp/a", "/tmp/b", RENAME_WHITEOUT), Want: EPERM},
		{Name: "whiteout onto itself", Op: ren2("/d/f", "/d/f", RENAME_WHITEOUT), Check: wantContent("/d/f", "hello")},
		{Name: "no write on source dir", Setup: user, Op: ren("/d/f", "/tmp/f"), Want: EACCES},
		{Name: "dir to other parent needs write on itself", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/tmp/a", 0o777))
			e.Must(e.Root.Chmod("/tmp/a", 0o777))
			e.Must(e.Root.Mkdir("/tmp/a/sub", 0o555))
			e.Must(e.Root.Chown("/tmp/a/sub", 1000, 1000))
			e.Must(e.Root.Mkdir("/tmp/b", 0o777))
			e.Must(e.Root.Chmod("/tmp/b", 0o777))
			e.As(1000, 1000)
		}, Op: ren("/tmp/a/sub", "/tmp/b/sub"), Want: EACCES},
		{Name: "dir in same parent needs no write on itself", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/tmp/a", 0o777))
			e.Must(e.Root.Chmod("/tmp/a", 0o777))
			e.Must(e.Root.Mkdir("/tmp/a/sub", 0o555))
			e.As(1000, 1000)
		}, Op: ren("/tmp/a/sub", "/tmp/a/sub2")},
		{Name: "ino kept", Op: func(e *vt.Env) error {
			before := e.Stat("/d/f").Ino
			e.Must(e.T.Rename("/d/f", "/e/f"))
			if after := e.Stat("/e/f").Ino; after != before {
				e.TB.Fatalf("ino %d became %d", before, after)
			}
			return nil
		}},
		{Name: "renameat relative", Op: func(e *vt.Env) error {
			return e.T.Renameat2(openT(e, "/d", O_RDONLY), "f", openT(e, "/e", O_RDONLY), "f", 0)
		}, Check: wantContent("/e/f", "hello")},
		{Name: "open file survives rename over it", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/sub/g", O_RDONLY)
			e.Must(e.T.Rename("/d/f", "/d/sub/g"))
			wantRead(e, fd, 5, "g")
			var st Stat
			e.Must(e.T.Fstat(fd, &st))
			if st.Nlink != 0 {
				e.TB.Fatalf("nlink %d", st.Nlink)
			}
			return nil
		}},
	})
}
