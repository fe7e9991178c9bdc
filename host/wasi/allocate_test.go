package wasi

import (
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestFdAllocateErrors checks fd_allocate's errors against posix_fallocate
// on Linux 6.18's tmpfs, where an overflowing range on a read-only
// descriptor is EBADF (vfs_fallocate checks the mode before the sum).
func TestFdAllocateErrors(t *testing.T) {
	f := newFx(t)
	fd, _ := f.open("tmp/a", OflagCreat, rwFile, 0)
	f.write(fd, strings.Repeat("x", 100))
	ro, _ := f.open("tmp/a", 0, RightFdRead|RightFdAllocate, 0)
	for _, c := range []struct {
		name   string
		fd     int32
		off, n uint64
		want   Errno
		size   int64
	}{
		{"within", fd, 0, 10, ESUCCESS, 100},
		{"grows", fd, 100, 20, ESUCCESS, 120},
		{"empty", fd, 5, 0, EINVAL, 120},
		{"negative offset", fd, 1 << 63, 1, EINVAL, 120},
		{"overflow", fd, 1 << 62, 1 << 62, EFBIG, 120},
		{"end past MaxInt64", fd, math.MaxInt64, 1, EFBIG, 120},
		{"read-only overflow", ro, 1 << 62, 1 << 62, EBADF, 120},
		{"read-only", ro, 0, 1000, EBADF, 120},
	} {
		f.is("fd_allocate "+c.name, f.a.FdAllocate(c.fd, c.off, c.n), c.want)
		var st vfs.Stat
		f.host.Stat("/tmp/a", &st)
		if st.Size != c.size {
			t.Errorf("fd_allocate %s: size %d, want %d", c.name, st.Size, c.size)
		}
	}
}

// TestFdAllocateConcurrentAppend: fd_allocate only grows a file, under
// the inode's lock, as fallocate(2) mode 0 does; bytes another task
// appends meanwhile are never cut off.
func TestFdAllocateConcurrentAppend(t *testing.T) {
	f := newFx(t)
	fd, _ := f.open("tmp/r", OflagCreat, rwFile, 0)
	host := f.host
	hfd, err := host.Open("/tmp/r", vfs.O_WRONLY|vfs.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	const N = 5000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < N; i++ {
			host.Write(hfd, []byte("x"))
		}
	}()
	var st vfs.Stat
	for i := 0; i < N; i++ {
		f.a.task.Fstat(f.a.fds[fd].vfd, &st)
		f.a.FdAllocate(fd, 0, uint64(st.Size+1))
	}
	wg.Wait()
	host.Fstat(hfd, &st)
	buf := make([]byte, st.Size)
	rfd, _ := host.Open("/tmp/r", vfs.O_RDONLY, 0)
	host.Read(rfd, buf)
	if x := strings.Count(string(buf), "x"); x != N {
		t.Errorf("fd_allocate lost %d of %d bytes appended by another task", N-x, N)
	}
}
