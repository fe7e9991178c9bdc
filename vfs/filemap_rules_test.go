package vfs_test

// rowsTestedElsewhere names the locking.rst tables whose rows
// TestLockingRows leaves to their own tests (TestPageCacheLockingRows),
// since probefs has no page cache.
var rowsTestedElsewhere = map[string]bool{
	"address_space_operations": true,
	"file_operations":          true,
}
