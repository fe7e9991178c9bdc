package tmpfs_test

import (
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestFallocateModifies: a successful fallocate on tmpfs ends with
// file_modified() (mm/shmem.c shmem_fallocate), whatever the mode: mtime
// and ctime change (KEEP_SIZE and a mode 0 inside i_size too), and a
// caller without CAP_FSETID loses set-user-ID and set-group-ID (with
// group execute), as file_remove_privs does. Linux 6.18 on /dev/shm,
// uid 1000 on a 06755 file of its own: 0755 after each mode.
func TestFallocateModifies(t *testing.T) {
	const P = vfs.PAGE_SIZE
	cases := []struct {
		name      string
		mode      int
		off, n    int64
		uid       uint32
		wantMode  uint32
		wantTimes bool
	}{
		{"KEEP_SIZE", vfs.FALLOC_FL_KEEP_SIZE, 0, 4 * P, 0, 0o6755, true},
		{"KEEP_SIZE past EOF", vfs.FALLOC_FL_KEEP_SIZE, 8 * P, P, 0, 0o6755, true},
		{"mode 0 inside i_size", 0, 0, P, 0, 0o6755, true},
		{"punch", vfs.FALLOC_FL_KEEP_SIZE | vfs.FALLOC_FL_PUNCH_HOLE, 0, P, 0, 0o6755, true},
		{"KEEP_SIZE by the owner", vfs.FALLOC_FL_KEEP_SIZE, 0, 4 * P, 1000, 0o755, true},
		{"mode 0 by the owner", 0, 0, P, 1000, 0o755, true},
		{"punch by the owner", vfs.FALLOC_FL_KEEP_SIZE | vfs.FALLOC_FL_PUNCH_HOLE, 0, P, 1000, 0o755, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tick int64
			clock := func() time.Time { tick += 1000; return time.Unix(1e9, tick) }
			v, tk, err := boot.New(vfs.Options{Clock: clock})
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
			fd, err := tk.Open("/tmp/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			must(err)
			_, err = tk.Pwrite(fd, make([]byte, 2*P), 0)
			must(err)
			must(tk.Fchown(fd, 1000, 1000))
			must(tk.Fchmod(fd, 0o6755))
			must(tk.Close(fd))
			var before, after vfs.Stat
			must(tk.Stat("/tmp/f", &before))
			ut := tk.Fork("user")
			defer ut.Exit()
			ut.SetCred(&vfs.Cred{UID: c.uid, GID: c.uid})
			fd, err = ut.Open("/tmp/f", vfs.O_RDWR, 0)
			must(err)
			defer ut.Close(fd)
			must(ut.Fallocate(fd, c.mode, c.off, c.n))
			must(tk.Stat("/tmp/f", &after))
			if got := after.Mode & 0o7777; got != c.wantMode {
				t.Errorf("mode %#o, want %#o", got, c.wantMode)
			}
			if changed := after.Mtime != before.Mtime && after.Ctime != before.Ctime; changed != c.wantTimes {
				t.Errorf("mtime %d -> %d, ctime %d -> %d: changed %v, want %v",
					before.Mtime, after.Mtime, before.Ctime, after.Ctime, changed, c.wantTimes)
			}
		})
	}
}
