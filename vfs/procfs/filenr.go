package procfs

import (
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// /proc/sys/fs/file-nr and /proc/sys/fs/file-max (fs/file_table.c's
// fs_stat_sysctls): the open file descriptions counted by the VFS and
// the limit an unprivileged open stops at (ENFILE). root.go lists both
// under /proc/sys/fs.

// showFileNr is proc_nr_files() over files_stat: nr_files, nr_free_files
// (always 0 since Linux 2.6) and max_files, "%lu\t%lu\t%lu\n". The count
// is exact here, where Linux's percpu counter may lag.
func showFileNr(t *vfs.Task, b *strings.Builder) error {
	nr, maxFiles := t.VFS().FilesStat()
	writeLongs(b, nr, 0, maxFiles)
	return nil
}

func init() {
	// file-max: proc_doulongvec_minmax from 0 to LONG_MAX.
	sysctlRows[inoFileMax] = &sysctl{
		unsigned: true,
		longMax:  true,
		get: func(v *vfs.VFS) int64 {
			_, maxFiles := v.FilesStat()
			return maxFiles
		},
		set: func(t *vfs.Task, v *vfs.VFS, val int64) error { return v.SetMaxFiles(val) },
	}
}
