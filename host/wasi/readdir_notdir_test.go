package wasi

import "testing"

// TestReaddirNotDir: fd_readdir on a descriptor that is not a directory
// (wasi-libc grants the right to any file opened for reading) is ENOTDIR
// and leaves the offset where it was, whatever the cookie, and before a
// bad buffer is noticed: getdents64 on a file of Linux 6.18's tmpfs is
// ENOTDIR, even with the buffer at an unmapped address, and lseek then
// reports the position set before the call.
func TestReaddirNotDir(t *testing.T) {
	f := newFx(t)
	fd, e := f.open("tmp/rf", OflagCreat, rwFile|RightFdReaddir, 0)
	f.is("open file", e, ESUCCESS)
	f.write(fd, "0123456789")
	null, e := f.open("dev/null", 0, RightFdRead|RightFdReaddir, 0)
	f.is("open /dev/null", e, ESUCCESS)
	for _, c := range []struct {
		name   string
		fd     int32
		buf    uint32
		n      uint32
		cookie uint64
	}{
		{"file, cookie 7", fd, 2048, 256, 7},
		{"file, cookie 0", fd, 2048, 256, 0},
		{"file, negative cookie", fd, 2048, 256, 1 << 63},
		{"file, buffer out of range", fd, 1<<16 - 8, 256, 7},
		{"character device", null, 2048, 256, 0},
	} {
		if c.fd == fd {
			f.is(c.name+": seek", f.a.FdSeek(f.m, fd, 2, WhenceSet, 8), ESUCCESS)
		}
		f.is(c.name, f.a.FdReaddir(f.m, c.fd, c.buf, c.n, c.cookie, 16), ENOTDIR)
		if c.fd != fd {
			continue
		}
		f.is(c.name+": tell", f.a.FdTell(f.m, fd, 8), ESUCCESS)
		if pos := f.u64(8); pos != 2 {
			t.Errorf("%s: position %d after fd_readdir, want 2", c.name, pos)
		}
	}
}
