package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// openOnly opens path and closes the descriptor again: the error is the
// open's.
func openOnly(e *vt.Env, path string, flags int, mode uint32) error {
	fd, err := e.T.Open(path, flags, mode)
	if err == nil {
		e.Must(e.T.Close(fd))
	}
	return err
}

func wantSize(path string, size int64) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		if st := e.Stat(path); st.Size != size {
			e.TB.Fatalf("%s: size %d, want %d", path, st.Size, size)
		}
	}
}

func wantMode(path string, mode uint32) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		if st := e.Lstat(path); st.Mode != mode {
			e.TB.Fatalf("%s: mode %o, want %o", path, st.Mode, mode)
		}
	}
}

func wantAbsent(path string) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		if e.Exists(path) {
			e.TB.Fatalf("%s exists", path)
		}
	}
}

func wantContent(path, data string) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		got, err := e.ReadFile(path)
		e.Must(err)
		if got != data {
			e.TB.Fatalf("%s: %q, want %q", path, got, data)
		}
	}
}

// TestOpen: open(2) and openat(2), the man page's ERRORS and flags.
func TestOpen(t *testing.T) {
	vt.Run(t, []vt.Case{
		{Name: "existing rdonly", Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_RDONLY, 0) }},
		{Name: "missing", Op: func(e *vt.Env) error { return openOnly(e, "/d/nope", O_RDONLY, 0) }, Want: ENOENT},
		{Name: "empty path", Op: func(e *vt.Env) error { return openOnly(e, "", O_RDONLY, 0) }, Want: ENOENT},
		{Name: "missing parent", Op: func(e *vt.Env) error { return openOnly(e, "/nope/f", O_CREAT|O_WRONLY, 0o644) }, Want: ENOENT},
		{Name: "parent is file", Op: func(e *vt.Env) error { return openOnly(e, "/d/f/x", O_CREAT|O_WRONLY, 0o644) }, Want: ENOTDIR},
		{Name: "creat new", Op: func(e *vt.Env) error { return openOnly(e, "/d/new", O_CREAT|O_WRONLY, 0o666) },
			Check: wantMode("/d/new", S_IFREG|0o644)},
		{Name: "creat existing keeps data", Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_CREAT|O_WRONLY, 0o600) },
			Check: func(e *vt.Env) { wantSize("/d/f", 5)(e); wantMode("/d/f", S_IFREG|0o644)(e) }},
		{Name: "creat excl existing", Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_CREAT|O_EXCL|O_WRONLY, 0o644) }, Want: EEXIST},
		{Name: "creat excl dangling symlink", Op: func(e *vt.Env) error { return openOnly(e, "/d/dangle", O_CREAT|O_EXCL|O_WRONLY, 0o644) },
			Want: EEXIST, Check: wantAbsent("/d/nothere")},
		{Name: "creat through dangling symlink", Op: func(e *vt.Env) error { return openOnly(e, "/d/dangle", O_CREAT|O_WRONLY, 0o644) },
			Check: wantMode("/d/nothere", S_IFREG|0o644)},
		{Name: "creat on dir", Op: func(e *vt.Env) error { return openOnly(e, "/d/sub", O_CREAT|O_RDONLY, 0o644) }, Want: EISDIR},
		{Name: "creat trailing slash", Op: func(e *vt.Env) error { return openOnly(e, "/d/new/", O_CREAT|O_WRONLY, 0o644) }, Want: EISDIR},
		{Name: "creat nofollow on symlink", Op: func(e *vt.Env) error { return openOnly(e, "/d/l", O_CREAT|O_NOFOLLOW|O_WRONLY, 0o644) }, Want: ELOOP},
		{Name: "wronly dir", Op: func(e *vt.Env) error { return openOnly(e, "/d/sub", O_WRONLY, 0) }, Want: EISDIR},
		{Name: "rdwr dir", Op: func(e *vt.Env) error { return openOnly(e, "/d/sub", O_RDWR, 0) }, Want: EISDIR},
		{Name: "rdonly dir", Op: func(e *vt.Env) error { return openOnly(e, "/d/sub", O_RDONLY, 0) }},
		{Name: "directory on file", Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_RDONLY|O_DIRECTORY, 0) }, Want: ENOTDIR},
		{Name: "directory via symlink", Op: func(e *vt.Env) error { return openOnly(e, "/d/ld", O_RDONLY|O_DIRECTORY, 0) }},
		{Name: "trailing slash on file", Op: func(e *vt.Env) error { return openOnly(e, "/d/f/", O_RDONLY, 0) }, Want: ENOTDIR},
		{Name: "nofollow symlink", Op: func(e *vt.Env) error { return openOnly(e, "/d/l", O_RDONLY|O_NOFOLLOW, 0) }, Want: ELOOP},
		{Name: "nofollow only last", Op: func(e *vt.Env) error { return openOnly(e, "/d/ld/g", O_RDONLY|O_NOFOLLOW, 0) }},
		{Name: "follow symlink", Op: func(e *vt.Env) error { return openOnly(e, "/d/l", O_RDONLY, 0) }},
		{Name: "dangling", Op: func(e *vt.Env) error { return openOnly(e, "/d/dangle", O_RDONLY, 0) }, Want: ENOENT},
		{Name: "path nofollow symlink", Op: func(e *vt.Env) error { return openOnly(e, "/d/l", O_PATH|O_NOFOLLOW, 0) }},
		{Name: "path needs no read permission", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0)); e.As(1000, 1000) },
			Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_PATH, 0) }},
		{Name: "path fd read", Op: func(e *vt.Env) error {
			fd, err := e.T.Open("/d/f", O_PATH, 0)
			e.Must(err)
			_, err = e.T.Read(fd, make([]byte, 4))
			return err
		}, Want: EBADF},
		{Name: "path fd write", Op: func(e *vt.Env) error {
			fd, err := e.T.Open("/d/f", O_PATH|O_RDWR, 0)
			e.Must(err)
			_, err = e.T.Write(fd, []byte("x"))
			return err
		}, Want: EBADF},
		{Name: "path fd fstat", Op: func(e *vt.Env) error {
			fd, err := e.T.Open("/d/l", O_PATH|O_NOFOLLOW, 0)
			e.Must(err)
			var st Stat
			e.Must(e.T.Fstat(fd, &st))
			if !IsLnk(st.Mode) {
				e.TB.Fatalf("mode %o", st.Mode)
			}
			return nil
		}},
		{Name: "path fd getdents", Op: func(e *vt.Env) error {
			fd, err := e.T.Open("/d", O_PATH, 0)
			e.Must(err)
			_, err = e.T.Getdents(fd, 4096)
			return err
		}, Want: EBADF},
		{Name: "path fd as dirfd", Op: func(e *vt.Env) error {
			fd, err := e.T.Open("/d", O_PATH|O_DIRECTORY, 0)
			e.Must(err)
			var st Stat
			return e.T.Fstatat(fd, "f", &st, 0)
		}},
		{Name: "trunc", Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_WRONLY|O_TRUNC, 0) }, Check: wantSize("/d/f", 0)},
		{Name: "trunc rdonly truncates", Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_RDONLY|O_TRUNC, 0) }, Check: wantSize("/d/f", 0)},
		{Name: "trunc no write permission", Setup: func(e *vt.Env) { e.As(1000, 1000) },
			Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_RDONLY|O_TRUNC, 0) }, Want: EACCES, Check: wantSize("/d/f", 5)},
		{Name: "append", Op: func(e *vt.Env) error {
			fd, err := e.T.Open("/d/f", O_WRONLY|O_APPEND, 0)
			e.Must(err)
			if _, err := e.T.Seek(fd, 0, SEEK_SET); err != nil {
				return err
			}
			if _, err := e.T.Write(fd, []byte("!")); err != nil {
				return err
			}
			// pwrite on an O_APPEND file appends too (pwrite(2) BUGS).
			if _, err := e.T.Pwrite(fd, []byte("?"), 0); err != nil {
				return err
			}
			return e.T.Close(fd)
		}, Check: wantContent("/d/f", "hello!?")},
		{Name: "accmode 3 opens for neither", Op: func(e *vt.Env) error {
			fd, err := e.T.Open("/d/f", 3, 0)
			e.Must(err)
			if _, err := e.T.Write(fd, []byte("x")); err != EBADF {
				e.TB.Fatalf("write: %v", err)
			}
			_, err = e.T.Read(fd, make([]byte, 1))
			return err
		}, Want: EBADF},
		{Name: "accmode 3 needs read and write permission", Setup: func(e *vt.Env) { e.As(1000, 1000) },
			Op: func(e *vt.Env) error { return openOnly(e, "/d/f", 3, 0) }, Want: EACCES},
		{Name: "cloexec", Op: func(e *vt.Env) error {
			fd, err := e.T.Open("/d/f", O_RDONLY|O_CLOEXEC, 0)
			e.Must(err)
			fd2, err := e.T.Open("/d/f", O_RDONLY, 0)
			e.Must(err)
			if fl, err := e.T.Fcntl(fd, F_GETFD, 0); err != nil || fl != FD_CLOEXEC {
				e.TB.Fatalf("F_GETFD %d %v", fl, err)
			}
			if fl, err := e.T.Fcntl(fd2, F_GETFD, 0); err != nil || fl != 0 {
				e.TB.Fatalf("F_GETFD %d %v", fl, err)
			}
			e.T.CloseOnExec()
			var st Stat
			if err := e.T.Fstat(fd2, &st); err != nil {
				e.TB.Fatalf("fd2 closed: %v", err)
			}
			return e.T.Fstat(fd, &st)
		}, Want: EBADF},
		{Name: "component too long", Op: func(e *vt.Env) error { return openOnly(e, "/d/"+rep('n', 256), O_CREAT|O_WRONLY, 0o644) }, Want: ENAMETOOLONG},
		{Name: "component 255 ok", Op: func(e *vt.Env) error { return openOnly(e, "/d/"+rep('n', 255), O_CREAT|O_WRONLY, 0o644) }},
		{Name: "no read permission", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0o640)); e.As(1000, 1000) },
			Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_RDONLY, 0) }, Want: EACCES},
		{Name: "no write permission", Setup: func(e *vt.Env) { e.As(1000, 1000) },
			Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_WRONLY, 0) }, Want: EACCES},
		{Name: "creat in unwritable dir", Setup: func(e *vt.Env) { e.As(1000, 1000) },
			Op: func(e *vt.Env) error { return openOnly(e, "/d/new", O_CREAT|O_WRONLY, 0o644) }, Want: EACCES},
		{Name: "creat mode ignores access for creator", Setup: func(e *vt.Env) { e.As(1000, 1000) },
			Op: func(e *vt.Env) error {
				fd, err := e.T.Open("/tmp/ro", O_CREAT|O_RDWR, 0o444)
				if err != nil {
					return err
				}
				if _, err := e.T.Write(fd, []byte("ok")); err != nil {
					return err
				}
				return e.T.Close(fd)
			}, Check: func(e *vt.Env) {
				wantMode("/tmp/ro", S_IFREG|0o444)(e)
				if st := e.Stat("/tmp/ro"); st.UID != 1000 || st.GID != 1000 || st.Size != 2 {
					e.TB.Fatalf("%+v", st)
				}
			}},
		{Name: "openat relative to dirfd", Op: func(e *vt.Env) error {
			dfd, err := e.T.Open("/d", O_RDONLY|O_DIRECTORY, 0)
			e.Must(err)
			fd, err := e.T.Openat(dfd, "sub/g", O_RDONLY, 0)
			if err == nil {
				e.T.Close(fd)
			}
			return err
		}},
		{Name: "openat dirfd is a file", Op: func(e *vt.Env) error {
			dfd, err := e.T.Open("/d/f", O_RDONLY, 0)
			e.Must(err)
			_, err = e.T.Openat(dfd, "x", O_RDONLY, 0)
			return err
		}, Want: ENOTDIR},
		{Name: "openat bad dirfd", Op: func(e *vt.Env) error { _, err := e.T.Openat(99, "x", O_RDONLY, 0); return err }, Want: EBADF},
		{Name: "openat absolute ignores dirfd", Op: func(e *vt.Env) error {
			fd, err := e.T.Openat(99, "/d/f", O_RDONLY, 0)
			if err == nil {
				e.T.Close(fd)
			}
			return err
		}},
		{Name: "fifo open", Setup: func(e *vt.Env) { e.Must(e.Root.Mknod("/d/p", S_IFIFO|0o644, 0)) },
			// fifo_open: a non-blocking writer with no reader is ENXIO
			// (pipe_test.go has the rest).
			Op: func(e *vt.Env) error { return openOnly(e, "/d/p", O_WRONLY|O_NONBLOCK, 0) }, Want: ENXIO},
		{Name: "fifo open nonblocking reader", Setup: func(e *vt.Env) { e.Must(e.Root.Mknod("/d/p", S_IFIFO|0o644, 0)) },
			Op: func(e *vt.Env) error { return openOnly(e, "/d/p", O_RDONLY|O_NONBLOCK, 0) }},
	})
}

// TestOpenTmpfile: O_TMPFILE makes an unnamed inode that linkat with
// AT_EMPTY_PATH may name, unless O_EXCL was given.
func TestOpenTmpfile(t *testing.T) {
	tmpfile := func(e *vt.Env, flags int) int {
		fd, err := e.T.Open("/d", flags, 0o600)
		e.Must(err)
		var st Stat
		e.Must(e.T.Fstat(fd, &st))
		if st.Nlink != 0 || !IsReg(st.Mode) || st.Mode&0o777 != 0o600 || st.Ino == 0 {
			e.TB.Fatalf("tmpfile stat %+v", st)
		}
		return fd
	}
	vt.Run(t, []vt.Case{
		{Name: "rdonly", Op: func(e *vt.Env) error { return openOnly(e, "/d", O_TMPFILE|O_RDONLY, 0o600) }, Want: EINVAL},
		{Name: "with creat", Op: func(e *vt.Env) error { return openOnly(e, "/d", O_TMPFILE|O_CREAT|O_RDWR, 0o600) }, Want: EINVAL},
		{Name: "on file", Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_TMPFILE|O_RDWR, 0o600) }, Want: ENOTDIR},
		{Name: "missing dir", Op: func(e *vt.Env) error { return openOnly(e, "/nope", O_TMPFILE|O_RDWR, 0o600) }, Want: ENOENT},
		{Name: "unwritable dir", Setup: func(e *vt.Env) { e.As(1000, 1000) },
			Op: func(e *vt.Env) error { return openOnly(e, "/d", O_TMPFILE|O_RDWR, 0o600) }, Want: EACCES},
		{Name: "unnamed, not listed", Op: func(e *vt.Env) error {
			fd := tmpfile(e, O_TMPFILE|O_RDWR)
			_, err := e.T.Write(fd, []byte("data"))
			e.Must(err)
			names, err := e.Names("/d")
			e.Must(err)
			if len(names) != 5 {
				e.TB.Fatalf("names %v", names)
			}
			return e.T.Close(fd)
		}},
		{Name: "linkat names it", Op: func(e *vt.Env) error {
			fd := tmpfile(e, O_TMPFILE|O_RDWR)
			_, err := e.T.Write(fd, []byte("data"))
			e.Must(err)
			if err := e.T.Linkat(fd, "", AT_FDCWD, "/d/named", AT_EMPTY_PATH); err != nil {
				return err
			}
			var st Stat
			e.Must(e.T.Fstat(fd, &st))
			if st.Nlink != 1 {
				e.TB.Fatalf("nlink %d after linkat", st.Nlink)
			}
			return e.T.Close(fd)
		}, Check: wantContent("/d/named", "data")},
		{Name: "linkat twice", Op: func(e *vt.Env) error {
			fd := tmpfile(e, O_TMPFILE|O_RDWR)
			e.Must(e.T.Linkat(fd, "", AT_FDCWD, "/d/n1", AT_EMPTY_PATH))
			return e.T.Linkat(fd, "", AT_FDCWD, "/d/n2", AT_EMPTY_PATH)
		}, Check: func(e *vt.Env) {
			if st := e.Stat("/d/n1"); st.Nlink != 2 {
				e.TB.Fatalf("nlink %d", st.Nlink)
			}
		}},
		{Name: "excl cannot be linked", Op: func(e *vt.Env) error {
			fd := tmpfile(e, O_TMPFILE|O_EXCL|O_RDWR)
			return e.T.Linkat(fd, "", AT_FDCWD, "/d/named", AT_EMPTY_PATH)
		}, Want: ENOENT, Check: wantAbsent("/d/named")},
		{Name: "linkat empty path by the opener", Setup: func(e *vt.Env) { e.As(1000, 1000) },
			Op: func(e *vt.Env) error {
				fd, err := e.T.Open("/tmp", O_TMPFILE|O_RDWR, 0o600)
				e.Must(err)
				return e.T.Linkat(fd, "", AT_FDCWD, "/tmp/named", AT_EMPTY_PATH)
			}, Check: wantOwner("/tmp/named", 1000, 1000)},
		{Name: "linkat empty path by another cred", Setup: func(e *vt.Env) { e.As(1000, 1000) },
			Op: func(e *vt.Env) error {
				fd, err := e.T.Open("/tmp", O_TMPFILE|O_RDWR, 0o600)
				e.Must(err)
				e.T.SetCred(&Cred{UID: 1000, GID: 1000})
				return e.T.Linkat(fd, "", AT_FDCWD, "/tmp/named", AT_EMPTY_PATH)
			}, Want: ENOENT},
		{Name: "linkat empty path bad fd", Setup: func(e *vt.Env) { e.As(1000, 1000) },
			Op: func(e *vt.Env) error { return e.T.Linkat(50, "", AT_FDCWD, "/tmp/named", AT_EMPTY_PATH) }, Want: EBADF},
		{Name: "linkat across mounts", Setup: func(e *vt.Env) { e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, "")) },
			Op: func(e *vt.Env) error {
				fd := tmpfile(e, O_TMPFILE|O_RDWR)
				return e.T.Linkat(fd, "", AT_FDCWD, "/e/named", AT_EMPTY_PATH)
			}, Want: EXDEV},
	})
}

func rep(c byte, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return string(b)
}

// TestCloseDup: close(2), dup(2), dup2(2), dup3(2).
func TestCloseDup(t *testing.T) {
	open := func(e *vt.Env) int {
		fd, err := e.T.Open("/d/f", O_RDONLY, 0)
		e.Must(err)
		return fd
	}
	vt.Run(t, []vt.Case{
		{Name: "close", Op: func(e *vt.Env) error { return e.T.Close(open(e)) }},
		{Name: "close twice", Op: func(e *vt.Env) error { fd := open(e); e.Must(e.T.Close(fd)); return e.T.Close(fd) }, Want: EBADF},
		{Name: "close negative", Op: func(e *vt.Env) error { return e.T.Close(-1) }, Want: EBADF},
		{Name: "close never opened", Op: func(e *vt.Env) error { return e.T.Close(500) }, Want: EBADF},
		{Name: "dup lowest free", Op: func(e *vt.Env) error {
			a, b := open(e), open(e)
			e.Must(e.T.Close(a))
			n, err := e.T.Dup(b)
			if n != a {
				e.TB.Fatalf("dup gave %d, want %d", n, a)
			}
			return err
		}},
		{Name: "dup bad", Op: func(e *vt.Env) error { _, err := e.T.Dup(77); return err }, Want: EBADF},
		{Name: "dup shares offset", Op: func(e *vt.Env) error {
			a := open(e)
			b, err := e.T.Dup(a)
			e.Must(err)
			buf := make([]byte, 2)
			_, err = e.T.Read(a, buf)
			e.Must(err)
			n, err := e.T.Read(b, buf)
			if string(buf[:n]) != "ll" {
				e.TB.Fatalf("read %q after dup", buf[:n])
			}
			if fl, _ := e.T.Fcntl(b, F_GETFD, 0); fl != 0 {
				e.TB.Fatal("dup set FD_CLOEXEC")
			}
			return err
		}},
		{Name: "dup2 same fd", Op: func(e *vt.Env) error {
			a := open(e)
			n, err := e.T.Dup2(a, a)
			if n != a {
				e.TB.Fatalf("dup2 gave %d", n)
			}
			return err
		}},
		{Name: "dup2 same bad fd", Op: func(e *vt.Env) error { _, err := e.T.Dup2(40, 40); return err }, Want: EBADF},
		{Name: "dup2 bad old", Op: func(e *vt.Env) error { _, err := e.T.Dup2(40, 3); return err }, Want: EBADF},
		{Name: "dup2 bad new", Op: func(e *vt.Env) error { _, err := e.T.Dup2(open(e), -2); return err }, Want: EBADF},
		{Name: "dup2 over open fd", Op: func(e *vt.Env) error {
			a := open(e)
			b, err := e.T.Open("/d/sub/g", O_RDONLY, 0)
			e.Must(err)
			n, err := e.T.Dup2(b, a)
			if n != a || err != nil {
				return err
			}
			buf := make([]byte, 8)
			n, err = e.T.Read(a, buf)
			if string(buf[:n]) != "g" {
				e.TB.Fatalf("read %q", buf[:n])
			}
			return err
		}},
		{Name: "dup2 high", Op: func(e *vt.Env) error {
			n, err := e.T.Dup2(open(e), 100)
			if n != 100 || err != nil {
				e.TB.Fatalf("dup2 gave %d", n)
			}
			return e.T.Close(n)
		}},
		{Name: "dup3 same fd", Op: func(e *vt.Env) error { a := open(e); _, err := e.T.Dup3(a, a, 0); return err }, Want: EINVAL},
		{Name: "dup3 bad flags", Op: func(e *vt.Env) error { _, err := e.T.Dup3(open(e), 10, O_APPEND); return err }, Want: EINVAL},
		{Name: "dup3 cloexec", Op: func(e *vt.Env) error {
			n, err := e.T.Dup3(open(e), 10, O_CLOEXEC)
			e.Must(err)
			if fl, _ := e.T.Fcntl(n, F_GETFD, 0); fl != FD_CLOEXEC {
				e.TB.Fatal("no FD_CLOEXEC")
			}
			return nil
		}},
		{Name: "fcntl dupfd min", Op: func(e *vt.Env) error {
			n, err := e.T.Fcntl(open(e), F_DUPFD, 20)
			if n != 20 {
				e.TB.Fatalf("F_DUPFD gave %d", n)
			}
			return err
		}},
		{Name: "close keeps other dup", Op: func(e *vt.Env) error {
			a := open(e)
			b, err := e.T.Dup(a)
			e.Must(err)
			e.Must(e.T.Close(a))
			_, err = e.T.Read(b, make([]byte, 1))
			return err
		}},
	})
}
