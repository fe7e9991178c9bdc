package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestDSpliceAliasLoop: a ->lookup that finds a directory which is an
// ancestor of the name looked up (a directory inside itself: a host
// loop) gets ELOOP from d_splice_alias, and the tree is left as it was.
func TestDSpliceAliasLoop(t *testing.T) {
	_, tk, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/a", "/a/b", "/a/b/c"} {
		if err := tk.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		dir, name, target string
		want              error
	}{
		{"/a/b/c", "loop", "/a", vfs.ELOOP},
		{"/a/b", "self", "/a/b", vfs.ELOOP},
		{"/a/b/c", "root", "/", vfs.ELOOP},
	} {
		if err := vfs.SpliceAliasInto(tk, c.dir, c.name, c.target); err != c.want {
			t.Errorf("splice %s into %s/%s = %v, want %v", c.target, c.dir, c.name, err, c.want)
		}
	}
	for _, p := range []string{"/a", "/a/b", "/a/b/c"} {
		var st vfs.Stat
		if err := tk.Stat(p, &st); err != nil {
			t.Errorf("stat %s afterwards: %v", p, err)
		}
	}
	cwd := tk.Fork("cwd")
	defer cwd.Exit()
	if err := cwd.Chdir("/a/b/c"); err != nil {
		t.Fatal(err)
	}
	if got, err := cwd.Getcwd(); err != nil || got != "/a/b/c" {
		t.Errorf("getcwd = %q, %v", got, err)
	}
}
