package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestChmodSymlinkOrder: fchmodat(AT_SYMLINK_NOFOLLOW) on a symlink.
// fs/open.c chmod_common takes mnt_want_write (EROFS) first; only then
// does fs/attr.c notify_change refuse a symlink's mode (EOPNOTSUPP),
// and that before setattr_prepare's owner check (EPERM).
func TestChmodSymlinkOrder(t *testing.T) {
	lchmod := func(path string) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Fchmodat(AT_FDCWD, path, 0o700, AT_SYMLINK_NOFOLLOW) }
	}
	user := func(e *vt.Env) { e.As(1000, 1000) }
	// mountLink mounts a tmpfs on /e holding f and a symlink s -> f, then
	// makes it read-only: the superblock (remount) or the mount (bind).
	mountLink := func(flags uint32) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, "mode=755"))
			e.WriteFile("/e/f", "f", 0o644)
			e.Must(e.Root.Symlink("f", "/e/s"))
			e.Must(e.Root.Mount("", "/e", "", MS_REMOUNT|flags, ""))
		}
	}
	roSuper := mountLink(MS_RDONLY)
	roBind := mountLink(MS_BIND | MS_RDONLY)
	lnk := wantMode("/e/s", S_IFLNK|0o777)
	vt.Run(t, []vt.Case{
		{Name: "lchmod symlink ro super", Setup: roSuper, Op: lchmod("/e/s"), Want: EROFS, Check: lnk},
		{Name: "lchmod symlink ro bind", Setup: roBind, Op: lchmod("/e/s"), Want: EROFS, Check: lnk},
		{Name: "lchmod symlink ro as non-owner", Setup: func(e *vt.Env) { roSuper(e); user(e) }, Op: lchmod("/e/s"), Want: EROFS},
		{Name: "lchmod symlink rw", Setup: mountLink(0), Op: lchmod("/e/s"), Want: EOPNOTSUPP, Check: lnk},
		{Name: "lchmod symlink rw as non-owner", Setup: func(e *vt.Env) { mountLink(0)(e); user(e) }, Op: lchmod("/e/s"), Want: EOPNOTSUPP},
		{Name: "chmod through symlink ro", Setup: roSuper, Op: func(e *vt.Env) error { return e.T.Chmod("/e/s", 0o600) },
			Want: EROFS, Check: wantMode("/e/f", S_IFREG|0o644)},
		{Name: "fchmodat empty path O_PATH symlink ro", Setup: roSuper, Op: func(e *vt.Env) error {
			fd := openT(e, "/e/s", O_PATH|O_NOFOLLOW)
			return e.T.Fchmodat(fd, "", 0o700, AT_EMPTY_PATH)
		}, Want: EROFS, Check: lnk},
		{Name: "fchmodat empty path O_PATH symlink rw", Setup: mountLink(0), Op: func(e *vt.Env) error {
			fd := openT(e, "/e/s", O_PATH|O_NOFOLLOW)
			return e.T.Fchmodat(fd, "", 0o700, AT_EMPTY_PATH)
		}, Want: EOPNOTSUPP, Check: lnk},
	})
}
