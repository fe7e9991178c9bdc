package vfs

// HashNameForTest is the VFS's default name hash, for tests that need
// names whose hashes collide (namei_names_test.go).
func HashNameForTest(v *VFS, name string) uint32 { return v.hashName(name) }

// HashComponentForTest is hash_name(): the length and hash of the
// component at the start of name.
func HashComponentForTest(v *VFS, name string) (int, uint32) { return v.hashComponent(name) }
