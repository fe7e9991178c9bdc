package procfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestSysctlReadv: a sysctl file's read is proc_sys_read, a read_iter:
// a readv formats the value once and spreads it over the vector, as
// wasi-libc's stdio reads (a short buffer, then its own); a read past
// position 0 still gets nothing.
func TestSysctlReadv(t *testing.T) {
	_, tk := setup(t)
	for _, c := range []struct {
		path string
		want string
	}{
		{"/proc/sys/vm/dirty_ratio", "20\n"},
		{"/proc/sys/fs/file-nr", ""}, // a vector of values: compared with a plain read
	} {
		want := c.want
		if want == "" {
			fd, err := tk.Open(c.path, vfs.O_RDONLY, 0)
			must(t, err)
			buf := make([]byte, 256)
			n, err := tk.Read(fd, buf)
			must(t, err)
			must(t, tk.Close(fd))
			want = string(buf[:n])
		}
		fd, err := tk.Open(c.path, vfs.O_RDONLY, 0)
		must(t, err)
		a, b := make([]byte, 1), make([]byte, 64)
		n, err := tk.Readv(fd, [][]byte{a, b})
		if err != nil || n != len(want) || string(a)+string(b[:n-1]) != want {
			t.Errorf("readv of %s: %d, %v, %q+%q; want %q", c.path, n, err, a, b[:max(n-1, 0)], want)
		}
		if n, err := tk.Readv(fd, [][]byte{a, b}); n != 0 || err != nil {
			t.Errorf("readv of %s again: %d, %v; want 0 (past position 0)", c.path, n, err)
		}
		must(t, tk.Close(fd))
	}
}

// TestSysctlDirs: the directories of /proc/sys answer as
// proc_sys_permission and proc_sys_setattr do, root included: no
// writing in them (EACCES), no chmod or chown (EPERM).
func TestSysctlDirs(t *testing.T) {
	_, tk := setup(t)
	for _, d := range []string{"/proc/sys", "/proc/sys/vm", "/proc/sys/fs"} {
		if err := tk.Chmod(d, 0o700); err != vfs.EPERM {
			t.Errorf("chmod %s: %v, want EPERM", d, err)
		}
		if err := tk.Chown(d, 5, 5); err != vfs.EPERM {
			t.Errorf("chown %s: %v, want EPERM", d, err)
		}
		if err := tk.Access(d, vfs.W_OK); err != vfs.EACCES {
			t.Errorf("access(%s, W_OK) as root: %v, want EACCES", d, err)
		}
		if err := tk.Access(d, vfs.R_OK|vfs.X_OK); err != nil {
			t.Errorf("access(%s, R_OK|X_OK): %v", d, err)
		}
	}
	if err := tk.Unlink("/proc/sys/fs/file-nr"); err != vfs.EACCES {
		t.Errorf("unlink in /proc/sys/fs: %v, want EACCES", err)
	}
	if err := tk.Rmdir("/proc/sys/vm"); err != vfs.EACCES {
		t.Errorf("rmdir /proc/sys/vm: %v, want EACCES", err)
	}
}

// TestPidDirSetattr: /proc/<pid> and its fd directory take no mode
// change, from their owner or root (proc_setattr's EPERM), which keeps
// fd's 0500 from being opened up; fd's st_size counts the task's open
// descriptors (proc_fd_getattr).
func TestPidDirSetattr(t *testing.T) {
	_, tk := setup(t)
	user := tk.Fork("user")
	defer user.Exit()
	user.SetCred(&vfs.Cred{UID: 1000, GID: 1000})
	for _, c := range []struct {
		tk   *vfs.Task
		path string
	}{
		{user, "/proc/self"}, {user, "/proc/self/fd"}, {tk, "/proc/1"}, {tk, "/proc/self/fd"},
	} {
		var before, after vfs.Stat
		must(t, c.tk.Stat(c.path, &before))
		if err := c.tk.Chmod(c.path, 0o777); err != vfs.EPERM {
			t.Errorf("chmod %s: %v, want EPERM", c.path, err)
		}
		if err := c.tk.Stat(c.path, &after); err != nil || after.Mode != before.Mode {
			t.Errorf("%s: mode %o after the chmod, %o before (%v)", c.path, after.Mode, before.Mode, err)
		}
	}
	fds := len(tk.FDsOf(user))
	var st vfs.Stat
	must(t, user.Stat("/proc/self/fd", &st))
	if st.Size != int64(fds) {
		t.Errorf("/proc/self/fd size %d, want %d open descriptors", st.Size, fds)
	}
	fd, err := user.Open("/proc/self", vfs.O_RDONLY, 0)
	must(t, err)
	must(t, user.Stat("/proc/self/fd", &st))
	if st.Size != int64(fds+1) {
		t.Errorf("/proc/self/fd size %d after an open, want %d", st.Size, fds+1)
	}
	must(t, user.Close(fd))
}

// TestProcFsync: procfs has no ->fsync, so fsync and fdatasync of its
// files and directories are EINVAL (vfs_fsync_range), as on Linux.
func TestProcFsync(t *testing.T) {
	_, tk := setup(t)
	for _, p := range []string{"/proc", "/proc/self", "/proc/self/status", "/proc/meminfo", "/proc/sys/vm", "/proc/sys/vm/dirty_ratio"} {
		fd, err := tk.Open(p, vfs.O_RDONLY, 0)
		must(t, err)
		if err := tk.Fsync(fd); err != vfs.EINVAL {
			t.Errorf("fsync %s: %v, want EINVAL", p, err)
		}
		if err := tk.Fdatasync(fd); err != vfs.EINVAL {
			t.Errorf("fdatasync %s: %v, want EINVAL", p, err)
		}
		must(t, tk.Close(fd))
	}
}
