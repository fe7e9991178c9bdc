package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestFsyncEinvalLeavesLazyTimes: fsync of a file whose driver has no
// ->fsync (a character device) is EINVAL before anything changes
// (vfs_fsync_range checks ->fsync first), so lazily dirtied timestamps
// stay I_DIRTY_TIME rather than become I_DIRTY_SYNC; fdatasync the same.
// (TestLazytime has fsync of a regular file write them.)
func TestFsyncEinvalLeavesLazyTimes(t *testing.T) {
	cases := []struct {
		name     string
		datasync bool
	}{
		{"fsync", false},
		{"fdatasync", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := vt.New(t)
			tk := e.Root
			var opened *Inode
			fops := &FileOperations{Open: func(t *Task, in *Inode, f *File) error { opened = in; return nil }}
			e.Must(e.V.RegisterChrdev("nofsync", 242, 0, fops))
			e.Must(tk.Mkdir("/lt", 0o777))
			e.Must(tk.Mount("tmpfs", "/lt", "tmpfs", MS_LAZYTIME, ""))
			e.Must(tk.Mknod("/lt/dev", S_IFCHR|0o666, MkDev(242, 0)))
			fd, err := tk.Open("/lt/dev", O_RDWR, 0)
			e.Must(err)
			in := opened
			MarkInodeDirtyTimes(tk, in)
			if st := in.State() & (I_DIRTY | I_DIRTY_TIME); st != I_DIRTY_TIME {
				t.Fatalf("before: state %#x, want I_DIRTY_TIME", st)
			}
			sync := tk.Fsync
			if c.datasync {
				sync = tk.Fdatasync
			}
			if err := sync(fd); err != EINVAL {
				t.Errorf("%s: %v, want EINVAL", c.name, err)
			}
			if st := in.State() & (I_DIRTY | I_DIRTY_TIME); st != I_DIRTY_TIME {
				t.Errorf("after %s: state %#x, want I_DIRTY_TIME", c.name, st)
			}
			e.Must(tk.Close(fd))
		})
	}
}
