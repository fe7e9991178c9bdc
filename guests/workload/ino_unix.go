//go:build linux || wasip1

package main

import (
	"os"
	"syscall"
)

// inode is the file's inode number from the stat os already made.
func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
