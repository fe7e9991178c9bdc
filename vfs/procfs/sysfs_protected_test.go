package procfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestProtectedHardlinksFile: /proc/sys/fs/protected_hardlinks, 0644
// root's, reads the kernel's default 0; a write of 0 or 1 sets
// fs.protected_hardlinks, anything else is EINVAL and changes nothing
// (fs/namei.c namei_sysctls: proc_dointvec_minmax, SYSCTL_ZERO to
// SYSCTL_ONE); a non-root writer is refused by the mode (EACCES).
func TestProtectedHardlinksFile(t *testing.T) {
	const path = "/proc/sys/fs/protected_hardlinks"
	v, tk := setup(t)
	var st vfs.Stat
	must(t, tk.Lstat(path, &st))
	if st.Mode != vfs.S_IFREG|0o644 || st.UID != 0 {
		t.Fatalf("mode %o uid %d", st.Mode, st.UID)
	}
	if got := read(t, tk, path); got != "0\n" {
		t.Fatalf("default reads %q, want 0", got)
	}
	user := tk.Fork("user")
	user.SetCred(&vfs.Cred{UID: 1000, GID: 1000})
	defer user.Exit()
	for _, c := range []struct {
		name string
		as   *vfs.Task
		data string
		err  error
		want string // the file afterwards
	}{
		{"one", tk, "1\n", nil, "1\n"},
		{"two", tk, "2\n", vfs.EINVAL, "1\n"},
		{"negative", tk, "-1\n", vfs.EINVAL, "1\n"},
		{"not a number", tk, "yes\n", vfs.EINVAL, "1\n"},
		{"user", user, "0\n", vfs.EACCES, "1\n"},
		{"zero", tk, "0", nil, "0\n"},
		{"hex one", tk, "0x1", nil, "1\n"},
	} {
		if _, err := writeFile(c.as, path, c.data); err != c.err {
			t.Errorf("%s: write %q: %v, want %v", c.name, c.data, err, c.err)
		}
		if got := read(t, tk, path); got != c.want {
			t.Errorf("%s: reads %q, want %q", c.name, got, c.want)
		}
		if got, want := v.ProtectedHardlinks(), int64(c.want[0]-'0'); got != want {
			t.Errorf("%s: VFS has %d, want %d", c.name, got, want)
		}
	}
}
