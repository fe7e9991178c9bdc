package wasi

import (
	"bytes"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestIovecLimits: fd_read, fd_pread, fd_write and fd_pwrite follow
// readv(2) and writev(2). More than IOV_MAX (1024) iovecs is EINVAL,
// before the array is read (lib/iov_iter.c:iovec_from_user); every iovec
// must lie in memory (EFAULT otherwise, access_ok on its whole length in
// lib/iov_iter.c:__import_iovec); and one call moves at most a bounded
// count, the rest being a short read or write, as rw_verify_area caps
// the count at MAX_RW_COUNT (fs/read_write.c) and __import_iovec cuts
// the iovecs to it. Here the bound is MaxStagedIO wherever the host holds
// a copy, so what a call allocates is bounded whatever the guest passes:
// 300 iovecs of 16 MiB naming one buffer cost a few MiB, not 4.8 GiB.
// One iovec of a view memory (wazero's) costs the host nothing and keeps
// Linux's bound.
// Reads and writes of 64 KiB and 1 MiB are whole.
func TestIovecLimits(t *testing.T) {
	const (
		vec  = 1 << 16 // iovec arrays
		buf  = 1 << 20 // the 16 MiB buffer
		big  = 16 << 20
		size = buf + big + 1<<16
	)
	f := newFx(t)
	f.m = make(Bytes, size)
	data := make([]byte, MaxStagedIO+1<<20)
	for i := range data {
		data[i] = byte(i*7 + i>>12)
	}
	writeFile(t, f.host, "/tmp/big", data)
	writeFile(t, f.host, "/tmp/small", []byte("hello"))
	// iovs writes n iovecs at vec: {ptr(i), length(i)}.
	iovs := func(n int, ptr func(int) uint32, length func(int) uint32) {
		for i := range n {
			f.m.WriteUint32Le(vec+uint32(8*i), ptr(i))
			f.m.WriteUint32Le(vec+uint32(8*i)+4, length(i))
		}
	}
	same := func(int) uint32 { return buf }
	of := func(n uint32) func(int) uint32 { return func(int) uint32 { return n } }
	type call struct {
		name  string
		path  string // the file, opened anew (truncated for writes)
		write bool
		pos   bool // fd_pread / fd_pwrite at offset 0
		fd    int32
		niov  uint32
		setup func()
		errno Errno
		n     uint32 // the count returned
		nView uint32 // the count with a view memory, if not n
		want  []byte // the guest's buffer at buf after a read, or the file after a write
		alloc uint64 // the most the call may allocate
	}
	many := func() { iovs(300, same, of(big)) }
	tests := []call{
		{name: "read 300 x 16 MiB of one buffer, 5-byte file", path: "tmp/small", niov: 300, setup: many,
			n: 5, want: []byte("hello"), alloc: 3 * MaxStagedIO},
		{name: "pread 300 x 16 MiB of one buffer, large file", path: "tmp/big", pos: true, niov: 300, setup: many,
			n: MaxStagedIO, want: data[:MaxStagedIO], alloc: 3 * MaxStagedIO},
		{name: "write 300 x 16 MiB of one buffer", path: "tmp/w", write: true, niov: 300, setup: many,
			n: MaxStagedIO, alloc: 4 * MaxStagedIO},
		{name: "pwrite 300 x 16 MiB of one buffer", path: "tmp/w", write: true, pos: true, niov: 300, setup: many,
			n: MaxStagedIO, alloc: 4 * MaxStagedIO},
		{name: "write 300 x 16 MiB to stdout", fd: 1, write: true, niov: 300, setup: many,
			n: MaxStagedIO, alloc: 4 * MaxStagedIO},
		{name: "read 1025 iovecs", path: "tmp/small", niov: 1025, setup: func() { iovs(1025, same, of(1)) }, errno: EINVAL, alloc: 64 << 10},
		{name: "pread 1025 iovecs", path: "tmp/small", pos: true, niov: 1025, setup: func() { iovs(1025, same, of(1)) }, errno: EINVAL, alloc: 64 << 10},
		{name: "write 1025 iovecs", path: "tmp/w", write: true, niov: 1025, setup: func() { iovs(1025, same, of(1)) }, errno: EINVAL, want: []byte{}, alloc: 64 << 10},
		{name: "pwrite 1025 iovecs", path: "tmp/w", write: true, pos: true, niov: 1025, setup: func() { iovs(1025, same, of(1)) }, errno: EINVAL, want: []byte{}, alloc: 64 << 10},
		{name: "write 8 Mi iovecs, the array past memory", path: "tmp/w", write: true, niov: 8 << 20, setup: func() {}, errno: EINVAL, want: []byte{}, alloc: 64 << 10},
		{name: "write 1024 iovecs of one byte", path: "tmp/w", write: true, niov: 1024, setup: func() { iovs(1024, func(i int) uint32 { return buf + uint32(i) }, of(1)) },
			n: 1024, alloc: 1 << 20},
		{name: "read 64 KiB, one iovec", path: "tmp/big", niov: 1, setup: func() { iovs(1, same, of(64<<10)) },
			n: 64 << 10, want: data[:64<<10], alloc: 256 << 10},
		{name: "read 1 MiB, one iovec", path: "tmp/big", niov: 1, setup: func() { iovs(1, same, of(1<<20)) },
			n: 1 << 20, want: data[:1<<20], alloc: 3 << 20},
		{name: "read 1 MiB in 16 iovecs of 64 KiB", path: "tmp/big", niov: 16, setup: func() { iovs(16, func(i int) uint32 { return buf + uint32(i)<<16 }, of(64<<10)) },
			n: 1 << 20, want: data[:1<<20], alloc: 3 << 20},
		{name: "read 16 MiB, one iovec, large file", path: "tmp/big", niov: 1, setup: func() { iovs(1, same, of(big)) },
			n: MaxStagedIO, nView: uint32(len(data)), want: data[:MaxStagedIO], alloc: 3 * MaxStagedIO},
		{name: "write 1 MiB, one iovec", path: "tmp/w", write: true, niov: 1, setup: func() { iovs(1, same, of(1<<20)) },
			n: 1 << 20, alloc: 4 << 20},
		{name: "an iovec past memory after the cut", path: "tmp/w", write: true, niov: 2, setup: func() {
			iovs(2, func(i int) uint32 { return []uint32{buf, size - 10}[i] }, func(i int) uint32 { return []uint32{big, 100}[i] })
		}, errno: EFAULT, want: []byte{}, alloc: 2 * MaxStagedIO},
		{name: "an empty iovec past the cut stays in range", path: "tmp/big", niov: 2, setup: func() {
			iovs(2, func(i int) uint32 { return []uint32{buf, size - 10}[i] }, func(i int) uint32 { return []uint32{big, 10}[i] })
		}, n: MaxStagedIO, want: data[:MaxStagedIO], alloc: 3 * MaxStagedIO},
	}
	for _, tc := range tests {
		for _, mem := range []struct {
			kind string
			m    Memory
		}{{"view", f.m}, {"copy", copyMemory{f.m}}} {
			name := tc.name + " (" + mem.kind + ")"
			fd := tc.fd
			if tc.path != "" {
				oflags, rights := uint16(0), Rights(RightFdRead|RightFdSeek)
				if tc.write {
					oflags, rights = OflagCreat|OflagTrunc, RightFdWrite|RightFdSeek
				}
				var errno Errno
				if fd, errno = f.open(tc.path, oflags, rights, 0); errno != ESUCCESS {
					t.Fatalf("%s: open: %s", name, errno.Name())
				}
			}
			f.stdout.Reset()
			clear(f.m[buf:])
			for i := range big {
				f.m[buf+i] = byte(i * 13)
			}
			tc.setup()
			f.m.WriteUint32Le(res, 0xdeadbeef)
			var errno Errno
			n := allocated(func() {
				switch {
				case tc.write && tc.pos:
					errno = f.a.FdPwrite(mem.m, fd, vec, tc.niov, 0, res)
				case tc.write:
					errno = f.a.FdWrite(mem.m, fd, vec, tc.niov, res)
				case tc.pos:
					errno = f.a.FdPread(mem.m, fd, vec, tc.niov, 0, res)
				default:
					errno = f.a.FdRead(mem.m, fd, vec, tc.niov, res)
				}
			})
			f.is(name, errno, tc.errno)
			if n > tc.alloc {
				t.Errorf("%s: allocated %d bytes, want at most %d", name, n, tc.alloc)
			}
			wantN := tc.n
			if tc.nView != 0 && mem.kind == "view" {
				wantN = tc.nView
			}
			if errno == ESUCCESS && f.u32(res) != wantN {
				t.Errorf("%s: count %d, want %d", name, f.u32(res), wantN)
			}
			switch {
			case tc.write && tc.fd == 1:
				if errno == ESUCCESS && !bytes.Equal(f.stdout.Bytes(), f.m[buf:buf+tc.n]) {
					t.Errorf("%s: stdout has %d bytes, not the buffer's first %d", name, f.stdout.Len(), tc.n)
				}
			case tc.write:
				got, err := readFile(f.host, "/"+tc.path)
				want := tc.want
				if want == nil {
					want = f.m[buf : buf+tc.n]
				}
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s: the file has %d bytes (%v), want %d", name, len(got), err, len(want))
				}
			case tc.want != nil && !bytes.Equal(f.m[buf:buf+len(tc.want)], tc.want):
				t.Errorf("%s: the buffer does not hold the file's first %d bytes", name, len(tc.want))
			}
			if tc.path != "" {
				f.is(name+": close", f.a.FdClose(fd), ESUCCESS)
			}
		}
	}
}

// writeFile creates path holding data, through the host's task.
func writeFile(t *testing.T, task *vfs.Task, path string, data []byte) {
	t.Helper()
	fd, err := task.Open(path, vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := task.Write(fd, data); n != len(data) || err != nil {
		t.Fatalf("write %s: %d, %v", path, n, err)
	}
	if err := task.Close(fd); err != nil {
		t.Fatal(err)
	}
}

// readFile returns path's content, through the host's task.
func readFile(task *vfs.Task, path string) ([]byte, error) {
	fd, err := task.Open(path, vfs.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer task.Close(fd)
	var out []byte
	p := make([]byte, 1<<20)
	for {
		n, err := task.Read(fd, p)
		out = append(out, p[:n]...)
		if err != nil || n == 0 {
			return out, err
		}
	}
}
