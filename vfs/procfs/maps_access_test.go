package procfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestMapsAccess: opening /proc/<pid>/maps needs ptrace read access to
// the task (proc_maps_open -> proc_mem_open(PTRACE_MODE_READ), EACCES at
// open otherwise): a uid-1000 task on Linux 6.18 gets EACCES for
// /proc/1/maps. vfscope's reduced ptrace_may_access lets the task
// itself, root and a task of the same uid look.
func TestMapsAccess(t *testing.T) {
	cases := []struct {
		name           string
		reader, target uint32 // uids; the target is the reader itself when self
		self           bool
		want           error
	}{
		{"own maps", 1000, 1000, true, nil},
		{"root reads a user's", 0, 1000, false, nil},
		{"same uid", 1000, 1000, false, nil},
		{"user reads root's", 1000, 0, false, vfs.EACCES},
		{"user reads another user's", 1001, 1000, false, vfs.EACCES},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, tk := setup(t)
			target := tk.Fork("target")
			defer target.Exit()
			target.SetCred(&vfs.Cred{UID: c.target, GID: c.target})
			reader := target
			if !c.self {
				reader = tk.Fork("reader")
				defer reader.Exit()
				reader.SetCred(&vfs.Cred{UID: c.reader, GID: c.reader})
			}
			fd, err := reader.Open("/proc/"+pidStr(target)+"/maps", vfs.O_RDONLY, 0)
			if err != c.want {
				t.Fatalf("open: %v, want %v", err, c.want)
			}
			if err == nil {
				must(t, reader.Close(fd))
			}
		})
	}
}
