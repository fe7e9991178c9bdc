package trace

import (
	"fmt"
	"strconv"
)

// Schema names the version of the JSON encoding of events and
// snapshots. A change that a reader of the previous version would
// misread bumps it. Version 2 added dentry.count and inode.size and
// widened inode.count from the 0<->1 transitions to every change.
const Schema = "vfscope.trace/2"

// Kind says what an event reports. Its JSON form is the dotted name
// String returns ("dentry.alloc").
type Kind uint8

// Event kinds. Each lists the Event fields it fills; Seq, Time and Task
// are filled for every kind (Task 0 when no task is known).
const (
	KindNone Kind = iota

	// Dentries: Dentry, Parent (the parent's id; the dentry's own for a
	// root), Name, Dev (its superblock), Inode and Ino when positive,
	// Flags (d_flags after the change), Count (d_count after it, read
	// when the event is numbered: see Refresher).
	DentryAlloc       // d_alloc: a new unhashed negative dentry
	DentryHash        // __d_rehash: put on its hash chain; Bucket
	DentryUnhash      // __d_drop: taken off its hash chain; Bucket
	DentryLRUAdd      // d_lru_add: unused, cached on its superblock's LRU
	DentryLRUDel      // d_lru_del: off the LRU (used again, or killed)
	DentryNegative    // dentry_unlink_inode: the inode was unbound; Inode is the old one
	DentryInstantiate // d_instantiate: bound to Inode
	DentryMove        // d_move/d_exchange: now Name under Parent; Target is the dentry whose name it took
	DentryKill        // __dentry_kill: dead, about to be freed
	DentryCount       // d_count changed under the lockref (dget, dput, legitimize...); one event per change
	DentryMounted     // DCACHE_MOUNTED set (Op "set": a mount attached on it) or cleared (Op "clear": its last mount left); Bits

	// Inodes: Inode (the stable id), Ino, Dev, Mode, Nlink, Size,
	// Flags (i_state after the change), Count (i_count after it); Count,
	// Size, Nlink and Mode are read when the event is numbered (see
	// Refresher). An inode's events start with its InodeAlloc, reported
	// once the filesystem has filled it in (unlock_new_inode, or the
	// first d_instantiate of an inode new_inode made).
	InodeAlloc // new_inode / iget_locked: a new inode in memory
	InodeState // i_state changed: Bits were set (Op "set") or cleared (Op "clear")
	// InodeCount: i_count changed (ihold, iget, iput...), one event per
	// change. Op "unused": it fell to 0 and the inode stays cached on
	// the inode LRU; Op "used": it rose from 0, and the inode is no
	// longer an unused one (it stays on the list until the shrinker
	// takes it off, as Linux's lazy removal; snapshots do not count it
	// OnLRU). These two were schema 1's only inode.count events.
	InodeCount
	InodeEvict // evict: gone from memory
	InodeSize  // i_size changed (i_size_write: a write that extends, truncate, fallocate without KEEP_SIZE...)
	InodeNlink // i_nlink changed (set_nlink, inc_nlink, drop_nlink, clear_nlink): one event per change

	// Page cache: Inode, Ino, Dev, Index (page number), Flags (the
	// folio's flags after the change, PG_* bits of page-flags.go).
	PageAdd       // added to the mapping
	PageFlagSet   // Bits were set
	PageFlagClear // Bits were cleared
	PageRemove    // removed from the mapping

	// Writeback of an inode: Inode, Ino, Dev, Count (pages written, on
	// end), Op ("WB_SYNC_ALL" or "WB_SYNC_NONE"), Err on end.
	WritebackStart
	WritebackEnd

	// Locks: Class, Sub, LockMode, Lock (the instance: stable for the
	// lock's life, not across runs), Site (file:line of the acquirer;
	// none on a release, whose Sub is the lock's default: match it to its
	// acquisition by Lock); Inode for an inode's lock (i_rwsem, i_lock),
	// Dentry for a dentry's (d_lock), neither for other locks.
	LockRequest // about to acquire (may wait)
	LockAcquire // acquired
	LockRelease // released
	LockContend // found taken: the acquirer waits

	// Filesystem methods: Op (the locking.rst row, such as
	// "inode_operations.lookup"); on enter, Inode/Ino/Dev/Dentry/Index of
	// the subject when known and Held (locks held at the call, outermost
	// first; known with lock validation on). Calls nest.
	MethodEnter
	MethodExit

	// Mounts: Mount (the mount id), Parent (the parent mount id), Dev,
	// Op (the filesystem type), Name (the device name), Path (the mount
	// point).
	Mount
	Umount
	// MountChange: an attached mount's Flags (remount) or Path (a
	// rename of a directory above its mount point) changed; every
	// field of Mount, after the change.
	MountChange

	// Report: a validator report (Report).
	Report

	// System calls of a Task: Op (the call, "openat"). The events of one
	// call lie between its enter and exit with the same Task.
	SyscallEnter
	SyscallExit

	// Lost: Lost events were dropped before this one; resynchronise.
	Lost

	numKinds
)

var kindNames = [numKinds]string{
	KindNone:          "none",
	DentryAlloc:       "dentry.alloc",
	DentryHash:        "dentry.hash",
	DentryUnhash:      "dentry.unhash",
	DentryLRUAdd:      "dentry.lru_add",
	DentryLRUDel:      "dentry.lru_del",
	DentryNegative:    "dentry.negative",
	DentryInstantiate: "dentry.instantiate",
	DentryMove:        "dentry.move",
	DentryKill:        "dentry.kill",
	DentryCount:       "dentry.count",
	DentryMounted:     "dentry.mounted",
	InodeAlloc:        "inode.alloc",
	InodeState:        "inode.state",
	InodeCount:        "inode.count",
	InodeEvict:        "inode.evict",
	InodeSize:         "inode.size",
	InodeNlink:        "inode.nlink",
	PageAdd:           "page.add",
	PageFlagSet:       "page.flag_set",
	PageFlagClear:     "page.flag_clear",
	PageRemove:        "page.remove",
	WritebackStart:    "writeback.start",
	WritebackEnd:      "writeback.end",
	LockRequest:       "lock.request",
	LockAcquire:       "lock.acquire",
	LockRelease:       "lock.release",
	LockContend:       "lock.contend",
	MethodEnter:       "method.enter",
	MethodExit:        "method.exit",
	Mount:             "mount",
	Umount:            "umount",
	MountChange:       "mount.change",
	Report:            "report",
	SyscallEnter:      "sys.enter",
	SyscallExit:       "sys.exit",
	Lost:              "lost",
}

// Kinds returns every kind an event can have (not KindNone), in order.
func Kinds() []Kind {
	out := make([]Kind, 0, numKinds-1)
	for k := KindNone + 1; k < numKinds; k++ {
		out = append(out, k)
	}
	return out
}

// String returns the kind's JSON name.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText encodes the name; an unknown kind is an error.
func (k Kind) MarshalText() ([]byte, error) {
	if k == KindNone || k >= numKinds {
		return nil, fmt.Errorf("trace: no name for event kind %d", k)
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText decodes a name; an unknown one is an error.
func (k *Kind) UnmarshalText(b []byte) error {
	s := string(b)
	for i := KindNone + 1; i < numKinds; i++ {
		if kindNames[i] == s {
			*k = i
			return nil
		}
	}
	return fmt.Errorf("trace: unknown event kind %q", s)
}

// Mode is how a lock is held or requested.
type Mode uint8

const (
	ModeNone      Mode = iota
	ModeShared         // "shared": the read side of an rwsem
	ModeExclusive      // "exclusive": a writer, or a lock without a read side
)

// String returns "shared", "exclusive" or "" for ModeNone.
func (m Mode) String() string {
	switch m {
	case ModeShared:
		return "shared"
	case ModeExclusive:
		return "exclusive"
	case ModeNone:
		return ""
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// MarshalText encodes the name.
func (m Mode) MarshalText() ([]byte, error) {
	if m > ModeExclusive {
		return nil, fmt.Errorf("trace: no name for lock mode %d", m)
	}
	return []byte(m.String()), nil
}

// UnmarshalText decodes a name.
func (m *Mode) UnmarshalText(b []byte) error {
	switch string(b) {
	case "shared":
		*m = ModeShared
	case "exclusive":
		*m = ModeExclusive
	case "":
		*m = ModeNone
	default:
		return fmt.Errorf("trace: unknown lock mode %q", b)
	}
	return nil
}

// Held is one lock a task holds (an entry of lockdep's held-lock stack).
type Held struct {
	Class string `json:"class"`
	Sub   uint8  `json:"sub,omitempty"`
	Mode  Mode   `json:"mode"`
	Lock  uint64 `json:"lock,omitempty"`
	Site  string `json:"site,omitempty"`
	Try   bool   `json:"try,omitempty"`
}

// ValidatorReport is a report of the lock validator.
type ValidatorReport struct {
	// Type is the lockdep headline ("possible circular locking
	// dependency detected").
	Type string `json:"type"`
	// Task names the task that triggered it ("task 3 (sh)").
	Task string `json:"task"`
	// Text is the whole multi-line report.
	Text string `json:"text"`
}

// Event is one state change. One flat struct serves every kind, so that
// emitting copies a value and allocates nothing; each kind fills the
// fields its comment lists, the others stay zero (and are left out of
// the JSON).
type Event struct {
	Seq  uint64 `json:"seq"`
	Time int64  `json:"time"` // nanoseconds since the bus started
	Kind Kind   `json:"kind"`
	Task int32  `json:"task,omitempty"`

	Dentry uint64 `json:"dentry,omitempty"`
	Parent uint64 `json:"parent,omitempty"`
	Target uint64 `json:"target,omitempty"`
	Name   string `json:"name,omitempty"`
	Bucket int64  `json:"bucket,omitempty"`

	Inode uint64 `json:"inode,omitempty"`
	Ino   uint64 `json:"ino,omitempty"`
	Dev   uint64 `json:"dev,omitempty"`
	Mode  uint32 `json:"mode,omitempty"` // st_mode of an inode
	Nlink uint32 `json:"nlink,omitempty"`
	Size  int64  `json:"size,omitempty"`

	Index uint64 `json:"index,omitempty"`
	Flags uint64 `json:"flags,omitempty"`
	Bits  uint64 `json:"bits,omitempty"`
	Count int64  `json:"count,omitempty"`

	Class    string `json:"class,omitempty"`
	Sub      uint8  `json:"sub,omitempty"`
	LockMode Mode   `json:"lock_mode,omitempty"`
	Lock     uint64 `json:"lock,omitempty"`
	Site     string `json:"site,omitempty"`

	Op     string           `json:"op,omitempty"`
	Path   string           `json:"path,omitempty"`
	Mount  int32            `json:"mount,omitempty"`
	Err    int32            `json:"err,omitempty"` // Linux errno, 0 for success
	Held   []Held           `json:"held,omitempty"`
	Report *ValidatorReport `json:"report,omitempty"`
	Lost   uint64           `json:"lost,omitempty"`
}
