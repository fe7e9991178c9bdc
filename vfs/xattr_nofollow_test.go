package vfs_test

import (
	"strings"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestXattrListRemoveForms: llistxattr, lremovexattr, flistxattr and
// fremovexattr (listxattr(2), removexattr(2); fs/xattr.c).
//
//   - The l* forms walk without LOOKUP_FOLLOW (path_listxattr,
//     path_removexattr with lookup_flags 0), so they reach the symlink
//     itself; the plain forms reach its target.
//   - On a symlink, trusted.* is for CAP_SYS_ADMIN (root here) and user.*
//     is refused by xattr_permission: EPERM for a write (removexattr).
//     simple_xattr_list hides trusted.* from the incapable.
//   - removexattr checks the name (import_xattr_name: ERANGE) before the
//     walk, then mnt_want_write (EROFS) before xattr_permission and the
//     handler (ENODATA for a missing name).
//   - The f* forms take the descriptor first with fdget, which refuses an
//     O_PATH descriptor (EBADF), then the name.
func TestXattrListRemoveForms(t *testing.T) {
	linkAttr := func(e *vt.Env) { e.Must(e.Root.Lsetxattr("/d/l", "trusted.L", []byte("1"), 0)) }
	fileAttr := func(e *vt.Env) { e.Must(e.Root.Setxattr("/d/f", "user.a", []byte("1"), 0)) }
	user := func(e *vt.Env) { e.As(1000, 1000) }
	long := "user." + strings.Repeat("n", 251) // 256 bytes
	list := func(fn func(e *vt.Env) ([]string, error), want string) func(e *vt.Env) error {
		return func(e *vt.Env) error {
			names, err := fn(e)
			if err == nil && strings.Join(names, ",") != want {
				e.TB.Fatalf("names %q, want %q", names, want)
			}
			return err
		}
	}
	llist := func(path string) func(e *vt.Env) ([]string, error) {
		return func(e *vt.Env) ([]string, error) { return e.T.Llistxattr(path) }
	}
	plist := func(path string) func(e *vt.Env) ([]string, error) {
		return func(e *vt.Env) ([]string, error) { return e.T.Listxattr(path) }
	}
	flist := func(path string, flags int) func(e *vt.Env) ([]string, error) {
		return func(e *vt.Env) ([]string, error) { return e.T.Flistxattr(openT(e, path, flags)) }
	}
	lremove := func(path, name string) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Lremovexattr(path, name) }
	}
	fremove := func(path string, flags int, name string) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Fremovexattr(openT(e, path, flags), name) }
	}
	// gone and kept check, as root, whether name is on path itself.
	gone := func(path, name string) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.TB.Helper()
			if _, err := e.Root.Lgetxattr(path, name); err != ENODATA {
				e.TB.Fatalf("%s %s: %v, want ENODATA", path, name, err)
			}
		}
	}
	kept := func(path, name string) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.TB.Helper()
			if _, err := e.Root.Lgetxattr(path, name); err != nil {
				e.TB.Fatalf("%s %s: %v, want kept", path, name, err)
			}
		}
	}
	// roLink: /e is a tmpfs holding a symlink s with trusted.L, then
	// remounted read-only.
	roLink := func(e *vt.Env) {
		e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, "mode=755"))
		e.Must(e.Root.Symlink("x", "/e/s"))
		e.Must(e.Root.Lsetxattr("/e/s", "trusted.L", []byte("1"), 0))
		e.Must(e.Root.Mount("", "/e", "", MS_REMOUNT|MS_RDONLY, ""))
	}
	vt.Run(t, []vt.Case{
		// llistxattr / listxattr
		{Name: "llistxattr symlink as root", Setup: func(e *vt.Env) { linkAttr(e); fileAttr(e) }, Op: list(llist("/d/l"), "trusted.L")},
		{Name: "listxattr symlink follows", Setup: func(e *vt.Env) { linkAttr(e); fileAttr(e) }, Op: list(plist("/d/l"), "user.a")},
		{Name: "llistxattr symlink as user hides trusted", Setup: func(e *vt.Env) { linkAttr(e); user(e) }, Op: list(llist("/d/l"), "")},
		{Name: "llistxattr dangling symlink", Setup: func(e *vt.Env) {
			e.Must(e.Root.Lsetxattr("/d/dangle", "trusted.D", []byte("1"), 0))
		}, Op: list(llist("/d/dangle"), "trusted.D")},
		{Name: "listxattr dangling symlink", Op: list(plist("/d/dangle"), ""), Want: ENOENT},
		{Name: "llistxattr regular file", Setup: fileAttr, Op: list(llist("/d/f"), "user.a")},
		{Name: "llistxattr missing", Op: list(llist("/d/nope"), ""), Want: ENOENT},
		{Name: "llistxattr search permission", Setup: user, Op: list(llist("/priv/x"), ""), Want: EACCES},
		// flistxattr
		{Name: "flistxattr", Setup: fileAttr, Op: list(flist("/d/f", O_RDONLY), "user.a")},
		{Name: "flistxattr O_PATH", Setup: fileAttr, Op: list(flist("/d/f", O_PATH), ""), Want: EBADF},
		{Name: "flistxattr O_PATH symlink", Setup: linkAttr, Op: list(flist("/d/l", O_PATH|O_NOFOLLOW), ""), Want: EBADF},
		{Name: "flistxattr bad fd", Op: list(func(e *vt.Env) ([]string, error) { return e.T.Flistxattr(71) }, ""), Want: EBADF},
		// lremovexattr / removexattr
		{Name: "lremovexattr symlink as root", Setup: linkAttr, Op: lremove("/d/l", "trusted.L"), Check: gone("/d/l", "trusted.L")},
		{Name: "removexattr symlink follows", Setup: linkAttr, Op: func(e *vt.Env) error { return e.T.Removexattr("/d/l", "trusted.L") },
			Want: ENODATA, Check: kept("/d/l", "trusted.L")},
		{Name: "lremovexattr leaves target", Setup: func(e *vt.Env) {
			e.Must(e.Root.Setxattr("/d/f", "trusted.L", []byte("1"), 0))
			linkAttr(e)
		}, Op: lremove("/d/l", "trusted.L"), Check: kept("/d/f", "trusted.L")},
		{Name: "lremovexattr symlink as user", Setup: func(e *vt.Env) { linkAttr(e); user(e) }, Op: lremove("/d/l", "trusted.L"),
			Want: EPERM, Check: kept("/d/l", "trusted.L")},
		{Name: "lremovexattr user on symlink", Op: lremove("/d/l", "user.a"), Want: EPERM},
		{Name: "lremovexattr missing name", Op: lremove("/d/l", "trusted.none"), Want: ENODATA},
		{Name: "lremovexattr regular file", Setup: fileAttr, Op: lremove("/d/f", "user.a"), Check: gone("/d/f", "user.a")},
		{Name: "lremovexattr long name missing path", Op: lremove("/d/nope", long), Want: ERANGE},
		{Name: "lremovexattr empty name missing path", Op: lremove("/d/nope", ""), Want: ERANGE},
		{Name: "lremovexattr missing path", Op: lremove("/d/nope", "user.a"), Want: ENOENT},
		{Name: "lremovexattr read-only mount", Setup: roLink, Op: lremove("/e/s", "trusted.L"), Want: EROFS, Check: kept("/e/s", "trusted.L")},
		{Name: "lremovexattr read-only mount before permission", Setup: func(e *vt.Env) { roLink(e); user(e) },
			Op: lremove("/e/s", "trusted.L"), Want: EROFS},
		{Name: "lremovexattr read-only mount missing name", Setup: roLink, Op: lremove("/e/s", "trusted.none"), Want: EROFS},
		{Name: "lremovexattr unknown namespace", Op: lremove("/d/l", "bogus.a"), Want: EOPNOTSUPP},
		// fremovexattr
		{Name: "fremovexattr", Setup: fileAttr, Op: fremove("/d/f", O_RDONLY, "user.a"), Check: gone("/d/f", "user.a")},
		{Name: "fremovexattr missing name", Op: fremove("/d/f", O_RDONLY, "user.a"), Want: ENODATA},
		{Name: "fremovexattr O_PATH", Setup: fileAttr, Op: fremove("/d/f", O_PATH, "user.a"), Want: EBADF, Check: kept("/d/f", "user.a")},
		{Name: "fremovexattr O_PATH symlink", Setup: linkAttr, Op: fremove("/d/l", O_PATH|O_NOFOLLOW, "trusted.L"),
			Want: EBADF, Check: kept("/d/l", "trusted.L")},
		{Name: "fremovexattr bad fd before name", Op: func(e *vt.Env) error { return e.T.Fremovexattr(71, long) }, Want: EBADF},
		{Name: "fremovexattr long name", Op: fremove("/d/f", O_RDONLY, long), Want: ERANGE},
		{Name: "fremovexattr as user without write permission", Setup: func(e *vt.Env) { fileAttr(e); user(e) },
			Op: fremove("/d/f", O_RDONLY, "user.a"), Want: EACCES, Check: kept("/d/f", "user.a")},
	})
}
