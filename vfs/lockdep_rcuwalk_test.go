package vfs_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/probefs"
	"github.com/vfscope/vfscope/vfs/lock"
)

// TestLockdepSleepInRCUWalk: ->d_revalidate and ->d_manage called in
// RCU-walk must not block (locking.rst: "may block" only in ref-walk;
// fs/namei.c calls them with LOOKUP_RCU / rcu=true and expects -ECHILD
// from a filesystem that would sleep). A probefs whose methods sleep
// whatever the mode is reported, naming the method and the mode; the
// same methods sleeping in ref-walk are not.
func TestLockdepSleepInRCUWalk(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  []string // directories to make under the probefs mount
		walk   string   // path to stat
		want   error
		method string // the method the report names
	}{
		{"d_revalidate", []string{"/p/d"}, "/p/d", nil, "dentry_operations.d_revalidate (rcu-walk)"},
		{"d_manage", []string{"/p/managed"}, "/p/managed/x", vfs.ENOENT, "dentry_operations.d_manage (rcu-walk)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, fs := rulesEnv(t, probefs.Config{SleepInRCUWalk: true})
			rulesMust(t, "mkdir", tk.Mkdir("/p", 0o755))
			rulesMust(t, "mount", tk.Mount("none", "/p", "probefs", 0, ""))
			for _, d := range tc.setup {
				rulesMust(t, "mkdir "+d, tk.Mkdir(d, 0o755))
			}
			if n := len(v.Validator().Reports()); n != 0 {
				t.Fatalf("%d reports before the walk: %v", n, v.Validator().Reports())
			}
			var st vfs.Stat
			rulesWant(t, "stat "+tc.walk, tk.Stat(tc.walk, &st), tc.want)
			if fs.Calls(tc.name) == 0 {
				t.Fatalf("%s never called", tc.name)
			}
			reps := reportsOf(v, lock.SleepInAtomic)
			if len(reps) == 0 {
				t.Fatalf("no SleepInAtomic report; reports: %v", v.Validator().Reports())
			}
			found := false
			for _, r := range reps {
				found = found || strings.Contains(r.Text, tc.method)
				if !strings.Contains(r.Text, "(rcu-walk)") {
					t.Errorf("a ref-walk call was reported:\n%s", r.Text)
				}
			}
			if !found {
				t.Errorf("no report names %q: %v", tc.method, reps)
			}
		})
	}
}
