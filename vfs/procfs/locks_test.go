package procfs_test

import (
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// TestLockSysctls: /proc/sys/fs/lease-break-time and leases-enable read
// Linux's defaults, and writing them changes what leases do.
func TestLockSysctls(t *testing.T) {
	v, tk := setup(t)
	if got := read(t, tk, "/proc/sys/fs/lease-break-time"); got != "45\n" {
		t.Errorf("lease-break-time %q", got)
	}
	if got := read(t, tk, "/proc/sys/fs/leases-enable"); got != "1\n" {
		t.Errorf("leases-enable %q", got)
	}
	var st vfs.Stat
	must(t, tk.Stat("/proc/sys/fs/lease-break-time", &st))
	if st.Mode != vfs.S_IFREG|0o644 {
		t.Errorf("mode %o", st.Mode)
	}
	if _, err := writeFile(tk, "/proc/sys/fs/lease-break-time", "3\n"); err != nil {
		t.Fatal(err)
	}
	if got := v.LeaseBreakTime(); got != 3*time.Second {
		t.Errorf("LeaseBreakTime %v after writing 3", got)
	}
	if _, err := writeFile(tk, "/proc/sys/fs/lease-break-time", "x\n"); err != vfs.EINVAL {
		t.Errorf("writing x: %v", err)
	}
	if got := read(t, tk, "/proc/sys/fs/lease-break-time"); got != "3\n" {
		t.Errorf("lease-break-time after a bad write %q", got)
	}
	// leases-enable 0: no new lease.
	must(t, tk.Mkdir("/tmp/l", 0o755))
	fd, err := tk.Open("/tmp/l/f", vfs.O_RDONLY|vfs.O_CREAT, 0o644)
	must(t, err)
	defer tk.Close(fd)
	if _, err := writeFile(tk, "/proc/sys/fs/leases-enable", "0"); err != nil {
		t.Fatal(err)
	}
	if _, err := tk.Fcntl(fd, vfs.F_SETLEASE, vfs.F_RDLCK); err != vfs.EINVAL {
		t.Errorf("F_SETLEASE with leases-enable 0: %v, want EINVAL", err)
	}
	if _, err := writeFile(tk, "/proc/sys/fs/leases-enable", "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := tk.Fcntl(fd, vfs.F_SETLEASE, vfs.F_RDLCK); err != nil {
		t.Errorf("F_SETLEASE with leases-enable 1: %v", err)
	}
	if got := read(t, tk, "/proc/locks"); len(got) == 0 || got[len(got)-1] != '\n' {
		t.Errorf("/proc/locks with a lease: %q", got)
	}
}
