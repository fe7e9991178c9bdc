//go:build linux

package hostfs_test

import (
	"fmt"
	"testing"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"

	"github.com/vfscope/vfscope/vfs"
)

// TestPathInodeNumbers: on a store without inode numbers (memfs) the
// numbers kept per path follow the files, as st_ino does on Linux
// (checked on the host's tmpfs): a rename keeps a file's number, a file
// created where another was unlinked or renamed from gets a new one, and
// a descriptor open on the old file still shows the old file.
func TestPathInodeNumbers(t *testing.T) {
	ino := func(tk *vfs.Task, p string) uint64 {
		var st vfs.Stat
		if err := tk.Stat(p, &st); err != nil {
			return 0
		}
		return st.Ino
	}
	// moveThenRecreate keeps fd on /data/f ("old", 0600), moves it away
	// with move, creates /data/f anew ("newer!", 0644) and checks that
	// the old file kept its number at want (its name now, "" if none)
	// and the descriptor shows it.
	moveThenRecreate := func(want string, move func(tk *vfs.Task) error) func(tk *vfs.Task) error {
		return func(tk *vfs.Task) error {
			if err := writeFile(tk, "/data/f", vfs.O_CREAT|vfs.O_WRONLY, 0o600, "old"); err != nil {
				return err
			}
			before := ino(tk, "/data/f")
			fd, err := tk.Open("/data/f", vfs.O_RDONLY, 0)
			if err != nil {
				return err
			}
			defer tk.Close(fd)
			if err := move(tk); err != nil {
				return err
			}
			if err := writeFile(tk, "/data/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644, "newer!"); err != nil {
				return err
			}
			if want != "" && ino(tk, want) != before {
				return fmt.Errorf("%s has number %d, had %d as /data/f", want, ino(tk, want), before)
			}
			if n := ino(tk, "/data/f"); n == before || n == 0 {
				return fmt.Errorf("the new /data/f has number %d, the old file's was %d", n, before)
			}
			var st vfs.Stat
			if err := tk.Fstat(fd, &st); err != nil {
				return err
			}
			if st.Ino != before || st.Mode&0o777 != 0o600 {
				return fmt.Errorf("fstat of the old file: ino %d mode %o, want %d 600", st.Ino, st.Mode, before)
			}
			return wantFdContent(tk, fd, "old")
		}
	}
	tests := []struct {
		name string
		run  func(tk *vfs.Task) error
	}{
		{"rename, then create at the old name", moveThenRecreate("/data/g", func(tk *vfs.Task) error {
			return tk.Rename("/data/f", "/data/g")
		})},
		{"rename over a file, then create at the old name", moveThenRecreate("/data/d/x", func(tk *vfs.Task) error {
			return tk.Rename("/data/f", "/data/d/x")
		})},
		{"unlink, then create at the name", moveThenRecreate("", func(tk *vfs.Task) error {
			return tk.Unlink("/data/f")
		})},
		{"rename of a directory moves the numbers below it", func(tk *vfs.Task) error {
			dx, d := ino(tk, "/data/d/x"), ino(tk, "/data/d")
			if err := tk.Rename("/data/d", "/data/e"); err != nil {
				return err
			}
			if ino(tk, "/data/e") != d || ino(tk, "/data/e/x") != dx {
				return fmt.Errorf("after the rename: e %d e/x %d, want %d %d", ino(tk, "/data/e"), ino(tk, "/data/e/x"), d, dx)
			}
			if err := tk.Mkdir("/data/d", 0o755); err != nil {
				return err
			}
			if err := writeFile(tk, "/data/d/x", vfs.O_CREAT|vfs.O_WRONLY, 0o644, "y"); err != nil {
				return err
			}
			if ino(tk, "/data/d") == d || ino(tk, "/data/d/x") == dx {
				return fmt.Errorf("new d and d/x have the old numbers %d %d", d, dx)
			}
			return nil
		}},
		{"rmdir forgets the numbers", func(tk *vfs.Task) error {
			d := ino(tk, "/data/e")
			if err := tk.Rmdir("/data/e"); err != nil {
				return err
			}
			if err := tk.Mkdir("/data/e", 0o755); err != nil {
				return err
			}
			if n := ino(tk, "/data/e"); n == d {
				return fmt.Errorf("new e has the old number %d", n)
			}
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memfs.New()
			must(t, mem.MkdirAll("d", 0o755))
			must(t, mem.MkdirAll("e", 0o755))
			f, err := mem.Create("d/x")
			must(t, err)
			f.Close()
			fx := mountStore(t, "mem", 0, func(string) (billy.Filesystem, error) { return mem, nil })
			if err := tc.run(fx.tk); err != nil {
				t.Error(err)
			}
		})
	}
}
