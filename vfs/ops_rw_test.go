package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

func openT(e *vt.Env, path string, flags int) int {
	e.TB.Helper()
	fd, err := e.T.Open(path, flags, 0o644)
	e.Must(err)
	return fd
}

func wantRead(e *vt.Env, fd int, n int, data string) {
	e.TB.Helper()
	buf := make([]byte, n)
	got, err := e.T.Read(fd, buf)
	e.Must(err)
	if string(buf[:got]) != data {
		e.TB.Fatalf("read %q, want %q", buf[:got], data)
	}
}

func wantSeek(e *vt.Env, fd int, off int64, whence int, want int64) {
	e.TB.Helper()
	got, err := e.T.Seek(fd, off, whence)
	e.Must(err)
	if got != want {
		e.TB.Fatalf("lseek(%d, %d) = %d, want %d", off, whence, got, want)
	}
}

// TestReadWrite: read(2), write(2), pread(2), pwrite(2), readv(2),
// writev(2), lseek(2).
func TestReadWrite(t *testing.T) {
	vt.Run(t, []vt.Case{
		{Name: "read", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/f", O_RDONLY)
			wantRead(e, fd, 3, "hel")
			wantRead(e, fd, 10, "lo")
			wantRead(e, fd, 10, "")
			return nil
		}},
		{Name: "read wronly", Op: func(e *vt.Env) error { _, err := e.T.Read(openT(e, "/d/f", O_WRONLY), make([]byte, 1)); return err }, Want: EBADF},
		{Name: "write rdonly", Op: func(e *vt.Env) error { _, err := e.T.Write(openT(e, "/d/f", O_RDONLY), []byte("x")); return err }, Want: EBADF},
		{Name: "read dir", Op: func(e *vt.Env) error { _, err := e.T.Read(openT(e, "/d", O_RDONLY), make([]byte, 1)); return err }, Want: EISDIR},
		{Name: "read bad fd", Op: func(e *vt.Env) error { _, err := e.T.Read(55, make([]byte, 1)); return err }, Want: EBADF},
		{Name: "write bad fd", Op: func(e *vt.Env) error { _, err := e.T.Write(55, []byte("x")); return err }, Want: EBADF},
		{Name: "write zero bytes", Op: func(e *vt.Env) error {
			n, err := e.T.Write(openT(e, "/d/f", O_WRONLY), nil)
			if n != 0 {
				e.TB.Fatal(n)
			}
			return err
		}, Check: wantContent("/d/f", "hello")},
		{Name: "overwrite middle", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/f", O_RDWR)
			wantSeek(e, fd, 1, SEEK_SET, 1)
			_, err := e.T.Write(fd, []byte("EL"))
			return err
		}, Check: wantContent("/d/f", "hELlo")},
		{Name: "write past end leaves zeros", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/f", O_RDWR)
			_, err := e.T.Pwrite(fd, []byte("!"), 8)
			return err
		}, Check: wantContent("/d/f", "hello\x00\x00\x00!")},
		{Name: "pread keeps offset", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/f", O_RDONLY)
			buf := make([]byte, 3)
			n, err := e.T.Pread(fd, buf, 2)
			if string(buf[:n]) != "llo" {
				e.TB.Fatalf("pread %q", buf[:n])
			}
			wantRead(e, fd, 2, "he")
			return err
		}},
		{Name: "pread past end", Op: func(e *vt.Env) error {
			n, err := e.T.Pread(openT(e, "/d/f", O_RDONLY), make([]byte, 3), 100)
			if n != 0 {
				e.TB.Fatal(n)
			}
			return err
		}},
		{Name: "pread negative", Op: func(e *vt.Env) error {
			_, err := e.T.Pread(openT(e, "/d/f", O_RDONLY), make([]byte, 3), -1)
			return err
		}, Want: EINVAL},
		{Name: "pwrite negative", Op: func(e *vt.Env) error { _, err := e.T.Pwrite(openT(e, "/d/f", O_WRONLY), []byte("x"), -1); return err }, Want: EINVAL},
		{Name: "pwrite keeps offset", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/f", O_RDWR)
			_, err := e.T.Pwrite(fd, []byte("J"), 0)
			e.Must(err)
			wantSeek(e, fd, 0, SEEK_CUR, 0)
			return nil
		}, Check: wantContent("/d/f", "Jello")},
		{Name: "readv", Op: func(e *vt.Env) error {
			a, b := make([]byte, 2), make([]byte, 10)
			n, err := e.T.Readv(openT(e, "/d/f", O_RDONLY), [][]byte{a, b})
			if n != 5 || string(a) != "he" || string(b[:3]) != "llo" {
				e.TB.Fatalf("readv %d %q %q", n, a, b)
			}
			return err
		}},
		{Name: "writev", Op: func(e *vt.Env) error {
			n, err := e.T.Writev(openT(e, "/d/f", O_WRONLY|O_TRUNC), [][]byte{[]byte("ab"), nil, []byte("cde")})
			if n != 5 {
				e.TB.Fatal(n)
			}
			return err
		}, Check: wantContent("/d/f", "abcde")},
		{Name: "preadv pwritev", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/f", O_RDWR)
			_, err := e.T.Pwritev(fd, [][]byte{[]byte("X"), []byte("Y")}, 3)
			e.Must(err)
			a, b := make([]byte, 1), make([]byte, 1)
			_, err = e.T.Preadv(fd, [][]byte{a, b}, 3)
			if string(a)+string(b) != "XY" {
				e.TB.Fatalf("%q %q", a, b)
			}
			return err
		}, Check: wantContent("/d/f", "helXY")},
		{Name: "seek set cur end", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/f", O_RDONLY)
			wantSeek(e, fd, 2, SEEK_SET, 2)
			wantSeek(e, fd, 1, SEEK_CUR, 3)
			wantSeek(e, fd, -1, SEEK_END, 4)
			wantRead(e, fd, 5, "o")
			wantSeek(e, fd, 10, SEEK_END, 15)
			wantRead(e, fd, 5, "")
			return nil
		}},
		{Name: "seek negative", Op: func(e *vt.Env) error { _, err := e.T.Seek(openT(e, "/d/f", O_RDONLY), -1, SEEK_SET); return err }, Want: EINVAL},
		{Name: "seek before start from end", Op: func(e *vt.Env) error { _, err := e.T.Seek(openT(e, "/d/f", O_RDONLY), -6, SEEK_END); return err }, Want: EINVAL},
		{Name: "seek bad whence", Op: func(e *vt.Env) error { _, err := e.T.Seek(openT(e, "/d/f", O_RDONLY), 0, 9); return err }, Want: EINVAL},
		{Name: "seek bad fd", Op: func(e *vt.Env) error { _, err := e.T.Seek(42, 0, SEEK_SET); return err }, Want: EBADF},
		{Name: "seek path fd", Op: func(e *vt.Env) error { _, err := e.T.Seek(openT(e, "/d/f", O_PATH), 0, SEEK_SET); return err }, Want: EBADF},
		{Name: "seek data at eof", Op: func(e *vt.Env) error { _, err := e.T.Seek(openT(e, "/d/f", O_RDONLY), 5, SEEK_DATA); return err }, Want: ENXIO},
		{Name: "seek hole at eof", Op: func(e *vt.Env) error { _, err := e.T.Seek(openT(e, "/d/f", O_RDONLY), 5, SEEK_HOLE); return err }, Want: ENXIO},
		{Name: "seek data negative", Op: func(e *vt.Env) error { _, err := e.T.Seek(openT(e, "/d/f", O_RDONLY), -1, SEEK_DATA); return err }, Want: ENXIO},
		{Name: "sparse data and holes", Op: func(e *vt.Env) error {
			// Pages: 0 data, 1 hole, 2 hole, 3 data, then 2 pages of
			// hole up to the size (ftruncate).
			const pg = 4096
			fd := openT(e, "/d/sparse", O_CREAT|O_RDWR)
			_, err := e.T.Pwrite(fd, []byte("a"), 10)
			e.Must(err)
			_, err = e.T.Pwrite(fd, []byte("b"), 3*pg+5)
			e.Must(err)
			e.Must(e.T.Ftruncate(fd, 6*pg))
			wantSeek(e, fd, 0, SEEK_DATA, 0)
			wantSeek(e, fd, 0, SEEK_HOLE, pg)
			wantSeek(e, fd, 100, SEEK_HOLE, pg)
			wantSeek(e, fd, pg+1, SEEK_DATA, 3*pg)
			wantSeek(e, fd, 3*pg+7, SEEK_DATA, 3*pg+7)
			wantSeek(e, fd, 3*pg, SEEK_HOLE, 4*pg)
			wantSeek(e, fd, 5*pg, SEEK_HOLE, 5*pg)
			_, err = e.T.Seek(fd, 4*pg, SEEK_DATA)
			if ErrnoOf(err) != ENXIO {
				e.TB.Fatalf("SEEK_DATA in the trailing hole: %v", err)
			}
			// Reading a hole gives zeros.
			buf := make([]byte, 4)
			n, err := e.T.Pread(fd, buf, 2*pg)
			if n != 4 || string(buf) != "\x00\x00\x00\x00" {
				e.TB.Fatalf("hole read %d %q", n, buf)
			}
			return err
		}},
		{Name: "sparse file without holes", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/f", O_RDONLY)
			wantSeek(e, fd, 0, SEEK_HOLE, 5)
			wantSeek(e, fd, 3, SEEK_DATA, 3)
			return nil
		}},
		{Name: "write updates mtime and size", Op: func(e *vt.Env) error {
			before := e.Stat("/d/f")
			_, err := e.T.Write(openT(e, "/d/f", O_WRONLY|O_APPEND), []byte("12345"))
			after := e.Stat("/d/f")
			if after.Size != 10 || after.Mtime < before.Mtime || after.Ctime < before.Ctime {
				e.TB.Fatalf("before %+v after %+v", before, after)
			}
			return err
		}},
		{Name: "unlinked open file stays usable", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/f", O_RDWR)
			e.Must(e.T.Unlink("/d/f"))
			var st Stat
			e.Must(e.T.Fstat(fd, &st))
			if st.Nlink != 0 {
				e.TB.Fatalf("nlink %d", st.Nlink)
			}
			_, err := e.T.Write(fd, []byte("J"))
			e.Must(err)
			buf := make([]byte, 5)
			n, err := e.T.Pread(fd, buf, 0)
			if string(buf[:n]) != "Jello" {
				e.TB.Fatalf("%q", buf[:n])
			}
			return err
		}},
	})
}

// TestSync: sync(2), syncfs(2), fsync(2), fdatasync(2).
func TestSync(t *testing.T) {
	vt.Run(t, []vt.Case{
		{Name: "sync", Op: func(e *vt.Env) error { e.T.Sync(); return nil }},
		{Name: "syncfs", Op: func(e *vt.Env) error { return e.T.Syncfs(openT(e, "/d/f", O_RDONLY)) }},
		{Name: "syncfs bad fd", Op: func(e *vt.Env) error { return e.T.Syncfs(33) }, Want: EBADF},
		{Name: "fsync", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/f", O_WRONLY)
			_, err := e.T.Write(fd, []byte("x"))
			e.Must(err)
			return e.T.Fsync(fd)
		}},
		{Name: "fsync rdonly", Op: func(e *vt.Env) error { return e.T.Fsync(openT(e, "/d/f", O_RDONLY)) }},
		{Name: "fsync dir", Op: func(e *vt.Env) error { return e.T.Fsync(openT(e, "/d", O_RDONLY)) }},
		{Name: "fdatasync", Op: func(e *vt.Env) error { return e.T.Fdatasync(openT(e, "/d/f", O_RDWR)) }},
		{Name: "fsync bad fd", Op: func(e *vt.Env) error { return e.T.Fsync(33) }, Want: EBADF},
		{Name: "fdatasync bad fd", Op: func(e *vt.Env) error { return e.T.Fdatasync(-1) }, Want: EBADF},
		{Name: "fsync path fd", Op: func(e *vt.Env) error { return e.T.Fsync(openT(e, "/d/f", O_PATH)) }, Want: EBADF},
	})
}

// TestStatfs: statfs(2), fstatfs(2).
func TestStatfs(t *testing.T) {
	const tmpfsMagic = 0x01021994
	vt.Run(t, []vt.Case{
		{Name: "root", Op: func(e *vt.Env) error {
			var st Statfs
			err := e.T.Statfs("/d/f", &st)
			if st.Type != tmpfsMagic || st.Namelen != 255 || st.Bsize != 4096 || st.Flags&ST_RDONLY != 0 {
				e.TB.Fatalf("%+v", st)
			}
			return err
		}},
		{Name: "missing", Op: func(e *vt.Env) error { var st Statfs; return e.T.Statfs("/nope", &st) }, Want: ENOENT},
		{Name: "fstatfs bad fd", Op: func(e *vt.Env) error { var st Statfs; return e.T.Fstatfs(7, &st) }, Want: EBADF},
		{Name: "sized mount", Setup: func(e *vt.Env) {
			e.Must(e.Root.Mount("none", "/e", "tmpfs", MS_RDONLY|MS_NOSUID, "size=1m,nr_inodes=10"))
		},
			Op: func(e *vt.Env) error {
				var st, rst Statfs
				e.Must(e.T.Statfs("/", &rst))
				fd := openT(e, "/e", O_RDONLY)
				err := e.T.Fstatfs(fd, &st)
				if st.Blocks != 256 || st.Files != 10 || st.Flags&ST_RDONLY == 0 || st.Flags&ST_NOSUID == 0 || st.Fsid == rst.Fsid {
					e.TB.Fatalf("%+v (root %+v)", st, rst)
				}
				return err
			}},
		{Name: "full", Setup: func(e *vt.Env) { e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, "size=8k")) },
			Op: func(e *vt.Env) error {
				fd := openT(e, "/e/big", O_CREAT|O_WRONLY)
				n, err := e.T.Write(fd, make([]byte, 3*4096))
				if n != 2*4096 {
					e.TB.Fatalf("short write of %d", n)
				}
				if err != nil {
					return err
				}
				_, err = e.T.Write(fd, []byte("x"))
				return err
			}, Want: ENOSPC},
	})
}
