package vfs

// WithoutEnvLockdepForTest runs f with VFSCOPE_LOCKDEP ignored, for
// tests that count what an operation costs with validation off (the
// validator allocates as it records). Not for parallel tests.
func WithoutEnvLockdepForTest(f func()) {
	saved := lockdepFromEnv
	lockdepFromEnv = false
	defer func() { lockdepFromEnv = saved }()
	f()
}
