package vfs

// Test-only access to a ref-walk lookup, for mount_stack_test.go: the
// mounts a walk crosses in ref-walk mode (traverseMounts) are not the
// lock-free walk's (followMountsRCU).

// LookupRefWalkForTest is pathLookupAt without LOOKUP_RCU: the walk
// takes references from the start. The path is put before returning.
func LookupRefWalkForTest(t *Task, name string, flags uint32) error {
	p, err := t.pathLookupAt(AT_FDCWD, name, flags&^LOOKUP_RCU)
	if err == nil {
		p.Put(t)
	}
	return err
}
