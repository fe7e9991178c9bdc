package vfs_test

import (
	"math"
	"runtime"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// rwResult runs a read or write and checks both its count and its errno.
func rwResult(e *vt.Env, what string, n int, err error, wantN int) error {
	e.TB.Helper()
	if err == nil && n != wantN {
		e.TB.Fatalf("%s moved %d bytes, want %d", what, n, wantN)
	}
	return err
}

// TestRwVerifyArea: fs/read_write.c rw_verify_area() refuses, with
// EINVAL, a position that the transfer's length (the length asked for,
// before MAX_RW_COUNT shortens it) would carry past the largest loff_t,
// and it looks at the position passed in: an O_APPEND pwrite is checked
// at its offset before generic_write_checks moves it to the end. The
// expectations are Linux 6.18's on tmpfs (pread(2), pwrite(2): EINVAL
// "the file offset ... would overflow"). A zero length at the largest
// offset is fine, and so is a write that ends just below it (the file
// size limit of tmpfs is MAX_LFS_FILESIZE).
func TestRwVerifyArea(t *testing.T) {
	const max = math.MaxInt64
	ten := func() []byte { return make([]byte, 10) }
	vt.Run(t, []vt.Case{
		{Name: "pread near max", Op: func(e *vt.Env) error {
			n, err := e.T.Pread(openT(e, "/d/f", O_RDWR), ten(), max-5)
			return rwResult(e, "pread", n, err, 0)
		}, Want: EINVAL},
		{Name: "pwrite near max", Op: func(e *vt.Env) error {
			n, err := e.T.Pwrite(openT(e, "/d/f", O_RDWR), ten(), max-5)
			return rwResult(e, "pwrite", n, err, 0)
		}, Want: EINVAL, Check: wantContent("/d/f", "hello")},
		{Name: "pread at max", Op: func(e *vt.Env) error {
			n, err := e.T.Pread(openT(e, "/d/f", O_RDWR), ten(), max)
			return rwResult(e, "pread", n, err, 0)
		}, Want: EINVAL},
		{Name: "pread at max of nothing", Op: func(e *vt.Env) error {
			n, err := e.T.Pread(openT(e, "/d/f", O_RDWR), nil, max)
			return rwResult(e, "pread", n, err, 0)
		}},
		// These two pass rw_verify_area and then need a filesystem whose
		// s_maxbytes is MAX_LFS_FILESIZE: a tmpfs, whatever the root is
		// (an ext2-like billyfs root says EFBIG, as ext2 would).
		{Name: "pwrite 16 TiB", Setup: tmpfsAtE, Op: func(e *vt.Env) error {
			n, err := e.T.Pwrite(openT(e, "/e/f", O_RDWR), []byte("x"), 1<<44)
			return rwResult(e, "pwrite", n, err, 1)
		}},
		{Name: "pwrite ending below max", Setup: tmpfsAtE, Op: func(e *vt.Env) error {
			n, err := e.T.Pwrite(openT(e, "/e/f", O_RDWR), []byte("x"), max-4096)
			return rwResult(e, "pwrite", n, err, 1)
		}},
		// A position near the largest needs a filesystem whose
		// s_maxbytes allows it (lseek past s_maxbytes is EINVAL): a tmpfs.
		{Name: "read at position near max", Setup: tmpfsAtE, Op: func(e *vt.Env) error {
			fd := openT(e, "/e/f", O_RDWR)
			wantSeek(e, fd, max-5, SEEK_SET, max-5)
			n, err := e.T.Read(fd, ten())
			return rwResult(e, "read", n, err, 0)
		}, Want: EINVAL},
		{Name: "write at position near max", Setup: tmpfsAtE, Op: func(e *vt.Env) error {
			fd := openT(e, "/e/f", O_RDWR)
			wantSeek(e, fd, max-5, SEEK_SET, max-5)
			n, err := e.T.Write(fd, ten())
			return rwResult(e, "write", n, err, 0)
		}, Want: EINVAL},
		{Name: "append pwrite near max", Op: func(e *vt.Env) error {
			n, err := e.T.Pwrite(openT(e, "/d/f", O_RDWR|O_APPEND), ten(), max-5)
			return rwResult(e, "pwrite", n, err, 0)
		}, Want: EINVAL, Check: wantContent("/d/f", "hello")},
		{Name: "append write at position near max", Setup: tmpfsAtE, Op: func(e *vt.Env) error {
			fd := openT(e, "/e/f", O_RDWR|O_APPEND)
			wantSeek(e, fd, max-5, SEEK_SET, max-5)
			n, err := e.T.Write(fd, ten())
			return rwResult(e, "write", n, err, 0)
		}, Want: EINVAL, Check: wantContent("/e/f", "hello")},
		{Name: "preadv near max", Op: func(e *vt.Env) error {
			n, err := e.T.Preadv(openT(e, "/d/f", O_RDWR), [][]byte{ten(), ten()}, max-15)
			return rwResult(e, "preadv", n, err, 0)
		}, Want: EINVAL},
		{Name: "pwritev near max", Op: func(e *vt.Env) error {
			n, err := e.T.Pwritev(openT(e, "/d/f", O_RDWR), [][]byte{ten(), ten()}, max-15)
			return rwResult(e, "pwritev", n, err, 0)
		}, Want: EINVAL},
		{Name: "preadv of nothing near max", Op: func(e *vt.Env) error {
			n, err := e.T.Preadv(openT(e, "/d/f", O_RDWR), [][]byte{nil, nil}, max-1)
			return rwResult(e, "preadv", n, err, 0)
		}},
		{Name: "read of a directory near max", Op: func(e *vt.Env) error {
			// vfs_read checks the area before generic_read_dir's EISDIR.
			n, err := e.T.Pread(openT(e, "/d", O_RDONLY), ten(), max-5)
			return rwResult(e, "pread", n, err, 0)
		}, Want: EINVAL},
	})
}

// TestIovecLimits: lib/iov_iter.c __import_iovec() refuses more than
// UIO_MAXIOV (1024) buffers with EINVAL (readv(2): "iovcnt is ... greater
// than the permitted maximum"), after the descriptor's own checks
// (vfs_readv and vfs_writev test FMODE_READ/FMODE_WRITE first), and clamps
// the total to MAX_RW_COUNT; zero buffers move nothing and succeed.
func TestIovecLimits(t *testing.T) {
	bufs := func(n, size int) [][]byte {
		iov := make([][]byte, n)
		for i := range iov {
			iov[i] = make([]byte, size)
		}
		return iov
	}
	vt.Run(t, []vt.Case{
		{Name: "readv 1024", Op: func(e *vt.Env) error {
			n, err := e.T.Readv(openT(e, "/d/f", O_RDONLY), bufs(UIO_MAXIOV, 1))
			return rwResult(e, "readv", n, err, 5)
		}},
		{Name: "readv 1025", Op: func(e *vt.Env) error {
			_, err := e.T.Readv(openT(e, "/d/f", O_RDONLY), bufs(UIO_MAXIOV+1, 1))
			return err
		}, Want: EINVAL},
		{Name: "writev 1025", Op: func(e *vt.Env) error {
			_, err := e.T.Writev(openT(e, "/d/f", O_WRONLY), bufs(UIO_MAXIOV+1, 1))
			return err
		}, Want: EINVAL, Check: wantContent("/d/f", "hello")},
		{Name: "preadv 1025", Op: func(e *vt.Env) error {
			_, err := e.T.Preadv(openT(e, "/d/f", O_RDONLY), bufs(UIO_MAXIOV+1, 1), 0)
			return err
		}, Want: EINVAL},
		{Name: "pwritev 1025", Op: func(e *vt.Env) error {
			_, err := e.T.Pwritev(openT(e, "/d/f", O_WRONLY), bufs(UIO_MAXIOV+1, 1), 0)
			return err
		}, Want: EINVAL, Check: wantContent("/d/f", "hello")},
		{Name: "readv 1025 on a write-only descriptor", Op: func(e *vt.Env) error {
			_, err := e.T.Readv(openT(e, "/d/f", O_WRONLY), bufs(UIO_MAXIOV+1, 1))
			return err
		}, Want: EBADF},
		{Name: "readv of no buffers", Op: func(e *vt.Env) error {
			n, err := e.T.Readv(openT(e, "/d/f", O_RDONLY), nil)
			return rwResult(e, "readv", n, err, 0)
		}},
		{Name: "writev 1024", Op: func(e *vt.Env) error {
			n, err := e.T.Writev(openT(e, "/d/f", O_WRONLY|O_TRUNC), bufs(UIO_MAXIOV, 1))
			return rwResult(e, "writev", n, err, UIO_MAXIOV)
		}},
		{Name: "readv advances the position", Op: func(e *vt.Env) error {
			fd := openT(e, "/d/f", O_RDONLY)
			a, b := make([]byte, 1), make([]byte, 2)
			n, err := e.T.Readv(fd, [][]byte{a, nil, b})
			e.Must(err)
			if n != 3 || string(a)+string(b) != "hel" {
				e.TB.Fatalf("readv %d %q %q", n, a, b)
			}
			wantSeek(e, fd, 0, SEEK_CUR, 3)
			wantRead(e, fd, 10, "lo")
			return nil
		}},
	})
}

// TestReadvAllocatesByFile: a readv or preadv fills the caller's buffers
// from the file (do_loop_readv_writev's shape) and allocates nothing in
// proportion to the buffers' sum: 200 buffers of 16 MiB (a sum above
// MAX_RW_COUNT, which clamps it) over a 5-byte file deliver 5 bytes and
// leave the heap as it was.
func TestReadvAllocatesByFile(t *testing.T) {
	e := vt.New(t)
	e.Fixture()
	fd := openT(e, "/d/f", O_RDONLY)
	buf := make([]byte, 16<<20)
	iov := make([][]byte, 200)
	for i := range iov {
		iov[i] = buf
	}
	for _, c := range []struct {
		name string
		call func() (int, error)
	}{
		{"preadv", func() (int, error) { return e.T.Preadv(fd, iov, 0) }},
		{"readv", func() (int, error) { e.T.Seek(fd, 0, SEEK_SET); return e.T.Readv(fd, iov) }},
	} {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		n, err := c.call()
		runtime.ReadMemStats(&m1)
		if n != 5 || err != nil || string(buf[:5]) != "hello" {
			t.Errorf("%s: %d, %v, %q; want 5 bytes, hello", c.name, n, err, buf[:5])
		}
		if grew := m1.TotalAlloc - m0.TotalAlloc; grew > 1<<20 {
			t.Errorf("%s of 200 x 16 MiB over 5 bytes allocated %d bytes", c.name, grew)
		}
	}
}

// TestSeekWhence: ksys_lseek() answers EINVAL for a whence above
// SEEK_MAX (SEEK_HOLE) before any ->llseek runs, so the mem devices,
// whose llseek ignores whence (drivers/char/mem.c null_lseek), refuse it
// too; within range they keep the position at 0 (Linux 6.18: lseek on
// /dev/null with SEEK_END -5 is 0).
func TestSeekWhence(t *testing.T) {
	seek := func(path string, off int64, whence int, want int64) func(e *vt.Env) error {
		return func(e *vt.Env) error {
			got, err := e.T.Seek(openT(e, path, O_RDONLY), off, whence)
			if err == nil && got != want {
				e.TB.Fatalf("lseek(%s, %d, %d) = %d, want %d", path, off, whence, got, want)
			}
			return err
		}
	}
	vt.Run(t, []vt.Case{
		{Name: "null whence 99", Op: seek("/dev/null", 0, 99, 0), Want: EINVAL},
		{Name: "zero whence 99", Op: seek("/dev/zero", 0, 99, 0), Want: EINVAL},
		{Name: "zero whence SEEK_MAX+1", Op: seek("/dev/zero", 0, SEEK_HOLE+1, 0), Want: EINVAL},
		{Name: "urandom whence -1", Op: seek("/dev/urandom", 0, -1, 0), Want: EINVAL},
		{Name: "null SEEK_SET 100", Op: seek("/dev/null", 100, SEEK_SET, 0)},
		{Name: "null SEEK_END -5", Op: seek("/dev/null", -5, SEEK_END, 0)},
		{Name: "zero SEEK_CUR -500", Op: seek("/dev/zero", -500, SEEK_CUR, 0)},
		{Name: "file whence 5", Op: seek("/d/f", 0, 5, 0), Want: EINVAL},
		{Name: "dir whence 5", Op: seek("/d", 0, 5, 0), Want: EINVAL},
		{Name: "proc file whence 5", Op: seek("/proc/mounts", 0, 5, 0), Want: EINVAL},
	})
}

// tmpfsAtE mounts a tmpfs on /e holding a file f.
func tmpfsAtE(e *vt.Env) {
	e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, ""))
	e.WriteFile("/e/f", "hello", 0o644)
}
