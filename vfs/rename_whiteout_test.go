package vfs_test

import (
	"slices"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// wantWhiteout checks that path is a whiteout: a character device 0:0
// with no permission bits, one link, size 0, owned by uid.
func wantWhiteout(path string, uid uint32) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		st := e.Lstat(path)
		if st.Mode != S_IFCHR || st.Rdev != 0 || st.Nlink != 1 || st.Size != 0 || st.UID != uid {
			e.TB.Fatalf("%s: mode %o rdev %#x nlink %d size %d uid %d, want a whiteout of uid %d",
				path, st.Mode, st.Rdev, st.Nlink, st.Size, st.UID, uid)
		}
	}
}

func wantNames(path string, names ...string) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		got, err := e.Names(path)
		e.Must(err)
		if !slices.Equal(got, names) {
			e.TB.Fatalf("%s holds %q, want %q", path, got, names)
		}
	}
}

// wantFfree checks the free inode count of the filesystem at path.
func wantFfree(path string, n uint64) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		var st Statfs
		e.Must(e.Root.Statfs(path, &st))
		if st.Ffree != n {
			e.TB.Fatalf("%s: %d inodes free, want %d", path, st.Ffree, n)
		}
	}
}

// TestRenameWhiteout: renameat2(RENAME_WHITEOUT) on tmpfs leaves a
// whiteout at the old name (shmem_whiteout); a filesystem that makes
// none answers EINVAL. The expectations were taken from Linux 6.18's
// tmpfs (/dev/shm, and a tmpfs mounted with nr_inodes=3) with a
// program calling renameat2 on the same steps: the whiteout is
// "c 0,0", mode 020000, nlink 1, size 0, owned by the caller; a
// directory's size counts it as an entry; no capability is asked for
// (Linux 5.8 dropped do_renameat2's CAP_MKNOD check); when nr_inodes
// has no inode left for it the rename fails with ENOSPC and nothing
// moved; NOREPLACE over an existing name is EEXIST; a non-empty target
// directory is ENOTEMPTY before any whiteout is made.
func TestRenameWhiteout(t *testing.T) {
	tmpfsAt := func(opts string) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/w", 0o755))
			e.Must(e.Root.Mount("none", "/w", "tmpfs", 0, opts))
			e.WriteFile("/w/a", "hello", 0o644)
		}
	}
	on := func(setup func(e *vt.Env), more func(e *vt.Env)) func(e *vt.Env) {
		return func(e *vt.Env) {
			setup(e)
			if more != nil {
				more(e)
			}
		}
	}
	w := tmpfsAt("mode=755")
	dir := func(e *vt.Env) {
		e.Must(e.Root.Mkdir("/w/D", 0o755))
		e.WriteFile("/w/D/in", "in", 0o644)
		e.Must(e.Root.Mkdir("/w/sub", 0o755))
	}
	vt.Run(t, []vt.Case{
		{Name: "file over nothing", Setup: w, Op: ren2("/w/a", "/w/b", RENAME_WHITEOUT),
			Check: checks(wantWhiteout("/w/a", 0), wantContent("/w/b", "hello"), wantNames("/w", "a", "b"),
				wantSize("/w", 2*20+2*20), wantNlink("/w", 2))},
		{Name: "file over file", Setup: on(w, func(e *vt.Env) { e.WriteFile("/w/e", "yy", 0o600) }),
			Op:    ren2("/w/a", "/w/e", RENAME_WHITEOUT),
			Check: checks(wantWhiteout("/w/a", 0), wantContent("/w/e", "hello"), wantMode("/w/e", S_IFREG|0o644), wantNames("/w", "a", "e"))},
		{Name: "directory", Setup: on(w, dir), Op: ren2("/w/D", "/w/D2", RENAME_WHITEOUT),
			Check: checks(wantWhiteout("/w/D", 0), wantContent("/w/D2/in", "in"), wantNlink("/w", 4), wantNlink("/w/D2", 2),
				wantNames("/w", "D", "D2", "a", "sub"))},
		{Name: "directory to other parent", Setup: on(w, dir), Op: ren2("/w/D", "/w/sub/D3", RENAME_WHITEOUT),
			Check: checks(wantWhiteout("/w/D", 0), wantContent("/w/sub/D3/in", "in"), wantNlink("/w", 3), wantNlink("/w/sub", 3), func(e *vt.Env) {
				if e.Stat("/w/sub/D3/..").Ino != e.Stat("/w/sub").Ino {
					e.TB.Fatal(".. not updated")
				}
			})},
		{Name: "directory over non-empty directory", Setup: on(tmpfsAt("nr_inodes=8"), dir), Op: ren2("/w/sub", "/w/D", RENAME_WHITEOUT), Want: ENOTEMPTY,
			Check: checks(wantNames("/w", "D", "a", "sub"), wantFfree("/w", 3))},
		{Name: "whiteout renamed with whiteout", Setup: on(w, func(e *vt.Env) { e.Must(e.Root.Renameat2(AT_FDCWD, "/w/a", AT_FDCWD, "/w/b", RENAME_WHITEOUT)) }),
			Op: ren2("/w/a", "/w/c", RENAME_WHITEOUT), Check: checks(wantWhiteout("/w/a", 0), wantWhiteout("/w/c", 0), wantNames("/w", "a", "b", "c"))},
		{Name: "whiteout removed", Setup: w, Op: func(e *vt.Env) error {
			e.Must(e.T.Renameat2(AT_FDCWD, "/w/a", AT_FDCWD, "/w/b", RENAME_WHITEOUT))
			return e.T.Unlink("/w/a")
		}, Check: checks(wantAbsent("/w/a"), wantNames("/w", "b"), wantSize("/w", 2*20+20))},
		// No CAP_MKNOD: the whiteout is the caller's.
		{Name: "as user", Setup: on(w, func(e *vt.Env) {
			e.Must(e.Root.Chmod("/w", 0o777))
			e.Must(e.Root.Chown("/w/a", 1000, 1000))
			e.As(1000, 1000)
		}), Op: ren2("/w/a", "/w/b", RENAME_WHITEOUT), Check: checks(wantWhiteout("/w/a", 1000), wantContent("/w/b", "hello"))},
		// nr_inodes=3: the root, a and b; no inode for the whiteout.
		{Name: "no inode left", Setup: on(tmpfsAt("nr_inodes=3"), func(e *vt.Env) { e.WriteFile("/w/b", "b", 0o644) }),
			Op: ren2("/w/a", "/w/z", RENAME_WHITEOUT), Want: ENOSPC,
			Check: checks(wantContent("/w/a", "hello"), wantAbsent("/w/z"), wantNames("/w", "a", "b"), wantFfree("/w", 0), wantSize("/w", 2*20+2*20))},
		{Name: "no inode left over a file", Setup: on(tmpfsAt("nr_inodes=3"), func(e *vt.Env) { e.WriteFile("/w/b", "b", 0o644) }),
			Op: ren2("/w/a", "/w/b", RENAME_WHITEOUT), Want: ENOSPC,
			Check: checks(wantContent("/w/a", "hello"), wantContent("/w/b", "b"), wantFfree("/w", 0))},
		{Name: "inode freed, then used", Setup: on(tmpfsAt("nr_inodes=3"), func(e *vt.Env) {
			e.WriteFile("/w/b", "b", 0o644)
			e.Must(e.Root.Unlink("/w/b"))
		}), Op: ren2("/w/a", "/w/z", RENAME_WHITEOUT), Check: checks(wantWhiteout("/w/a", 0), wantContent("/w/z", "hello"), wantFfree("/w", 0))},
		{Name: "noreplace over a file", Setup: on(w, func(e *vt.Env) { e.WriteFile("/w/b", "b", 0o644) }),
			Op: ren2("/w/a", "/w/b", RENAME_WHITEOUT|RENAME_NOREPLACE), Want: EEXIST,
			Check: checks(wantContent("/w/a", "hello"), wantContent("/w/b", "b"))},
		{Name: "noreplace over nothing", Setup: w, Op: ren2("/w/a", "/w/b", RENAME_WHITEOUT|RENAME_NOREPLACE),
			Check: checks(wantWhiteout("/w/a", 0), wantContent("/w/b", "hello"))},
		// billyfs's ->rename makes no whiteouts: EINVAL, nothing moved.
		{Name: "filesystem without whiteouts", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/b", 0o755))
			e.Must(e.Root.Mount("none", "/b", "billyfs", 0, "store=mem"))
			e.WriteFile("/b/a", "hello", 0o644)
		}, Op: ren2("/b/a", "/b/n", RENAME_WHITEOUT), Want: EINVAL, Check: checks(wantContent("/b/a", "hello"), wantAbsent("/b/n"))},
	})
}
