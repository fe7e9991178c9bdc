package vfs_test

import (
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/probefs"
)

// TestWeakRevalidateMountRoot: a walk that ends on a position it reached
// by a jump runs ->d_weak_revalidate there once (complete_walk in
// fs/namei.c, on ND_JUMPED), and crossing onto a mount is such a jump:
// handle_mounts sets ND_JUMPED when traverse_mounts moved the walk, in
// ref-walk as in RCU-walk. probefs (whose ->d_hash keeps walks in
// ref-walk mode) is mounted on /p; each row names the mount root one way
// and counts the calls.
func TestWeakRevalidateMountRoot(t *testing.T) {
	for _, tc := range []struct {
		name string
		op   func(tk *vfs.Task) error
		want int64
	}{
		{"stat /p", func(tk *vfs.Task) error { var st vfs.Stat; return tk.Stat("/p", &st) }, 1},
		{"stat /p/.", func(tk *vfs.Task) error { var st vfs.Stat; return tk.Stat("/p/.", &st) }, 1},
		{"lstat /p", func(tk *vfs.Task) error { var st vfs.Stat; return tk.Lstat("/p", &st) }, 1},
		{"access /p F_OK", func(tk *vfs.Task) error { return tk.Access("/p", vfs.F_OK) }, 1},
		{"access /p R_OK", func(tk *vfs.Task) error { return tk.Access("/p", vfs.R_OK) }, 1},
		{"chdir /p", func(tk *vfs.Task) error { return tk.Chdir("/p") }, 1},
		{"chmod /p", func(tk *vfs.Task) error { return tk.Chmod("/p", 0o755) }, 1},
		{"statfs /p", func(tk *vfs.Task) error { var s vfs.Statfs; return tk.Statfs("/p", &s) }, 1},
		{"open /p O_DIRECTORY", func(tk *vfs.Task) error {
			fd, err := tk.Open("/p", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
			if err == nil {
				err = tk.Close(fd)
			}
			return err
		}, 1},
		{"open /p O_PATH", func(tk *vfs.Task) error {
			fd, err := tk.Open("/p", vfs.O_PATH, 0)
			if err == nil {
				err = tk.Close(fd)
			}
			return err
		}, 1},
		// O_CREAT steps onto the last component itself (open_last_lookups);
		// do_open completes the walk before it says EISDIR.
		{"open /p O_CREAT", func(tk *vfs.Task) error {
			if _, err := tk.Open("/p", vfs.O_RDONLY|vfs.O_CREAT, 0o644); err != vfs.EISDIR {
				return fmt.Errorf("open O_CREAT of a directory: %v, want EISDIR", err)
			}
			return nil
		}, 1},
		{"open /p/new O_CREAT", func(tk *vfs.Task) error {
			fd, err := tk.Open("/p/new", vfs.O_RDWR|vfs.O_CREAT, 0o644)
			if err == nil {
				err = tk.Close(fd)
			}
			return err
		}, 0},
		// A parent walk that ends on the mount root: link_path_walk
		// cleared ND_JUMPED at the last component.
		{"mkdir /p/x", func(tk *vfs.Task) error { return tk.Mkdir("/p/x", 0o755) }, 0},
		// Not a jump: a plain child of the mount root.
		{"stat /p/d", func(tk *vfs.Task) error { var st vfs.Stat; return tk.Stat("/p/d", &st) }, 0},
		// "." leaves ND_JUMPED as the component before it left it
		// (cleared by "d"); ".." sets it.
		{"stat /p/d/.", func(tk *vfs.Task) error { var st vfs.Stat; return tk.Stat("/p/d/.", &st) }, 0},
		{"stat /p/d/./", func(tk *vfs.Task) error { var st vfs.Stat; return tk.Stat("/p/d/./", &st) }, 0},
		{"stat /p/d/..", func(tk *vfs.Task) error { var st vfs.Stat; return tk.Stat("/p/d/..", &st) }, 1},
		// path_init sets ND_JUMPED for a walk by descriptor as for an
		// absolute one: an empty path ends where it started.
		{"fchownat AT_EMPTY_PATH", func(tk *vfs.Task) error {
			fd, err := tk.Open("/p/d", vfs.O_PATH, 0)
			if err != nil {
				return err
			}
			defer tk.Close(fd)
			return tk.Fchownat(fd, "", 0, 0, vfs.AT_EMPTY_PATH)
		}, 1},
		{"fstatat relative", func(tk *vfs.Task) error {
			if err := tk.Chdir("/p/d"); err != nil {
				return err
			}
			var st vfs.Stat
			return tk.Fstatat(vfs.AT_FDCWD, ".", &st, 0)
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, tk, fs := rulesEnv(t, probefs.Config{})
			rulesMust(t, "mkdir", tk.Mkdir("/p", 0o755))
			rulesMust(t, "mount", tk.Mount("none", "/p", "probefs", 0, ""))
			rulesMust(t, "mkdir /p/d", tk.Mkdir("/p/d", 0o755))
			before := fs.Calls("d_weak_revalidate")
			rulesMust(t, tc.name, tc.op(tk))
			if got := fs.Calls("d_weak_revalidate") - before; got != tc.want {
				t.Errorf("%s: d_weak_revalidate ran %d times, want %d", tc.name, got, tc.want)
			}
		})
	}
}
