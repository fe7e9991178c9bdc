package wasi

import "testing"

// TestFdAdviseOPath: fd_advise on a descriptor path_open gave O_PATH (no
// read or write rights asked) is EBADF, before the advice and the range
// are looked at: fadvise64's fdget refuses an O_PATH file first
// (mm/fadvise.c; Linux 6.18 answers EBADF on O_PATH for valid and
// invalid advice and lengths alike). A descriptor open for reading
// takes the advice; the right is checked before anything.
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			hfd, err := f.host.Creat("/tmp/f", 0o644)
			if err != nil {
				t.Fatal(err)
			}
			f.host.Close(hfd)
			fd := int32(closed)
			if tc.base != 0 {
				var errno Errno
				fd, errno = f.open(tc.path, 0, tc.base, 0)
				f.is("path_open", errno, ESUCCESS)
			}
			f.is("fd_advise", f.a.FdAdvise(fd, tc.off, tc.n, tc.advice), tc.want)
		})
	}
}
