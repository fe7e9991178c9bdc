package vfs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestRowReportsWrongLocks calls ->rename and ->unlink through their
// checking wrappers with the locks a caller chose, and expects each row
// of locking.rst to report what is missing (and nothing when the locks
// are right). The oracle is Linux: fs/namei.c vfs_rename locks the
// target directory as a victim whenever lock_new_subdir = new_dir !=
// old_dir || !(flags & RENAME_EXCHANGE), and a directory source only if
// it changes parent; locking.rst: "->unlink() and ->rename() have
// ->i_rwsem exclusive on all non-directories involved", "->rename() has
// ->i_rwsem exclusive on any subdirectory that changes parent",
// "->rmdir(), ->unlink() and ->rename() have ->i_rwsem exclusive on
// victim", "cross-directory ->rename() has ->s_vfs_rename_sem".
func TestRowReportsWrongLocks(t *testing.T) {
	type lk struct {
		path   string
		shared bool
	}
	for _, tc := range []struct {
		name     string
		op       string // "rename" or "unlink"
		from, to string // rename: old and new; unlink: from
		flags    uint32
		renameMu bool
		locks    []lk
		want     string // "" = no violation; "#path" is replaced by the inode number of path
	}{
		{name: "file over file, all locked", op: "rename", from: "/a/f", to: "/a/g",
			locks: []lk{{"/a", false}, {"/a/f", false}, {"/a/g", false}}},
		{name: "file over file, target unlocked", op: "rename", from: "/a/f", to: "/a/g",
			locks: []lk{{"/a", false}, {"/a/f", false}}, want: "inode_operations.rename: inode #/a/g i_rwsem not held exclusive"},
		{name: "file over file, source unlocked", op: "rename", from: "/a/f", to: "/a/g",
			locks: []lk{{"/a", false}, {"/a/g", false}}, want: "inode_operations.rename: inode #/a/f i_rwsem not held exclusive"},
		{name: "same-dir dir over dir, victim unlocked", op: "rename", from: "/a/d1", to: "/a/d2",
			locks: []lk{{"/a", false}}, want: "inode_operations.rename: inode #/a/d2 i_rwsem not held exclusive"},
		{name: "same-dir dir over dir, victim locked", op: "rename", from: "/a/d1", to: "/a/d2",
			locks: []lk{{"/a", false}, {"/a/d2", false}}},
		{name: "same-dir exchange of dirs, neither locked", op: "rename", from: "/a/d1", to: "/a/d2", flags: vfs.RENAME_EXCHANGE,
			locks: []lk{{"/a", false}}},
		{name: "parent shared", op: "rename", from: "/a/f", to: "/a/g",
			locks: []lk{{"/a", true}, {"/a/f", false}, {"/a/g", false}}, want: "inode_operations.rename called by task 1 (init): inode #/a i_rwsem held shared, row says exclusive"},
		{name: "cross-dir without s_vfs_rename_mutex", op: "rename", from: "/a/f", to: "/b/h",
			locks: []lk{{"/a", false}, {"/b", false}, {"/a/f", false}, {"/b/h", false}}, want: "cross-directory rename without s_vfs_rename_mutex"},
		{name: "cross-dir subdir that changes parent unlocked", op: "rename", from: "/a/d1", to: "/b/e", renameMu: true,
			locks: []lk{{"/a", false}, {"/b", false}, {"/b/e", false}}, want: "inode_operations.rename: inode #/a/d1 i_rwsem not held exclusive"},
		{name: "cross-dir exchange, all locked", op: "rename", from: "/a/d1", to: "/b/e", flags: vfs.RENAME_EXCHANGE, renameMu: true,
			locks: []lk{{"/a", false}, {"/b", false}, {"/a/d1", false}, {"/b/e", false}}},
		{name: "cross-dir exchange, target dir unlocked", op: "rename", from: "/a/d1", to: "/b/e", flags: vfs.RENAME_EXCHANGE, renameMu: true,
			locks: []lk{{"/a", false}, {"/b", false}, {"/a/d1", false}}, want: "inode_operations.rename: inode #/b/e i_rwsem not held exclusive"},
		{name: "unlink, all locked", op: "unlink", from: "/a/f",
			locks: []lk{{"/a", false}, {"/a/f", false}}},
		{name: "unlink, victim unlocked", op: "unlink", from: "/a/f",
			locks: []lk{{"/a", false}}, want: "inode_operations.unlink called by task 1 (init): victim #/a/f i_rwsem held unheld, row says exclusive"},
		{name: "unlink, dir unlocked", op: "unlink", from: "/a/f",
			locks: []lk{{"/a/f", false}}, want: "inode_operations.unlink called by task 1 (init): inode #/a i_rwsem held unheld, row says exclusive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk := bareVFS(t)
			for _, d := range []string{"/a", "/a/d1", "/a/d2", "/a/d2/x", "/b", "/b/e", "/b/e/y"} {
				rulesMust(t, "mkdir "+d, tk.Mkdir(d, 0o755))
			}
			for _, f := range []string{"/a/f", "/a/g", "/b/h"} {
				fd, err := tk.Open(f, vfs.O_CREAT|vfs.O_WRONLY, 0o644)
				rulesMust(t, "create "+f, err)
				rulesMust(t, "close "+f, tk.Close(fd))
			}
			paths := map[string]vfs.Path{}
			get := func(p string) vfs.Path {
				if pp, ok := paths[p]; ok {
					return pp
				}
				pp, err := tk.LookupDentryForTest(p)
				rulesMust(t, "lookup "+p, err)
				paths[p] = pp
				return pp
			}
			defer func() {
				for _, p := range paths {
					p.Put(tk)
				}
			}()
			want := tc.want
			for want != "" && strings.Contains(want, "#") {
				i := strings.Index(want, "#")
				j := i + strings.IndexAny(want[i:], " ")
				ino := get(want[i+1 : j]).Dentry.Inode().Ino()
				want = want[:i] + fmt.Sprint(ino) + want[j:]
			}
			if n := len(v.LockingViolations()); n != 0 {
				t.Fatalf("%d violations before the call: %v", n, v.LockingViolations())
			}
			from := get(tc.from).Dentry
			sb := from.SB()
			if tc.renameMu {
				sb.RenameMutexLockForTest(tk)
			}
			for i, l := range tc.locks {
				in := get(l.path).Dentry.Inode()
				if l.shared {
					in.RwsemLockShared(tk)
				} else {
					in.RwsemLockNestedForTest(tk, uint8(i))
				}
			}
			switch tc.op {
			case "rename":
				to := get(tc.to).Dentry
				_ = tk.CallRenameForTest(from.Parent().Inode(), from, to.Parent().Inode(), to, tc.flags)
			case "unlink":
				_ = tk.CallUnlinkForTest(from.Parent().Inode(), from)
			}
			for i := len(tc.locks) - 1; i >= 0; i-- {
				in := get(tc.locks[i].path).Dentry.Inode()
				if tc.locks[i].shared {
					in.RwsemUnlockShared(tk)
				} else {
					in.RwsemUnlock(tk)
				}
			}
			if tc.renameMu {
				sb.RenameMutexUnlockForTest(tk)
			}
			got := v.LockingViolations()
			switch {
			case want == "" && len(got) != 0:
				t.Errorf("violations with the right locks: %q", got)
			case want != "" && (len(got) != 1 || !strings.Contains(got[0], want)):
				t.Errorf("violations %q, want one containing %q", got, want)
			}
		})
	}
}
