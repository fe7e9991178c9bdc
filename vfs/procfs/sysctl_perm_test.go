package procfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestSysctlPermAtCall: proc_sys_call_handler checks sysctl_perm with the
// caller's credentials at every read and write, not only at open: a
// descriptor root opened keeps working for root, and gives EPERM (before
// anything else, a transfer of 0 bytes included) once the task's
// credentials drop to uid 1000. Checked against Linux 6.18 with
// /proc/sys/vm/dirty_ratio (0644) and /proc/sys/kernel/usermodehelper/bset
// (0600; drop_caches here stands for a file root may only write).
func TestSysctlPermAtCall(t *testing.T) {
	cases := []struct {
		name  string
		path  string
		flags int
		write bool
		data  string
		pos   int64
		root  error // as root
		user  error // after the drop to uid 1000
	}{
		{"write 0644", "/proc/sys/vm/dirty_ratio", vfs.O_WRONLY, true, "20", 0, nil, vfs.EPERM},
		{"write 0644, nothing", "/proc/sys/vm/dirty_ratio", vfs.O_WRONLY, true, "", 0, nil, vfs.EPERM},
		{"write 0644 past 0", "/proc/sys/vm/dirty_ratio", vfs.O_WRONLY, true, "20", 5, nil, vfs.EPERM},
		{"write 0200", "/proc/sys/vm/drop_caches", vfs.O_WRONLY, true, "", 0, nil, vfs.EPERM},
		{"read 0644", "/proc/sys/vm/dirty_ratio", vfs.O_RDONLY, false, "", 0, nil, nil},
		{"read 0444", "/proc/sys/fs/inode-nr", vfs.O_RDONLY, false, "", 0, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, tk := setup(t)
			child := tk.Fork("child")
			defer child.Exit()
			op := func() error {
				fd, err := child.Open(c.path, c.flags, 0)
				must(t, err)
				defer child.Close(fd)
				if c.write {
					_, err = child.Pwrite(fd, []byte(c.data), c.pos)
				} else {
					_, err = child.Pread(fd, make([]byte, 64), c.pos)
				}
				return err
			}
			if err := op(); err != c.root {
				t.Errorf("as root: %v, want %v", err, c.root)
			}
			fd, err := child.Open(c.path, c.flags, 0)
			must(t, err)
			child.SetCred(&vfs.Cred{UID: 1000, GID: 1000})
			if c.write {
				_, err = child.Pwrite(fd, []byte(c.data), c.pos)
			} else {
				_, err = child.Pread(fd, make([]byte, 64), c.pos)
			}
			if err != c.user {
				t.Errorf("after the drop: %v, want %v", err, c.user)
			}
			must(t, child.Close(fd))
		})
	}
}
