package wasi

import "testing"

// TestZeroIovecs: fd_read, fd_pread, fd_write and fd_pwrite with no
// iovecs move nothing and read no memory, so an iovs pointer outside it
// is no fault: writev(fd, bad, 0) and readv(fd, bad, 0) return 0 on
// Linux 6.18 (import_iovec copies nothing for nr_segs 0).
func TestZeroIovecs(t *testing.T) {
	f := newFx(t)
	fd, e := f.open("tmp/z", OflagCreat, rwFile, 0)
	f.is("open", e, ESUCCESS)
	f.write(fd, "abc")
	for _, mem := range []struct {
		kind string
		m    Memory
	}{{"view", f.m}, {"copy", copyMemory{f.m}}} {
		for _, c := range []struct {
			name string
			call func(m Memory, iovs uint32) Errno
		}{
			{"fd_read", func(m Memory, iovs uint32) Errno { return f.a.FdRead(m, fd, iovs, 0, 8) }},
			{"fd_pread", func(m Memory, iovs uint32) Errno { return f.a.FdPread(m, fd, iovs, 0, 1, 8) }},
			{"fd_write", func(m Memory, iovs uint32) Errno { return f.a.FdWrite(m, fd, iovs, 0, 8) }},
			{"fd_pwrite", func(m Memory, iovs uint32) Errno { return f.a.FdPwrite(m, fd, iovs, 0, 1, 8) }},
			{"fd_write to stdout", func(m Memory, iovs uint32) Errno { return f.a.FdWrite(m, 1, iovs, 0, 8) }},
			{"fd_read from stdin", func(m Memory, iovs uint32) Errno { return f.a.FdRead(m, 0, iovs, 0, 8) }},
		} {
			for _, iovs := range []uint32{1 << 20, 1<<32 - 1, uint32(len(f.m))} {
				f.m.WriteUint32Le(8, 0xdeadbeef)
				if got := c.call(mem.m, iovs); got != ESUCCESS {
					t.Errorf("%s (%s), iovs %#x, 0 iovecs = %s, want ESUCCESS", c.name, mem.kind, iovs, got.Name())
					continue
				}
				if n := f.u32(8); n != 0 {
					t.Errorf("%s (%s), iovs %#x, 0 iovecs: count %d, want 0", c.name, mem.kind, iovs, n)
				}
			}
		}
	}
	if got, _ := f.read(fd, 8); got != "" {
		t.Errorf("file offset moved: read %q after the calls, want \"\" at the end", got)
	}
	if f.stdout.Len() != 0 {
		t.Errorf("stdout got %q", f.stdout.String())
	}
}
