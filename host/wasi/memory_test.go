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
