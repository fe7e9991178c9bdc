package procfs_test

import (
	"strconv"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestPidOwnerFollowsCred: a /proc/<pid> inode's owner is brought up to
// date at each revalidation (pid_revalidate -> pid_update_inode,
// tid_fd_revalidate -> tid_fd_update_inode), not kept from the first
// lookup: after the task's credentials change to uid 1000, its entries
// stat as uid 1000 and another uid-1000 task may open its 0500 fd
// directory, as on Linux (there, once the task is dumpable again, as
// after an exec).
func TestPidOwnerFollowsCred(t *testing.T) {
	_, tk := setup(t)
	child := tk.Fork("child")
	defer child.Exit()
	fd, err := child.Open("/tmp", vfs.O_RDONLY, 0)
	must(t, err)
	dir := "/proc/" + pidStr(child)
	paths := []string{dir, dir + "/fd", dir + "/fdinfo", dir + "/maps", dir + "/cwd",
		dir + "/fd/" + strconv.Itoa(fd), dir + "/fdinfo/" + strconv.Itoa(fd)}
	owner := func(uid uint32) {
		t.Helper()
		for _, p := range paths {
			var st vfs.Stat
			must(t, tk.Lstat(p, &st))
			if st.UID != uid || st.GID != uid {
				t.Errorf("%s owned by %d:%d, want %d:%d", p, st.UID, st.GID, uid, uid)
			}
		}
	}
	user := tk.Fork("user")
	defer user.Exit()
	user.SetCred(&vfs.Cred{UID: 1000, GID: 1000})
	cases := []struct {
		name string
		cred *vfs.Cred
		open error // user opening the child's fd directory
	}{
		{"root", vfs.RootCred, vfs.EACCES},
		{"after setuid", &vfs.Cred{UID: 1000, GID: 1000}, nil},
		{"another user", &vfs.Cred{UID: 1001, GID: 1001}, vfs.EACCES},
	}
	for _, c := range cases {
		child.SetCred(c.cred)
		owner(c.cred.UID)
		dfd, err := user.Open(dir+"/fd", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
		if err != c.open {
			t.Errorf("%s: a uid-1000 task opens %s/fd: %v, want %v", c.name, dir, err, c.open)
		}
		if err == nil {
			must(t, user.Close(dfd))
		}
	}
}
