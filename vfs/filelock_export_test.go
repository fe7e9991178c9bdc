package vfs

// FputForTest drops a reference from OpenFile, for the tests of package
// vfs_test.
func FputForTest(t *Task, f *File) { fput(t, f) }
