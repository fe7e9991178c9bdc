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

// TestReadFileOfEndlessFiles: readFile of a file that reports no size
// reads until a read returns 0, but a device such as /dev/zero never
// does (read(2) of it always fills the buffer: drivers/char/mem.c
// read_zero). It fails with EFBIG past maxUnsized, having allocated a
// few times that, not maxIO; files with a size, and procfs' (size 0,
// short), are read whole.
func TestReadFileOfEndlessFiles(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	big := bytes.Repeat([]byte("x"), maxUnsized+5)
	exec(t, b, new(req).op("writeFile", id).str("/tmp/big").raw(big).num(vfs.O_WRONLY|vfs.O_CREAT).num(0o600), nil)
	for _, c := range []struct {
		name     string
		path     string
		errno    vfs.Errno
		size     int // bytes read when errno is 0 (-1: any)
		maxAlloc uint64
	}{
		{"/dev/zero never ends", "/dev/zero", vfs.EFBIG, 0, 6 * maxUnsized},
		{"/dev/urandom never ends", "/dev/urandom", vfs.EFBIG, 0, 6 * maxUnsized},
		{"a regular file past maxUnsized is read whole", "/tmp/big", 0, len(big), 0},
		{"a procfs file (size 0) is read whole", "/proc/meminfo", 0, -1, 0},
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		out, err := b.Exec(new(req).op("readFile", id).str(c.path).bytes(), NoEnv{})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		d := &decoder{b: out}
		if e := vfs.Errno(d.u32()); e != c.errno {
			t.Errorf("%s: errno %v, want %v", c.name, e, c.errno)
			continue
		}
		if c.errno == 0 {
			if got := len(d.bytes()); c.size >= 0 && got != c.size || got == 0 {
				t.Errorf("%s: %d bytes, want %d", c.name, got, c.size)
			}
		}
		if n := after.TotalAlloc - before.TotalAlloc; c.maxAlloc > 0 && n > c.maxAlloc {
			t.Errorf("%s: allocated %d bytes, want at most %d", c.name, n, c.maxAlloc)
		}
	}
}
