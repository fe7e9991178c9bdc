package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestOpenLargefile: openat(2) on a 64-bit kernel adds O_LARGEFILE to
// every open but an O_PATH one (force_o_largefile; O_PATH keeps only
// O_PATH_FLAGS), and do_dentry_open drops O_CREAT, O_EXCL, O_NOCTTY and
// O_TRUNC. The wanted values are F_GETFL on Linux 6.18 after the same
// open(2) of a file in /dev/shm.
func TestOpenLargefile(t *testing.T) {
	e := vt.New(t)
	r := e.Root
	for _, c := range []struct {
		flags int
		want  int
	}{
		{vfs.O_RDONLY, 0o100000},
		{vfs.O_RDWR | vfs.O_APPEND | vfs.O_CREAT, 0o102002},
		{vfs.O_PATH, 0o10000000},
		{vfs.O_WRONLY | vfs.O_TRUNC | vfs.O_CREAT | vfs.O_EXCL, 0o100001},
	} {
		if c.flags&vfs.O_EXCL != 0 {
			r.Unlink("/f")
		} else {
			e.WriteFile("/f", "", 0o644)
		}
		fd, err := r.Open("/f", c.flags, 0o644)
		e.Must(err)
		got, err := r.Fcntl(fd, vfs.F_GETFL, 0)
		e.Must(err)
		r.Close(fd)
		if got != c.want {
			t.Errorf("open(%#o): F_GETFL %#o, want %#o", c.flags, got, c.want)
		}
	}
}
