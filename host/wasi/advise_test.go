package wasi

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestFdAdviseOPath: fd_advise on a descriptor path_open gave O_PATH (no
// read or write rights asked) is EBADF, before the advice and the range
// are looked at: fadvise64's fdget refuses an O_PATH file first
// (mm/fadvise.c; Linux 6.18 answers EBADF on O_PATH for valid and
// invalid advice and lengths alike). A descriptor open for reading
// takes the advice; the right is checked before anything. A FIFO is
// ESPIPE.
func TestFdAdviseOPath(t *testing.T) {
	const closed = 40
	for _, tc := range []struct {
		name   string
		path   string
		base   Rights // of the descriptor path_open makes; 0: closed
		off, n uint64
		advice uint8
		want   Errno
	}{
		{"read-only file", "tmp/f", RightFdRead | RightFdAdvise, 0, 10, AdviceSequential, ESUCCESS},
		{"read-only file, bad advice", "tmp/f", RightFdRead | RightFdAdvise, 0, 10, 9, EINVAL},
		{"read-only file, negative len", "tmp/f", RightFdRead | RightFdAdvise, 0, 1 << 63, AdviceNormal, EINVAL},
		{"read-only file, negative offset", "tmp/f", RightFdRead | RightFdAdvise, 1 << 63, 10, AdviceNormal, ESUCCESS},
		{"read-only file, offset -1", "tmp/f", RightFdRead | RightFdAdvise, ^uint64(0), 0, AdviceDontneed, ESUCCESS},
		{"O_PATH file", "tmp/f", RightFdAdvise, 0, 10, AdviceSequential, EBADF},
		{"O_PATH file, bad advice", "tmp/f", RightFdAdvise, 0, 10, 9, EBADF},
		{"O_PATH file, negative len", "tmp/f", RightFdAdvise, 0, 1 << 63, AdviceNormal, EBADF},
		{"O_PATH directory", "tmp", RightFdAdvise, 0, 0, AdviceWillneed, EBADF},
		{"O_PATH file without the right", "tmp/f", RightFdFilestatGet, 0, 10, AdviceNormal, ENOTCAPABLE},
		{"closed", "", 0, 0, 10, AdviceNormal, EBADF},
		// A FIFO is ESPIPE whatever the range and the advice, as
		// generic_fadvise looks at the file's type first.
		{"FIFO", "tmp/p", RightFdRead | RightFdAdvise, 0, 10, AdviceNormal, ESPIPE},
		{"FIFO, bad advice", "tmp/p", RightFdRead | RightFdAdvise, 0, 10, 9, ESPIPE},
		{"FIFO, negative len", "tmp/p", RightFdRead | RightFdAdvise, 0, 1 << 63, AdviceNormal, ESPIPE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			hfd, err := f.host.Creat("/tmp/f", 0o644)
			if err != nil {
				t.Fatal(err)
			}
			f.host.Close(hfd)
			if err := f.host.Mknod("/tmp/p", vfs.S_IFIFO|0o644, 0); err != nil {
				t.Fatal(err)
			}
			fd := int32(closed)
			if tc.base != 0 {
				var errno Errno
				var fl uint16
				if tc.path == "tmp/p" {
					fl = FdflagNonblock // no writer to wait for
				}
				fd, errno = f.open(tc.path, 0, tc.base, fl)
				f.is("path_open", errno, ESUCCESS)
			}
			f.is("fd_advise", f.a.FdAdvise(fd, tc.off, tc.n, tc.advice), tc.want)
		})
	}
}

// TestFdAdviseReachesThePageCache: the advice is the VFS's fadvise64 on
// a filesystem with a backing store (billyfs): WILLNEED reads the range
// into the page cache, DONTNEED drops it again. WASI's numbering is
// mapped (its random is 2, POSIX's 1): a WASI random read after
// AdviceRandom reads the one page it asks for.
func TestFdAdviseReachesThePageCache(t *testing.T) {
	const P = vfs.PAGE_SIZE
	f := newFx(t)
	v := f.host.VFS()
	if err := f.host.Mkdir("/tmp/b", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := f.host.Mount("none", "/tmp/b", "billyfs", 0, "store=mem"); err != nil {
		t.Fatal(err)
	}
	hfd, err := f.host.Creat("/tmp/b/f", 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.host.Write(hfd, make([]byte, 64*P)); err != nil {
		t.Fatal(err)
	}
	if err := f.host.Fsync(hfd); err != nil {
		t.Fatal(err)
	}
	f.host.Close(hfd)
	drop := func() {
		t.Helper()
		dfd, err := f.host.Open("/proc/sys/vm/drop_caches", vfs.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.host.Write(dfd, []byte("1\n")); err != nil {
			t.Fatal(err)
		}
		f.host.Close(dfd)
	}
	drop()
	base := v.MemInfo().Cached
	cached := func() int64 { return (v.MemInfo().Cached - base) / P }

	fd, errno := f.open("tmp/b/f", 0, RightFdRead|RightFdSeek|RightFdAdvise, 0)
	f.is("path_open", errno, ESUCCESS)
	f.is("fd_advise willneed", f.a.FdAdvise(fd, 2*P, 8*P, AdviceWillneed), ESUCCESS)
	if n := cached(); n != 8 {
		t.Errorf("WILLNEED of 8 pages: %d pages cached", n)
	}
	f.is("fd_advise dontneed", f.a.FdAdvise(fd, 0, 0, AdviceDontneed), ESUCCESS)
	if n := cached(); n != 0 {
		t.Errorf("DONTNEED of the file: %d pages still cached", n)
	}
	f.is("fd_advise random", f.a.FdAdvise(fd, 0, 0, AdviceRandom), ESUCCESS)
	vec, n := f.iov(make([]byte, P))
	f.is("fd_read", f.a.FdRead(f.m, fd, vec, n, res), ESUCCESS)
	if n := cached(); n != 1 {
		t.Errorf("a 1-page read after AdviceRandom: %d pages cached, want 1", n)
	}
	f.is("fd_advise sequential", f.a.FdAdvise(fd, 0, 0, AdviceSequential), ESUCCESS)
	f.is("fd_read", f.a.FdRead(f.m, fd, vec, n, res), ESUCCESS)
	if n := cached(); n <= 2 {
		t.Errorf("a 1-page read after AdviceSequential: %d pages cached, want a readahead window", n)
	}
}
