package wasi

import (
	"bytes"
	"testing"
)

// copyMemory is a Memory that cannot alias the guest's memory (as a
// JavaScript host's Uint8Array): Read returns a copy.
type copyMemory struct{ b Bytes }

func (m copyMemory) Read(off, n uint32) ([]byte, bool) {
	v, ok := m.b.View(off, n)
	return bytes.Clone(v), ok
}
func (m copyMemory) Write(off uint32, p []byte) bool         { return m.b.Write(off, p) }
func (m copyMemory) ReadUint32Le(off uint32) (uint32, bool)  { return m.b.ReadUint32Le(off) }
func (m copyMemory) WriteUint32Le(off uint32, v uint32) bool { return m.b.WriteUint32Le(off, v) }
func (m copyMemory) ReadUint64Le(off uint32) (uint64, bool)  { return m.b.ReadUint64Le(off) }
func (m copyMemory) WriteUint64Le(off uint32, v uint64) bool { return m.b.WriteUint64Le(off, v) }

// TestCopyMemory: reads land in guest memory through Write when the
// memory gives copies, across several iovecs, and stop at what was read.
func TestCopyMemory(t *testing.T) {
	f := newFx(t)
	cm := copyMemory{f.m}
	fd, _ := f.open("tmp/c", OflagCreat, rwFile, 0)
	vec, n := f.iov([]byte("abc"), []byte("defg"))
	f.is("fd_write", f.a.FdWrite(cm, fd, vec, n, res), ESUCCESS)
	vec, n = f.iov([]byte("......"), []byte("...."))
	f.is("fd_pread", f.a.FdPread(cm, fd, vec, n, 1, res), ESUCCESS)
	p0, p1 := f.u32(vec), f.u32(vec+8)
	if got := string(f.m[p0:p0+6]) + "|" + string(f.m[p1:p1+4]); got != "bcdefg|...." || f.u32(res) != 6 {
		t.Errorf("pread through copies: %q n=%d", got, f.u32(res))
	}
	f.is("fd_read bad iovec", f.a.FdRead(cm, fd, 1<<16-4, 1, res), EFAULT)
	vec, _ = f.iov(make([]byte, 4))
	f.m.WriteUint32Le(vec, 1<<16-2) // a buffer running past the end
	f.is("fd_read buffer past the end", f.a.FdRead(cm, fd, vec, 1, res), EFAULT)
	f.is("fd_write buffer past the end", f.a.FdWrite(cm, fd, vec, 1, res), EFAULT)
}

func TestBytesBounds(t *testing.T) {
	m := make(Bytes, 16)
	if _, ok := m.Read(12, 4); !ok {
		t.Error("Read(12, 4) of 16 bytes failed")
	}
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"Read(13, 4)", func() bool { _, ok := m.Read(13, 4); return ok }()},
		{"Read(0xffffffff, 2)", func() bool { _, ok := m.Read(0xffffffff, 2); return ok }()},
		{"Write(15, 2 bytes)", m.Write(15, []byte{1, 2})},
		{"ReadUint32Le(13)", func() bool { _, ok := m.ReadUint32Le(13); return ok }()},
		{"WriteUint64Le(9)", m.WriteUint64Le(9, 1)},
		{"ReadUint64Le(0xfffffffc)", func() bool { _, ok := m.ReadUint64Le(0xfffffffc); return ok }()},
	} {
		if c.ok {
			t.Errorf("%s out of bounds succeeded", c.name)
		}
	}
	if !m.WriteUint64Le(8, 0x0102030405060708) || m[8] != 8 || m[15] != 1 {
		t.Errorf("WriteUint64Le: % x", m[8:])
	}
}

// TestMemoryCaps: the ABI asserts a Memory's capabilities once and keeps
// them for the next calls with the same Memory; calls alternating between
// memories of different kinds each read into their own memory.
func TestMemoryCaps(t *testing.T) {
	f := newFx(t)
	other := copyMemory{make(Bytes, 1<<16)}
	fd, _ := f.open("tmp/caps", OflagCreat, rwFile, 0)
	f.write(fd, "0123456789")
	vec, n := f.iov(make([]byte, 4))
	copy(other.b[vec:], f.m[vec:vec+8]) // the same iovec in both memories
	p := f.u32(vec)
	mems := []struct {
		name string
		m    Memory
		b    Bytes
	}{
		{"view", f.m, f.m},
		{"copy", other, other.b},
		{"view again", f.m, f.m},
		{"copy again", other, other.b},
	}
	for i, c := range mems {
		clear(f.m[p : p+4])
		clear(other.b[p : p+4])
		f.is(c.name+" fd_pread", f.a.FdPread(c.m, fd, vec, n, uint64(i), res), ESUCCESS)
		want := "0123456789"[i : i+4]
		if got := string(c.b[p : p+4]); got != want {
			t.Errorf("%s: read %q into its memory, want %q", c.name, got, want)
		}
		for _, o := range mems {
			if &o.b[0] != &c.b[0] && string(o.b[p:p+4]) != "\x00\x00\x00\x00" {
				t.Errorf("%s: the read landed in the %s memory too", c.name, o.name)
			}
		}
	}
}
