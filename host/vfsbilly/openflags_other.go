//go:build !linux

package vfsbilly

import (
	"os"

	"github.com/vfscope/vfscope/vfs"
)

// hostOpenFlags pairs the host's open flags with the VFS's: elsewhere
// than Linux, the flags the os package names for every platform (a
// program asking for a platform's own flags, whose meaning may differ
// from Linux's, gets them ignored, as open(2) ignores flags it does not
// know). The access mode and O_CLOEXEC are handled apart. A row matches
// only when all of its bits are set.
var hostOpenFlags = [...]struct{ host, vfs int }{
	{os.O_APPEND, vfs.O_APPEND},
	{os.O_CREATE, vfs.O_CREAT},
	{os.O_EXCL, vfs.O_EXCL},
	{os.O_TRUNC, vfs.O_TRUNC},
	{os.O_SYNC, vfs.O_SYNC},
}
