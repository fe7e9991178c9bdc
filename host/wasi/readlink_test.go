package wasi

import "testing"

// TestPathReadlinkBufLen: path_readlink's errors for a buffer length,
// as readlinkat(2) gives them on Linux 6.18: a length of 0 is EINVAL,
// even with a bad descriptor (do_readlinkat checks it first); a short
// buffer truncates.
func TestPathReadlinkBufLen(t *testing.T) {
	f := newFx(t)
	f.host.Symlink("target", "/tmp/l")
	p, n := f.str("tmp/l")
	for _, c := range []struct {
		name   string
		fd     int32
		bufLen uint32
		want   Errno
		used   uint32
	}{
		{"buf_len 0", preFd, 0, EINVAL, 99},
		{"buf_len 0, bad fd", 99, 0, EINVAL, 99},
		{"buf_len 1", preFd, 1, ESUCCESS, 1},
		{"buf_len 6", preFd, 6, ESUCCESS, 6},
		{"buf_len 1, bad fd", 99, 1, EBADF, 99},
	} {
		f.m.WriteUint32Le(8, 99)
		f.is("path_readlink "+c.name, f.a.PathReadlink(f.m, c.fd, p, n, 512, c.bufLen, 8), c.want)
		if got := f.u32(8); got != c.used {
			t.Errorf("path_readlink %s: bufused %d, want %d", c.name, got, c.used)
		}
	}
	if got := string(f.m[512:518]); got != "target" {
		t.Errorf("path_readlink read %q", got)
	}
}
