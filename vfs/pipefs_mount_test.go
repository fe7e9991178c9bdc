package vfs_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestPipeFSRegisteredNotMountable: pipefs is a registered type, listed
// in /proc/filesystems as Linux lists it ("nodev\tpipefs"), but its
// superblocks are SB_NOUSER: mount(2) of it and a bind of a pipe reached
// through /proc/self/fd fail with EINVAL (graft_tree), as on this host
// (Linux 6.18, in a private mount namespace: mount -t pipefs is EINVAL,
// an unknown type ENODEV). A failed graft leaves no mount behind.
func TestPipeFSRegisteredNotMountable(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(tk *vfs.Task, rfd int) error
		want error
	}{
		{"mount -t pipefs", func(tk *vfs.Task, rfd int) error {
			return tk.Mount("none", "/mnt", "pipefs", 0, "")
		}, vfs.EINVAL},
		{"mount -t pipefs read-only", func(tk *vfs.Task, rfd int) error {
			return tk.Mount("pipefs", "/mnt", "pipefs", vfs.MS_RDONLY, "")
		}, vfs.EINVAL},
		{"bind of a pipe through /proc/self/fd", func(tk *vfs.Task, rfd int) error {
			return tk.Mount("/proc/self/fd/"+strconv.Itoa(rfd), "/f", "", vfs.MS_BIND, "")
		}, vfs.EINVAL},
		{"an unknown type", func(tk *vfs.Task, rfd int) error {
			return tk.Mount("none", "/mnt", "nosuchfs", 0, "")
		}, vfs.ENODEV},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, err := boot.New(vfs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := tk.Mkdir("/mnt", 0o755); err != nil {
				t.Fatal(err)
			}
			fd, err := tk.Open("/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			tk.Close(fd)
			p, err := tk.Pipe2(0)
			if err != nil {
				t.Fatal(err)
			}
			before := len(v.Mounts())
			if err := tc.run(tk, p[0]); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if n := len(v.Mounts()); n != before {
				t.Errorf("mounts: %d after the failed mount, %d before", n, before)
			}
			fs := readText(t, tk, "/proc/filesystems")
			if !strings.Contains(fs, "nodev\tpipefs\n") {
				t.Errorf("/proc/filesystems lacks pipefs:\n%s", fs)
			}
		})
	}
}

// readText returns the whole content of a file of tk's namespace.
func readText(t *testing.T, tk *vfs.Task, path string) string {
	t.Helper()
	fd, err := tk.Open(path, vfs.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tk.Close(fd)
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := tk.Read(fd, buf)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return b.String()
		}
		b.Write(buf[:n])
	}
}
