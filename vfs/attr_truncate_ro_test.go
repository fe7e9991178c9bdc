package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestTruncateReadOnlyOrder: vfs_truncate asks inode_permission
// (MAY_WRITE) before mnt_want_write, so on a read-only mount a task that
// may not write the file gets EACCES, and EROFS only one that may (root,
// or the owner of a 0644 file). On a read-only superblock
// inode_permission itself answers EROFS (sb_permission), to everyone.
// What this machine's kernel (6.18) answers for truncate(2) on a
// read-only bind mount and a read-only tmpfs.
func TestTruncateReadOnlyOrder(t *testing.T) {
	// roBind: /e is /d bound read-only, with /d/mine owned by uid 1000.
	roBind := func(as bool) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.WriteFile("/d/mine", "hello", 0o644)
			e.Must(e.Root.Chown("/d/mine", 1000, 1000))
			e.Must(e.Root.Mount("/d", "/e", "", MS_BIND, ""))
			e.Must(e.Root.Mount("", "/e", "", MS_REMOUNT|MS_BIND|MS_RDONLY, ""))
			if as {
				e.As(1000, 1000)
			}
		}
	}
	// roSB: /e is a tmpfs remounted read-only, with f (root's) and mine
	// (uid 1000's).
	roSB := func(as bool) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, "mode=755"))
			e.WriteFile("/e/f", "hello", 0o644)
			e.WriteFile("/e/mine", "hello", 0o644)
			e.Must(e.Root.Chown("/e/mine", 1000, 1000))
			e.Must(e.Root.Mount("", "/e", "", MS_REMOUNT|MS_RDONLY, ""))
			if as {
				e.As(1000, 1000)
			}
		}
	}
	trunc := func(path string) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Truncate(path, 0) }
	}
	vt.Run(t, []vt.Case{
		{Name: "ro mount, root", Setup: roBind(false), Op: trunc("/e/f"), Want: EROFS, Check: wantContent("/d/f", "hello")},
		{Name: "ro mount, non-writer", Setup: roBind(true), Op: trunc("/e/f"), Want: EACCES, Check: wantContent("/d/f", "hello")},
		{Name: "ro mount, owner", Setup: roBind(true), Op: trunc("/e/mine"), Want: EROFS, Check: wantContent("/d/mine", "hello")},
		{Name: "ro sb, root", Setup: roSB(false), Op: trunc("/e/f"), Want: EROFS, Check: wantContent("/e/f", "hello")},
		{Name: "ro sb, non-writer", Setup: roSB(true), Op: trunc("/e/f"), Want: EROFS, Check: wantContent("/e/f", "hello")},
		{Name: "ro sb, owner", Setup: roSB(true), Op: trunc("/e/mine"), Want: EROFS, Check: wantContent("/e/mine", "hello")},
	})
}
