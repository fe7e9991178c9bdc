package tmpfs

import (
	"unsafe"

	"github.com/vfscope/vfscope/vfs"
)

// InodeSlabLen is inodeSlabLen, for tests.
const InodeSlabLen = inodeSlabLen

// SlabLeft returns how many inodes sb's current slab has not handed out.
func SlabLeft(sb *vfs.SuperBlock) int {
	si := info(sb)
	si.mu.Lock()
	defer si.mu.Unlock()
	return len(si.slab)
}

// NextInSlab reports whether b is the slot right after a in a's slab.
// Only that adjacency says "one array": a new slab can land anywhere
// after the last one, as close as one size class away (8 KiB, which
// from a full slab's last 512-byte slot is 1 KiB, a multiple of the
// slot size), so "close and aligned" would not.
func NextInSlab(a, b *vfs.Inode) bool {
	return uintptr(unsafe.Pointer(shmemI(b)))-uintptr(unsafe.Pointer(shmemI(a))) == unsafe.Sizeof(shmemInode{})
}

// Retains reports whether a tmpfs inode still points to its directory
// offsets or its extended attributes.
func Retains(in *vfs.Inode) bool { return in.Private != nil || node(in).xattrs != nil }

// Rename is tmpfs's ->rename (shmem_rename2), for tests that call it
// as the VFS does.
var Rename = rename
