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
		errno    uint32 // the errno word (errnoWord)
		size     int    // bytes read when errno is 0 (-1: any)
		maxAlloc uint64
	}{
		{"/dev/zero never ends", "/dev/zero", uint32(vfs.EFBIG) | stepRead<<16, 0, 6 * maxUnsized},
		{"/dev/urandom never ends", "/dev/urandom", uint32(vfs.EFBIG) | stepRead<<16, 0, 6 * maxUnsized},
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
		if e := d.u32(); e != c.errno {
			t.Errorf("%s: errno word %#x, want %#x", c.name, e, c.errno)
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

// TestReadFileOfHugeFiles: readFile of a file that reports a size past
// maxReadFile fails with EFBIG from its read, before anything is
// reserved, as node's readFileSync fails with ERR_FS_FILE_TOO_LARGE past
// its largest Buffer (lib/internal/fs/utils.js kIoMaxLength): never a
// makeslice of the size, which under GOOS=js ends the runtime, and never
// what the first read returned, which fs/read_write.c caps at
// MAX_RW_COUNT (2 GiB - 4 KiB), so that a short read is not the end. The
// files are sparse (truncate), so they cost no memory.
func TestReadFileOfHugeFiles(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	for _, c := range []struct {
		name string
		size int64
	}{
		{"5 GiB", 5 << 30},
		{"3 GiB, past MAX_RW_COUNT", 3 << 30},
		{"2 GiB", 2 << 30},
		{"one byte past maxReadFile", maxReadFile + 1},
	} {
		path := "/tmp/sparse"
		d := exec(t, b, new(req).op("writeFile", id).str(path).raw(nil).num(vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC).num(0o600).
			op("truncate", id).str(path).num(c.size), nil)
		if e1, e2 := d.u32(), d.u32(); e1 != 0 || e2 != 0 {
			t.Fatalf("%s: writeFile errno %d, truncate errno %d", c.name, e1, e2)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		out, err := b.Exec(new(req).op("readFile", id).str(path).bytes(), NoEnv{})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		d = &decoder{b: out}
		if w, want := d.u32(), uint32(vfs.EFBIG)|stepRead<<16; w != want {
			t.Errorf("%s: errno word %#x, want EFBIG from the read (%#x)", c.name, w, want)
			if w == 0 {
				t.Errorf("%s: read %d of %d bytes", c.name, len(d.bytes()), c.size)
			}
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("%s: allocated %d bytes, want at most 1 MiB", c.name, n)
		}
	}
}
