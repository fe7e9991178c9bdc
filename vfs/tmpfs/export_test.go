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

// SameSlab reports whether a and b were handed out by one slab: their
// shmemInodes are elements of one array, in allocation order.
func SameSlab(a, b *vfs.Inode) bool {
	d := uintptr(unsafe.Pointer(shmemI(b))) - uintptr(unsafe.Pointer(shmemI(a)))
	return d < inodeSlabLen*unsafe.Sizeof(shmemInode{}) && d%unsafe.Sizeof(shmemInode{}) == 0
}

// Retains reports whether a tmpfs inode still points to its directory
// offsets or its extended attributes.
func Retains(in *vfs.Inode) bool { return in.Private != nil || node(in).xattrs != nil }
