package vfs

import "github.com/vfscope/vfscope/vfs/lock"

// LockdepSnapshot is what /proc/lockdep and /proc/lockdep_stats read:
// the lock validator's classes, dependencies and counters, taken under
// the validator's graph lock. ok is false when validation is off
// (Options.Lockdep unset and VFSCOPE_LOCKDEP not 1): there is then no
// graph, as a kernel whose lockdep never ran has none.
func (v *VFS) LockdepSnapshot() (snap lock.ProcSnapshot, ok bool) {
	if v.validator == nil {
		return lock.ProcSnapshot{}, false
	}
	return v.validator.ProcSnapshot(), true
}
