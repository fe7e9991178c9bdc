package vfsbilly_test

import (
	"io"
	"testing"

	"github.com/go-git/go-billy/v5/util"

	"github.com/vfscope/vfscope/host/vfsbilly"
	"github.com/vfscope/vfscope/vfs"
)

// TestRootRemovedAndMadeAgain: a filesystem's root is its path, as
// osfs's base directory is (osfs joins it to every name at each call):
// after the directory is removed, calls fail with ENOENT (rmdir(2): the
// removed directory is dead, IS_DEADDIR in fs/namei.c, for anyone still
// in it), a call that creates makes it again, and one made again by
// someone else is used. A file opened before stays with the directory
// it was opened in, as an open descriptor does.
func TestRootRemovedAndMadeAgain(t *testing.T) {
	for _, tc := range []struct {
		name    string
		root    string // the root given to New
		chroot  string // a Chroot of it, if any, used instead
		dir     string // the directory removed, in the caller's namespace
		remaker bool   // the caller makes the directory again
	}{
		{"New, made again by the filesystem", "/r", "", "/r", false},
		{"New, made again by the caller", "/r", "", "/r", true},
		{"Chroot, made again by the filesystem", "/", "c", "/c", false},
		{"Chroot, made again by the caller", "/r", "c", "/r/c", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk := newVFS(t)
			defer v.Shutdown()
			fs := vfsbilly.New(tk, tc.root)
			if tc.chroot != "" {
				c, err := fs.Chroot(tc.chroot)
				must(t, err)
				fs = c
			}
			must(t, util.WriteFile(fs, "a", []byte("1"), 0o644))
			old, err := fs.Open("a")
			must(t, err)
			must(t, tk.Unlink(tc.dir+"/a"))
			must(t, tk.Rmdir(tc.dir))
			if _, err := fs.Stat("a"); vfsbilly.ErrnoOf(err) != vfs.ENOENT {
				t.Errorf("Stat in the removed root: %v, want ENOENT", err)
			}
			if _, err := fs.ReadDir("."); vfsbilly.ErrnoOf(err) != vfs.ENOENT {
				t.Errorf("ReadDir of the removed root: %v, want ENOENT", err)
			}
			if tc.remaker {
				must(t, tk.Mkdir(tc.dir, 0o755))
			}
			if err := util.WriteFile(fs, "b", []byte("2"), 0o644); err != nil {
				t.Fatalf("WriteFile after the root was removed: %v", err)
			}
			var st vfs.Stat
			if err := tk.Stat(tc.dir+"/b", &st); err != nil {
				t.Errorf("%s/b is not where the root's path says: %v", tc.dir, err)
			}
			if b, err := util.ReadFile(fs, "b"); err != nil || string(b) != "2" {
				t.Errorf("ReadFile b: %q, %v", b, err)
			}
			if got := fs.Root(); got != tc.dir {
				t.Errorf("Root() = %q, want %q", got, tc.dir)
			}
			b, err := io.ReadAll(old)
			if err != nil || string(b) != "1" {
				t.Errorf("the file opened before: %q, %v", b, err)
			}
			must(t, old.Close())
		})
	}
}
