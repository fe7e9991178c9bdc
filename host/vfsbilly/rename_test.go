package vfsbilly_test

import (
	"os"
	"testing"

	"github.com/go-git/go-billy/v5/util"

	"github.com/vfscope/vfscope/host/vfsbilly"
	"github.com/vfscope/vfscope/vfs"
)

// TestRenameOntoDirectory: Rename is os.Rename, as osfs's is: an existing
// directory at the new name is never replaced, whatever rename(2) would
// do (os/file_unix.go rename: lstat the new name first, EEXIST for a
// directory unless it is the old name's file under another name; the
// old name's own error first). billy.Basic promises only to replace a
// new name that is not a directory.
func TestRenameOntoDirectory(t *testing.T) {
	for _, tc := range []struct {
		name     string
		from, to string
		want     vfs.Errno // 0 for success
		isExist  bool
	}{
		{"file onto empty dir", "f", "empty", vfs.EEXIST, true},
		{"dir onto empty dir", "src", "empty", vfs.EEXIST, true},
		{"dir onto full dir", "src", "full", vfs.EEXIST, true},
		{"file onto full dir", "f", "full", vfs.EEXIST, true},
		{"dir onto itself", "src", "src", vfs.EEXIST, true},
		{"missing onto dir", "nothing", "empty", vfs.ENOENT, false},
		{"file onto symlink to dir", "f", "link", 0, false},
		{"file onto file", "f", "g", 0, false},
		{"dir onto missing", "src", "new/place", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk := newVFS(t)
			defer v.Shutdown()
			fs := vfsbilly.New(tk, "/w")
			must(t, util.WriteFile(fs, "f", []byte("x"), 0o644))
			must(t, util.WriteFile(fs, "g", []byte("y"), 0o644))
			must(t, fs.MkdirAll("src/keep", 0o755))
			must(t, fs.MkdirAll("empty", 0o755))
			must(t, fs.MkdirAll("full/x", 0o755))
			must(t, fs.Symlink("empty", "link"))
			err := fs.Rename(tc.from, tc.to)
			if got := vfsbilly.ErrnoOf(err); got != tc.want {
				t.Fatalf("Rename(%q, %q) = %v, want errno %v", tc.from, tc.to, err, tc.want)
			}
			if os.IsExist(err) != tc.isExist {
				t.Errorf("os.IsExist(%v) = %v", err, !tc.isExist)
			}
			if _, ok := err.(*os.LinkError); err != nil && !ok {
				t.Errorf("error %T, want *os.LinkError", err)
			}
			if tc.want != 0 {
				for _, p := range []string{"f", "src/keep", "empty", "full/x"} {
					if _, err := fs.Lstat(p); err != nil {
						t.Errorf("%s gone after a failed rename: %v", p, err)
					}
				}
			} else if _, err := fs.Lstat(tc.to); err != nil {
				t.Errorf("%s missing after the rename: %v", tc.to, err)
			}
		})
	}
}
