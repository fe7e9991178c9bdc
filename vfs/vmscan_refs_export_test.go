package vfs

// ShrinkInactiveOnceForTest is one pass of shrink_inactive_list() over
// the whole inactive list (t's lru_add batch drained first), as direct
// reclaim (no ->writepage); it returns the number of folios freed.
func (v *VFS) ShrinkInactiveOnceForTest(t *Task) int64 {
	lruAddDrain(t)
	nr := v.pc.nrInactive.Load()
	sc := scanControl{nrToReclaim: nr}
	v.shrinkInactiveList(t, &sc, nr)
	return sc.nrReclaimed
}

// LRUCountsForTest returns Inactive(file) and Active(file) in pages.
func (v *VFS) LRUCountsForTest() (inactive, active int64) {
	return v.pc.nrInactive.Load(), v.pc.nrActive.Load()
}
