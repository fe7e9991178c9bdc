package tmpfs_test

import (
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestDirOpTimesOneReading: unlink and rename stamp the inode's ctime and
// the directories' mtime and ctime with one reading of the clock, as
// Linux's shmem_unlink and simple_rename_timestamp do. The clock here
// moves on at every reading, so a second reading would show.
func TestDirOpTimesOneReading(t *testing.T) {
	type times struct{ ino, d1m, d1c, d2m, d2c int64 }
	cases := []struct {
		name string
		op   func(tk *vfs.Task) error
		// the inode whose ctime is checked, after the operation
		ino string
	}{
		{"unlink", func(tk *vfs.Task) error { return tk.Unlink("/a/f") }, "/a/h"},
		{"rename in one directory", func(tk *vfs.Task) error { return tk.Rename("/a/f", "/a/g") }, "/a/g"},
		{"rename across directories", func(tk *vfs.Task) error { return tk.Rename("/a/f", "/b/g") }, "/b/g"},
		{"rename over a file", func(tk *vfs.Task) error { return tk.Rename("/a/f", "/b/x") }, "/b/x"},
		{"exchange", func(tk *vfs.Task) error {
			return tk.Renameat2(vfs.AT_FDCWD, "/a/f", vfs.AT_FDCWD, "/b/x", vfs.RENAME_EXCHANGE)
		}, "/b/x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tick int64
			clock := func() time.Time { tick += 1000; return time.Unix(1e9, tick) }
			v, tk, err := boot.New(vfs.Options{Clock: clock})
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
			for _, p := range []string{"/a/f", "/b/x"} {
				fd, err := tk.Open(p, vfs.O_CREAT|vfs.O_WRONLY, 0o644)
				must(err)
				must(tk.Close(fd))
			}
			must(tk.Link("/a/f", "/a/h"))
			before := tick
			must(c.op(tk))
			var st, a, b vfs.Stat
			must(tk.Stat(c.ino, &st))
			must(tk.Stat("/a", &a))
			must(tk.Stat("/b", &b))
			got := st.Ctime
			if got <= time.Unix(1e9, before).UnixNano() {
				t.Fatalf("ctime %d not set by the operation", got)
			}
			for _, x := range []struct {
				what string
				ts   int64
			}{{"/a mtime", a.Mtime}, {"/a ctime", a.Ctime}} {
				if x.ts != got {
					t.Errorf("%s %d, inode ctime %d: not one reading", x.what, x.ts, got)
				}
			}
			if c.ino[1] == 'b' {
				for _, x := range []struct {
					what string
					ts   int64
				}{{"/b mtime", b.Mtime}, {"/b ctime", b.Ctime}} {
					if x.ts != got {
						t.Errorf("%s %d, inode ctime %d: not one reading", x.what, x.ts, got)
					}
				}
			}
		})
	}
}
