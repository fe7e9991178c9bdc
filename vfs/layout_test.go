package vfs

import (
	"testing"
	"unsafe"
)

// TestObjectSizeClasses: the objects every file costs stay within the
// size classes they were fitted to (the allocator rounds each object up
// to its class, and objects above 512 bytes carry an allocation header).
// An inode's room is what tmpfs's shmemInode (with its part and the
// embedded folio) needs to stay at 512 bytes; vfs/tmpfs checks that.
func TestObjectSizeClasses(t *testing.T) {
	for _, tc := range []struct {
		name      string
		size, max uintptr
	}{
		{"Inode", unsafe.Sizeof(Inode{}), 440},
		{"Dentry", unsafe.Sizeof(Dentry{}), 240},
		{"File", unsafe.Sizeof(File{}), 144},
		{"AddressSpace", unsafe.Sizeof(AddressSpace{}), 144},
	} {
		if tc.size > tc.max {
			t.Errorf("%s is %d bytes, want at most %d", tc.name, tc.size, tc.max)
		}
	}
}
