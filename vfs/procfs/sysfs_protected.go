package procfs

import "github.com/vfscope/vfscope/vfs"

// /proc/sys/fs/protected_hardlinks (fs/namei.c's namei_sysctls,
// proc_dointvec_minmax from 0 to 1): whether linkat refuses a non-owner
// an unsafe source (VFS.SetProtectedHardlinks). root.go lists it under
// /proc/sys/fs.

// inoProtectedHardlinks is the file's inode number (the fs.protected_*
// sysctls take numbers from 0xF0000300).
const inoProtectedHardlinks = 0xF0000300

func init() {
	sysctlRows[inoProtectedHardlinks] = &sysctl{
		get: func(v *vfs.VFS) int64 { return v.ProtectedHardlinks() },
		set: func(t *vfs.Task, v *vfs.VFS, val int64) error { return v.SetProtectedHardlinks(val) },
	}
}
