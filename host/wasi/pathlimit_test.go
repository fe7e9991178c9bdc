package wasi

import (
	"runtime"
	"strings"
	"testing"
)

// readSpy is a Memory without View or InRange, as an engine's memory
// that copies on every Read: it records the longest Read asked of it.
type readSpy struct {
	b   Bytes
	max uint32
}

func (m *readSpy) Read(off, n uint32) ([]byte, bool) {
	m.max = max(m.max, n)
	v, ok := m.b.Read(off, n)
	if !ok {
		return nil, false
	}
	return append([]byte(nil), v...), true
}
func (m *readSpy) Write(off uint32, p []byte) bool         { return m.b.Write(off, p) }
func (m *readSpy) ReadUint32Le(off uint32) (uint32, bool)  { return m.b.ReadUint32Le(off) }
func (m *readSpy) WriteUint32Le(off uint32, v uint32) bool { return m.b.WriteUint32Le(off, v) }
func (m *readSpy) ReadUint64Le(off uint32) (uint64, bool)  { return m.b.ReadUint64Le(off) }
func (m *readSpy) WriteUint64Le(off uint32, v uint64) bool { return m.b.WriteUint64Le(off, v) }

// TestPathLength: a guest name is read as getname reads it, at most
// PATH_MAX bytes whatever length the guest passes. The errors are those
// of stat(2) and symlink(2) on Linux 6.18 for the same names: 4095 bytes
// resolve, 4096 are ENAMETOOLONG.
func TestPathLength(t *testing.T) {
	f := newFx(t)
	const size = 8 << 20
	mem := make(Bytes, size)
	copy(mem[1<<20:], strings.Repeat("a", 6<<20))
	mem[1<<20+10] = 0 // a NUL at byte 10 of the name at 1 MiB + 0
	mem[3<<20+5000] = 0
	at := func(s string) uint32 { // a name at 64 KiB, followed by 'a's
		copy(mem[64<<10:], s)
		return 64 << 10
	}
	for _, c := range []struct {
		name    string
		ptr, n  uint32
		want    Errno
		symlink Errno // path_symlink with this name as the target
	}{
		{"4095 bytes", at("tmp" + strings.Repeat("/", 4092)), 4095, ESUCCESS, EEXIST},
		{"4096 bytes", at("tmp" + strings.Repeat("/", 4093)), 4096, ENAMETOOLONG, ENAMETOOLONG},
		{"5 MiB", 1<<20 + 11, 5 << 20, ENAMETOOLONG, ENAMETOOLONG},
		{"NUL at 10", 1 << 20, 5 << 20, EINVAL, EINVAL},
		{"NUL past PATH_MAX", 3 << 20, 2 << 20, ENAMETOOLONG, ENAMETOOLONG},
		{"NUL in a short name", 1 << 20, 20, EINVAL, EINVAL},
		{"end outside memory", 1 << 20, size, EFAULT, EFAULT},
		{"end past 4 GiB", 1 << 20, 1<<32 - 1, EFAULT, EFAULT},
	} {
		spy := &readSpy{b: mem}
		f.is("path_filestat_get "+c.name, f.a.PathFilestatGet(spy, preFd, 0, c.ptr, c.n, 0), c.want)
		lp, ln := f.str("tmp")
		copy(mem[lp:], f.m[lp:lp+ln])
		f.is("path_symlink "+c.name, f.a.PathSymlink(spy, c.ptr, c.n, preFd, lp, ln), c.symlink)
		if spy.max > 4096 {
			t.Errorf("%s: a Read of %d bytes", c.name, spy.max)
		}
	}
	// With a memory that lends views, no copy of a long name either.
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	f.is("path_filestat_get 3 MiB view", f.a.PathFilestatGet(mem, preFd, 0, 3<<20+5001, 3<<20, 0), ENAMETOOLONG)
	f.is("path_symlink 3 MiB view", f.a.PathSymlink(mem, 3<<20+5001, 3<<20, preFd, 64<<10, 3), ENAMETOOLONG)
	runtime.ReadMemStats(&ms1)
	if d := ms1.TotalAlloc - ms0.TotalAlloc; d > 1<<20 {
		t.Errorf("a 3 MiB name allocated %d bytes on the host", d)
	}
}
