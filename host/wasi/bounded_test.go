package wasi

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// allocated returns the bytes op allocated on the heap.
func allocated(op func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	op()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestBoundedByGuestLength: a guest's buf_len is checked against its
// memory before anything is allocated or done (EFAULT, as Linux's
// access_ok in getdents64 and getrandom), and the work is done in
// chunks: fd_readdir and random_get allocate in proportion to what they
// return, never to the length the guest passes (fs/readdir.c:filldir64
// copies entry by entry; drivers/char/random.c:get_random_bytes_user
// copies a block at a time).
func TestBoundedByGuestLength(t *testing.T) {
	f := newFx(t)
	f.host.Mkdir("/tmp/d", 0o755)
	dir, _ := f.open("tmp/d", OflagDirectory, dirRead, 0)
	for _, c := range []struct {
		name string
		call func(m Memory) Errno
		want Errno
	}{
		{"fd_readdir 64 MiB", func(m Memory) Errno { return f.a.FdReaddir(m, dir, 4096, 1<<26, 0, 8) }, EFAULT},
		{"fd_readdir 1 GiB", func(m Memory) Errno { return f.a.FdReaddir(m, dir, 4096, 1<<30, 0, 8) }, EFAULT},
		{"fd_readdir 4 GiB - 1", func(m Memory) Errno { return f.a.FdReaddir(m, dir, 4096, 1<<32-1, 0, 8) }, EFAULT},
		{"fd_readdir wraps", func(m Memory) Errno { return f.a.FdReaddir(m, dir, 1<<32-16, 32, 0, 8) }, EFAULT},
		{"fd_readdir bufused out of range", func(m Memory) Errno { return f.a.FdReaddir(m, dir, 4096, 100, 0, 1<<16-2) }, EFAULT},
		{"fd_readdir whole memory", func(m Memory) Errno { return f.a.FdReaddir(m, dir, 1024, 1<<16-1024, 0, 8) }, ESUCCESS},
		{"random_get 64 MiB", func(m Memory) Errno { return f.a.RandomGet(m, 4096, 1<<26) }, EFAULT},
		{"random_get 4 GiB - 1", func(m Memory) Errno { return f.a.RandomGet(m, 0, 1<<32-1) }, EFAULT},
		{"random_get wraps", func(m Memory) Errno { return f.a.RandomGet(m, 1<<32-1, 2) }, EFAULT},
		{"random_get whole memory", func(m Memory) Errno { return f.a.RandomGet(m, 0, 1<<16) }, ESUCCESS},
	} {
		for _, mem := range []struct {
			kind string
			m    Memory
		}{{"view", f.m}, {"copy", copyMemory{f.m}}} {
			f.a.rand = bytes.NewReader(make([]byte, 1<<16))
			var got Errno
			n := allocated(func() { got = c.call(mem.m) })
			f.is(c.name+" ("+mem.kind+")", got, c.want)
			if n > 64<<10 {
				t.Errorf("%s (%s): allocated %d bytes", c.name, mem.kind, n)
			}
		}
	}
}

// TestFdReaddirChunks: a listing longer than one chunk reaches the guest
// whole and in order, and a buffer that ends inside an entry is filled
// to its last byte (bufused == buf_len).
func TestFdReaddirChunks(t *testing.T) {
	f := newFx(t)
	f.m = make(Bytes, 1<<20)
	f.host.Mkdir("/tmp/big", 0o755)
	var want []string
	for i := range 3000 {
		name := fmt.Sprintf("entry-with-a-long-name-%05d", i)
		fd, err := f.host.Creat("/tmp/big/"+name, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.host.Close(fd)
		want = append([]string{name}, want...) // tmpfs lists newest first
	}
	dir, _ := f.open("tmp/big", OflagDirectory, dirRead, 0)
	const buf = 4096
	total := uint32(2*sizeDirent + 1 + 2 + len(want)*(sizeDirent+len(want[0])))
	for _, c := range []struct {
		name   string
		bufLen uint32
		used   uint32
		whole  int // entries not truncated
	}{
		{"all", total + 100, total, len(want) + 2},
		{"exact", total, total, len(want) + 2},
		{"one short", total - 1, total - 1, len(want) + 1},
		{"one chunk and a bit", readdirChunk + 10, readdirChunk + 10, (readdirChunk+10-2*sizeDirent-3)/(sizeDirent+len(want[0])) + 2},
	} {
		for _, mem := range []struct {
			kind string
			m    Memory
		}{{"view", f.m}, {"copy", copyMemory{f.m}}} {
			clear(f.m[buf:])
			f.is(c.name, f.a.FdReaddir(mem.m, dir, buf, c.bufLen, 0, 8), ESUCCESS)
			used := f.u32(8)
			var names []string
			for off := uint32(buf); off+sizeDirent <= buf+used; {
				nl := f.u32(off + 16)
				if off+sizeDirent+nl > buf+used {
					break
				}
				names = append(names, string(f.m[off+24:off+24+nl]))
				off += sizeDirent + nl
			}
			if used != c.used || len(names) != c.whole {
				t.Errorf("%s (%s): used %d want %d, %d entries want %d", c.name, mem.kind, used, c.used, len(names), c.whole)
				continue
			}
			if strings.Join(names[2:], " ") != strings.Join(want[:len(names)-2], " ") {
				t.Errorf("%s (%s): entries out of order or missing", c.name, mem.kind)
			}
		}
	}
}
