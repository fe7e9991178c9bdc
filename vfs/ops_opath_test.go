package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestOPathDescriptors: the calls Linux makes through fdget() (which
// refuses FMODE_PATH files, include/linux/file.h, fs/file.c
// __fget_light's mask) give EBADF on an O_PATH descriptor: fchmod,
// fchown (fs/open.c), fgetxattr, fsetxattr (fs/xattr.c), pread64,
// pwrite64 (fs/read_write.c ksys_pread64: a negative offset is EINVAL
// first), utimensat(fd, NULL) (fs/utimes.c do_utimes_fd, which also
// refuses any flag with EINVAL before looking at the descriptor), and
// fcntl commands other than F_DUPFD*, F_GETFD, F_SETFD, F_GETFL
// (fs/fcntl.c check_fcntl_cmd). The calls that use fdget_raw() or
// LOOKUP_EMPTY keep accepting it: fstat, fchdir, fchmodat and fchownat
// with AT_EMPTY_PATH, utimensat(fd, "", AT_EMPTY_PATH), fcntl(F_GETFL).
func TestOPathDescriptors(t *testing.T) {
	opath := func(e *vt.Env) int { return openT(e, "/d/f", O_PATH) }
	buf := make([]byte, 4)
	ts := &[2]Timespec{{1, 0}, {1, 0}}
	vt.Run(t, []vt.Case{
		{Name: "fchmod", Op: func(e *vt.Env) error { return e.T.Fchmod(opath(e), 0o600) }, Want: EBADF,
			Check: wantMode("/d/f", S_IFREG|0o644)},
		{Name: "fchown", Op: func(e *vt.Env) error { return e.T.Fchown(opath(e), 1, 1) }, Want: EBADF,
			Check: wantOwner("/d/f", 0, 0)},
		{Name: "fgetxattr", Op: func(e *vt.Env) error { _, err := e.T.Fgetxattr(opath(e), "user.a"); return err }, Want: EBADF},
		{Name: "fsetxattr", Op: func(e *vt.Env) error { return e.T.Fsetxattr(opath(e), "user.a", []byte("v"), 0) }, Want: EBADF},
		{Name: "pread", Op: func(e *vt.Env) error { _, err := e.T.Pread(opath(e), buf, 0); return err }, Want: EBADF},
		{Name: "pwrite", Op: func(e *vt.Env) error { _, err := e.T.Pwrite(opath(e), buf, 0); return err }, Want: EBADF},
		{Name: "preadv", Op: func(e *vt.Env) error { _, err := e.T.Preadv(opath(e), [][]byte{buf}, 0); return err }, Want: EBADF},
		{Name: "pwritev", Op: func(e *vt.Env) error { _, err := e.T.Pwritev(opath(e), [][]byte{buf}, 0); return err }, Want: EBADF},
		{Name: "pread negative offset before bad fd", Op: func(e *vt.Env) error { _, err := e.T.Pread(61, buf, -1); return err }, Want: EINVAL},
		{Name: "pwrite negative offset before bad fd", Op: func(e *vt.Env) error { _, err := e.T.Pwrite(61, buf, -1); return err }, Want: EINVAL},
		{Name: "utimensat fd NULL", Op: func(e *vt.Env) error { return e.T.Utimensat(opath(e), "", ts, 0) }, Want: EBADF},
		{Name: "utimensat fd NULL now", Op: func(e *vt.Env) error { return e.T.Utimensat(opath(e), "", nil, 0) }, Want: EBADF},
		{Name: "utimensat fd NULL nofollow", Op: func(e *vt.Env) error {
			return e.T.Utimensat(openT(e, "/d/f", O_RDONLY), "", ts, AT_SYMLINK_NOFOLLOW)
		}, Want: EINVAL},
		{Name: "utimensat fd NULL nofollow O_PATH symlink", Op: func(e *vt.Env) error {
			return e.T.Utimensat(openT(e, "/d/l", O_PATH|O_NOFOLLOW), "", ts, AT_SYMLINK_NOFOLLOW)
		}, Want: EINVAL},
		{Name: "utimensat fd NULL bad fd", Op: func(e *vt.Env) error { return e.T.Utimensat(61, "", ts, 0) }, Want: EBADF},
		{Name: "utimensat fd NULL readable", Op: func(e *vt.Env) error { return e.T.Utimensat(openT(e, "/d/f", O_RDONLY), "", ts, 0) }},
		{Name: "fcntl F_SETLEASE", Op: func(e *vt.Env) error { _, err := e.T.Fcntl(opath(e), F_SETLEASE, F_RDLCK); return err }, Want: EBADF},
		{Name: "fallocate", Op: func(e *vt.Env) error { return e.T.Fallocate(opath(e), 0, 0, 4096) }, Want: EBADF},
		{Name: "mmap", Op: func(e *vt.Env) error { _, err := e.T.Mmap(opath(e), 0, 4096, PROT_READ, MAP_SHARED); return err }, Want: EBADF},
		{Name: "fcntl F_GETLEASE", Op: func(e *vt.Env) error { _, err := e.T.Fcntl(opath(e), F_GETLEASE, 0); return err }, Want: EBADF},
		// What O_PATH is for: these keep working.
		{Name: "fstat", Op: func(e *vt.Env) error { var st Stat; return e.T.Fstat(opath(e), &st) }},
		{Name: "fchmodat empty path", Op: func(e *vt.Env) error { return e.T.Fchmodat(opath(e), "", 0o640, AT_EMPTY_PATH) },
			Check: wantMode("/d/f", S_IFREG|0o640)},
		{Name: "fchownat empty path", Op: func(e *vt.Env) error { return e.T.Fchownat(opath(e), "", 3, 4, AT_EMPTY_PATH) },
			Check: wantOwner("/d/f", 3, 4)},
		{Name: "utimensat empty path", Op: func(e *vt.Env) error { return e.T.Utimensat(opath(e), "", ts, AT_EMPTY_PATH) }},
		{Name: "fcntl F_GETFL", Op: func(e *vt.Env) error { _, err := e.T.Fcntl(opath(e), F_GETFL, 0); return err }},
		{Name: "fcntl F_DUPFD", Op: func(e *vt.Env) error { _, err := e.T.Fcntl(opath(e), F_DUPFD, 0); return err }},
		{Name: "fchdir", Op: func(e *vt.Env) error { return e.T.Fchdir(openT(e, "/d/sub", O_PATH)) }},
	})
}
