package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// mountBillyfs mounts a billyfs on /e with a regular file /e/f.
func mountBillyfs(e *vt.Env) {
	e.Must(e.Root.Mount("none", "/e", "billyfs", 0, "store=mem"))
	e.WriteFile("/e/f", "data", 0o644)
}

// TestODirect: O_DIRECT needs FMODE_CAN_ODIRECT. fs/open.c
// do_dentry_open() refuses it with EINVAL after ->open for a file that
// lacks it, and fs/fcntl.c setfl() refuses F_SETFL with it the same way
// (open(2): EINVAL "The filesystem does not support the O_DIRECT flag";
// fcntl(2)). tmpfs's regular files have it (mm/shmem.c shmem_file_open),
// as a disk filesystem's do (ext4_file_open; billyfs follows them);
// directories, the mem devices (drivers/char/mem.c) and procfs files do
// not. Linux 6.18 answers the same for each row.
func TestODirect(t *testing.T) {
	open := func(path string, flags int) func(e *vt.Env) error {
		return func(e *vt.Env) error {
			fd, err := e.T.Open(path, flags, 0o644)
			if err == nil {
				got, ferr := e.T.Fcntl(fd, F_GETFL, 0)
				e.Must(ferr)
				if got&O_DIRECT == 0 {
					e.TB.Fatalf("open(%s, %#o) succeeded, F_GETFL %#o without O_DIRECT", path, flags, got)
				}
			}
			return err
		}
	}
	setfl := func(path string, flags, arg int) func(e *vt.Env) error {
		return func(e *vt.Env) error {
			fd, err := e.T.Open(path, flags, 0)
			e.Must(err)
			_, err = e.T.Fcntl(fd, F_SETFL, arg)
			got, ferr := e.T.Fcntl(fd, F_GETFL, 0)
			e.Must(ferr)
			if (err == nil) != (got&O_DIRECT == arg&O_DIRECT) {
				e.TB.Fatalf("F_SETFL(%#o) on %s: %v, F_GETFL %#o", arg, path, err, got)
			}
			return err
		}
	}
	vt.Run(t, []vt.Case{
		{Name: "tmpfs file", Op: open("/d/f", O_RDWR|O_DIRECT)},
		{Name: "tmpfs create", Op: open("/d/new", O_RDWR|O_CREAT|O_DIRECT)},
		{Name: "tmpfs tmpfile", Op: open("/d", O_TMPFILE|O_RDWR|O_DIRECT)},
		{Name: "tmpfs dir", Op: open("/d", O_RDONLY|O_DIRECTORY|O_DIRECT), Want: EINVAL},
		{Name: "dev null", Op: open("/dev/null", O_RDWR|O_DIRECT), Want: EINVAL},
		{Name: "dev zero", Op: open("/dev/zero", O_RDONLY|O_DIRECT), Want: EINVAL},
		{Name: "proc mounts", Op: open("/proc/self/mounts", O_RDONLY|O_DIRECT), Want: EINVAL},
		{Name: "proc dir", Op: open("/proc/self", O_RDONLY|O_DIRECT), Want: EINVAL},
		{Name: "path ignores it", Op: func(e *vt.Env) error {
			// O_PATH keeps only O_PATH_FLAGS: O_DIRECT is dropped.
			_, err := e.T.Open("/dev/null", O_PATH|O_DIRECT, 0)
			return err
		}},
		{Name: "billyfs file", Setup: mountBillyfs, Op: open("/e/f", O_RDWR|O_DIRECT)},
		{Name: "billyfs dir", Setup: mountBillyfs, Op: open("/e", O_RDONLY|O_DIRECT), Want: EINVAL},
		{Name: "setfl tmpfs file", Op: setfl("/d/f", O_RDWR, O_DIRECT)},
		{Name: "setfl tmpfs dir", Op: setfl("/d", O_RDONLY, O_DIRECT), Want: EINVAL},
		{Name: "setfl dev null", Op: setfl("/dev/null", O_RDWR, O_DIRECT), Want: EINVAL},
		{Name: "setfl dev null append", Op: setfl("/dev/null", O_RDWR, O_DIRECT|O_APPEND), Want: EINVAL},
		{Name: "setfl dev null without it", Op: setfl("/dev/null", O_RDWR, O_APPEND)},
		{Name: "setfl proc file", Op: setfl("/proc/self/mounts", O_RDONLY, O_DIRECT), Want: EINVAL},
		{Name: "setfl billyfs file", Setup: mountBillyfs, Op: setfl("/e/f", O_RDWR, O_DIRECT)},
	})
}
