//go:build linux

package hostfs_test

import (
	"os"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestHostRenamedDirFollowed: a directory renamed on the host while a
// task stands in it keeps one dentry: the lookup of its new name moves
// the dentry there (d_splice_alias), so the task's getcwd names the new
// path, within one directory and into another. The old name is gone.
func TestHostRenamedDirFollowed(t *testing.T) {
	for _, c := range []struct {
		name, to, cwd string
	}{
		{"same directory", "moved", "/data/moved"},
		{"into another", "e/moved", "/data/e/moved"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fx := mountHost(t, 0)
			w := fx.tk.Fork("walker")
			defer w.Exit()
			must(t, w.Chdir("/data/d"))
			must(t, os.Rename(fx.host("d"), fx.host(c.to)))

			var st vfs.Stat
			must(t, fx.tk.Stat(c.cwd+"/x", &st))
			cwd, err := w.Getcwd()
			must(t, err)
			if cwd != c.cwd {
				t.Fatalf("getcwd after the host's rename = %q, want %q", cwd, c.cwd)
			}
			b := make([]byte, 8)
			fd, err := w.Open("x", vfs.O_RDONLY, 0)
			must(t, err)
			n, err := w.Read(fd, b)
			must(t, err)
			must(t, w.Close(fd))
			if string(b[:n]) != "x" {
				t.Fatalf("x in the cwd reads %q", b[:n])
			}
			if err := fx.tk.Stat("/data/d", &st); err != vfs.ENOENT {
				t.Fatalf("stat of the old name = %v, want ENOENT", err)
			}
		})
	}
}
