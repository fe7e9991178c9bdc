package vfs

// SetIgetFreeingRetryHook makes f run at each IgetLocked retry after a
// wait for an inode being freed; it returns a function that removes it.
// Set it before the tasks that call IgetLocked start.
func SetIgetFreeingRetryHook(f func()) (restore func()) {
	igetFreeingRetry = f
	return func() { igetFreeingRetry = nil }
}
