package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestUmountMountpoint: umount2 walks with LOOKUP_MOUNTPOINT, so that a
// path whose walk ends without crossing the mounts on top of its last
// position ("." from a working directory a mount now covers, "/" in a
// chroot with a mount on top of its root) names the mount on top
// (path_lookupat's handle_lookup_down), which goes. Linux is the oracle
// (checked on 6.18 under unshare -m): both umounts succeed, the mount
// on top is gone and the chroot's own filesystem stays read-write.
// Without the flag umount2(".") was EINVAL (the directory below is no
// mount root) and umount2("/") took the mount the task's root is in,
// remounting it read-only (do_umount_root), and left the mount on top.
func TestUmountMountpoint(t *testing.T) {
	var st Stat
	vt.Run(t, []vt.Case{
		{
			Name: "umount2 of . with a mount on the working directory",
			Setup: func(e *vt.Env) {
				e.Must(e.Root.Chdir("/e"))
				e.Must(e.Root.Mount("cc", "/e", "tmpfs", 0, ""))
			},
			Op: func(e *vt.Env) error { return e.Root.Umount2(".", 0) },
			Check: func(e *vt.Env) {
				if stackMounted(e, "cc") {
					e.TB.Fatal("the mount on the working directory is still there")
				}
			},
		},
		{
			Name: "umount2 of / in a chroot with a mount on its root",
			Setup: func(e *vt.Env) {
				e.Must(e.Root.Mount("base", "/e", "tmpfs", 0, ""))
				e.Must(e.Root.Mkdir("/e/x", 0o755))
				e.Must(e.Root.Chroot("/e"))
				e.Must(e.Root.Chdir("/"))
				e.Must(e.Root.Mount("top", "/", "tmpfs", 0, ""))
			},
			Op: func(e *vt.Env) error { return e.Root.Umount2("/", 0) },
			Check: func(e *vt.Env) {
				if stackMounted(e, "top") {
					e.TB.Fatal("the mount on the chroot's / is still there")
				}
				for _, mi := range e.Root.MountTable() {
					if mi.Source == "base" && mi.SuperOptions[:2] != "rw" {
						e.TB.Fatalf("the chroot's filesystem is %s, want rw", mi.SuperOptions)
					}
				}
				e.Must(e.Root.Stat("/x", &st))
			},
		},
	})
}
