package wasi

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestPathOpenBadResult: a path_open whose fd pointer is outside memory
// is EFAULT before the open, so O_CREAT creates nothing, O_TRUNC cuts
// nothing, and no descriptor is left behind.
func TestPathOpenBadResult(t *testing.T) {
	f := newFx(t)
	f.host.Creat("/tmp/keep", 0o644)
	kfd, _ := f.host.Open("/tmp/keep", vfs.O_WRONLY, 0)
	f.host.Write(kfd, []byte("contents"))
	f.host.Close(kfd)
	for _, c := range []struct {
		name   string
		path   string
		oflags uint16
		result uint32
		want   Errno
		exists bool
		size   int64
	}{
		{"creat, result past memory", "tmp/new", OflagCreat, 1 << 16, EFAULT, false, 0},
		{"creat, result straddling the end", "tmp/new", OflagCreat, 1<<16 - 2, EFAULT, false, 0},
		{"trunc, result past memory", "tmp/keep", OflagTrunc, 1<<32 - 4, EFAULT, true, 8},
		{"creat", "tmp/new", OflagCreat, res, ESUCCESS, true, 0},
	} {
		p, n := f.str(c.path)
		e := f.a.PathOpen(f.m, preFd, LookupSymlinkFollow, p, n, c.oflags, rwFile, 0, 0, c.result)
		f.is("path_open "+c.name, e, c.want)
		var st vfs.Stat
		err := f.host.Stat("/"+c.path, &st)
		if (err == nil) != c.exists || err == nil && st.Size != c.size {
			t.Errorf("path_open %s: stat %v, size %d; want exists %v, size %d", c.name, err, st.Size, c.exists, c.size)
		}
	}
	if len(f.a.fds) > 5 { // stdio, the preopen, the one opened above
		t.Errorf("%d descriptors after the failed opens", len(f.a.fds))
	}
}
