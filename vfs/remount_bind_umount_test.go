package vfs_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/trace"
)

// TestBindRemountTakesSUmount: a remount of a mount's own flags
// (MS_REMOUNT|MS_BIND) takes the superblock's s_umount for write, as
// do_reconfigure_mnt does, around mount_lock, as a remount of the
// superblock does; the trace shows the order of the acquisitions.
func TestBindRemountTakesSUmount(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{Trace: true, Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		name string
		err  error
	}{
		{"mkdir /a", tk.Mkdir("/a", 0o755)},
		{"mkdir /b", tk.Mkdir("/b", 0o755)},
		{"mount tmpfs /a", tk.Mount("none", "/a", "tmpfs", 0, "")},
		{"bind /a /b", tk.Mount("/a", "/b", "", vfs.MS_BIND, "")},
	} {
		if step.err != nil {
			t.Fatalf("%s: %v", step.name, step.err)
		}
	}
	l := v.Subscribe(1 << 12)
	defer l.Close()
	if err := tk.Mount("", "/b", "", vfs.MS_REMOUNT|vfs.MS_BIND|vfs.MS_RDONLY, ""); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, e := range drain(l) {
		if e.Kind != trace.LockAcquire {
			continue
		}
		switch {
		case strings.HasPrefix(e.Class, "&type->s_umount_key#tmpfs") && e.LockMode == trace.ModeExclusive:
			order = append(order, "s_umount")
		case e.Class == "mount_lock":
			order = append(order, "mount_lock")
		}
	}
	if got := strings.Join(order, " "); got != "s_umount mount_lock" {
		t.Errorf("bind remount took %q, want %q", got, "s_umount mount_lock")
	}
	if r := v.Validator().Reports(); len(r) != 0 {
		t.Errorf("validator reports: %v", r)
	}
}
