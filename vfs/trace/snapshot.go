package trace

// Snapshot is the whole state of a VFS at one moment, in the same schema
// as the events: what a view draws before applying events, and what a
// listener that lost events resynchronises from.
type Snapshot struct {
	Schema string `json:"schema"` // Schema
	// Seq is the bus's sequence number when the snapshot began: apply
	// only events with a greater Seq on top of it. Events emitted while
	// it was being taken may or may not be reflected; they are state
	// changes the views apply idempotently.
	Seq  uint64 `json:"seq"`
	Time int64  `json:"time"` // the bus's clock when the snapshot began

	Dentries []DentrySnap `json:"dentries"`
	Hash     HashSnap     `json:"hash"`
	// LRU is each superblock's dentry LRU, hottest first.
	LRU    []LRUSnap     `json:"lru"`
	Inodes []InodeSnap   `json:"inodes"`
	Pages  []MappingSnap `json:"pages"`
	Tasks  []TaskSnap    `json:"tasks"`
	Mounts []MountSnap   `json:"mounts"`
	// Reports are the validator's reports so far, oldest first.
	Reports  []ValidatorReport `json:"reports"`
	Counters Counters          `json:"counters"`
}

// DentrySnap is one dentry.
type DentrySnap struct {
	ID     uint64 `json:"id"`
	Name   string `json:"name"`
	Parent uint64 `json:"parent"` // its own ID for a root
	Dev    uint64 `json:"dev"`
	Inode  uint64 `json:"inode,omitempty"` // 0: negative
	Ino    uint64 `json:"ino,omitempty"`
	Count  int64  `json:"count"`
	Flags  uint32 `json:"flags"`
	Hashed bool   `json:"hashed"`
	OnLRU  bool   `json:"lru"`
	// Bucket is the dcache hash bucket the dentry is (or would be) on.
	Bucket     int64 `json:"bucket"`
	Mountpoint bool  `json:"mountpoint,omitempty"`
}

// HashSnap is the dcache hash table: its size and the occupied buckets.
type HashSnap struct {
	Buckets int64       `json:"buckets"`
	Chains  []HashChain `json:"chains"` // occupied buckets only, by index
}

// HashChain is one occupied bucket, its dentries in chain order.
type HashChain struct {
	Bucket   int64    `json:"bucket"`
	Dentries []uint64 `json:"dentries"`
}

// LRUSnap is one superblock's dentry LRU.
type LRUSnap struct {
	Dev      uint64   `json:"dev"`
	Dentries []uint64 `json:"dentries"` // hottest first
}

// InodeSnap is one inode.
type InodeSnap struct {
	ID    uint64 `json:"id"`
	Dev   uint64 `json:"dev"`
	Ino   uint64 `json:"ino"`
	Count int32  `json:"count"`
	Nlink uint32 `json:"nlink"`
	State uint32 `json:"state"`
	Size  int64  `json:"size"`
	Mode  uint32 `json:"mode"`
	// Rwsem says who holds i_rwsem: a writer's task id (or -1 for a
	// writer that is no task, such as a freeze in progress), and how
	// many readers.
	RwsemWriter  int32 `json:"rwsem_writer,omitempty"`
	RwsemReaders int32 `json:"rwsem_readers,omitempty"`
	// OnLRU: unused and cached on its superblock's inode LRU. An inode
	// used again stays on the list until the shrinker finds it in use
	// and takes it off (Linux's lazy removal); it is not OnLRU, as the
	// inode.count "used" event says.
	OnLRU bool `json:"lru,omitempty"`
}

// MappingSnap is the page cache of one inode.
type MappingSnap struct {
	Inode uint64     `json:"inode"`
	Dev   uint64     `json:"dev"`
	Ino   uint64     `json:"ino"`
	Pages []PageSnap `json:"pages"`
}

// PageSnap is one cached page.
type PageSnap struct {
	Index uint64 `json:"index"`
	Flags uint64 `json:"flags"`
}

// TaskSnap is one task and the locks it holds (empty unless lock
// validation is on, which is what tracks them).
type TaskSnap struct {
	PID  int32  `json:"pid"`
	Comm string `json:"comm"`
	Held []Held `json:"held"`
}

// MountSnap is one mount.
type MountSnap struct {
	ID         int32  `json:"id"`
	Parent     int32  `json:"parent"`
	Dev        uint64 `json:"dev"`
	FSType     string `json:"fstype"`
	Source     string `json:"source"`
	Root       uint64 `json:"root"`       // dentry id of the mount's root
	Mountpoint uint64 `json:"mountpoint"` // dentry id it is mounted on (its root for the namespace root)
	Path       string `json:"path"`
	Flags      uint32 `json:"flags"`
}

// Counters are the /proc counters at the moment of the snapshot.
type Counters struct {
	// DentryState is /proc/sys/fs/dentry-state's nr_dentry, nr_unused,
	// nr_negative.
	NrDentry   int64 `json:"nr_dentry"`
	NrUnused   int64 `json:"nr_unused"`
	NrNegative int64 `json:"nr_negative"`
	// InodeState is /proc/sys/fs/inode-nr.
	NrInodes     int64 `json:"nr_inodes"`
	NrFreeInodes int64 `json:"nr_free_inodes"`
	// Meminfo holds /proc/meminfo-style counters in kB, by their
	// /proc/meminfo name ("Cached", "Dirty", "Writeback",
	// "Active(file)", "Inactive(file)"), for those the VFS keeps.
	Meminfo map[string]int64 `json:"meminfo,omitempty"`
}
