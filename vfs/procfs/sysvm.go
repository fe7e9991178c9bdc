package procfs

import (
	"github.com/vfscope/vfscope/vfs"
)

// /proc/sys/vm (kernel/sysctl.c's vm_table, mm/page-writeback.c's and
// fs/drop_caches.c's rows): the writeback tunables through the VFS's
// DirtyTunables (with Linux's rules: a ratio written zeroes its bytes
// twin and the other way round), drop_caches, and vfs_cache_pressure.

// Inode numbers of /proc/sys/vm and its files.
const (
	inoSysVM = 0xF0000101 + iota
	inoDirtyBackgroundBytes
	inoDirtyBackgroundRatio
	inoDirtyBytes
	inoDirtyExpireCentisecs
	inoDirtyRatio
	inoDirtyWritebackCentisecs
	inoDirtytimeExpireSeconds
	inoDropCaches
	inoVfsCachePressure
)

// sysVMEntry is /proc/sys/vm; root.go lists it under /proc/sys.
var sysVMEntry = &entry{name: "vm", ino: inoSysVM, mode: vfs.S_IFDIR | 0o555, nlink: 1, kids: []*entry{
	sysctlEntry("dirty_background_bytes", inoDirtyBackgroundBytes, 0o644),
	sysctlEntry("dirty_background_ratio", inoDirtyBackgroundRatio, 0o644),
	sysctlEntry("dirty_bytes", inoDirtyBytes, 0o644),
	sysctlEntry("dirty_expire_centisecs", inoDirtyExpireCentisecs, 0o644),
	sysctlEntry("dirty_ratio", inoDirtyRatio, 0o644),
	sysctlEntry("dirty_writeback_centisecs", inoDirtyWritebackCentisecs, 0o644),
	sysctlEntry("dirtytime_expire_seconds", inoDirtytimeExpireSeconds, 0o644),
	sysctlEntry("drop_caches", inoDropCaches, 0o200),
	sysctlEntry("vfs_cache_pressure", inoVfsCachePressure, 0o644),
}}

func sysctlEntry(name string, ino uint64, perm uint32) *entry {
	return &entry{name: name, ino: ino, mode: vfs.S_IFREG | perm, nlink: 1, iops: sysctlInodeOps, fops: sysctlFileOps}
}

// dirtyRow is the row of one vm.dirty_* tunable. dirty_ratio and
// dirty_bytes zero their twin only when the value changes
// (dirty_ratio_handler, dirty_bytes_handler); the background pair
// always does.
func dirtyRow(name string, unsigned bool) *sysctl {
	return &sysctl{
		unsigned: unsigned,
		get: func(v *vfs.VFS) int64 {
			val, _ := v.DirtyTunables().Get(name)
			return val
		},
		set: func(t *vfs.Task, v *vfs.VFS, val int64) error {
			cur, _ := v.DirtyTunables().Get(name)
			if val == cur && (name == "dirty_ratio" || name == "dirty_bytes" && val != 0) {
				return nil
			}
			return v.SetDirtyTunable(name, val)
		},
	}
}

// sysctlRows are the rows behind the sysctl files, by inode number.
var sysctlRows = map[uint64]*sysctl{
	inoDirtyBackgroundBytes:    dirtyRow("dirty_background_bytes", true),
	inoDirtyBackgroundRatio:    dirtyRow("dirty_background_ratio", false),
	inoDirtyBytes:              dirtyRow("dirty_bytes", true),
	inoDirtyExpireCentisecs:    dirtyRow("dirty_expire_centisecs", false),
	inoDirtyRatio:              dirtyRow("dirty_ratio", false),
	inoDirtyWritebackCentisecs: dirtyRow("dirty_writeback_centisecs", false),
	inoDirtytimeExpireSeconds:  dirtyRow("dirtytime_expire_seconds", false),
	inoDropCaches: {
		get: func(v *vfs.VFS) int64 { return v.LastDropCaches() },
		set: func(t *vfs.Task, v *vfs.VFS, val int64) error { return v.DropCaches(t, val) },
	},
	inoVfsCachePressure: {
		get: func(v *vfs.VFS) int64 { return v.VfsCachePressure() },
		set: func(t *vfs.Task, v *vfs.VFS, val int64) error { return v.SetVfsCachePressure(val) },
	},
}
