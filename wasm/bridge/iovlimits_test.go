package bridge

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"testing"

	"github.com/vfscope/vfscope/host/wasi"
	"github.com/vfscope/vfscope/vfs"
)

// TestGuestIovecLimits: a browser guest's fd_read and fd_write with many
// large iovecs cannot make the runtime allocate their total length. In
// JavaScript the guest's memory is not Go's, so every byte a call moves
// is staged in the guest's scratch arena: 300 iovecs of 16 MiB naming
// one buffer once grew it to 4.8 GiB and killed vfscope.wasm ("fatal
// error: out of memory"). As readv(2) and writev(2) do, more than
// IOV_MAX (1024) iovecs is EINVAL (lib/iov_iter.c:iovec_from_user), and
// one call moves at most a bounded count, wasi.MaxStagedIO, the rest a
// short read or write (fs/read_write.c:rw_verify_area caps every count
// at MAX_RW_COUNT, lib/iov_iter.c:__import_iovec cuts the iovecs to it).
// Reads and writes of 64 KiB and 1 MiB stay whole.
func TestGuestIovecLimits(t *testing.T) {
	const (
		vec   = 1 << 16 // the iovec array
		buf   = 1 << 20 // the guest's buffer
		big   = 16 << 20
		path  = 1024 // path names
		fdAt  = 2048 // path_open's result
		count = 4096 // nread / nwritten
	)
	// The arena holds what one call stages (at most MaxStagedIO, plus
	// the alignment padding of up to MaxIovecs iovecs) and grows by
	// doubling: it stays under twice that.
	const arenaMax = 2 * (wasi.MaxStagedIO + wasi.MaxIovecs*dataAlign + dataAlign)
	b := New()
	id, g, cm := newGuest(t, b)
	cm.mem = make(wasi.Bytes, buf+big+1<<16)
	data := make([]byte, wasi.MaxStagedIO+1<<20)
	for i := range data {
		data[i] = byte(i*7 + i>>12)
	}
	exec(t, b, new(req).op("writeFile", id).str("/tmp/big").raw(data).num(vfs.O_WRONLY|vfs.O_CREAT).num(0o600), nil)
	exec(t, b, new(req).op("writeFile", id).str("/tmp/small").raw([]byte("hello")).num(vfs.O_WRONLY|vfs.O_CREAT).num(0o600), nil)
	le := binary.LittleEndian
	open := func(name string, oflags uint16) uint64 {
		t.Helper()
		copy(cm.mem[path:], name)
		errno, _, _, _ := callWASI(t, b, g, "path_open", 3, 0, path, uint64(len(name)), uint64(oflags), uint64(wasi.RightsAll), uint64(wasi.RightsAll), 0, fdAt)
		if errno != wasi.ESUCCESS {
			t.Fatalf("path_open %s: %v", name, errno)
		}
		return uint64(le.Uint32(cm.mem[fdAt:]))
	}
	// iovs writes n iovecs at vec, {buf + i*step, length}.
	iovs := func(n int, step, length uint32) {
		for i := range n {
			le.PutUint32(cm.mem[vec+8*i:], buf+uint32(i)*step)
			le.PutUint32(cm.mem[vec+8*i+4:], length)
		}
	}
	for _, tc := range []struct {
		name        string
		fn          string // fd_read, fd_pread, fd_write or fd_pwrite
		file        string
		niov        int
		step, len   uint32
		errno       wasi.Errno
		n           uint32
		want        []byte // the guest's buffer after a read, the file after a write
		allocations uint64 // the most the call may allocate
	}{
		{"read 300 x 16 MiB of one buffer, 5-byte file", "fd_read", "tmp/small", 300, 0, big, wasi.ESUCCESS, 5, []byte("hello"), 3 * wasi.MaxStagedIO},
		{"pread 300 x 16 MiB of one buffer, large file", "fd_pread", "tmp/big", 300, 0, big, wasi.ESUCCESS, wasi.MaxStagedIO, data[:wasi.MaxStagedIO], 3 * wasi.MaxStagedIO},
		{"write 300 x 16 MiB of one buffer", "fd_write", "tmp/w", 300, 0, big, wasi.ESUCCESS, wasi.MaxStagedIO, nil, 4 * wasi.MaxStagedIO},
		{"pwrite 300 x 16 MiB of one buffer", "fd_pwrite", "tmp/w", 300, 0, big, wasi.ESUCCESS, wasi.MaxStagedIO, nil, 4 * wasi.MaxStagedIO},
		{"read one iovec of 16 MiB", "fd_read", "tmp/big", 1, 0, big, wasi.ESUCCESS, wasi.MaxStagedIO, data[:wasi.MaxStagedIO], 3 * wasi.MaxStagedIO},
		{"read 1025 iovecs", "fd_read", "tmp/small", 1025, 0, 1, wasi.EINVAL, 0, nil, 64 << 10},
		{"write 1025 iovecs", "fd_write", "tmp/w", 1025, 0, 1, wasi.EINVAL, 0, []byte{}, 64 << 10},
		{"write 1024 iovecs of one byte", "fd_write", "tmp/w", 1024, 1, 1, wasi.ESUCCESS, 1024, nil, 1 << 20},
		{"read 64 KiB", "fd_read", "tmp/big", 1, 0, 64 << 10, wasi.ESUCCESS, 64 << 10, data[:64<<10], 1 << 20},
		{"read 1 MiB", "fd_read", "tmp/big", 1, 0, 1 << 20, wasi.ESUCCESS, 1 << 20, data[:1<<20], 4 << 20},
		{"read 1 MiB in 16 iovecs", "fd_read", "tmp/big", 16, 64 << 10, 64 << 10, wasi.ESUCCESS, 1 << 20, data[:1<<20], 4 << 20},
		{"write 64 KiB", "fd_write", "tmp/w", 1, 0, 64 << 10, wasi.ESUCCESS, 64 << 10, nil, 1 << 20},
		{"write 1 MiB", "fd_write", "tmp/w", 1, 0, 1 << 20, wasi.ESUCCESS, 1 << 20, nil, 6 << 20},
	} {
		oflags := uint16(0)
		if tc.fn == "fd_write" || tc.fn == "fd_pwrite" {
			oflags = wasi.OflagCreat | wasi.OflagTrunc
		}
		fd := open(tc.file, oflags)
		clear(cm.mem[buf:])
		for i := range big {
			cm.mem[buf+i] = byte(i * 13)
		}
		iovs(tc.niov, tc.step, tc.len)
		le.PutUint32(cm.mem[count:], 0xdeadbeef)
		params := []uint64{fd, vec, uint64(tc.niov), count}
		if tc.fn == "fd_pread" || tc.fn == "fd_pwrite" {
			params = []uint64{fd, vec, uint64(tc.niov), 0, count}
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		errno, _, _, _ := callWASI(t, b, g, tc.fn, params...)
		runtime.ReadMemStats(&after)
		if errno != tc.errno {
			t.Errorf("%s: %v, want %v", tc.name, errno, tc.errno)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > tc.allocations {
			t.Errorf("%s: allocated %d bytes, want at most %d", tc.name, n, tc.allocations)
		}
		if a := cap(b.guests[g].mem.arena); a > arenaMax {
			t.Errorf("%s: the scratch arena holds %d bytes, want at most %d", tc.name, a, arenaMax)
		}
		if got := le.Uint32(cm.mem[count:]); errno == wasi.ESUCCESS && got != tc.n {
			t.Errorf("%s: count %d, want %d", tc.name, got, tc.n)
		}
		switch {
		case oflags != 0:
			want := tc.want
			if want == nil {
				want = cm.mem[buf : buf+tc.n]
			}
			d := exec(t, b, new(req).op("readFile", id).str("/"+tc.file), nil)
			if e, got := d.u32(), d.bytes(); e != 0 || !bytes.Equal(got, want) {
				t.Errorf("%s: the file has %d bytes (errno %d), want %d", tc.name, len(got), e, len(want))
			}
		case tc.want != nil && !bytes.Equal(cm.mem[buf:buf+len(tc.want)], tc.want):
			t.Errorf("%s: the guest's buffer does not hold the file's first %d bytes", tc.name, len(tc.want))
		}
		if errno, _, _, _ := callWASI(t, b, g, "fd_close", fd); errno != wasi.ESUCCESS {
			t.Fatalf("%s: fd_close: %v", tc.name, errno)
		}
	}
}
