//go:build !amd64 || race

package vfs

import "unsafe"

// haveStreamCopy: no non-temporal copy here (another architecture, or
// the race detector, which must see every write to a page).
const haveStreamCopy = false

// copyPageStream is an ordinary copy; writeStreams never asks for it
// where haveStreamCopy is false.
func copyPageStream(dst *[PAGE_SIZE]byte, src *byte) {
	copy(dst[:], unsafe.Slice(src, PAGE_SIZE))
}
