package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestSelfBindPutsMountpoint: a directory bound onto itself (mount
// --bind /a /a) has its own root dentry as mountpoint; attaching took a
// reference on the mountpoint as for any mount, and the mount's last put
// after the umount gives it back (cleanup_mnt's dput of mnt_mountpoint),
// only the root mount's mountpoint being its root without a reference.
func TestSelfBindPutsMountpoint(t *testing.T) {
	for _, flags := range []uintptr{0, MNT_DETACH} {
		e := vt.New(t)
		e.Must(e.Root.Mkdir("/a", 0o755))
		p, err := e.Root.LookupDentryForTest("/a")
		e.Must(err)
		d := p.Dentry
		before := d.Count()
		e.Must(e.Root.Mount("/a", "/a", "", MS_BIND, ""))
		e.Must(e.Root.Umount2("/a", int(flags)))
		if got := d.Count(); got != before {
			t.Errorf("umount2 flags %#x: /a's dentry count %d after the bind and umount, %d before", flags, got, before)
		}
		p.Put(e.Root)
	}
}
