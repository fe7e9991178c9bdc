package bridge

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestReadReservesWhatIsRead: read and pread from JavaScript reserve
// response space as data comes, not by the length asked for, so a huge
// length on a small file costs no memory (Linux fills the user's buffer
// as it copies: mm/filemap.c:filemap_read stops at i_size). A regular
// file is read whole up to the length, across chunks; a device gives one
// chunk, a short read as read(2) allows (fs/read_write.c caps every read
// at MAX_RW_COUNT the same way).
func TestReadReservesWhatIsRead(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	big := bytes.Repeat([]byte("0123456789abcdef"), (3*readChunk)/16)
	big = append(big, "tail!!!"...)
	exec(t, b, new(req).op("writeFile", id).str("/tmp/big").raw(big).num(vfs.O_WRONLY|vfs.O_CREAT).num(0o600), nil)
	exec(t, b, new(req).op("writeFile", id).str("/tmp/small").raw([]byte("hello")).num(vfs.O_WRONLY|vfs.O_CREAT).num(0o600), nil)
	open := func(path string) int64 {
		d := exec(t, b, new(req).op("open", id).str(path).num(vfs.O_RDONLY).num(0), nil)
		if e := d.u32(); e != 0 {
			t.Fatalf("open %s: errno %d", path, e)
		}
		return d.num()
	}
	small, bigFd, zero := open("/tmp/small"), open("/tmp/big"), open("/dev/zero")
	for _, c := range []struct {
		name     string
		r        *req
		want     []byte
		maxAlloc uint64 // bytes the call may allocate
	}{
		{"pread 2^29 of 5 bytes", new(req).op("pread", id).num(small).num(1 << 29).num(0), []byte("hello"), 2 * readChunk},
		{"pread maxIO of 5 bytes", new(req).op("pread", id).num(small).num(maxIO).num(0), []byte("hello"), 2 * readChunk},
		{"pread 2^29 past the end", new(req).op("pread", id).num(small).num(1 << 29).num(1 << 40), []byte{}, 2 * readChunk},
		{"read 2^29 of 5 bytes", new(req).op("read", id).num(small).num(1 << 29), []byte("hello"), 2 * readChunk},
		{"pread all of a 3 MiB file", new(req).op("pread", id).num(bigFd).num(1 << 29).num(0), big, 8 * uint64(len(big))},
		{"pread across chunks from the middle", new(req).op("pread", id).num(bigFd).num(readChunk + 100).num(readChunk - 50), big[readChunk-50 : 2*readChunk+50], 8 * readChunk},
		{"pread exactly one chunk", new(req).op("pread", id).num(bigFd).num(readChunk).num(3), big[3 : readChunk+3], 4 * readChunk},
		{"read of a device stops at one chunk", new(req).op("read", id).num(zero).num(1 << 29), make([]byte, readChunk), 4 * readChunk},
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		out, err := b.Exec(c.r.bytes(), NoEnv{})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		d := &decoder{b: out}
		if e := d.u32(); e != 0 {
			t.Errorf("%s: errno %d", c.name, e)
			continue
		}
		if got := d.bytes(); !bytes.Equal(got, c.want) {
			t.Errorf("%s: read %d bytes, want %d", c.name, len(got), len(c.want))
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > c.maxAlloc {
			t.Errorf("%s: allocated %d bytes, want at most %d", c.name, n, c.maxAlloc)
		}
	}
	// The file position moves by what read returned.
	exec(t, b, new(req).op("seek", id).num(bigFd).num(0).num(vfs.SEEK_SET), nil)
	d := exec(t, b, new(req).op("read", id).num(bigFd).num(int64(len(big))-7).op("read", id).num(bigFd).num(1<<29), nil)
	d.u32()
	if got := d.bytes(); !bytes.Equal(got, big[:len(big)-7]) {
		t.Errorf("read of all but 7: %d bytes", len(got))
	}
	d.u32()
	if got := d.bytes(); string(got) != "tail!!!" {
		t.Errorf("read of the rest: %q", got)
	}
}
