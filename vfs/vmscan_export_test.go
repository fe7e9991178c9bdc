package vfs

// Reclaim internals for the tests of package vfs_test.

// InactiveIsLowForTest is inactive_is_low().
func (v *VFS) InactiveIsLowForTest() bool { return v.pc.inactiveIsLow() }

// ShrinkActiveListForTest is shrink_active_list() of up to nr folios.
func (v *VFS) ShrinkActiveListForTest(t *Task, nr int64) int64 { return v.shrinkActiveList(t, nr) }
