package vfs_test

import (
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/probefs"
)

// TestDcacheLRUSecondChance: retain_dentry (fs/dcache.c) puts an unused
// dentry on the LRU without DCACHE_REFERENCED and sets the bit only when
// the dentry is put again while already on the LRU; dentry_lru_isolate
// frees an unreferenced dentry and gives a referenced one a second
// chance (clears the bit, rotates). So dentries used once are freed by
// the first prune, and dentries used again survive one prune and go on
// the next. Each row makes n negative dentries in a probefs mount by
// failed stats, uses each uses times in all, and prunes twice.
func TestDcacheLRUSecondChance(t *testing.T) {
	const n = 20
	for _, tc := range []struct {
		name              string
		uses              int
		first, second     int   // freed by each prune
		negAfter1, negEnd int64 // negative dentries after each prune
	}{
		{"used once", 1, n, 0, 0, 0},
		{"used twice", 2, 0, n, n, 0},
		{"used thrice", 3, 0, n, n, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, _ := rulesEnv(t, probefs.Config{})
			rulesMust(t, "mkdir", tk.Mkdir("/p", 0o755))
			rulesMust(t, "mount", tk.Mount("none", "/p", "probefs", 0, ""))
			rulesMust(t, "chdir", tk.Chdir("/p"))
			sb := tk.Cwd().Dentry.SB()
			base := v.DentryState().NrNegative
			var st vfs.Stat
			for i := 0; i < n; i++ {
				rulesWant(t, "stat", tk.Stat(fmt.Sprintf("/p/miss%d", i), &st), vfs.ENOENT)
			}
			// Reuses in ref-walk mode, which takes and puts a reference
			// (the lock-free walk ends on a negative dentry without
			// one, in Linux as here, and leaves the bit alone).
			for u := 1; u < tc.uses; u++ {
				for i := 0; i < n; i++ {
					_, err := vfs.WalkForTest(tk, fmt.Sprintf("/p/miss%d", i), 0, false)
					rulesWant(t, "ref-walk", err, vfs.ENOENT)
				}
			}
			if got := v.DentryState().NrNegative - base; got != n {
				t.Fatalf("%d negative dentries cached, want %d", got, n)
			}
			if got := vfs.PruneDcacheSB(tk, sb, n); got != tc.first {
				t.Errorf("first prune freed %d, want %d", got, tc.first)
			}
			if got := v.DentryState().NrNegative - base; got != tc.negAfter1 {
				t.Errorf("after the first prune %d negative dentries, want %d", got, tc.negAfter1)
			}
			if got := vfs.PruneDcacheSB(tk, sb, n); got != tc.second {
				t.Errorf("second prune freed %d, want %d", got, tc.second)
			}
			if got := v.DentryState().NrNegative - base; got != tc.negEnd {
				t.Errorf("after the second prune %d negative dentries, want %d", got, tc.negEnd)
			}
		})
	}
}
