package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/tmpfs"
	"github.com/vfscope/vfscope/vfs/trace"
)

// A traced VFS without lock validation (Options.Trace, a listener
// subscribed) takes the checked paths but cannot know which locks a task
// holds: it must record no locking violation, and it reports the
// file_lock_operations and lock_manager_operations calls as method
// events as it does every other method.
func TestLockcheckTraceOnly(t *testing.T) {
	lease := func(t *testing.T, tk *vfs.Task) {
		fd, err := tk.Open("/f", vfs.O_CREAT|vfs.O_RDONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer tk.Close(fd)
		for _, arg := range []int{vfs.F_RDLCK, vfs.F_UNLCK} {
			if _, err := tk.Fcntl(fd, vfs.F_SETLEASE, arg); err != nil {
				t.Fatalf("F_SETLEASE %d: %v", arg, err)
			}
		}
	}
	rename := func(t *testing.T, tk *vfs.Task) {
		fd, err := tk.Open("/f", vfs.O_CREAT|vfs.O_RDONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		tk.Close(fd)
		if err := tk.Mkdir("/d", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := tk.Rename("/f", "/d/g"); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name    string
		lockdep bool
		run     func(*testing.T, *vfs.Task)
		method  string // a method that must appear entered and exited
	}{
		{"lease", false, lease, "lock_manager_operations.lm_change"},
		{"lease lockdep", true, lease, "lock_manager_operations.lm_change"},
		{"cross-directory rename", false, rename, "inode_operations.rename"},
		{"cross-directory rename lockdep", true, rename, "inode_operations.rename"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := vfs.New(vfs.Options{Trace: true, Lockdep: c.lockdep})
			tk := v.NewTask("init", vfs.RootCred)
			if err := tmpfs.Register(tk, v); err != nil {
				t.Fatal(err)
			}
			if err := v.MountRoot(tk, "tmpfs", "mode=755"); err != nil {
				t.Fatal(err)
			}
			l := v.Subscribe(1 << 16)
			c.run(t, tk)
			if vs := v.LockingViolations(); len(vs) != 0 {
				t.Errorf("violations: %q", vs)
			}
			buf := make([]trace.Event, 1<<16)
			n := l.Read(buf)
			var enter, exit int
			for _, e := range buf[:n] {
				if e.Op != c.method {
					continue
				}
				switch e.Kind {
				case trace.MethodEnter:
					enter++
				case trace.MethodExit:
					exit++
				}
			}
			if enter == 0 || enter != exit {
				t.Errorf("%s: %d enter and %d exit events, want as many of each and at least one", c.method, enter, exit)
			}
		})
	}
}
