package vfs

// Windows of the mmap races, for the tests of package vfs_test.

// SetCowCopiedHookForTest sets the hook run after do_cow_fault copied
// the file's page and before the copy is mapped; the returned func
// removes it.
func SetCowCopiedHookForTest(f func()) func() {
	cowCopiedHook = f
	return func() { cowCopiedHook = nil }
}

// SetFaultHoleHookForTest sets the hook run after a fault found a hole
// of a memory-only mapping and before it makes the hole's page.
func SetFaultHoleHookForTest(f func()) func() {
	faultHoleHook = f
	return func() { faultHoleHook = nil }
}

// SetDupMmapCopiedHookForTest sets the hook run after fork copied a
// private mapping's PTEs into the child's.
func SetDupMmapCopiedHookForTest(f func()) func() {
	dupMmapCopiedHook = f
	return func() { dupMmapCopiedHook = nil }
}

// IMmapForTest returns the mappings of m's i_mmap in the order its walks
// visit them.
func IMmapForTest(t *Task, m *AddressSpace) []*Mapping {
	im := iMmapOf(m)
	im.rwsem.RLock(t.o)
	defer im.rwsem.RUnlock(t.o)
	var vmas []*Mapping
	for vma := im.first; vma != nil; vma = vma.immNext {
		vmas = append(vmas, vma)
	}
	return vmas
}
