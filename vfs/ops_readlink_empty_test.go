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

// TestPathWithNUL: a name holding a NUL byte cannot exist on Linux (the C
// string ends there); every path entry point refuses it with EINVAL.
func TestPathWithNUL(t *testing.T) {
	e := vfstest.New(t)
	r := e.Root
	var st vfs.Stat
	for name, err := range map[string]error{
		"open":    func() error { _, err := r.Open("/tmp/a\x00b", vfs.O_CREAT|vfs.O_RDWR, 0o644); return err }(),
		"mkdir":   r.Mkdir("/tmp/\x00", 0o755),
		"stat":    r.Stat("/tmp\x00", &st),
		"symlink": r.Symlink("a\x00b", "/tmp/l"),
		"rename":  r.Rename("/tmp", "/t\x00"),
	} {
		if err != vfs.EINVAL {
			t.Errorf("%s with a NUL byte: got %v, want EINVAL", name, err)
		}
	}
}
