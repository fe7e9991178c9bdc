package vfs_test

import (
	"testing"
	"time"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestMountEscapedMountpoint: a mount whose mountpoint was renamed out
// from under a bind mount's root has no path from the reader's root
// (__d_path gives NULL for prepend_path's "escaped"), so
// /proc/<pid>/mounts and mountinfo leave it out (SEQ_SKIP), as the host
// kernel does; the mounts around it are listed.
func TestMountEscapedMountpoint(t *testing.T) {
	e := vt.New(t)
	e.Fixture()
	e.Must(e.Root.Mkdir("/d/sub/y", 0o755))
	e.Must(e.Root.Mkdir("/d/sub/y/z", 0o755))
	e.Must(e.Root.Mount("/d/sub", "/e", "", MS_BIND, ""))
	e.Must(e.Root.Mount("none", "/e/y/z", "tmpfs", 0, ""))
	e.Must(e.Root.Rename("/d/sub/y", "/d/y"))
	root, cwd, ok := e.Root.FSPaths(e.Root)
	if !ok {
		t.Fatal("no root")
	}
	defer root.Put(e.Root)
	defer cwd.Put(e.Root)
	for _, c := range []struct {
		name string
		list func() []string
	}{
		{"ProcMounts", func() (mps []string) {
			for _, m := range e.Root.ProcMounts(root) {
				mps = append(mps, m.Mountpoint)
			}
			return mps
		}},
		{"MountTable", func() (mps []string) {
			for _, m := range e.Root.MountTable() {
				mps = append(mps, m.Mountpoint)
			}
			return mps
		}},
	} {
		ch := make(chan []string, 1)
		go func() { ch <- c.list() }()
		select {
		case mps := <-ch:
			all := len(e.Root.VFS().Mounts())
			if len(mps) != all-1 || mps[len(mps)-1] != "/e" {
				t.Errorf("%s: mountpoints %q, want all %d but the escaped one, /e last", c.name, mps, all)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no answer (a walk up from the escaped mountpoint that never ends)", c.name)
		}
	}
}
