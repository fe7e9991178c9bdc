package procfs_test

import (
	"strconv"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestReadAfterExit: a /proc/<pid> file opened before its task exits,
// read again from 0 (pread at 0 starts the seq_file over) after the exit:
// mounts and mountinfo read on from the namespace and root pinned at open
// (mounts_open_common), as on Linux 6.18; fdinfo gives ENOENT (seq_show's
// get_proc_task).
func TestReadAfterExit(t *testing.T) {
	cases := []struct {
		file string
		want error
	}{
		{"mounts", nil},
		{"mountinfo", nil},
		{"fdinfo/FD", vfs.ENOENT},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			_, tk := setup(t)
			child := tk.Fork("child")
			cfd, err := child.Open("/tmp", vfs.O_RDONLY, 0)
			must(t, err)
			path := "/proc/" + pidStr(child) + "/" + c.file
			if c.file == "fdinfo/FD" {
				path = "/proc/" + pidStr(child) + "/fdinfo/" + strconv.Itoa(cfd)
			}
			before := read(t, tk, path)
			fd, err := tk.Open(path, vfs.O_RDONLY, 0)
			must(t, err)
			defer tk.Close(fd)
			buf := make([]byte, 64<<10)
			_, err = tk.Pread(fd, buf, 0) // the next read at 0 generates anew
			must(t, err)
			child.Exit()
			n, err := tk.Pread(fd, buf, 0)
			if err != c.want {
				t.Fatalf("pread at 0 after exit: %v, want %v", err, c.want)
			}
			if err == nil && string(buf[:n]) != before {
				t.Errorf("pread at 0 after exit: %q, want %q", buf[:n], before)
			}
		})
	}
}
