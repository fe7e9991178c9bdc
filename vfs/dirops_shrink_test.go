package vfs_test

import (
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/probefs"
)

// TestRemovedDirShrinksChildren: vfs_rmdir, and vfs_rename over a
// directory, call shrink_dcache_parent on the removed directory before
// marking it S_DEAD, so the unused dentries cached below it (negative
// ones here: probefs keeps them) go at once, and with them the last
// references on the directory's dentry and inode. Without it they stay
// until memory pressure, pinning a dead directory.
func TestRemovedDirShrinksChildren(t *testing.T) {
	const n = 50
	for _, tc := range []struct {
		name   string
		remove func(tk *vfs.Task) error
		// negative dentries left: rmdir's d_delete turns /p/d's
		// own dentry negative (nobody else holds it); a rename
		// kills the target's.
		neg int64
	}{
		{"rmdir", func(tk *vfs.Task) error { return tk.Rmdir("/p/d") }, 1},
		{"rename over a directory", func(tk *vfs.Task) error {
			if err := tk.Mkdir("/p/x", 0o755); err != nil {
				return err
			}
			return tk.Rename("/p/x", "/p/d")
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, _ := rulesEnv(t, probefs.Config{})
			rulesMust(t, "mkdir", tk.Mkdir("/p", 0o755))
			rulesMust(t, "mount", tk.Mount("none", "/p", "probefs", 0, ""))
			rulesMust(t, "mkdir", tk.Mkdir("/p/d", 0o755))
			var st vfs.Stat
			rulesMust(t, "stat", tk.Stat("/p/d", &st))
			base := v.DentryState().NrNegative
			for i := 0; i < n; i++ {
				rulesWant(t, "stat", tk.Stat(fmt.Sprintf("/p/d/miss%d", i), &st), vfs.ENOENT)
			}
			if got := v.DentryState().NrNegative - base; got != n {
				t.Fatalf("%d negative dentries cached below /p/d, want %d", got, n)
			}
			inodes := v.InodeState().NrInodes
			if tc.name != "rmdir" {
				inodes++ // /p/x's
			}
			rulesMust(t, tc.name, tc.remove(tk))
			if got := v.DentryState().NrNegative - base; got != tc.neg {
				t.Errorf("%d negative dentries left, want %d (none below the removed directory)", got, tc.neg)
			}
			if got := v.InodeState().NrInodes; got != inodes-1 {
				t.Errorf("%d inodes in memory, want %d (the removed directory's freed)", got, inodes-1)
			}
		})
	}
}
