package procfs_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// mountIDOf returns the mount id /proc/self/mountinfo gives the mount at
// mountpoint.
func mountIDOf(t *testing.T, tk *vfs.Task, mountpoint string) string {
	t.Helper()
	for _, line := range strings.Split(read(t, tk, "/proc/self/mountinfo"), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == mountpoint {
			return f[0]
		}
	}
	t.Fatalf("no mount at %s in /proc/self/mountinfo", mountpoint)
	return ""
}

// TestFdinfo: /proc/<pid>/fdinfo/N in Linux's format (fs/proc/fd.c
// seq_show and show_fd_locks): the position, f_flags in octal with
// O_CLOEXEC for a close-on-exec descriptor (and the O_LARGEFILE openat
// adds), the mount's id, the inode's number, then the description's
// locks, flock ones before POSIX ones. The wanted text has the shape
// /proc/self/fdinfo has on Linux 6.18 for the same open, write and
// locks of a file in /dev/shm:
//
//	pos:	5
//	flags:	02102002
//	mnt_id:	30
//	ino:	4627609
//	lock:	1: FLOCK  ADVISORY  READ 21869 00:1b:4627609 0 EOF
//	lock:	2: POSIX  ADVISORY  WRITE 21869 00:1b:4627609 1 3
func TestFdinfo(t *testing.T) {
	_, tk := setup(t)
	fd, err := tk.Open("/tmp/f", vfs.O_RDWR|vfs.O_CREAT|vfs.O_CLOEXEC|vfs.O_APPEND, 0o644)
	must(t, err)
	_, err = tk.Write(fd, []byte("hello"))
	must(t, err)
	must(t, tk.FcntlLock(fd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Whence: vfs.SEEK_SET, Start: 1, Len: 3}))
	must(t, tk.Flock(fd, vfs.LOCK_SH))
	other, err := tk.Open("/tmp/f", vfs.O_RDONLY, 0)
	must(t, err)
	var st vfs.Stat
	must(t, tk.Fstat(fd, &st))
	dev := fmt.Sprintf("%02x:%02x:%d", vfs.Major(st.Dev), vfs.Minor(st.Dev), st.Ino)
	pid := strconv.Itoa(int(tk.PID()))
	mnt := mountIDOf(t, tk, "/") // /tmp is on the root tmpfs
	want := "pos:\t5\nflags:\t02102002\nmnt_id:\t" + mnt + "\nino:\t" + strconv.FormatUint(st.Ino, 10) + "\n" +
		"lock:\t1: FLOCK  ADVISORY  READ " + pid + " " + dev + " 0 EOF\n" +
		"lock:\t2: POSIX  ADVISORY  WRITE " + pid + " " + dev + " 1 3\n"
	if got := read(t, tk, "/proc/self/fdinfo/"+strconv.Itoa(fd)); got != want {
		t.Errorf("fdinfo of the locking descriptor:\n%s\nwant:\n%s", got, want)
	}
	// Another description of the file holds none of the locks; the
	// position and flags are its own.
	want = "pos:\t0\nflags:\t0100000\nmnt_id:\t" + mnt + "\nino:\t" + strconv.FormatUint(st.Ino, 10) + "\n"
	if got := read(t, tk, "/proc/"+pid+"/fdinfo/"+strconv.Itoa(other)); got != want {
		t.Errorf("fdinfo of the other descriptor:\n%s\nwant:\n%s", got, want)
	}

	var names []string
	for _, e := range list(t, tk, "/proc/self/fdinfo") {
		names = append(names, e.Name)
	}
	// The listing's own descriptor is the next one, as on Linux.
	if got, want := strings.Join(names, " "), fmt.Sprintf(". .. %d %d %d", fd, other, other+1); got != want {
		t.Errorf("ls /proc/self/fdinfo: %s, want %s", got, want)
	}
	for _, c := range []struct {
		path string
		mode uint32
	}{
		{"/proc/self/fdinfo", vfs.S_IFDIR | 0o555},
		{"/proc/self/fdinfo/" + strconv.Itoa(fd), vfs.S_IFREG | 0o444},
	} {
		if err := tk.Stat(c.path, &st); err != nil {
			t.Fatalf("stat %s: %v", c.path, err)
		}
		if st.Mode != c.mode {
			t.Errorf("stat %s: mode %o, want %o", c.path, st.Mode, c.mode)
		}
	}

	// A closed descriptor has no entry; one opened later has.
	must(t, tk.Close(other))
	if _, err := tk.Open("/proc/self/fdinfo/"+strconv.Itoa(other), vfs.O_RDONLY, 0); err != vfs.ENOENT {
		t.Errorf("open fdinfo of a closed descriptor: %v, want ENOENT", err)
	}
	for _, name := range []string{"x", "-1", "01", "99"} {
		if _, err := tk.Open("/proc/self/fdinfo/"+name, vfs.O_RDONLY, 0); err != vfs.ENOENT {
			t.Errorf("open fdinfo/%s: %v, want ENOENT", name, err)
		}
	}

	// proc_fdinfo_permission: another user may not look.
	stranger := tk.Fork("stranger")
	defer stranger.Exit()
	stranger.SetCred(&vfs.Cred{UID: 1000, GID: 1000})
	if _, err := stranger.Open("/proc/"+pid+"/fdinfo/"+strconv.Itoa(fd), vfs.O_RDONLY, 0); err != vfs.EACCES {
		t.Errorf("another user opens fdinfo: %v, want EACCES", err)
	}
}
