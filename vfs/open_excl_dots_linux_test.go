//go:build linux

package vfs_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
)

func init() {
	hostOpenExcl = func(t *testing.T, path string, flags int) Errno {
		t.Helper()
		dir, err := os.MkdirTemp("/dev/shm", "vfscope-excl-")
		if err != nil {
			t.Skip("no /dev/shm:", err)
		}
		defer os.RemoveAll(dir)
		if err := os.MkdirAll(filepath.Join(dir, "d/sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("sub", filepath.Join(dir, "d/ld")); err != nil {
			t.Fatal(err)
		}
		dfd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer syscall.Close(dfd)
		// The vfscope flags are Linux's values.
		fd, err := syscall.Openat(dfd, path, flags|syscall.O_CLOEXEC, 0o644)
		if err != nil {
			return Errno(err.(syscall.Errno))
		}
		syscall.Close(fd)
		return 0
	}
}
