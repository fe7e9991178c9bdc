package billyfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestFileCapsRemovedAfterRemount: a security.capability read back from
// the store (the inode loaded by a new mount, not the one the value was
// set on) is removed by the first write, fallocate, truncate or chown,
// as Linux removes it from an ext4 inode read from disk
// (dentry_needs_remove_privs -> cap_inode_need_killpriv; an inode read
// from disk starts without S_NOSEC). A directory's chown keeps it
// (chown_common asks ATTR_KILL_PRIV of non-directories only).
func TestFileCapsRemovedAfterRemount(t *testing.T) {
	capV2 := []byte{0x01, 0, 0, 0x02, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	openDo := func(flags int, do func(tk *vfs.Task, fd int) error) func(tk *vfs.Task, p string) error {
		return func(tk *vfs.Task, p string) error {
			fd, err := tk.Open(p, flags, 0)
			if err != nil {
				return err
			}
			defer tk.Close(fd)
			return do(tk, fd)
		}
	}
	for _, tc := range []struct {
		name string
		dir  bool
		op   func(tk *vfs.Task, p string) error
		want vfs.Errno // of getxattr after op
	}{
		{"write", false, openDo(vfs.O_WRONLY, func(tk *vfs.Task, fd int) error {
			_, err := tk.Write(fd, []byte("y"))
			return err
		}), vfs.ENODATA},
		{"fallocate", false, openDo(vfs.O_WRONLY, func(tk *vfs.Task, fd int) error {
			return tk.Fallocate(fd, 0, 0, 8192)
		}), vfs.ENODATA},
		{"truncate", false, func(tk *vfs.Task, p string) error { return tk.Truncate(p, 0) }, vfs.ENODATA},
		{"chown", false, func(tk *vfs.Task, p string) error { return tk.Chown(p, 5, vfs.NoID) }, vfs.ENODATA},
		{"read", false, openDo(vfs.O_RDONLY, func(tk *vfs.Task, fd int) error {
			_, err := tk.Read(fd, make([]byte, 4))
			return err
		}), 0},
		{"directory chown", true, func(tk *vfs.Task, p string) error { return tk.Chown(p, 5, vfs.NoID) }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, "")
			e.mount("")
			p := "/mnt/f"
			if tc.dir {
				e.Must(e.Root.Mkdir(p, 0o755))
			} else {
				e.WriteFile(p, "hello", 0o644)
			}
			e.Must(e.Root.Setxattr(p, vfs.XATTR_NAME_CAPS, capV2, 0))
			e.remount("")
			if _, err := e.Root.Getxattr(p, vfs.XATTR_NAME_CAPS); err != nil {
				t.Fatalf("after the remount: getxattr: %v", err)
			}
			e.Must(tc.op(e.Root, p))
			if _, err := e.Root.Getxattr(p, vfs.XATTR_NAME_CAPS); vfs.ErrnoOf(err) != tc.want {
				t.Fatalf("after %s: getxattr: %v, want %v", tc.name, err, tc.want)
			}
		})
	}
}
