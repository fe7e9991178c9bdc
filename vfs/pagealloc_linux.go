package vfs

import (
	"syscall"
	"unsafe"
)

// adviseHuge asks the kernel to back each 2 MiB-aligned 2 MiB range of
// the size bytes at p with a transparent huge page (MADV_HUGEPAGE),
// which it does at the range's first fault when THP is "always" or
// "madvise". Best effort: a kernel without THP answers EINVAL, and the
// memory stays in 4 KiB pages.
func adviseHuge(p unsafe.Pointer, size uintptr) {
	hugeRanges(uintptr(p), size, func(off uintptr) {
		_ = syscall.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, off)), hugePageSize), syscall.MADV_HUGEPAGE)
	})
}
