package billyfs_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestWriteDroppedSuidPersists: the set-user-ID bit a non-root write
// drops stays dropped over an unmount and a mount, also when the write
// falls in the clock tick of the file's last time update (here a frozen
// clock: the write changes no time, so only the mode change dirties the
// inode).
func TestWriteDroppedSuidPersists(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	v, root, err := boot.New(vfs.Options{Lockdep: true, Clock: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Shutdown()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	store := fmt.Sprintf("mem:%s-%d", t.Name(), storeSeq.Add(1))
	defer billyfs.ForgetStore(store)
	must(root.Mkdir("/mnt", 0o755))
	must(root.Mount("none", "/mnt", "billyfs", 0, "store="+store))
	fd, err := root.Open("/mnt/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
	must(err)
	_, err = root.Write(fd, []byte("hello"))
	must(err)
	must(root.Close(fd))
	must(root.Chmod("/mnt/f", 0o4777))
	root.Sync()

	u := root.Fork("user")
	u.SetCred(&vfs.Cred{UID: 1000, GID: 1000})
	fd, err = u.Open("/mnt/f", vfs.O_WRONLY, 0)
	must(err)
	_, err = u.Write(fd, []byte("J"))
	must(err)
	must(u.Close(fd))
	u.Exit()

	var st vfs.Stat
	must(root.Stat("/mnt/f", &st))
	if st.Mode&vfs.S_ISUID != 0 {
		t.Fatalf("after the write: mode %o keeps set-user-ID", st.Mode)
	}
	must(root.Umount2("/mnt", 0))
	must(root.Mount("none", "/mnt", "billyfs", 0, "store="+store))
	must(root.Stat("/mnt/f", &st))
	if st.Mode&vfs.S_ISUID != 0 {
		t.Errorf("after a remount: mode %o, set-user-ID is back", st.Mode)
	}
	must(root.Umount2("/mnt", 0))
}
