package vfs_test

import (
	"strings"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestErrnoOrder: which error wins when a call has two.
//
//   - access(2): fs/open.c do_faccessat asks inode_permission first and
//     reports a read-only mount (EROFS) only to a caller who may write;
//     a read-only superblock is EROFS inside inode_permission
//     (sb_permission) before the mode bits.
//   - xattrs: fs/xattr.c checks the name (import_xattr_name: ERANGE for
//     an empty or too long one) before the path walk, and for setxattr
//     after the flags (EINVAL) and before the size (E2BIG); the handler
//     (xattr_resolve_name: EOPNOTSUPP for an unknown namespace) is
//     looked up after mnt_want_write (EROFS) and xattr_permission
//     (EACCES), which leaves security.* and system.* to the filesystem
//     and the security module (with none, commoncap: security.* is set
//     and removed only with CAP_SYS_ADMIN).
//     The descriptor forms (fgetxattr, fsetxattr) take the descriptor
//     first: EBADF before any of these.
//   - fstatat(2): vfs_statx accepts AT_NO_AUTOMOUNT and the
//     AT_STATX_SYNC_TYPE flags.
func TestErrnoOrder(t *testing.T) {
	user := func(e *vt.Env) { e.As(1000, 1000) }
	roBind := func(e *vt.Env) {
		e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, "mode=755"))
		e.WriteFile("/e/f", "f", 0o644)
		e.Must(e.Root.Mount("", "/e", "", MS_REMOUNT|MS_BIND|MS_RDONLY, ""))
	}
	roSuper := func(e *vt.Env) { e.Must(e.Root.Mount("none", "/e", "tmpfs", MS_RDONLY, "mode=755")) }
	long := "user." + strings.Repeat("n", 251) // 256 bytes
	set := func(path, name string, size, flags int) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Setxattr(path, name, make([]byte, size), flags) }
	}
	get := func(path, name string) func(e *vt.Env) error {
		return func(e *vt.Env) error { _, err := e.T.Getxattr(path, name); return err }
	}
	remove := func(path, name string) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Removexattr(path, name) }
	}
	fstatat := func(flags int) func(e *vt.Env) error {
		return func(e *vt.Env) error { var st Stat; return e.T.Fstatat(AT_FDCWD, "/d/f", &st, flags) }
	}
	vt.Run(t, []vt.Case{
		// access
		{Name: "access ro bind file no write permission", Setup: func(e *vt.Env) { roBind(e); user(e) },
			Op: func(e *vt.Env) error { return e.T.Access("/e/f", W_OK) }, Want: EACCES},
		{Name: "access ro bind dir no write permission", Setup: func(e *vt.Env) { roBind(e); user(e) },
			Op: func(e *vt.Env) error { return e.T.Access("/e", W_OK) }, Want: EACCES},
		{Name: "access ro bind writer", Setup: roBind, Op: func(e *vt.Env) error { return e.T.Access("/e/f", W_OK) }, Want: EROFS},
		{Name: "access ro bind read", Setup: func(e *vt.Env) { roBind(e); user(e) },
			Op: func(e *vt.Env) error { return e.T.Access("/e/f", R_OK) }},
		{Name: "access ro super no write permission", Setup: func(e *vt.Env) { roSuper(e); user(e) },
			Op: func(e *vt.Env) error { return e.T.Access("/e", W_OK) }, Want: EROFS},
		// xattr names before the walk
		{Name: "setxattr long name missing path", Op: set("/d/nope", long, 1, 0), Want: ERANGE},
		{Name: "setxattr empty name missing path", Op: set("/d/nope", "", 1, 0), Want: ERANGE},
		{Name: "getxattr long name missing path", Op: get("/d/nope", long), Want: ERANGE},
		{Name: "removexattr long name missing path", Op: remove("/d/nope", long), Want: ERANGE},
		{Name: "lsetxattr long name missing path", Op: func(e *vt.Env) error { return e.T.Lsetxattr("/d/nope", long, nil, 0) }, Want: ERANGE},
		{Name: "lgetxattr long name missing path", Op: func(e *vt.Env) error { _, err := e.T.Lgetxattr("/d/nope", long); return err }, Want: ERANGE},
		// The descriptor calls take the descriptor first (fdget).
		{Name: "fsetxattr long name bad fd", Op: func(e *vt.Env) error { return e.T.Fsetxattr(61, long, nil, 0) }, Want: EBADF},
		{Name: "fsetxattr bad flags bad fd", Op: func(e *vt.Env) error { return e.T.Fsetxattr(61, "user.a", nil, 9) }, Want: EBADF},
		{Name: "fsetxattr too big bad fd", Op: func(e *vt.Env) error { return e.T.Fsetxattr(61, "user.a", make([]byte, XATTR_SIZE_MAX+1), 0) }, Want: EBADF},
		{Name: "fgetxattr long name bad fd", Op: func(e *vt.Env) error { _, err := e.T.Fgetxattr(61, long); return err }, Want: EBADF},
		{Name: "fsetxattr long name", Op: func(e *vt.Env) error { return e.T.Fsetxattr(openT(e, "/d/f", O_RDONLY), long, nil, 0) }, Want: ERANGE},
		{Name: "fgetxattr long name", Op: func(e *vt.Env) error { _, err := e.T.Fgetxattr(openT(e, "/d/f", O_RDONLY), long); return err }, Want: ERANGE},
		{Name: "setxattr bad flags before name", Op: set("/d/nope", long, 1, 9), Want: EINVAL},
		{Name: "setxattr name before size", Op: set("/d/f", long, XATTR_SIZE_MAX+1, 0), Want: ERANGE},
		{Name: "setxattr size before walk", Op: set("/d/nope", "user.a", XATTR_SIZE_MAX+1, 0), Want: E2BIG},
		{Name: "setxattr 255-byte name", Op: set("/d/f", long[:255], 1, 0)},
		// namespace after permission
		{Name: "setxattr unknown namespace no permission", Setup: user, Op: set("/d/f", "bogus.a", 1, 0), Want: EACCES},
		{Name: "getxattr unknown namespace no permission", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0o600)); user(e) },
			Op: get("/d/f", "bogus.a"), Want: EACCES},
		{Name: "removexattr unknown namespace no permission", Setup: user, Op: remove("/d/f", "bogus.a"), Want: EACCES},
		{Name: "setxattr unknown namespace root", Op: set("/d/f", "bogus.a", 1, 0), Want: EOPNOTSUPP},
		{Name: "setxattr unknown namespace read-only", Setup: roSuper, Op: set("/e", "bogus.a", 1, 0), Want: EROFS},
		{Name: "setxattr bare prefix no permission", Setup: user, Op: set("/d/f", "user.", 1, 0), Want: EACCES},
		{Name: "setxattr bare prefix root", Op: set("/d/f", "user.", 1, 0), Want: EINVAL},
		// security.* skips the mode bits: an unreadable file's missing
		// attribute is ENODATA, not EACCES; setting one is then
		// commoncap's (cap_inode_setxattr: EPERM without CAP_SYS_ADMIN),
		// not the mode bits' EACCES.
		{Name: "getxattr security namespace skips mode bits", Setup: func(e *vt.Env) {
			e.Must(e.Root.Chmod("/d/f", 0o600))
			user(e)
		}, Op: get("/d/f", "security.a"), Want: ENODATA},
		{Name: "setxattr security namespace skips mode bits", Setup: user, Op: set("/d/f", "security.a", 1, 0), Want: EPERM},
		// fstatat flags
		{Name: "fstatat AT_NO_AUTOMOUNT", Op: fstatat(AT_NO_AUTOMOUNT)},
		{Name: "fstatat AT_STATX_FORCE_SYNC", Op: fstatat(AT_STATX_FORCE_SYNC)},
		{Name: "fstatat AT_STATX_DONT_SYNC nofollow", Op: fstatat(AT_STATX_DONT_SYNC | AT_SYMLINK_NOFOLLOW)},
		{Name: "fstatat unknown flag", Op: fstatat(0x8000), Want: EINVAL},
	})
}
