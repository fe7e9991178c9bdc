package vfs

// HashNameForTest is the VFS's default name hash, for tests that need
// names whose hashes collide (namei_names_test.go).
func HashNameForTest(v *VFS, name string) uint32 { return v.hashName(name) }
