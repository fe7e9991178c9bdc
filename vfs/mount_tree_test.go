package vfs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// mountinfoTree returns, in mountinfo's order, "mountpoint source" for
// every mount at or below prefix.
func mountinfoTree(e *vt.Env, prefix string) string {
	e.TB.Helper()
	s, err := e.ReadFile("/proc/self/mountinfo")
	if err != nil {
		e.TB.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) > 9 && (f[4] == prefix || strings.HasPrefix(f[4], prefix+"/")) {
			out = append(out, f[4]+" "+f[len(f)-2])
		}
	}
	return strings.Join(out, "; ")
}

// TestMountTree: bind, rbind and move as copy_tree(), do_loopback()
// and do_move_mount() in fs/namespace.c do them, checked against Linux
// 6.18 (tmpfs under unshare -m):
//   - mount --rbind /e /e/sub copies the source tree first and attaches
//     the copy after: /e, /e/x, /e/sub, /e/sub/x, and no copy of the
//     copy;
//   - a move keeps the moved mount's place in mountinfo (ordered by
//     mount id), before its children;
//   - a move onto a directory of a lazily detached mount is EINVAL
//     (the target fails check_mnt), and the source stays where it was;
//   - mountinfo's root of a bind whose root directory was removed ends
//     in "//deleted" (dentry_path()).
func TestMountTree(t *testing.T) {
	mnt := func(src, dst string) func(e *vt.Env) {
		return func(e *vt.Env) { e.TB.Helper(); e.Must(e.Root.Mount(src, dst, "tmpfs", 0, "")) }
	}
	mkdir := func(e *vt.Env, ps ...string) {
		for _, p := range ps {
			e.Must(e.Root.Mkdir(p, 0o755))
		}
	}
	var holder *vfs.Task
	vt.Run(t, []vt.Case{
		{Name: "rbind into its own subtree",
			Setup: func(e *vt.Env) {
				mnt("A", "/e")(e)
				mkdir(e, "/e/sub", "/e/x")
				mnt("X", "/e/x")(e)
			},
			Op: func(e *vt.Env) error {
				done := make(chan error, 1)
				go func() { done <- e.T.Mount("/e", "/e/sub", "", vfs.MS_BIND|vfs.MS_REC, "") }()
				select {
				case err := <-done:
					return err
				case <-time.After(20 * time.Second):
					e.TB.Fatal("mount --rbind /e /e/sub did not return")
					return nil
				}
			},
			Check: func(e *vt.Env) {
				if got, want := mountinfoTree(e, "/e"), "/e A; /e/x X; /e/sub A; /e/sub/x X"; got != want {
					e.TB.Errorf("mounts %q, want %q", got, want)
				}
			}},
		{Name: "move keeps the mount before its children",
			Setup: func(e *vt.Env) {
				mnt("M", "/e")(e)
				mkdir(e, "/e/d", "/e/d/x", "/z")
				mnt("C", "/e/d/x")(e)
			},
			Op: func(e *vt.Env) error { return e.T.Mount("/e", "/z", "", vfs.MS_MOVE, "") },
			Check: func(e *vt.Env) {
				if got, want := mountinfoTree(e, "/z"), "/z M; /z/d/x C"; got != want {
					e.TB.Errorf("mounts %q, want %q", got, want)
				}
			}},
		{Name: "move onto a lazily detached mount",
			Setup: func(e *vt.Env) {
				mnt("M", "/e")(e)
				mkdir(e, "/e/d", "/c")
				mnt("cee", "/c")(e)
				holder = e.Root.Fork("holder")
				e.TB.Cleanup(holder.Exit)
				e.Must(holder.Chdir("/e/d"))
				e.Must(e.Root.Umount2("/e", vfs.MNT_DETACH))
			},
			Op:   func(e *vt.Env) error { return holder.Mount("/c", ".", "", vfs.MS_MOVE, "") },
			Want: vfs.EINVAL,
			Check: func(e *vt.Env) {
				if got, want := mountinfoTree(e, "/c"), "/c cee"; got != want {
					e.TB.Errorf("mounts %q, want %q", got, want)
				}
				e.Must(e.Root.Umount2("/c", 0))
			}},
		{Name: "bind whose root was removed",
			Setup: func(e *vt.Env) {
				mkdir(e, "/e/q", "/b")
				e.Must(e.Root.Mount("/e/q", "/b", "", vfs.MS_BIND, ""))
			},
			Op: func(e *vt.Env) error { return e.T.Rmdir("/e/q") },
			Check: func(e *vt.Env) {
				if got := mountinfoLine(e, "/b")[3]; got != "/e/q//deleted" {
					e.TB.Errorf("root %q, want /e/q//deleted", got)
				}
			}},
	})
}
