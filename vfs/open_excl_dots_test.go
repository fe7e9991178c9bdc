package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// hostOpenExcl, set on Linux, opens path on the host kernel from a
// directory laid out as the test's (d, d/sub, d/ld -> sub) and returns
// its errno.
var hostOpenExcl func(t *testing.T, path string, flags int) Errno

// open(O_CREAT) of a path whose last component is "/", "." or ".." is
// handled (handle_dots) before do_open, which fails O_EXCL with EEXIST
// (nothing was created) before it finds a directory (EISDIR); a last
// name with a trailing slash is EISDIR before any of that.
func TestOpenCreatExclDots(t *testing.T) {
	rows := []struct {
		path      string
		excl, cre Errno // O_CREAT|O_EXCL, O_CREAT
	}{
		{".", EEXIST, EISDIR},
		{"..", EEXIST, EISDIR},
		{"/", EEXIST, EISDIR},
		{"./", EEXIST, EISDIR},
		{"/.", EEXIST, EISDIR},
		{"/..", EEXIST, EISDIR},
		{"d/.", EEXIST, EISDIR},
		{"d/./", EEXIST, EISDIR},
		{"d/sub/.", EEXIST, EISDIR},
		{"d/sub/..", EEXIST, EISDIR},
		{"d/sub/../", EEXIST, EISDIR},
		{"d/ld/.", EEXIST, EISDIR},
		{"d/ld/..", EEXIST, EISDIR},
		{"d/sub/", EISDIR, EISDIR},
		{"d/ld/", EISDIR, EISDIR},
		{"d/new/", EISDIR, EISDIR},
		{"d/nope/.", ENOENT, ENOENT},
	}
	e := vt.New(t)
	e.Must(e.Root.Mkdir("/t", 0o755))
	e.Must(e.Root.Chdir("/t"))
	e.Must(e.Root.Mkdir("d", 0o755))
	e.Must(e.Root.Mkdir("d/sub", 0o755))
	e.Must(e.Root.Symlink("sub", "d/ld"))
	for _, r := range rows {
		for _, c := range []struct {
			flags int
			want  Errno
		}{{O_CREAT | O_EXCL | O_RDONLY, r.excl}, {O_CREAT | O_RDONLY, r.cre}} {
			fd, err := e.Root.Open(r.path, c.flags, 0o644)
			if err == nil {
				e.Root.Close(fd)
			}
			if got := ErrnoOf(err); got != c.want {
				t.Errorf("open(%q, %#o): %v, want %v", r.path, c.flags, err, c.want)
			}
			if hostOpenExcl != nil {
				if got := hostOpenExcl(t, r.path, c.flags); got != c.want {
					t.Errorf("host open(%q, %#o): %v, want %v", r.path, c.flags, got, c.want)
				}
			}
		}
	}
	if e.Exists("/t/d/new") {
		t.Errorf("open(O_CREAT) of d/new/ created d/new")
	}
}
