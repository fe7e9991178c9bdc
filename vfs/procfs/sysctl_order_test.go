package procfs_test

import (
	"slices"
	"testing"
)

// TestSysctlListingOrder: readdir of /proc/sys and below lists bytewise
// (a ctl_dir's rbtree, namecmp), not /proc's shorter-names-first order;
// the rows are the host's `ls -f` of the same directories, cut to the
// entries vfscope has.
func TestSysctlListingOrder(t *testing.T) {
	_, tk := setup(t)
	cases := []struct {
		dir  string
		want []string
	}{
		{"/proc/sys", []string{".", "..", "fs", "vm"}},
		{"/proc/sys/vm", []string{".", "..", "dirty_background_bytes", "dirty_background_ratio", "dirty_bytes",
			"dirty_expire_centisecs", "dirty_ratio", "dirty_writeback_centisecs", "dirtytime_expire_seconds",
			"drop_caches", "vfs_cache_pressure"}},
		{"/proc/sys/fs", []string{".", "..", "dentry-state", "file-max", "file-nr", "inode-nr", "inode-state", "lease-break-time",
			"leases-enable", "protected_hardlinks"}},
	}
	for _, c := range cases {
		if got := names(list(t, tk, c.dir)); !slices.Equal(got, c.want) {
			t.Errorf("ls -f %s: %v, want %v", c.dir, got, c.want)
		}
	}
}
