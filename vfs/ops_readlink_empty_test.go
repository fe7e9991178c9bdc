package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestReadlinkatEmptyPath: readlinkat(fd, "") names the descriptor; a
// non-link gives ENOENT (do_readlinkat), a named non-link EINVAL, and an
// O_PATH descriptor of a link its body.
func TestReadlinkatEmptyPath(t *testing.T) {
	e := vfstest.New(t)
	r := e.Root
	if err := r.Symlink("target", "/l"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Readlinkat(vfs.AT_FDCWD, ""); err != vfs.ENOENT {
		t.Fatalf(`readlinkat(AT_FDCWD, ""): got %v, want ENOENT`, err)
	}
	if _, err := r.Readlink("/tmp"); err != vfs.EINVAL {
		t.Fatalf("readlink of a directory: got %v, want EINVAL", err)
	}
	fd, err := r.Open("/l", vfs.O_PATH|vfs.O_NOFOLLOW, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(fd)
	if body, err := r.Readlinkat(fd, ""); err != nil || body != "target" {
		t.Fatalf(`readlinkat(O_PATH fd of a link, ""): %q, %v`, body, err)
	}
}
