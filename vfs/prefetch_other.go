//go:build !amd64

package vfs

// havePrefetch: prefetchRead does nothing here.
const havePrefetch = false

// prefetchRead does nothing where vfscope has no prefetch instruction
// (see prefetch_amd64.go).
func prefetchRead(slot, folio, page uintptr, lines int) {}
