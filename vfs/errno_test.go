package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestErrnoNames: each errno's name and glibc strerror text, and that
// Errnos lists it (front ends build their mapping tables from Errnos).
func TestErrnoNames(t *testing.T) {
	listed := map[vfs.Errno]bool{}
	for _, e := range vfs.Errnos() {
		listed[e] = true
	}
	for _, c := range []struct {
		e          vfs.Errno
		num        int
		name, text string
	}{
		{vfs.EPERM, 1, "EPERM", "Operation not permitted"},
		{vfs.ENOENT, 2, "ENOENT", "No such file or directory"},
		{vfs.ESRCH, 3, "ESRCH", "No such process"},
		{vfs.EINTR, 4, "EINTR", "Interrupted system call"},
		{vfs.EPIPE, 32, "EPIPE", "Broken pipe"},
		{vfs.ESTALE, 116, "ESTALE", "Stale file handle"},
	} {
		if int(c.e) != c.num || c.e.Name() != c.name || c.e.Error() != c.text || !listed[c.e] {
			t.Errorf("errno %d: number %d, name %q, text %q, listed %v; want %d %q %q listed",
				c.num, int(c.e), c.e.Name(), c.e.Error(), listed[c.e], c.num, c.name, c.text)
		}
	}
	for _, e := range vfs.Errnos() {
		if e.Name() == "E"+e.Error() || e.Error() == "" {
			t.Errorf("errno %d has no name or text", int(e))
		}
	}
}
