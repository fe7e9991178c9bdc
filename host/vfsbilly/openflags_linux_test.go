package vfsbilly_test

import (
	"os"
	"syscall"
	"testing"

	"github.com/go-git/go-billy/v5/util"

	"github.com/vfscope/vfscope/host/vfsbilly"
	"github.com/vfscope/vfscope/vfs"
)

// TestOpenFlagsPassed: OpenFile gives the VFS every flag open(2)
// honours, as osfs gives them to Linux (open(2); fs/open.c
// build_open_flags, fs/namei.c do_open): O_DIRECTORY on a file is
// ENOTDIR, O_NOFOLLOW on a symlink ELOOP, and the status flags show in
// F_GETFL.
func TestOpenFlagsPassed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		path  string
		flag  int
		want  vfs.Errno
		getfl int // status flags F_GETFL must show, on success
	}{
		{"O_DIRECTORY on a file", "f", os.O_RDONLY | syscall.O_DIRECTORY, vfs.ENOTDIR, 0},
		{"O_DIRECTORY on a dir", "d", os.O_RDONLY | syscall.O_DIRECTORY, 0, 0},
		{"O_NOFOLLOW on a symlink", "l", os.O_RDONLY | syscall.O_NOFOLLOW, vfs.ELOOP, 0},
		{"O_NOFOLLOW on a file", "f", os.O_RDONLY | syscall.O_NOFOLLOW, 0, 0},
		{"O_CREATE|O_DIRECTORY", "new", os.O_RDWR | os.O_CREATE | syscall.O_DIRECTORY, vfs.EINVAL, 0},
		{"O_NONBLOCK|O_DSYNC", "f", os.O_WRONLY | syscall.O_NONBLOCK | syscall.O_DSYNC, 0, vfs.O_NONBLOCK | vfs.O_DSYNC},
		{"O_SYNC", "f", os.O_WRONLY | os.O_SYNC, 0, vfs.O_SYNC},
		{"O_NOATIME", "f", os.O_RDONLY | syscall.O_NOATIME, 0, vfs.O_NOATIME},
		{"O_APPEND", "f", os.O_WRONLY | os.O_APPEND, 0, vfs.O_APPEND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk := newVFS(t)
			defer v.Shutdown()
			fs := vfsbilly.New(tk, "/w")
			must(t, util.WriteFile(fs, "f", []byte("x"), 0o644))
			must(t, fs.MkdirAll("d", 0o755))
			must(t, fs.Symlink("f", "l"))
			f, err := fs.OpenFile(tc.path, tc.flag, 0o644)
			if got := vfsbilly.ErrnoOf(err); got != tc.want {
				t.Fatalf("OpenFile(%q, %#x) = %v, want errno %v", tc.path, tc.flag, err, tc.want)
			}
			if err != nil {
				return
			}
			defer f.Close()
			// The description the file is: the only one of the
			// filesystem's task, opened last.
			for _, x := range v.Tasks() {
				if x.Comm() != "vfsbilly" {
					continue
				}
				for _, fd := range tk.FDsOf(x) {
					fl, err := x.Fcntl(fd, vfs.F_GETFL, 0)
					if err != nil {
						t.Fatal(err)
					}
					if fl&tc.getfl != tc.getfl {
						t.Errorf("F_GETFL %#o lacks %#o", fl, tc.getfl)
					}
				}
			}
		})
	}
}
