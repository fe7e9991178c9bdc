package wasi

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestIovecAllocs: fd_write and fd_pread of one or two iovecs through the
// same Memory allocate nothing for the iovecs or the memory's
// capabilities: no more than the VFS's own pwrite and pread.
func TestIovecAllocs(t *testing.T) {
	f := newFx(t)
	var m Memory = f.m // one interface value, as a host passes
	fd, _ := f.open("tmp/allocs", OflagCreat, rwFile, 0)
	vfd := f.a.fds[fd].vfd
	one, n1 := f.iov([]byte("abcd"))
	two, n2 := f.iov([]byte("ab"), []byte("cd"))
	b1 := [][]byte{f.m[f.u32(one) : f.u32(one)+4]}
	b2 := [][]byte{f.m[f.u32(two) : f.u32(two)+2], f.m[f.u32(two+8) : f.u32(two+8)+2]}
	for _, c := range []struct {
		name string
		call func() Errno
		vfs  func() // the VFS's part of the call
	}{
		{"fd_pwrite, 1 iovec", func() Errno { return f.a.FdPwrite(m, fd, one, n1, 0, res) },
			func() { f.a.task.Pwrite(vfd, b1[0], 0) }},
		{"fd_pwrite, 2 iovecs", func() Errno { return f.a.FdPwrite(m, fd, two, n2, 0, res) },
			func() { f.a.task.Pwritev(vfd, b2, 0) }},
		{"fd_pread, 1 iovec", func() Errno { return f.a.FdPread(m, fd, one, n1, 0, res) },
			func() { f.a.task.Pread(vfd, b1[0], 0) }},
		{"fd_pread, 2 iovecs", func() Errno { return f.a.FdPread(m, fd, two, n2, 0, res) },
			func() { f.a.task.Preadv(vfd, b2, 0) }},
	} {
		c.call()
		abi := testing.AllocsPerRun(50, func() { f.is(c.name, c.call(), ESUCCESS) })
		own := testing.AllocsPerRun(50, c.vfs)
		if abi != own {
			t.Errorf("%s: %v allocations a call, the VFS's own %v", c.name, abi, own)
		}
	}
}

// TestOpenCloseAllocs: path_open and fd_close, and path_filestat_get,
// allocate no more than the VFS's own openat, close and fstatat: the
// descriptor's entry is a closed one's, the path is in the arena.
func TestOpenCloseAllocs(t *testing.T) {
	f := newFx(t)
	var m Memory = f.m
	if fd, e := f.open("tmp/o", OflagCreat, rwFile, 0); e != ESUCCESS {
		t.Fatal(e)
	} else {
		f.a.FdClose(fd)
	}
	p, n := f.str("tmp/o")
	dir := f.a.fds[preFd].vfd
	abi := testing.AllocsPerRun(100, func() {
		f.is("path_open", f.a.PathOpen(m, preFd, 0, p, n, 0, RightFdRead, 0, 0, res), ESUCCESS)
		f.is("fd_close", f.a.FdClose(int32(f.u32(res))), ESUCCESS)
	})
	own := testing.AllocsPerRun(100, func() {
		vfd, err := f.a.task.Openat(dir, "tmp/o", vfs.O_RDONLY|vfs.O_NOFOLLOW|vfs.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.a.task.Close(vfd)
	})
	if abi != own {
		t.Errorf("path_open and fd_close: %v allocations, the VFS's own %v", abi, own)
	}
	abi = testing.AllocsPerRun(100, func() {
		f.is("path_filestat_get", f.a.PathFilestatGet(m, preFd, 0, p, n, res), ESUCCESS)
	})
	own = testing.AllocsPerRun(100, func() { f.a.task.Fstatat(dir, "tmp/o", &f.a.st, vfs.AT_SYMLINK_NOFOLLOW) })
	if abi != own {
		t.Errorf("path_filestat_get: %v allocations, the VFS's own %v", abi, own)
	}
}
