package wasi

import (
	"fmt"
	"strings"
	"testing"
)

// writeHook is a Memory that runs hook before each Write of at least
// min bytes, once.
type writeHook struct {
	b    Bytes
	min  int
	hook func()
}

func (m *writeHook) Read(off, n uint32) ([]byte, bool) { return m.b.Read(off, n) }
func (m *writeHook) Write(off uint32, p []byte) bool {
	if m.hook != nil && len(p) >= m.min {
		m.hook()
		m.hook = nil
	}
	return m.b.Write(off, p)
}
func (m *writeHook) ReadUint32Le(off uint32) (uint32, bool)  { return m.b.ReadUint32Le(off) }
func (m *writeHook) WriteUint32Le(off uint32, v uint32) bool { return m.b.WriteUint32Le(off, v) }
func (m *writeHook) ReadUint64Le(off uint32) (uint64, bool)  { return m.b.ReadUint64Le(off) }
func (m *writeHook) WriteUint64Le(off uint32, v uint64) bool { return m.b.WriteUint64Le(off, v) }

// TestReaddirErrorAfterEntries: when another task removes the directory
// while fd_readdir is filling a large buffer, the entries already
// produced are the call's result; the next call, from the last cookie,
// gets getdents(2)'s ENOENT for a removed directory (Linux 6.18 tmpfs).
func TestReaddirErrorAfterEntries(t *testing.T) {
	f := newFx(t)
	f.host.Mkdir("/tmp/d", 0o755)
	var names []string
	for i := 0; i < 600; i++ {
		names = append(names, fmt.Sprintf("%s%03d", strings.Repeat("n", 37), i))
		f.host.Creat("/tmp/d/"+names[i], 0o644)
	}
	dir, _ := f.open("tmp/d", OflagDirectory, dirRead, 0)
	m := &writeHook{b: make(Bytes, 1<<17), min: readdirChunk, hook: func() {
		for _, n := range names {
			f.host.Unlink("/tmp/d/" + n)
		}
		if err := f.host.Rmdir("/tmp/d"); err != nil {
			t.Fatal(err)
		}
	}}
	const buf, bufLen = 8192, 60000
	for _, c := range []struct {
		name    string
		next    bool // from the last entry of the call before, else from 0
		want    Errno
		entries bool
	}{
		{"removed while filling", false, ESUCCESS, true},
		{"next call", true, ENOENT, false},
		{"from the start", false, ENOENT, false},
	} {
		var cookie uint64
		if c.next {
			used, _ := m.b.ReadUint32Le(res)
			cookie = lastCookie(m.b, buf, used)
		}
		e := f.a.FdReaddir(m, dir, buf, bufLen, cookie, res)
		f.is("fd_readdir "+c.name, e, c.want)
		if used, _ := m.b.ReadUint32Le(res); e == ESUCCESS && (used == 0) == c.entries {
			t.Errorf("fd_readdir %s: %d bytes of entries", c.name, used)
		}
	}
}

// lastCookie is the d_next of the last whole dirent in buf[:used].
func lastCookie(b Bytes, buf, used uint32) uint64 {
	var cookie uint64
	for off := buf; off+sizeDirent <= buf+used; {
		nl, _ := b.ReadUint32Le(off + 16)
		if off+sizeDirent+nl > buf+used {
			break
		}
		cookie, _ = b.ReadUint64Le(off)
		off += sizeDirent + nl
	}
	return cookie
}
