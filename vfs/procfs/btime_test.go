package procfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestNoBirthTime: proc's inodes have no birth time (no ->getattr of
// proc reports STATX_BTIME), so stat(1) prints "Birth: -" for them, as
// on Linux 6.18, while the other times are set.
func TestNoBirthTime(t *testing.T) {
	_, tk := setup(t)
	for _, path := range []string{
		"/proc",
		"/proc/meminfo",
		"/proc/self",
		"/proc/self/",
		"/proc/self/mounts",
		"/proc/self/cwd",
		"/proc/self/fd",
		"/proc/sys/vm/dirty_ratio",
		"/proc/sys/vm",
	} {
		t.Run(path, func(t *testing.T) {
			var st vfs.Stat
			if err := tk.Lstat(path, &st); err != nil {
				t.Fatal(err)
			}
			if st.Btime != 0 || st.Mtime == 0 {
				t.Errorf("btime %d, mtime %d; want no birth time and a modification time", st.Btime, st.Mtime)
			}
		})
	}
}
