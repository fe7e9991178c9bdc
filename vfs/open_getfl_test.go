package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestOpenCloexecFlags: O_CLOEXEC is a property of the descriptor, not
// of the open file description. fs/open.c build_open_flags() strips it
// from f_flags, so F_GETFL never shows it (fcntl(2): F_GETFL returns the
// file access mode and the file status flags), and fs/proc/fd.c
// seq_show() adds it to "flags:" only when close_on_exec(fd). A dup(2)
// shares the description but not the descriptor flag. O_TMPFILE
// (__O_TMPFILE|O_DIRECTORY) stays in f_flags: do_dentry_open() strips
// only O_CREAT, O_EXCL, O_NOCTTY and O_TRUNC. The wanted values are
// Linux 6.18's F_GETFL and fdinfo after the same open(2) on tmpfs.
func TestOpenCloexecFlags(t *testing.T) {
	for _, c := range []struct {
		name   string
		path   string
		flags  int
		getfl  int // F_GETFL of the descriptor and of its dup
		fdinfo int // fdinfo "flags:" of the descriptor
	}{
		{"rdwr cloexec", "/d/f", vfs.O_RDWR | vfs.O_CLOEXEC, 0o100002, 0o2100002},
		{"creat cloexec", "/d/new", vfs.O_WRONLY | vfs.O_CREAT | vfs.O_CLOEXEC, 0o100001, 0o2100001},
		{"rdonly", "/d/f", vfs.O_RDONLY, 0o100000, 0o100000},
		{"path cloexec", "/d/f", vfs.O_PATH | vfs.O_CLOEXEC, 0o10000000, 0o12000000},
		{"path", "/d", vfs.O_PATH | vfs.O_DIRECTORY, 0o10200000, 0o10200000},
		{"tmpfile", "/d", vfs.O_TMPFILE | vfs.O_RDWR, 0o20300002, 0o20300002},
		{"tmpfile excl cloexec", "/d", vfs.O_TMPFILE | vfs.O_WRONLY | vfs.O_EXCL | vfs.O_CLOEXEC, 0o20300001, 0o22300001},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := vt.New(t)
			e.Fixture()
			r := e.Root
			fd, err := r.Open(c.path, c.flags, 0o644)
			e.Must(err)
			dup, err := r.Dup(fd)
			e.Must(err)
			for _, d := range []struct {
				fd     int
				fdinfo int
			}{{fd, c.fdinfo}, {dup, c.getfl}} {
				got, err := r.Fcntl(d.fd, vfs.F_GETFL, 0)
				e.Must(err)
				if got != c.getfl {
					t.Errorf("open(%#o): F_GETFL of fd %d = %#o, want %#o", c.flags, d.fd, got, c.getfl)
				}
				if _, fl, err := r.FdTypeFlags(d.fd); err != nil || fl != c.getfl {
					t.Errorf("open(%#o): FdTypeFlags of fd %d = %#o, %v, want %#o", c.flags, d.fd, fl, err, c.getfl)
				}
				info, ok := r.FDInfoOf(r, d.fd)
				if !ok || int(info.Flags) != d.fdinfo {
					t.Errorf("open(%#o): fdinfo flags of fd %d = %#o, %v, want %#o", c.flags, d.fd, info.Flags, ok, d.fdinfo)
				}
			}
		})
	}
}
