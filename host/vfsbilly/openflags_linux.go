package vfsbilly

import (
	"syscall"

	"github.com/vfscope/vfscope/vfs"
)

// hostOpenFlags pairs the host's open(2) flags with the VFS's: on Linux
// every flag open(2) honours (build_open_flags in fs/open.c) that the
// syscall package names, by the host's value (which differs between
// architectures: O_DIRECTORY is 0x10000 on amd64, 0x4000 on arm64). The
// access mode and O_CLOEXEC are handled apart. O_SYNC includes O_DSYNC's
// bit, so a row matches only when all of its bits are set.
var hostOpenFlags = [...]struct{ host, vfs int }{
	{syscall.O_APPEND, vfs.O_APPEND},
	{syscall.O_CREAT, vfs.O_CREAT},
	{syscall.O_EXCL, vfs.O_EXCL},
	{syscall.O_TRUNC, vfs.O_TRUNC},
	{syscall.O_SYNC, vfs.O_SYNC},
	{syscall.O_DSYNC, vfs.O_DSYNC},
	{syscall.O_NONBLOCK, vfs.O_NONBLOCK},
	{syscall.O_NOCTTY, vfs.O_NOCTTY},
	{syscall.O_DIRECT, vfs.O_DIRECT},
	{syscall.O_DIRECTORY, vfs.O_DIRECTORY},
	{syscall.O_NOFOLLOW, vfs.O_NOFOLLOW},
	{syscall.O_NOATIME, vfs.O_NOATIME},
}
