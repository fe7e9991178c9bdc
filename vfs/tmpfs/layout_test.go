package tmpfs

import (
	"testing"
	"unsafe"
)

// TestShmemInodeSizeClass: a tmpfs inode (the VFS inode, tmpfs's part
// and the embedded first folio) is one allocation of at most 512 bytes,
// the largest size class whose objects need no allocation header: every
// file created pays for it once, and the collector scans it at every
// cycle for as long as the file exists.
func TestShmemInodeSizeClass(t *testing.T) {
	if got := unsafe.Sizeof(shmemInode{}); got > 512 {
		t.Fatalf("shmemInode is %d bytes, want at most 512", got)
	}
}
