package vfs_test

import (
	"io/fs"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestFileMode: st_mode and io/fs.FileMode convert both ways as Go's os
// package does on Linux, for every file type and the special bits.
func TestFileMode(t *testing.T) {
	tests := []struct {
		st uint32
		fm fs.FileMode
	}{
		{vfs.S_IFREG | 0o644, 0o644},
		{vfs.S_IFDIR | 0o755, fs.ModeDir | 0o755},
		{vfs.S_IFLNK | 0o777, fs.ModeSymlink | 0o777},
		{vfs.S_IFIFO | 0o600, fs.ModeNamedPipe | 0o600},
		{vfs.S_IFSOCK | 0o700, fs.ModeSocket | 0o700},
		{vfs.S_IFCHR | 0o666, fs.ModeDevice | fs.ModeCharDevice | 0o666},
		{vfs.S_IFBLK | 0o660, fs.ModeDevice | 0o660},
		{vfs.S_IFREG | vfs.S_ISUID | vfs.S_ISGID | 0o755, fs.ModeSetuid | fs.ModeSetgid | 0o755},
		{vfs.S_IFDIR | vfs.S_ISVTX | 0o1777&0o777, fs.ModeDir | fs.ModeSticky | 0o777},
	}
	for _, tc := range tests {
		if got := vfs.FileMode(tc.st); got != tc.fm {
			t.Errorf("FileMode(%o) = %v, want %v", tc.st, got, tc.fm)
		}
		if got := vfs.StMode(tc.fm); got != tc.st {
			t.Errorf("StMode(%v) = %o, want %o", tc.fm, got, tc.st)
		}
	}
}
