package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestMountDotdotAtRoot: ".." at the root stays there and crosses the
// mounts stacked on it (follow_dotdot's in_root, then step_into's
// handle_mounts); over a stack of mounts it climbs to the first real
// parent, or stays on the top of the stack when that stack sits on the
// root (choose_mountpoint). Each path is walked in ref-walk and in RCU
// mode; the answer is the root of the mount made last, or of the one
// named.
func TestMountDotdotAtRoot(t *testing.T) {
	last := func(e *vt.Env) *Dentry {
		ms := e.Root.VFS().Mounts()
		return ms[len(ms)-1].Root()
	}
	for _, c := range []struct {
		name  string
		setup func(e *vt.Env) *Task // the task that walks
		path  string
		want  func(e *vt.Env, walker *Task) *Dentry
	}{
		{"dotdot of / crosses a mount on /", func(e *vt.Env) *Task {
			e.Must(e.Root.Mount("X", "/", "tmpfs", 0, ""))
			return e.Root
		}, "/..", func(e *vt.Env, _ *Task) *Dentry { return last(e) }},
		{"/ itself stays covered", func(e *vt.Env) *Task {
			e.Must(e.Root.Mount("X", "/", "tmpfs", 0, ""))
			return e.Root
		}, "/", func(e *vt.Env, _ *Task) *Dentry { return e.Root.VFS().RootMount().Root() }},
		{"dotdot at the top of two mounts on /", func(e *vt.Env) *Task {
			e.Must(e.Root.Mount("X", "/", "tmpfs", 0, ""))
			e.Must(e.Root.Mount("Y", "/", "tmpfs", 0, ""))
			e.Must(e.Root.Chdir("/.."))
			return e.Root
		}, "..", func(e *vt.Env, _ *Task) *Dentry { return last(e) }},
		{"dotdot over two mounts elsewhere", func(e *vt.Env) *Task {
			e.Must(e.Root.Mount("X", "/d/sub", "tmpfs", 0, ""))
			e.Must(e.Root.Mount("Y", "/d/sub", "tmpfs", 0, ""))
			e.Must(e.Root.Chdir("/d/sub"))
			return e.Root
		}, "..", func(e *vt.Env, _ *Task) *Dentry {
			d, err := WalkForTest(e.Root, "/d", 0, false)
			e.Must(err)
			return d
		}},
		{"dotdot of a chroot's root crosses a mount on it", func(e *vt.Env) *Task {
			c := e.Root.Fork("c")
			e.TB.Cleanup(c.Exit)
			e.Must(c.Chroot("/e"))
			e.Must(c.Mount("X", "/", "tmpfs", 0, ""))
			return c
		}, "/..", func(e *vt.Env, _ *Task) *Dentry { return last(e) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := vt.New(t)
			e.Fixture()
			w := c.setup(e)
			want := c.want(e, w)
			for _, rcu := range []bool{false, true} {
				got, err := WalkForTest(w, c.path, 0, rcu)
				if rcu && err == ECHILDForTest {
					continue
				}
				if err != nil || got != want {
					t.Errorf("rcu=%v %q: %p (%v), want %p", rcu, c.path, got, err, want)
				}
			}
		})
	}
}
