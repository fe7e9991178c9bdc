package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestRenameMaxLinks: rename(2) and renameat2(RENAME_EXCHANGE) against
// s_max_links (fs/namei.c vfs_rename): across directories, EMLINK when a
// directory moves into a full parent without replacing a directory
// (is_dir && !new_is_dir && new_dir->i_nlink >= max_links), or when an
// exchange sends the target directory into the source's full parent
// (RENAME_EXCHANGE && !is_dir && new_is_dir && old_dir->i_nlink >=
// max_links). A directory replacing a directory changes no count.
func TestRenameMaxLinks(t *testing.T) {
	// /tmp/b holds the directory victim, so its link count (3) is the
	// limit; /tmp/a/src and /tmp/c/src2 are directories, /tmp/b/file,
	// /tmp/c/f2 and /tmp/d/f3 files (/tmp/d has room).
	full := func(e *vt.Env) {
		r := e.Root
		for _, d := range []string{"/tmp/a", "/tmp/a/src", "/tmp/b", "/tmp/b/victim", "/tmp/c", "/tmp/c/src2", "/tmp/d"} {
			e.Must(r.Mkdir(d, 0o755))
		}
		e.WriteFile("/tmp/b/file", "f", 0o644)
		e.WriteFile("/tmp/c/f2", "f", 0o644)
		e.WriteFile("/tmp/d/f3", "f", 0o644)
		if n := e.Stat("/tmp/b").Nlink; n != 3 {
			e.TB.Fatalf("nlink(/tmp/b) = %d, want 3", n)
		}
		r.Root().Mnt.SB().MaxLinks = 3
	}
	rename := func(from, to string) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Rename(from, to) }
	}
	exchange := func(a, b string) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) }
	}
	nlink := func(path string, n uint64) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.TB.Helper()
			if got := uint64(e.Stat(path).Nlink); got != n {
				e.TB.Fatalf("nlink(%s) = %d, want %d", path, got, n)
			}
		}
	}
	vt.Run(t, []vt.Case{
		{Name: "dir into full parent", Setup: full, Op: rename("/tmp/a/src", "/tmp/b/new"), Want: EMLINK, Check: nlink("/tmp/b", 3)},
		{Name: "dir over dir in full parent", Setup: full, Op: rename("/tmp/a/src", "/tmp/b/victim"), Check: nlink("/tmp/b", 3)},
		{Name: "dir within full parent", Setup: full, Op: rename("/tmp/b/victim", "/tmp/b/v2"), Check: nlink("/tmp/b", 3)},
		{Name: "file into full parent", Setup: full, Op: rename("/tmp/c/f2", "/tmp/b/f2"), Check: nlink("/tmp/b", 3)},
		{Name: "exchange dir into full parent", Setup: full, Op: exchange("/tmp/c/src2", "/tmp/b/file"), Want: EMLINK, Check: nlink("/tmp/b", 3)},
		{Name: "exchange brings dir into full source parent", Setup: full, Op: exchange("/tmp/b/file", "/tmp/c/src2"), Want: EMLINK, Check: nlink("/tmp/b", 3)},
		{Name: "exchange dir with dir", Setup: full, Op: exchange("/tmp/a/src", "/tmp/b/victim"), Check: nlink("/tmp/b", 3)},
		{Name: "exchange files", Setup: full, Op: exchange("/tmp/c/f2", "/tmp/b/file")},
		{Name: "exchange dir out of full parent", Setup: full, Op: exchange("/tmp/b/victim", "/tmp/d/f3"), Check: checks(nlink("/tmp/b", 2), nlink("/tmp/d", 3))},
		{Name: "exchange dir into other full parent", Setup: full, Op: exchange("/tmp/b/victim", "/tmp/c/f2"), Want: EMLINK},
	})
}
