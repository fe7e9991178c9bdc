package vfs_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

// TestTaskExitWithLocksHeld: a task that exits holding a lock is
// reported (Linux do_exit -> debug_check_no_locks_held, "still has locks
// held!"); one that released everything is not.
func TestTaskExitWithLocksHeld(t *testing.T) {
	for _, tc := range []struct {
		name string
		hold bool
	}{
		{"released", false},
		{"i_rwsem held", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk := bareVFS(t)
			rulesMust(t, "mkdir", tk.Mkdir("/dir", 0o755))
			p, err := tk.LookupDentryForTest("/dir")
			rulesMust(t, "lookup", err)
			defer p.Put(tk)
			dir := p.Dentry.Inode()
			child := tk.Fork("child")
			dir.RwsemLock(child)
			if !tc.hold {
				dir.RwsemUnlock(child)
			}
			child.Exit()
			reps := reportsOf(v, lock.HeldAtExit)
			if !tc.hold {
				if len(v.Validator().Reports()) != 0 {
					t.Fatalf("reports %v", v.Validator().Reports())
				}
				return
			}
			if len(reps) != 1 {
				t.Fatalf("want one HeldAtExit report, got %v", v.Validator().Reports())
			}
			for _, want := range []string{child.Owner().Name() + " still has locks held!", "i_mutex_dir_key"} {
				if !strings.Contains(reps[0].Text, want) {
					t.Errorf("report lacks %q:\n%s", want, reps[0].Text)
				}
			}
		})
	}
}
