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

// TestFirstReadAfterExit: a /proc/<pid> file opened before its task
// exits and first read after it. seq_file makes the content at read, so
// the first read already fails as the task is gone (Linux 6.18: status
// and maps give ESRCH, fdinfo/0 ENOENT); mounts and mountinfo read on
// from the root pinned at open (TestReadAfterExit).
func TestFirstReadAfterExit(t *testing.T) {
	cases := []struct {
		file string
		off  int64
		want error
	}{
		{"status", 0, vfs.ESRCH},
		{"maps", 0, vfs.ESRCH},
		{"fdinfo/0", 0, vfs.ENOENT},
		{"status", 5, vfs.ESRCH},
		{"mounts", 0, nil},
		{"mountinfo", 0, nil},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			_, tk := setup(t)
			child := tk.Fork("c")
			if _, err := child.Open("/tmp", vfs.O_RDONLY, 0); err != nil {
				t.Fatal(err)
			}
			fd, err := tk.Open("/proc/"+pidStr(child)+"/"+c.file, vfs.O_RDONLY, 0)
			must(t, err)
			defer tk.Close(fd)
			child.Exit()
			buf := make([]byte, 64<<10)
			n, err := tk.Pread(fd, buf, c.off)
			if err != c.want {
				t.Fatalf("first pread at %d after exit: %d, %v, want %v", c.off, n, err, c.want)
			}
			if err == nil && n == 0 {
				t.Errorf("first pread at %d after exit: empty", c.off)
			}
		})
	}
}
