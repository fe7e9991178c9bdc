package procfs

import (
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/lock"
)

// /proc/lockdep and /proc/lockdep_stats (kernel/locking/lockdep_proc.c):
// the lock validator's classes with their dependencies, and its counts.
// Both are S_IRUSR, as lockdep_proc_init creates them.

// Inode numbers of the lockdep files.
const (
	inoLockdep = 0xF0000200 + iota
	inoLockdepStats
)

var (
	lockdepEntry      = &entry{name: "lockdep", ino: inoLockdep, mode: vfs.S_IFREG | 0o400, nlink: 1, show: showLockdep}
	lockdepStatsEntry = &entry{name: "lockdep_stats", ino: inoLockdepStats, mode: vfs.S_IFREG | 0o400, nlink: 1, show: showLockdepStats}
)

func showLockdep(t *vfs.Task, b *strings.Builder) error {
	snap, _ := t.VFS().LockdepSnapshot()
	formatLockdep(b, snap)
	return nil
}

func showLockdepStats(t *vfs.Task, b *strings.Builder) error {
	snap, on := t.VFS().LockdepSnapshot()
	formatLockdepStats(b, snap.Stats, on)
	return nil
}

// keyAddr is the made-up address printed for a (class, subclass) where
// Linux prints the lock_class_key pointer (%p): a fixed kernel-text-like
// base plus the class id times 256 plus the subclass, as a subclass's key
// is its class key's address plus the subclass (key->subkeys + subclass).
// It is stable for a given order of class creation.
func keyAddr(k lock.ClassKey) string {
	a := uint64(0xffffffff83000000) + uint64(k.Class.ID())<<8 + uint64(k.Subclass)
	return strconv.FormatUint(a, 16)
}

// usageChars is get_usage_chars(): two characters per irq state (hardirq,
// then softirq), for write and read acquisitions. vfscope has no
// interrupt context: every acquisition is one "in process context with
// interrupts enabled", which lockdep prints '+'. So a class shows '+' in
// the write columns if it was ever acquired for write (or is a lock
// without a read side), '+' in the read columns if ever acquired for
// read, and '.' otherwise; '-' and '?' (used in irq context) never
// appear.
func usageChars(c lock.ProcClass) string {
	w, r := byte('.'), byte('.')
	if c.UsedExclusive {
		w = '+'
	}
	if c.UsedShared {
		r = '+'
	}
	return string([]byte{w, r, w, r})
}

// formatLockdep is l_show() over every class: the key, the forward and
// backward dependency counts, the usage characters and the name, then
// one " -> " line per direct dependency and an empty line.
//
//	all lock classes:
//	ffffffff83000500 FD:    3 BD:    1 +.+.: &type->s_vfs_rename_key#tmpfs
//	 -> [ffffffff83000601] &type->i_mutex_dir_key#tmpfs/1
func formatLockdep(b *strings.Builder, snap lock.ProcSnapshot) {
	b.WriteString("all lock classes:\n")
	for _, c := range snap.Classes {
		b.WriteString(keyAddr(c.Key))
		b.WriteString(" FD:" + padLeft(strconv.Itoa(c.ForwardDeps), 5))
		b.WriteString(" BD:" + padLeft(strconv.Itoa(c.BackwardDeps), 5))
		b.WriteString(" " + usageChars(c) + ": ")
		b.WriteString(c.Key.String())
		b.WriteByte('\n')
		for _, a := range c.After {
			b.WriteString(" -> [" + keyAddr(a) + "] " + a.String() + "\n")
		}
		b.WriteByte('\n')
	}
}

// formatLockdepStats is lockdep_stats_show(), with the lines vfscope
// counts (RATIONALE.md lists the ones left out). "all direct
// dependencies" adds irq-unsafe times irq-safe classes to the direct
// ones; with no interrupt context no class is irq-safe, so it equals
// them. debug_locks is 1 while the validator runs: vfscope does not turn
// it off after a report (each cycle is still reported once, and later
// ones too). With validation off every count is 0 and debug_locks is 0.
func formatLockdepStats(b *strings.Builder, s lock.ProcStats, on bool) {
	debugLocks := 0
	if on {
		debugLocks = 1
	}
	statLine(b, "lock-classes:", s.Classes)
	statLine(b, "direct dependencies:", s.Direct)
	statLine(b, "indirect dependencies:", s.Indirect)
	statLine(b, "all direct dependencies:", s.Direct)
	statLine(b, "max locking depth:", s.MaxDepth)
	statLine(b, "max bfs queue depth:", s.MaxBFSQueue)
	statLine(b, "debug_locks:", debugLocks)
}

// statLine is seq_printf(m, " %-31s%11lu\n"): the label padded to column
// 32, the value right-aligned in 11.
func statLine(b *strings.Builder, label string, n int) {
	b.WriteByte(' ')
	b.WriteString(label)
	for i := len(label); i < 31; i++ {
		b.WriteByte(' ')
	}
	b.WriteString(padLeft(strconv.Itoa(n), 11))
	b.WriteByte('\n')
}

func padLeft(s string, w int) string {
	if len(s) >= w {
		return s
	}
	return strings.Repeat(" ", w-len(s)) + s
}
