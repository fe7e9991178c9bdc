package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// bindEscapeSetup binds /src/sub on /bind, forks a task "c" whose cwd is
// /bind/d (confined: its root is /bind too when chroot), then renames
// /src/sub/d to /src/d: c's cwd is now outside the bind mount's subtree.
func bindEscapeSetup(chroot bool) func(e *vt.Env) {
	return func(e *vt.Env) {
		t := e.Root
		e.Must(t.Mkdir("/src", 0o755))
		e.Must(t.Mkdir("/src/sub", 0o755))
		e.Must(t.Mkdir("/src/sub/d", 0o755))
		e.Must(t.Mkdir("/bind", 0o755))
		e.Must(t.Mkdir("/secret", 0o700))
		e.WriteFile("/secret/key", "k", 0o600)
		e.Must(t.Mount("/src/sub", "/bind", "", MS_BIND, ""))
		c := t.Fork("confined")
		e.TB.Cleanup(c.Exit)
		if chroot {
			e.Must(c.Chdir("/bind"))
			e.Must(c.Chroot("."))
			e.Must(c.Chdir("/d"))
		} else {
			e.Must(c.Chdir("/bind/d"))
		}
		e.T = c
		e.Must(t.Rename("/src/sub/d", "/src/d"))
	}
}

// wantCwd checks getcwd's answer.
func wantCwd(want string) func(e *vt.Env) error {
	return func(e *vt.Env) error {
		got, err := e.T.Getcwd()
		if err != nil {
			return err
		}
		if got != want {
			e.TB.Fatalf("getcwd = %q, want %q", got, want)
		}
		return nil
	}
}

// TestGetcwdEscapedBind: getcwd of a directory renamed out from under a
// bind mount's root. Linux fs/d_path.c __prepend_path stops at a dentry
// that is its own parent but not the mount's root ("Escaped?", error 3),
// prepend_path then drops what it built and leaves "/", and getcwd
// prefixes "(unreachable)". Before the fix the walk appended the
// superblock root's name for ever.
func TestGetcwdEscapedBind(t *testing.T) {
	vt.Run(t, []vt.Case{
		{Name: "cwd in the bind mount before rename", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/src", 0o755))
			e.Must(e.Root.Mkdir("/src/sub", 0o755))
			e.Must(e.Root.Mkdir("/src/sub/d", 0o755))
			e.Must(e.Root.Mkdir("/bind", 0o755))
			e.Must(e.Root.Mount("/src/sub", "/bind", "", MS_BIND, ""))
			e.Must(e.Root.Chdir("/bind/d"))
		}, Op: wantCwd("/bind/d")},
		{Name: "renamed out of the bind mount", Setup: bindEscapeSetup(false), Op: wantCwd("(unreachable)/")},
		{Name: "renamed out of a chroot on the bind mount", Setup: bindEscapeSetup(true), Op: wantCwd("(unreachable)/")},
		{Name: "chroot on the root filesystem, cwd moved out", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/jail", 0o755))
			e.Must(e.Root.Mkdir("/jail/d", 0o755))
			c := e.Root.Fork("jailed")
			e.TB.Cleanup(c.Exit)
			e.Must(c.Chroot("/jail"))
			e.Must(c.Chdir("/d"))
			e.T = c
			e.Must(e.Root.Rename("/jail/d", "/d2"))
		}, Op: wantCwd("(unreachable)/d2")},
	})
}

// TestDPathEscapedBind: d_path (readlink of /proc/<pid>/cwd) of the same
// escaped directory ends instead of looping. Linux fs/d_path.c d_path
// ignores prepend_path's positive answers: no "(unreachable)" prefix
// (getcwd alone adds it), "/" for an escaped path, the path from the
// namespace's root for one outside the reader's root.
func TestDPathEscapedBind(t *testing.T) {
	cwdLink := func(want string) func(e *vt.Env) error {
		return func(e *vt.Env) error {
			got, err := e.Root.Readlink("/proc/" + itoa(int(e.T.PID())) + "/cwd")
			if err != nil {
				return err
			}
			if got != want {
				e.TB.Fatalf("readlink cwd = %q, want %q", got, want)
			}
			return nil
		}
	}
	vt.Run(t, []vt.Case{
		{Name: "proc cwd link of an escaped cwd", Setup: bindEscapeSetup(false), Op: cwdLink("/")},
		{Name: "proc cwd link of a chrooted task's escaped cwd", Setup: bindEscapeSetup(true), Op: cwdLink("/")},
		{Name: "own proc cwd link of a cwd outside the chroot", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/d/proc", 0o555))
			e.Must(e.Root.Mount("proc", "/d/proc", "proc", 0, ""))
			c := e.Root.Fork("jailed")
			e.TB.Cleanup(c.Exit)
			e.Must(c.Chdir("/e"))
			e.Must(c.Chroot("/d"))
			e.T = c
		}, Op: func(e *vt.Env) error {
			got, err := e.T.Readlink("/proc/" + itoa(int(e.T.PID())) + "/cwd")
			if err != nil {
				return err
			}
			if got != "/e" {
				e.TB.Fatalf("readlink cwd = %q, want %q", got, "/e")
			}
			return nil
		}},
	})
}

// TestDotdotEscapedBind: ".." from a directory renamed out from under a
// bind mount's root. Linux fs/namei.c follow_dotdot returns ENOENT when
// !path_connected(mnt, parent) (the mount is of a subtree and the parent
// is not below its root; CVE-2015-2925), and follow_dotdot_rcu ECHILD so
// that ref-walk gives that answer. Before the fix ".." walked out of the
// bind mount, and out of a chroot built on it, up to /secret/key.
func TestDotdotEscapedBind(t *testing.T) {
	stat := func(path string) func(e *vt.Env) error {
		return func(e *vt.Env) error {
			var st Stat
			return e.T.Stat(path, &st)
		}
	}
	chdir := func(path string) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Chdir(path) }
	}
	var cases []vt.Case
	for _, chroot := range []bool{false, true} {
		where := "bind mount"
		if chroot {
			where = "chroot on a bind mount"
		}
		for _, c := range []struct {
			name string
			op   func(e *vt.Env) error
		}{
			{"stat ..", stat("..")},
			{"stat ../..", stat("../..")},
			{"stat ../../secret/key", stat("../../secret/key")},
			{"stat ../../../../secret/key", stat("../../../../secret/key")},
			{"stat ./../..", stat("./../..")},
			{"chdir ..", chdir("..")},
		} {
			cases = append(cases, vt.Case{Name: where + ": " + c.name, Setup: bindEscapeSetup(chroot), Op: c.op, Want: ENOENT})
		}
	}
	cases = append(cases,
		vt.Case{Name: "bind mount: stat . still works", Setup: bindEscapeSetup(false), Op: stat(".")},
		vt.Case{Name: "bind mount: absolute paths still work", Setup: bindEscapeSetup(false), Op: stat("/bind")},
		vt.Case{Name: "connected .. in a bind mount", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/src", 0o755))
			e.Must(e.Root.Mkdir("/src/sub", 0o755))
			e.Must(e.Root.Mkdir("/src/sub/d", 0o755))
			e.Must(e.Root.Mkdir("/bind", 0o755))
			e.Must(e.Root.Mount("/src/sub", "/bind", "", MS_BIND, ""))
			e.Must(e.Root.Chdir("/bind/d"))
		}, Op: stat("../../src")},
		// A mount of a whole filesystem is always connected (path_connected
		// returns true when mnt_root is s_root): ".." from a directory moved
		// out of a chroot on the root filesystem walks up, as on Linux.
		vt.Case{Name: "chroot on the root filesystem: .. after the move", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mkdir("/jail", 0o755))
			e.Must(e.Root.Mkdir("/jail/d", 0o755))
			c := e.Root.Fork("jailed")
			e.TB.Cleanup(c.Exit)
			e.Must(c.Chroot("/jail"))
			e.Must(c.Chdir("/d"))
			e.T = c
			e.Must(e.Root.Rename("/jail/d", "/d2"))
		}, Op: stat("../priv/x")},
	)
	vt.Run(t, cases)
}
