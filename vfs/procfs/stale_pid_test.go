package procfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestDeadPidDir: a /proc/<pid> directory opened before its task exits.
// Every walk from it, and fchdir to it, fails with ESRCH, as
// proc_pid_permission does before any mode check (Linux 6.18:
// openat(dfd, "status"), "nonexist", "cwd", ".", "..", readlinkat and
// fchdir all give ESRCH). The fd/ directory checks with
// proc_fd_permission, which does not ask for the task: "." still opens.
func TestDeadPidDir(t *testing.T) {
	cases := []struct {
		name string
		dir  string // "" for /proc/<pid>, else a subdirectory
		op   func(tk *vfs.Task, dfd int) error
		want error
	}{
		{"openat status", "", openatOp("status"), vfs.ESRCH},
		{"openat nonexist", "", openatOp("nonexist"), vfs.ESRCH},
		{"openat cwd", "", openatOp("cwd"), vfs.ESRCH},
		{"readlinkat cwd", "", readlinkatOp("cwd"), vfs.ESRCH},
		{"readlinkat root", "", readlinkatOp("root"), vfs.ESRCH},
		{"openat .", "", openatOp("."), vfs.ESRCH},
		{"openat ..", "", openatOp(".."), vfs.ESRCH},
		{"fchdir", "", func(tk *vfs.Task, dfd int) error { return tk.Fchdir(dfd) }, vfs.ESRCH},
		{"fd: openat .", "/fd", openatOp("."), nil},
		{"fd: fchdir", "/fd", func(tk *vfs.Task, dfd int) error { return tk.Fchdir(dfd) }, nil},
		{"fd: openat 0", "/fd", openatOp("0"), vfs.ENOENT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, tk := setup(t)
			child := tk.Fork("c")
			dfd, err := tk.Open("/proc/"+pidStr(child)+c.dir, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
			must(t, err)
			defer tk.Close(dfd)
			child.Exit()
			if err := c.op(tk, dfd); err != c.want {
				t.Errorf("%s after exit: %v, want %v", c.name, err, c.want)
			}
		})
	}
}

func openatOp(name string) func(tk *vfs.Task, dfd int) error {
	return func(tk *vfs.Task, dfd int) error {
		fd, err := tk.Openat(dfd, name, vfs.O_RDONLY, 0)
		if err == nil {
			tk.Close(fd)
		}
		return err
	}
}

func readlinkatOp(name string) func(tk *vfs.Task, dfd int) error {
	return func(tk *vfs.Task, dfd int) error {
		_, err := tk.Readlinkat(dfd, name)
		return err
	}
}
