package vfs_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/probefs"
)

// TestRowReportsDentryAndSuper calls dentry_operations and
// super_operations methods of probefs through their checking wrappers
// with chosen locks: each row's ->d_lock, rename_lock and s_umount
// columns of locking.rst must report a missing or forbidden lock, and
// nothing when the locks are right. Linux: fs/dcache.c calls ->d_delete
// under d_lock (dput's retain_dentry) and ->d_revalidate with no d_lock
// nor rename_lock; fs/super.c calls ->sync_fs under s_umount read
// (sync_filesystem) and ->put_super under s_umount write
// (generic_shutdown_super).
func TestRowReportsDentryAndSuper(t *testing.T) {
	for _, tc := range []struct {
		name       string
		dLock      string // "": none; "self": the called dentry's; "other": another's
		renameLock bool
		umount     string // "", "read", "write"
		call       string // "d_delete", "d_revalidate", "sync_fs", "put_super"
		want       string // "" = no violation
	}{
		{name: "d_delete under d_lock", dLock: "self", call: "d_delete"},
		{name: "d_delete without d_lock", call: "d_delete", want: "dentry_operations.d_delete called by task 1 (init): ->d_lock not held, row says yes"},
		{name: "d_delete under another d_lock", dLock: "other", call: "d_delete", want: "->d_lock not held, row says yes"},
		{name: "d_revalidate", call: "d_revalidate"},
		{name: "d_revalidate under a d_lock", dLock: "other", call: "d_revalidate", want: "dentry_operations.d_revalidate called by task 1 (init): a ->d_lock is held, row says no"},
		{name: "d_revalidate under rename_lock", renameLock: true, call: "d_revalidate", want: "rename_lock held, row says no"},
		{name: "sync_fs under s_umount read", umount: "read", call: "sync_fs"},
		{name: "sync_fs without s_umount", call: "sync_fs", want: "super_operations.sync_fs called by task 1 (init): s_umount not held, row says read"},
		{name: "put_super under s_umount write", umount: "write", call: "put_super"},
		{name: "put_super under s_umount read", umount: "read", call: "put_super", want: "super_operations.put_super called by task 1 (init): s_umount held shared, row says write"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, _ := rulesEnv(t, probefs.Config{})
			rulesMust(t, "mkdir", tk.Mkdir("/p", 0o755))
			rulesMust(t, "mount", tk.Mount("none", "/p", "probefs", 0, ""))
			rulesMust(t, "mkdir /p/d", tk.Mkdir("/p/d", 0o755))
			rulesMust(t, "mkdir /p/e", tk.Mkdir("/p/e", 0o755))
			pd, err := tk.LookupDentryForTest("/p/d")
			rulesMust(t, "lookup /p/d", err)
			defer pd.Put(tk)
			pe, err := tk.LookupDentryForTest("/p/e")
			rulesMust(t, "lookup /p/e", err)
			defer pe.Put(tk)
			d, sb := pd.Dentry, pd.Dentry.SB()
			if n := len(v.LockingViolations()); n != 0 {
				t.Fatalf("%d violations before the call: %v", n, v.LockingViolations())
			}
			if tc.umount != "" {
				sb.UmountLockForTest(tk, tc.umount == "read")
			}
			if tc.renameLock {
				v.RenameLockWriteForTest(tk)
			}
			var held *vfs.Dentry
			switch tc.dLock {
			case "self":
				held = d
			case "other":
				held = pe.Dentry
			}
			if held != nil {
				held.DLockForTest(tk)
			}
			switch tc.call {
			case "d_delete":
				tk.CallDeleteForTest(d)
			case "d_revalidate":
				_, _ = tk.CallRevalidateForTest(d)
			case "sync_fs":
				_ = tk.CallSyncFSForTest(sb)
			case "put_super":
				tk.CallPutSuperForTest(sb)
			}
			if held != nil {
				held.DUnlockForTest(tk)
			}
			if tc.renameLock {
				v.RenameUnlockWriteForTest(tk)
			}
			if tc.umount != "" {
				sb.UmountUnlockForTest(tk, tc.umount == "read")
			}
			got := v.LockingViolations()
			switch {
			case tc.want == "" && len(got) != 0:
				t.Errorf("violations with the right locks: %q", got)
			case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)):
				t.Errorf("violations %q, want one containing %q", got, tc.want)
			}
		})
	}
}
