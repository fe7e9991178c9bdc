package billyfs

// SetPunchHook sets the function hole punching runs after it truncated
// the page cache and before it changes the extents; the returned
// function clears it.
func SetPunchHook(f func()) (restore func()) {
	punchHook = f
	return func() { punchHook = nil }
}

// SetAllocateHook sets the function fallocate's allocation runs after
// it chose the holes and before it writes zeros there; the returned
// function clears it.
func SetAllocateHook(f func()) (restore func()) {
	allocateHook = f
	return func() { allocateHook = nil }
}
