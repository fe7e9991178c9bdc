package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestStatfsFlags: f_flags is calculate_f_flags() (fs/statfs.c):
// ST_VALID, always, then flags_by_mnt (the mount's MNT_* flags) and
// flags_by_sb (SB_RDONLY, SB_SYNCHRONOUS). Linux prints 0x1020 for a
// relatime tmpfs such as /dev/shm.
func TestStatfsFlags(t *testing.T) {
	cases := []struct {
		name  string
		flags uint32 // mount(2) flags of a tmpfs on /m; none: the root
		want  int64
	}{
		{"root (relatime)", 0, ST_VALID | ST_RELATIME},
		{"plain tmpfs", MS_SILENT, ST_VALID | ST_RELATIME},
		{"ro,nosuid", MS_RDONLY | MS_NOSUID, ST_VALID | ST_RDONLY | ST_NOSUID | ST_RELATIME},
		{"nodev,noexec", MS_NODEV | MS_NOEXEC, ST_VALID | ST_NODEV | ST_NOEXEC | ST_RELATIME},
		{"noatime,nodiratime", MS_NOATIME | MS_NODIRATIME, ST_VALID | ST_NOATIME | ST_NODIRATIME},
		{"strictatime", MS_STRICTATIME, ST_VALID},
		{"sync (a superblock flag)", MS_SYNCHRONOUS, ST_VALID | ST_SYNCHRONOUS | ST_RELATIME},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := vt.New(t)
			path := "/"
			if c.flags != 0 {
				e.Must(e.Root.Mkdir("/m", 0o755))
				e.Must(e.Root.Mount("none", "/m", "tmpfs", c.flags, ""))
				path = "/m"
			}
			var st, fst Statfs
			e.Must(e.T.Statfs(path, &st))
			fd := openT(e, path, O_RDONLY|O_DIRECTORY)
			e.Must(e.T.Fstatfs(fd, &fst))
			if st.Flags != c.want || fst.Flags != c.want {
				t.Errorf("statfs f_flags %#x, fstatfs %#x, want %#x", st.Flags, fst.Flags, c.want)
			}
			e.Check()
		})
	}
}
