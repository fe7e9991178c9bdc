package trace

// exampleEvents is one realistic event of every kind, as a VFS emits
// them: the round-trip test encodes and decodes each, and
// docs/trace-schema.md shows each (TestSchemaDoc checks it does).
func exampleEvents() []Event {
	held := []Held{
		{Class: "&type->i_mutex_dir_key#tmpfs", Sub: 1, Mode: ModeExclusive, Lock: 0xc000123400, Site: "vfs/namei.go:412"},
	}
	return []Event{
		{Seq: 1, Time: 1200, Kind: DentryAlloc, Task: 1, Dentry: 7, Parent: 1, Name: "a", Dev: 33, Count: 1},
		{Seq: 2, Time: 1300, Kind: DentryHash, Task: 1, Dentry: 7, Parent: 1, Name: "a", Dev: 33, Bucket: 5021, Flags: 1 << 28, Count: 1},
		{Seq: 3, Time: 1400, Kind: DentryUnhash, Task: 1, Dentry: 7, Parent: 1, Name: "a", Dev: 33, Bucket: 5021, Inode: 9, Ino: 4, Count: 1},
		{Seq: 4, Time: 1500, Kind: DentryLRUAdd, Task: 1, Dentry: 8, Parent: 1, Name: "b", Dev: 33, Flags: 1<<28 | 1<<19 | 1<<6},
		{Seq: 5, Time: 1600, Kind: DentryLRUDel, Task: 1, Dentry: 8, Parent: 1, Name: "b", Dev: 33, Flags: 1 << 28, Count: 1},
		{Seq: 6, Time: 1700, Kind: DentryNegative, Task: 1, Dentry: 7, Parent: 1, Name: "a", Dev: 33, Inode: 9, Ino: 4, Flags: 1 << 28, Count: 1},
		{Seq: 7, Time: 1800, Kind: DentryInstantiate, Task: 1, Dentry: 7, Parent: 1, Name: "a", Dev: 33, Inode: 9, Ino: 4, Count: 1},
		{Seq: 8, Time: 1900, Kind: DentryMove, Task: 1, Dentry: 7, Parent: 3, Target: 10, Name: "c", Dev: 33, Inode: 9, Ino: 4, Flags: 1 << 28, Count: 2},
		{Seq: 9, Time: 2000, Kind: DentryKill, Task: 1, Dentry: 10, Parent: 3, Name: "c", Dev: 33, Flags: 1 << 29, Count: -128},
		{Seq: 34, Time: 4500, Kind: DentryMounted, Task: 1, Dentry: 12, Parent: 1, Name: "mnt", Dev: 33, Inode: 11, Ino: 6, Op: "set", Bits: 1 << 16, Flags: 1<<28 | 1<<16, Count: 2},
		{Seq: 31, Time: 4200, Kind: DentryCount, Task: 1, Dentry: 7, Parent: 3, Name: "c", Dev: 33, Inode: 9, Ino: 4, Flags: 1<<28 | 1<<6, Count: 3},
		{Seq: 10, Time: 2100, Kind: InodeAlloc, Task: 1, Inode: 9, Ino: 4, Dev: 33, Mode: 0o100644, Nlink: 1, Count: 1},
		{Seq: 11, Time: 2200, Kind: InodeState, Task: 1, Inode: 9, Ino: 4, Dev: 33, Mode: 0o100644, Nlink: 1, Size: 4096, Op: "set", Bits: 4, Flags: 4, Count: 1},
		{Seq: 12, Time: 2300, Kind: InodeCount, Task: 1, Inode: 9, Ino: 4, Dev: 33, Mode: 0o100644, Nlink: 1, Size: 4096, Flags: 1 << 8, Op: "unused"},
		{Seq: 13, Time: 2400, Kind: InodeEvict, Task: 1, Inode: 9, Ino: 4, Dev: 33, Mode: 0o100644, Flags: 1<<5 | 1<<6},
		{Seq: 33, Time: 4400, Kind: InodeNlink, Task: 1, Inode: 2, Ino: 1, Dev: 33, Mode: 0o40755, Nlink: 3, Size: 60, Count: 3},
		{Seq: 32, Time: 4300, Kind: InodeSize, Task: 1, Inode: 9, Ino: 4, Dev: 33, Mode: 0o100644, Nlink: 1, Size: 10001, Flags: 4, Count: 2},
		{Seq: 14, Time: 2500, Kind: PageAdd, Task: 1, Inode: 9, Ino: 4, Dev: 33, Index: 0, Flags: 1},
		{Seq: 15, Time: 2600, Kind: PageFlagSet, Task: 1, Inode: 9, Ino: 4, Dev: 33, Index: 0, Bits: 4, Flags: 5},
		{Seq: 16, Time: 2700, Kind: PageFlagClear, Task: 1, Inode: 9, Ino: 4, Dev: 33, Index: 0, Bits: 1, Flags: 4},
		{Seq: 17, Time: 2800, Kind: PageRemove, Task: 1, Inode: 9, Ino: 4, Dev: 33, Index: 3, Flags: 4},
		{Seq: 18, Time: 2900, Kind: WritebackStart, Task: 2, Inode: 9, Ino: 4, Dev: 33, Op: "WB_SYNC_ALL"},
		{Seq: 19, Time: 3000, Kind: WritebackEnd, Task: 2, Inode: 9, Ino: 4, Dev: 33, Op: "WB_SYNC_ALL", Count: 2, Err: 5},
		{Seq: 20, Time: 3100, Kind: LockRequest, Task: 1, Class: "&type->i_mutex_dir_key#tmpfs", Sub: 1, LockMode: ModeExclusive, Lock: 0xc000123400, Site: "vfs/namei.go:412"},
		{Seq: 21, Time: 3200, Kind: LockContend, Task: 1, Class: "&type->i_mutex_dir_key#tmpfs", Sub: 1, LockMode: ModeExclusive, Lock: 0xc000123400, Site: "vfs/namei.go:412"},
		{Seq: 22, Time: 3300, Kind: LockAcquire, Task: 1, Class: "&type->i_mutex_dir_key#tmpfs", Sub: 1, LockMode: ModeExclusive, Lock: 0xc000123400, Site: "vfs/namei.go:412"},
		{Seq: 23, Time: 3400, Kind: LockRelease, Task: 1, Class: "&type->i_mutex_dir_key#tmpfs", LockMode: ModeExclusive, Lock: 0xc000123400},
		{Seq: 24, Time: 3500, Kind: MethodEnter, Task: 1, Op: "inode_operations.create", Inode: 2, Ino: 1, Dev: 33, Dentry: 7, Held: held},
		{Seq: 25, Time: 3600, Kind: MethodExit, Task: 1, Op: "inode_operations.create"},
		{Seq: 26, Time: 3700, Kind: Mount, Task: 1, Mount: 3, Parent: 1, Dentry: 40, Target: 12, Dev: 34, Op: "tmpfs", Name: "none", Path: "/mnt", Flags: 0x20},
		{Seq: 27, Time: 3800, Kind: Umount, Task: 1, Mount: 3, Parent: 1, Dentry: 40, Target: 12, Dev: 34, Op: "tmpfs", Name: "none", Path: "/mnt", Flags: 0x20},
		{Seq: 36, Time: 4700, Kind: MountChange, Task: 1, Mount: 3, Parent: 1, Dentry: 40, Target: 12, Dev: 34, Op: "tmpfs", Name: "none", Path: "/mnt", Flags: 0x60},
		{Seq: 28, Time: 3900, Kind: Report, Task: 3, Report: &ValidatorReport{
			Type: "possible circular locking dependency detected",
			Task: "task 3 (sh)",
			Text: "\nWARNING: possible circular locking dependency detected\ntask 3 (sh) is trying to acquire lock:\n  B (exclusive) at vfs/x.go:2\n\nbut task already holds lock:\n  A (exclusive) at vfs/x.go:1\n",
		}},
		{Seq: 29, Time: 4000, Kind: SyscallEnter, Task: 1, Op: "mkdirat"},
		{Seq: 30, Time: 4100, Kind: SyscallExit, Task: 1, Op: "mkdirat"},
		{Seq: 35, Time: 4600, Kind: Lost, Lost: 5},
	}
}

// exampleSnapshot is a small snapshot: the root of a tmpfs with a file
// "a" and a negative dentry "b" on the LRU.
func exampleSnapshot() Snapshot {
	return Snapshot{
		Schema: Schema,
		Seq:    30,
		Time:   4200,
		Dentries: []DentrySnap{
			{ID: 1, Name: "/", Parent: 1, Dev: 33, Inode: 2, Ino: 1, Count: 3, Flags: 1 << 28, Hashed: false, Bucket: 77, Mountpoint: false},
			{ID: 7, Name: "a", Parent: 1, Dev: 33, Inode: 9, Ino: 4, Count: 1, Flags: 1 << 28, Hashed: true, Bucket: 5021},
			{ID: 8, Name: "b", Parent: 1, Dev: 33, Count: 0, Flags: 1<<28 | 1<<19, Hashed: true, OnLRU: true, Bucket: 911},
		},
		Hash: HashSnap{Buckets: 16384, Chains: []HashChain{{Bucket: 911, Dentries: []uint64{8}}, {Bucket: 5021, Dentries: []uint64{7}}}},
		LRU:  []LRUSnap{{Dev: 33, Dentries: []uint64{8}}},
		Inodes: []InodeSnap{
			{ID: 2, Dev: 33, Ino: 1, Count: 1, Nlink: 2, Mode: 0o40755, Size: 60},
			{ID: 9, Dev: 33, Ino: 4, Count: 1, Nlink: 1, State: 4, Mode: 0o100644, Size: 5000, RwsemWriter: 1},
		},
		Pages:   []MappingSnap{{Inode: 9, Dev: 33, Ino: 4, Pages: []PageSnap{{Index: 0, Flags: 12}, {Index: 1, Flags: 20}}}},
		Tasks:   []TaskSnap{{PID: 1, Comm: "sh", Held: []Held{{Class: "&sb->s_type->i_mutex_key#tmpfs", Mode: ModeExclusive, Lock: 0xc000124800, Site: "vfs/rw.go:120"}}}},
		Mounts:  []MountSnap{{ID: 1, Parent: 1, Dev: 33, FSType: "tmpfs", Source: "rootfs", Root: 1, Mountpoint: 1, Path: "/", Flags: 0}},
		Reports: []ValidatorReport{},
		Counters: Counters{
			NrDentry: 3, NrUnused: 1, NrNegative: 1, NrInodes: 2,
			Meminfo: map[string]int64{"Cached": 8, "Dirty": 8, "Writeback": 0},
		},
	}
}
