package vfs

// Test-only access to the two walk modes, for namei_plain_test.go.

// WalkForTest resolves path from the cwd with flags, in RCU mode (which
// may answer errECHILD, returned as ECHILDForTest) or in ref-walk mode,
// and returns the dentry reached (its reference dropped again).
func WalkForTest(t *Task, path string, flags uint32, rcu bool) (*Dentry, error) {
	if rcu {
		flags |= LOOKUP_RCU
	}
	p, err := t.pathLookupAt(AT_FDCWD, path, flags)
	if err != nil {
		return nil, err
	}
	p.Put(t)
	return p.Dentry, nil
}

// ECHILDForTest is the RCU walk's "start again in ref-walk mode".
const ECHILDForTest = errECHILD
