package vfs

// SetIgetFreeingRetryHook makes f run at each IgetLocked retry after a
// wait for an inode being freed; it returns a function that removes it.
// Set it before the tasks that call IgetLocked start.
func SetIgetFreeingRetryHook(f func()) (restore func()) {
	igetFreeingRetry = f
	return func() { igetFreeingRetry = nil }
}

// PruneIcacheScan is the inode shrinker's scan (pruneIcacheSB): nr
// inodes from the cold end of sb's inode LRU; it returns those evicted.
func PruneIcacheScan(t *Task, sb *SuperBlock, nr int64) int64 { return pruneIcacheSB(t, sb, nr) }
