//go:build linux

package hostfs_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestSetattrNameGone: fchmod, fchown and futimens of a file the host
// unlinked (the VFS's dentry still hashed) reach the file through its
// open host handle, as they reach an unlinked open file on Linux; a
// file with no host handle (a directory) whose name the host removed
// gives ESTALE, as NFS does for a file gone from the server.
func TestSetattrNameGone(t *testing.T) {
	ts := [2]vfs.Timespec{{Sec: 1000, Nsec: 0}, {Sec: 2000, Nsec: 7}}
	tests := []struct {
		name string
		path string // opened, then removed on the host
		call func(tk *vfs.Task, fd int) error
		want error
		// check looks at fstat of fd after the call.
		check func(st *vfs.Stat) error
	}{
		{"fchmod", "f", func(tk *vfs.Task, fd int) error { return tk.Fchmod(fd, 0o600) }, nil, func(st *vfs.Stat) error {
			if st.Mode&0o7777 != 0o600 {
				return fmt.Errorf("mode %o", st.Mode)
			}
			return nil
		}},
		{"fchown", "f", func(tk *vfs.Task, fd int) error { return tk.Fchown(fd, 1234, 5678) }, nil, func(st *vfs.Stat) error {
			if st.UID != 1234 || st.GID != 5678 {
				return fmt.Errorf("owner %d:%d", st.UID, st.GID)
			}
			return nil
		}},
		{"futimens", "f", func(tk *vfs.Task, fd int) error { return tk.Utimensat(fd, "", &ts, 0) }, nil, func(st *vfs.Stat) error {
			if st.Atime != 1000e9 || st.Mtime != 2000e9+7 {
				return fmt.Errorf("atime %d mtime %d", st.Atime, st.Mtime)
			}
			return nil
		}},
		{"fchmod of a directory", "e", func(tk *vfs.Task, fd int) error { return tk.Fchmod(fd, 0o700) }, vfs.ESTALE, nil},
		{"futimens of a directory", "e", func(tk *vfs.Task, fd int) error { return tk.Utimensat(fd, "", &ts, 0) }, vfs.ESTALE, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fx := mountHost(t, 0)
			fd, err := fx.tk.Open("/data/"+tc.path, vfs.O_RDONLY, 0)
			must(t, err)
			defer fx.tk.Close(fd)
			must(t, os.Remove(fx.host(tc.path)))
			if err := tc.call(fx.tk, fd); err != tc.want {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.check == nil {
				return
			}
			var st vfs.Stat
			must(t, fx.tk.Fstat(fd, &st))
			if err := tc.check(&st); err != nil {
				t.Error(err)
			}
		})
	}
}
