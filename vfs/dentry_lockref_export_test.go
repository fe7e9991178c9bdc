package vfs

// Test-only access to d_delete's window and to the legitimize step of a
// lock-free walk, for dentry_lockref_test.go.

// SetDDeleteWindowForTest makes DDelete call f inside its window (i_lock
// and d_lock held, count 1, inode still bound); nil removes it.
func SetDDeleteWindowForTest(f func(d *Dentry)) { dDeleteWindow = f }

// SeqForTest is what a lock-free walk reads from d_seq when it finds d.
func SeqForTest(d *Dentry) uint32 { return d.seq.RawBegin() }

// LegitimizeForTest is legitimize's step for one dentry found with d_seq
// at seq: take a reference unless dead (got), then check d_seq (valid).
// A reference got is the caller's to drop.
func LegitimizeForTest(t *Task, d *Dentry, seq uint32) (got, valid bool) {
	if !dgetNotDead(t, d) {
		return false, false
	}
	return true, !d.seq.Retry(seq)
}
