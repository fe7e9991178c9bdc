package bridge

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/vfscope/vfscope/host/wasi"
)

// importCall makes one CallWASI as a guest's import in web/src/wasi.ts
// does: it stages what Staging says into the guest's exchange block
// (taking the bytes from mem, the guest's memory, as JavaScript does
// without a crossing), and after the call applies the writes it queued.
// With stage false it stages nothing, as an import for a function
// without a Staging entry.
func importCall(b *Bridge, g uint32, mem wasi.Bytes, fn uint32, p []uint64, stage bool) (uint32, error) {
	gu := b.guests[g]
	if gu != nil && gu.mem != nil && stage && int(fn) < len(wasi.Funcs) {
		if s, ok := Staging[wasi.Funcs[fn].Name]; ok {
			stageFor(gu.mem.x, mem, s, p)
		}
	}
	r, err := b.CallWASI(g, fn, p)
	if err == nil && r&WASIWrites != 0 {
		m := gu.mem
		le := binary.LittleEndian
		for i := range int(le.Uint32(m.x[xNOut:])) {
			d := m.x[xOut+12*i:]
			off, n, addr := le.Uint32(d), le.Uint32(d[4:]), le.Uint32(d[8:])
			q := m.out[i] // natively an address does not fit 32 bits
			if uint32(len(q)) != n || addr != uint32(uintptr(unsafe.Pointer(unsafe.SliceData(q)))) {
				return r, fmt.Errorf("queued write %d: {%d, %d, %#x} does not describe its bytes", i, off, n, addr)
			}
			if !mem.Write(off, q) {
				return r, fmt.Errorf("queued write %d: {%d, %d} outside the guest's memory", i, off, n)
			}
		}
		r &^= WASIWrites
	}
	return r, err
}

// stageFor stages the ranges s names, as wasi.ts's Exchange does: each
// range that fits, its bytes at the guest address's offset modulo
// dataAlign for dataAlignMin bytes or more.
func stageFor(x []byte, mem wasi.Bytes, s Stage, p []uint64) {
	le := binary.LittleEndian
	nin, at := uint32(0), uint32(xInData)
	put := func(off, n uint32) {
		src, ok := mem.View(off, n)
		if !ok || nin == xMaxIn {
			return
		}
		a := at
		if n >= dataAlignMin {
			a += (off - a) & (dataAlign - 1)
		}
		if uint64(a)+uint64(n) > xOutData {
			return
		}
		copy(x[a:], src)
		d := x[xIn+12*nin:]
		le.PutUint32(d, off)
		le.PutUint32(d[4:], n)
		le.PutUint32(d[8:], a)
		nin++
		at = a + n
	}
	switch s.Kind {
	case StagePaths:
		put(uint32(p[s.A]), uint32(p[s.B]))
		if s.C != NoParam {
			put(uint32(p[s.C]), uint32(p[s.D]))
		}
	case StageIovecs, StageIovecData:
		iovs, n := uint32(p[s.A]), uint32(p[s.B])
		put(iovs, 8*n)
		for i := uint32(0); s.Kind == StageIovecData && i < n; i++ {
			v, ok := mem.View(iovs+8*i, 8)
			if !ok {
				break
			}
			put(le.Uint32(v), le.Uint32(v[4:]))
		}
	}
	le.PutUint32(x[xNIn:], nin)
}

// callWASI makes one CallWASI through importCall (staging, the writes
// applied) and, when its result says so, reads the output and the exit
// state with wasiOutput, as the JavaScript import does. It checks that
// WASIOutput is set exactly when there was output.
func callWASI(t *testing.T, b *Bridge, g uint32, name string, params ...uint64) (errno wasi.Errno, exited bool, code uint32, stdout string) {
	t.Helper()
	return callWASIStaged(t, b, g, true, name, params...)
}

func callWASIStaged(t *testing.T, b *Bridge, g uint32, stage bool, name string, params ...uint64) (errno wasi.Errno, exited bool, code uint32, stdout string) {
	t.Helper()
	var mem wasi.Bytes
	if gu := b.guests[g]; gu != nil && gu.mem != nil {
		mem = gu.mem.g.(*countingMemory).mem
	}
	r, err := importCall(b, g, mem, funcIndex(t, name), params, stage)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if r&^(WASIErrnoMask|WASIOutput|WASIExited) != 0 {
		t.Fatalf("%s: result %#x has unknown bits", name, r)
	}
	errno = wasi.Errno(r & WASIErrnoMask)
	if r <= WASIErrnoMask {
		return errno, false, 0, ""
	}
	d := exec(t, b, new(req).op("wasiOutput", 0).num(int64(g)), nil)
	if e := d.u32(); e != 0 {
		t.Fatalf("wasiOutput: errno %d", e)
	}
	exited, code = d.u8() == 1, d.u32()
	stdout = string(d.bytes())
	stderr := d.bytes()
	if exited != (r&WASIExited != 0) {
		t.Errorf("%s: WASIExited %v, wasiOutput says exited %v", name, r&WASIExited != 0, exited)
	}
	if hasOut := len(stdout)+len(stderr) > 0; hasOut != (r&WASIOutput != 0) {
		t.Errorf("%s: WASIOutput %v with %d bytes of output", name, r&WASIOutput != 0, len(stdout)+len(stderr))
	}
	return errno, exited, code, stdout
}

// newGuest makes a WASI guest on a new VFS with 1 MiB of memory.
func newGuest(t *testing.T, b *Bridge) (vfsID, g uint32, cm *countingMemory) {
	t.Helper()
	vfsID = newVFS(t, b)
	d := exec(t, b, new(req).op("wasiNew", vfsID).strs("guest").strs().strs("/").str("/").raw(nil).num(0), nil)
	if e := d.u32(); e != 0 {
		t.Fatalf("wasiNew: errno %d", e)
	}
	g = uint32(d.num())
	cm = &countingMemory{mem: make(wasi.Bytes, 1<<20)}
	exec(t, b, new(req).op("wasiMemory", 0).num(int64(g)).u32(1), memEnv{cm})
	return vfsID, g, cm
}

// TestCallWASIResults: the errno, the output and exit flags, and what a
// call after proc_exit returns.
func TestCallWASIResults(t *testing.T) {
	b := New()
	_, g, cm := newGuest(t, b)
	copy(cm.mem[500:], "out")
	copy(cm.mem[600:], "err!")
	binary.LittleEndian.PutUint32(cm.mem[300:], 500)
	binary.LittleEndian.PutUint32(cm.mem[304:], 3)
	binary.LittleEndian.PutUint32(cm.mem[308:], 600)
	binary.LittleEndian.PutUint32(cm.mem[312:], 4)
	tests := []struct {
		name   string
		fn     string
		params []uint64
		errno  wasi.Errno
		exited bool
		code   uint32
		stdout string
	}{
		{"success", "fd_fdstat_get", []uint64{3, 64}, wasi.ESUCCESS, false, 0, ""},
		{"errno", "fd_close", []uint64{99}, wasi.EBADF, false, 0, ""},
		{"stdout", "fd_write", []uint64{1, 300, 1, 400}, wasi.ESUCCESS, false, 0, "out"},
		{"stderr only", "fd_write", []uint64{2, 308, 1, 400}, wasi.ESUCCESS, false, 0, ""},
		{"bad iovec", "fd_write", []uint64{1, 1 << 20, 1, 400}, wasi.EFAULT, false, 0, ""},
		{"proc_exit", "proc_exit", []uint64{3}, wasi.ESUCCESS, true, 3, ""},
		{"after proc_exit", "fd_write", []uint64{1, 300, 1, 400}, wasi.ESUCCESS, true, 3, ""},
	}
	for _, tc := range tests {
		errno, exited, code, stdout := callWASI(t, b, g, tc.fn, tc.params...)
		if errno != tc.errno || exited != tc.exited || code != tc.code || stdout != tc.stdout {
			t.Errorf("%s: errno %v exited %v code %d stdout %q, want %v %v %d %q",
				tc.name, errno, exited, code, stdout, tc.errno, tc.exited, tc.code, tc.stdout)
		}
	}
}

// TestCallWASIBadCalls: a call that is not one is an error naming why,
// and runs nothing.
func TestCallWASIBadCalls(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	_, g, _ := newGuest(t, b)
	d := exec(t, b, new(req).op("wasiNew", id).strs("g").strs().strs().str("/").raw(nil).num(0), nil)
	d.u32()
	noMem := uint32(d.num())
	tests := []struct {
		name   string
		g, fn  uint32
		params []uint64
		want   string
	}{
		{"no guest", 77, funcIndex(t, "fd_close"), []uint64{3}, "no WASI guest 77"},
		{"guest 0", 0, funcIndex(t, "fd_close"), []uint64{3}, "no WASI guest 0"},
		{"no function", g, uint32(len(wasi.Funcs)), nil, "no WASI function"},
		{"too many parameters", g, funcIndex(t, "fd_close"), []uint64{1, 2, 3}, "fd_close takes 1 parameters, not 3"},
		{"too few parameters", g, funcIndex(t, "path_open"), []uint64{3}, "path_open takes 9 parameters, not 1"},
		{"no memory", noMem, funcIndex(t, "fd_close"), []uint64{3}, "memory was not passed"},
	}
	for _, tc := range tests {
		if r, err := b.CallWASI(tc.g, tc.fn, tc.params); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: result %#x, error %v, want one containing %q", tc.name, r, err, tc.want)
		}
	}
	// fd 3 is still open: the bad fd_close ran nothing.
	if errno, _, _, _ := callWASI(t, b, g, "fd_fdstat_get", 3, 64); errno != wasi.ESUCCESS {
		t.Errorf("fd_fdstat_get(3) after the bad calls: %v", errno)
	}
}

// TestCallWASIClockTicks: each call is a tick of the VFS clock, as a
// batch is: a file written by a guest 30 ms after it created it has an
// mtime 30 ms later, though nothing else ran between the calls.
func TestCallWASIClockTicks(t *testing.T) {
	b := New()
	_, g, cm := newGuest(t, b)
	copy(cm.mem[100:], "tmp/c")
	if errno, _, _, _ := callWASI(t, b, g, "path_open", 3, 0, 100, 5, uint64(wasi.OflagCreat), uint64(wasi.RightsAll), uint64(wasi.RightsAll), 0, 200); errno != wasi.ESUCCESS {
		t.Fatalf("path_open: %v", errno)
	}
	fd := uint64(binary.LittleEndian.Uint32(cm.mem[200:]))
	mtime := func() uint64 {
		t.Helper()
		if errno, _, _, _ := callWASI(t, b, g, "fd_filestat_get", fd, 1024); errno != wasi.ESUCCESS {
			t.Fatalf("fd_filestat_get: %v", errno)
		}
		return binary.LittleEndian.Uint64(cm.mem[1024+48:]) // filestat.mtim
	}
	m1 := mtime()
	const gap = 30 * time.Millisecond
	for start := time.Now(); time.Since(start) < gap; {
	}
	binary.LittleEndian.PutUint32(cm.mem[300:], 500)
	binary.LittleEndian.PutUint32(cm.mem[304:], 1)
	if errno, _, _, _ := callWASI(t, b, g, "fd_write", fd, 300, 1, 400); errno != wasi.ESUCCESS {
		t.Fatalf("fd_write: %v", errno)
	}
	if d := time.Duration(mtime() - m1); d < gap {
		t.Errorf("mtimes %v apart, want at least %v", d, gap)
	}
}

// TestCallWASIGuests: calls alternating between two guests reach each
// its own descriptors, and a guest closed after a call is gone.
func TestCallWASIGuests(t *testing.T) {
	b := New()
	_, g1, cm1 := newGuest(t, b)
	_, g2, cm2 := newGuest(t, b)
	copy(cm1.mem[100:], "tmp/one")
	copy(cm2.mem[100:], "tmp/two")
	for _, c := range []struct {
		g  uint32
		cm *countingMemory
	}{{g1, cm1}, {g2, cm2}, {g1, cm1}} {
		if errno, _, _, _ := callWASI(t, b, c.g, "path_open", 3, 0, 100, 7, uint64(wasi.OflagCreat), uint64(wasi.RightsAll), uint64(wasi.RightsAll), 0, 200); errno != wasi.ESUCCESS {
			t.Fatalf("guest %d: path_open: %v", c.g, errno)
		}
	}
	// Guest 1 opened twice (fds 4 and 5), guest 2 once (fd 4).
	if fd1, fd2 := binary.LittleEndian.Uint32(cm1.mem[200:]), binary.LittleEndian.Uint32(cm2.mem[200:]); fd1 != 5 || fd2 != 4 {
		t.Errorf("fds %d and %d, want 5 and 4", fd1, fd2)
	}
	exec(t, b, new(req).op("wasiClose", 0).num(int64(g1)), nil)
	if _, err := b.CallWASI(g1, funcIndex(t, "fd_close"), []uint64{4}); err == nil || !strings.Contains(err.Error(), "no WASI guest") {
		t.Errorf("a call of a closed guest: %v", err)
	}
	if errno, _, _, _ := callWASI(t, b, g2, "fd_close", 4); errno != wasi.ESUCCESS {
		t.Errorf("guest 2: fd_close(4): %v", errno)
	}
}

// TestWASICrossings: with the imports' staging, a guest's common calls
// cross between the memories no times: before the exchange block a
// path_filestat_get crossed twice (the path, the filestat), a path_open
// twice, an fd_read or fd_write of 4 KiB three times (the iovec array,
// the data, the count), an fd_seek or fd_fdstat_get once. Without
// staging (an import that stages nothing) the reads cross and the writes
// are still queued.
func TestWASICrossings(t *testing.T) {
	b := New()
	_, g, cm := newGuest(t, b)
	copy(cm.mem[100:], "tmp/x")
	copy(cm.mem[120:], "tmp/y")
	binary.LittleEndian.PutUint32(cm.mem[300:], 4096)
	binary.LittleEndian.PutUint32(cm.mem[304:], 4096)
	rights := uint64(wasi.RightsAll)
	tests := []struct {
		name     string
		fn       string
		params   []uint64
		staged   int // crossings with staging
		unstaged int // and without
	}{
		{"create", "path_open", []uint64{3, 0, 100, 5, uint64(wasi.OflagCreat), rights, rights, 0, 200}, 0, 1},
		{"write 4 KiB", "fd_write", []uint64{4, 300, 1, 400}, 0, 2},
		{"seek", "fd_seek", []uint64{4, 0, 0, 400}, 0, 0},
		{"read 4 KiB", "fd_read", []uint64{4, 300, 1, 400}, 0, 1},
		{"fdstat", "fd_fdstat_get", []uint64{4, 400}, 0, 0},
		{"close", "fd_close", []uint64{4}, 0, 0},
		{"stat", "path_filestat_get", []uint64{3, 1, 100, 5, 400}, 0, 1},
		{"rename", "path_rename", []uint64{3, 100, 5, 3, 120, 5}, 0, 2},
		{"unlink", "path_unlink_file", []uint64{3, 120, 5}, 0, 1},
		{"clock", "clock_time_get", []uint64{1, 1, 400}, 0, 0},
	}
	for _, stage := range []bool{true, false} {
		for _, tc := range tests {
			cm.calls = 0
			if errno, _, _, _ := callWASIStaged(t, b, g, stage, tc.fn, tc.params...); errno != wasi.ESUCCESS {
				t.Fatalf("%s: %v", tc.name, errno)
			}
			want := tc.staged
			if !stage {
				want = tc.unstaged
			}
			if cm.calls != want {
				t.Errorf("%s (staged %v): %d crossings, want %d", tc.name, stage, cm.calls, want)
			}
		}
	}
	if got := binary.LittleEndian.Uint32(cm.mem[400:]); got == 0 {
		t.Error("clock_time_get wrote no time")
	}
}

// TestPollStdinBytes: poll_oneoff's fd_read event on stdin reports the
// bytes stdin holds (WASI preview1: nbytes is "the number of bytes
// available for reading"), and 0 once it is read to the end.
func TestPollStdinBytes(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	for _, tc := range []struct {
		name  string
		stdin string
		read  int // bytes read before polling
		want  uint64
	}{
		{"all of it", "hello\n", 0, 6},
		{"after a read", "hello\n", 2, 4},
		{"empty", "", 0, 0},
	} {
		d := exec(t, b, new(req).op("wasiNew", id).strs("g").strs().strs("/").str("/").raw([]byte(tc.stdin)).num(0), nil)
		if e := d.u32(); e != 0 {
			t.Fatalf("wasiNew: errno %d", e)
		}
		g := d.num()
		cm := &countingMemory{mem: make(wasi.Bytes, 1<<16)}
		exec(t, b, new(req).op("wasiMemory", 0).num(g).u32(1), memEnv{cm})
		if tc.read > 0 {
			// One iovec at 300: {1000, read}; nread at 400.
			binary.LittleEndian.PutUint32(cm.mem[300:], 1000)
			binary.LittleEndian.PutUint32(cm.mem[304:], uint32(tc.read))
			if errno, _, _, _ := callWASI(t, b, uint32(g), "fd_read", 0, 300, 1, 400); errno != wasi.ESUCCESS {
				t.Fatalf("%s: fd_read: %v", tc.name, errno)
			}
		}
		// One subscription at 0: userdata 7, fd_read on fd 0; the event at 100.
		sub := cm.mem[0:48]
		clear(sub)
		binary.LittleEndian.PutUint64(sub[0:], 7)
		sub[8] = wasi.EventtypeFdRead
		if errno, _, _, _ := callWASI(t, b, uint32(g), "poll_oneoff", 0, 100, 1, 200); errno != wasi.ESUCCESS {
			t.Fatalf("%s: poll_oneoff: %v", tc.name, errno)
		}
		if n := binary.LittleEndian.Uint32(cm.mem[200:]); n != 1 {
			t.Fatalf("%s: %d events", tc.name, n)
		}
		ev := cm.mem[100:132]
		if ud, errno, nbytes := binary.LittleEndian.Uint64(ev), binary.LittleEndian.Uint16(ev[8:]), binary.LittleEndian.Uint64(ev[16:]); ud != 7 || errno != 0 || nbytes != tc.want {
			t.Errorf("%s: event userdata %d errno %d nbytes %d, want 7, 0, %d", tc.name, ud, errno, nbytes, tc.want)
		}
		exec(t, b, new(req).op("wasiClose", 0).num(g), nil)
	}
}
