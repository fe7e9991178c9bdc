//go:build !linux

package vfs

import "unsafe"

// adviseHuge does nothing where the VFS cannot ask for huge pages (js,
// wasip1, other kernels): chunks are plain memory.
func adviseHuge(p unsafe.Pointer, size uintptr) {}
