package tmpfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestDirSizeBogoDirent: a tmpfs directory's size is 40 for "." and ".."
// plus 20 (BOGO_DIRENT_SIZE) per entry, as shmem keeps it, through every
// kind of rename: one that replaces an entry moves one out of the source
// and into the target, whose replaced entry's unlink took its own 20.
func TestDirSizeBogoDirent(t *testing.T) {
	cases := []struct {
		name string
		op   func(tk *vfs.Task) error
		a, b int64 // sizes of /a and /b after
	}{
		// Before: /a holds f, g, d (an empty directory); /b holds x, e.
		{"nothing", func(tk *vfs.Task) error { return nil }, 100, 80},
		{"rename in one directory", func(tk *vfs.Task) error { return tk.Rename("/a/f", "/a/n") }, 100, 80},
		{"rename over a file in one directory", func(tk *vfs.Task) error { return tk.Rename("/a/f", "/a/g") }, 80, 80},
		{"rename across directories", func(tk *vfs.Task) error { return tk.Rename("/a/f", "/b/n") }, 80, 100},
		{"rename over a file across directories", func(tk *vfs.Task) error { return tk.Rename("/a/f", "/b/x") }, 80, 80},
		{"rename a directory over an empty one", func(tk *vfs.Task) error { return tk.Rename("/a/d", "/b/e") }, 80, 80},
		{"exchange", func(tk *vfs.Task) error {
			return tk.Renameat2(vfs.AT_FDCWD, "/a/f", vfs.AT_FDCWD, "/b/x", vfs.RENAME_EXCHANGE)
		}, 100, 80},
		{"unlink", func(tk *vfs.Task) error { return tk.Unlink("/a/f") }, 80, 80},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, err := boot.New(vfs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(tk.Mkdir("/a", 0o755))
			must(tk.Mkdir("/b", 0o755))
			must(tk.Mkdir("/a/d", 0o755))
			must(tk.Mkdir("/b/e", 0o755))
			for _, p := range []string{"/a/f", "/a/g", "/b/x"} {
				fd, err := tk.Open(p, vfs.O_CREAT|vfs.O_WRONLY, 0o644)
				must(err)
				must(tk.Close(fd))
			}
			for i := 0; i < 3; i++ { // repeated, an error would grow
				must(c.op(tk))
				if c.name != "nothing" && c.name != "exchange" {
					break
				}
			}
			var a, b vfs.Stat
			must(tk.Stat("/a", &a))
			must(tk.Stat("/b", &b))
			if a.Size != c.a || b.Size != c.b {
				t.Errorf("sizes /a %d, /b %d; want %d, %d", a.Size, b.Size, c.a, c.b)
			}
		})
	}
}
