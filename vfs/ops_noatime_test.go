package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestNoatime: O_NOATIME (open(2), fcntl(2) F_SETFL). A read through a
// file with O_NOATIME leaves the access time (include/linux/fs.h
// file_accessed: no touch_atime when f_flags has O_NOATIME); only the
// owner or a capable task may set it, at open (fs/namei.c may_open) or
// with F_SETFL (fs/fcntl.c setfl: inode_owner_or_capable, EPERM).
func TestNoatime(t *testing.T) {
	const old = 1e9 // an atime older than mtime: relatime updates it
	aged := func(e *vt.Env) {
		e.Must(e.Root.Utimensat(AT_FDCWD, "/d/f", &[2]Timespec{{1, 0}, {0, UTIME_OMIT}}, 0))
	}
	user := func(e *vt.Env) { aged(e); e.As(1000, 1000) }
	read := func(flags int) func(e *vt.Env) error {
		return func(e *vt.Env) error {
			fd, err := e.T.Open("/d/f", flags, 0)
			if err != nil {
				return err
			}
			defer e.T.Close(fd)
			_, err = e.T.Read(fd, make([]byte, 5))
			return err
		}
	}
	setflRead := func(e *vt.Env) error {
		fd, err := e.T.Open("/d/f", O_RDONLY, 0)
		if err != nil {
			return err
		}
		defer e.T.Close(fd)
		if _, err := e.T.Fcntl(fd, F_SETFL, O_NOATIME); err != nil {
			return err
		}
		_, err = e.T.Read(fd, make([]byte, 5))
		return err
	}
	setfl := func(arg int) func(e *vt.Env) error {
		return func(e *vt.Env) error {
			fd, err := e.T.Open("/d/f", O_RDONLY, 0)
			if err != nil {
				return err
			}
			defer e.T.Close(fd)
			_, err = e.T.Fcntl(fd, F_SETFL, arg)
			return err
		}
	}
	atime := func(kept bool) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.TB.Helper()
			if got := e.Stat("/d/f").Atime; (got == old) != kept {
				e.TB.Fatalf("atime %d, kept %v, want kept %v", got, got == old, kept)
			}
		}
	}
	agedDir := func(e *vt.Env) {
		e.Must(e.Root.Utimensat(AT_FDCWD, "/d/sub", &[2]Timespec{{1, 0}, {0, UTIME_OMIT}}, 0))
	}
	getdents := func(flags int) func(e *vt.Env) error {
		return func(e *vt.Env) error {
			_, err := e.T.Getdents(openT(e, "/d/sub", flags), 4096)
			return err
		}
	}
	dirAtime := func(kept bool) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.TB.Helper()
			if got := e.Stat("/d/sub").Atime; (got == old) != kept {
				e.TB.Fatalf("directory atime %d, kept %v, want kept %v", got, got == old, kept)
			}
		}
	}
	vt.Run(t, []vt.Case{
		{Name: "read touches atime", Setup: aged, Op: read(O_RDONLY), Check: atime(false)},
		{Name: "O_NOATIME read keeps atime", Setup: aged, Op: read(O_RDONLY | O_NOATIME), Check: atime(true)},
		{Name: "F_SETFL O_NOATIME read keeps atime", Setup: aged, Op: setflRead, Check: atime(true)},
		{Name: "pread O_NOATIME keeps atime", Setup: aged, Op: func(e *vt.Env) error {
			_, err := e.T.Pread(openT(e, "/d/f", O_RDONLY|O_NOATIME), make([]byte, 5), 0)
			return err
		}, Check: atime(true)},
		{Name: "mmap O_NOATIME keeps atime", Setup: aged, Op: func(e *vt.Env) error {
			m, err := e.T.Mmap(openT(e, "/d/f", O_RDONLY|O_NOATIME), 0, PAGE_SIZE, PROT_READ, MAP_SHARED)
			if err == nil {
				e.T.Munmap(m)
			}
			return err
		}, Check: atime(true)},
		{Name: "mmap touches atime", Setup: aged, Op: func(e *vt.Env) error {
			m, err := e.T.Mmap(openT(e, "/d/f", O_RDONLY), 0, PAGE_SIZE, PROT_READ, MAP_SHARED)
			if err == nil {
				e.T.Munmap(m)
			}
			return err
		}, Check: atime(false)},
		{Name: "getdents O_NOATIME keeps the directory's atime", Setup: agedDir, Op: getdents(O_RDONLY | O_DIRECTORY | O_NOATIME), Check: dirAtime(true)},
		{Name: "getdents touches the directory's atime", Setup: agedDir, Op: getdents(O_RDONLY | O_DIRECTORY), Check: dirAtime(false)},
		{Name: "F_SETFL O_NOATIME non-owner", Setup: user, Op: setfl(O_NOATIME), Want: EPERM},
		{Name: "F_SETFL O_NOATIME with others non-owner", Setup: user, Op: setfl(O_NOATIME | O_NONBLOCK), Want: EPERM},
		{Name: "F_SETFL without O_NOATIME non-owner", Setup: user, Op: setfl(O_NONBLOCK)},
		{Name: "open O_NOATIME non-owner", Setup: user, Op: read(O_RDONLY | O_NOATIME), Want: EPERM, Check: atime(true)},
		{Name: "F_SETFL O_NOATIME owner", Setup: func(e *vt.Env) {
			aged(e)
			e.Must(e.Root.Chown("/d/f", 1000, 1000))
			e.As(1000, 1000)
		}, Op: setflRead, Check: atime(true)},
	})
}
