package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestMountAtimeFlags: the atime flags as path_mount sets them: relatime
// by default, noatime when asked, strictatime clearing both (even with
// noatime); a remount that names no atime flag keeps the mount's, one
// that names one sets it, for a whole remount and a bind remount alike.
func TestMountAtimeFlags(t *testing.T) {
	cases := []struct {
		name    string
		mount   uint32
		remount uint32 // 0: none
		want    string
	}{
		{"default", 0, 0, "rw,relatime"},
		{"noatime", vfs.MS_NOATIME, 0, "rw,noatime"},
		{"strictatime", vfs.MS_STRICTATIME, 0, "rw"},
		{"strictatime wins over noatime", vfs.MS_NOATIME | vfs.MS_STRICTATIME, 0, "rw"},
		{"nodiratime", vfs.MS_NODIRATIME, 0, "rw,nodiratime,relatime"},
		{"remount ro keeps noatime", vfs.MS_NOATIME | vfs.MS_NOSUID, vfs.MS_REMOUNT | vfs.MS_RDONLY, "ro,noatime"},
		{"remount ro keeps strictatime", vfs.MS_STRICTATIME, vfs.MS_REMOUNT | vfs.MS_RDONLY, "ro"},
		{"remount strictatime", vfs.MS_NOATIME, vfs.MS_REMOUNT | vfs.MS_STRICTATIME, "rw"},
		{"remount relatime", vfs.MS_NOATIME, vfs.MS_REMOUNT | vfs.MS_RELATIME, "rw,relatime"},
		{"remount noatime", 0, vfs.MS_REMOUNT | vfs.MS_NOATIME, "rw,noatime"},
		{"bind remount keeps noatime", vfs.MS_NOATIME, vfs.MS_REMOUNT | vfs.MS_BIND | vfs.MS_RDONLY, "ro,noatime"},
		{"bind remount strictatime", vfs.MS_NOATIME, vfs.MS_REMOUNT | vfs.MS_BIND | vfs.MS_STRICTATIME, "rw"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, err := boot.New(vfs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			if err := tk.Mkdir("/m", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tk.Mount("none", "/m", "tmpfs", c.mount, ""); err != nil {
				t.Fatal(err)
			}
			if c.remount != 0 {
				if err := tk.Mount("", "/m", "", c.remount, ""); err != nil {
					t.Fatal(err)
				}
			}
			for _, mi := range tk.MountTable() {
				if mi.Mountpoint == "/m" {
					if mi.MountOptions != c.want {
						t.Fatalf("mount options %q, want %q", mi.MountOptions, c.want)
					}
					return
				}
			}
			t.Fatal("/m not in the mount table")
		})
	}
}
