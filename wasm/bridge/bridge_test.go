package bridge

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/vfscope/vfscope/host/wasi"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/trace"
)

// req builds a request the way the JavaScript side does.
type req struct {
	e encoder
	n uint32
}

// opcodes maps names to opcodes, as the JavaScript side learns them from
// hello. (Made on first use: opTable is filled by init, after package
// variables. Made once: the benchmarks build requests by the thousand.)
var opcodes = sync.OnceValue(func() map[string]uint8 {
	m := map[string]uint8{}
	for i, n := range OpNames() {
		m[n] = uint8(i)
	}
	return m
})

func (r *req) op(name string, target uint32) *req {
	code, ok := opcodes()[name]
	if !ok {
		panic("no op " + name)
	}
	if len(r.e.b) == 0 {
		r.e.u32(0) // the count, set by bytes: padding counts from here
	}
	r.e.u8(code)
	r.e.u32(target)
	r.n++
	return r
}

func (r *req) num(v int64) *req  { r.e.num(v); return r }
func (r *req) str(s string) *req { r.e.str(s); return r }
func (r *req) raw(p []byte) *req { r.e.bytes(p); return r }
func (r *req) u64(v uint64) *req { r.e.u64(v); return r }
func (r *req) u32(v uint32) *req { r.e.u32(v); return r }
func (r *req) strs(l ...string) *req {
	r.e.u32(uint32(len(l)))
	for _, s := range l {
		r.e.str(s)
	}
	return r
}

func (r *req) bytes() []byte {
	if len(r.e.b) == 0 {
		return binary.LittleEndian.AppendUint32(nil, 0)
	}
	out := bytes.Clone(r.e.b)
	binary.LittleEndian.PutUint32(out, r.n)
	return out
}

func exec(t *testing.T, b *Bridge, r *req, env Env) *decoder {
	t.Helper()
	if env == nil {
		env = NoEnv{}
	}
	out, err := b.Exec(r.bytes(), env)
	if err != nil {
		t.Fatalf("Exec: %v", err)
	}
	return &decoder{b: bytes.Clone(out)}
}

func newVFS(t *testing.T, b *Bridge) uint32 {
	t.Helper()
	d := exec(t, b, new(req).op("vfsNew", 0).num(0).num(0).num(0), nil)
	if e := d.u32(); e != 0 {
		t.Fatalf("vfsNew: errno %d", e)
	}
	return uint32(d.num())
}

func TestHello(t *testing.T) {
	b := New()
	d := exec(t, b, new(req).op("hello", 0), nil)
	if d.u32() != 0 {
		t.Fatal("hello failed")
	}
	n := d.u32()
	var names []string
	for range n {
		names = append(names, d.str())
	}
	if !slicesEqual(names, OpNames()) {
		t.Errorf("hello's op table %v, want %v", names, OpNames())
	}
	m := d.u32()
	found := map[string]int64{}
	for range m {
		num, name, text := d.num(), d.str(), d.str()
		found[name] = num
		if text == "" {
			t.Errorf("%s has no text", name)
		}
	}
	if found["ENOENT"] != 2 || found["EXDEV"] != 18 || found["EPIPE"] != 32 || int(m) != len(vfs.Errnos()) {
		t.Errorf("errno table: ENOENT=%d EXDEV=%d EPIPE=%d, %d rows (want %d)", found["ENOENT"], found["EXDEV"], found["EPIPE"], m, len(vfs.Errnos()))
	}
	if d.bad || d.off != len(d.b) {
		t.Errorf("hello's response: bad=%v, %d of %d bytes read", d.bad, d.off, len(d.b))
	}
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestBatch runs one batch of many operations: each result is in place,
// a failure does not stop the batch.
func TestBatch(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	r := new(req).
		op("mkdir", id).str("/tmp/d").num(0o755).
		op("writeFile", id).str("/tmp/d/f").raw([]byte("hello")).num(vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC).num(0o644).
		op("mkdir", id).str("/tmp/d").num(0o755).
		op("stat", id).str("/tmp/d/f").
		op("readFile", id).str("/tmp/d/f").
		op("readdir", id).str("/tmp/d").
		op("rename", id).str("/tmp/d/f").str("/dev/f").num(0).
		op("open", id).str("/tmp/d/f").num(vfs.O_RDONLY).num(0)
	d := exec(t, b, r, nil)
	errnos := []vfs.Errno{}
	check := func(want vfs.Errno) {
		t.Helper()
		got := vfs.Errno(d.u32())
		errnos = append(errnos, got)
		if got != want {
			t.Fatalf("operation %d: errno %v, want %v", len(errnos), got, want)
		}
	}
	check(0)
	check(0)
	check(vfs.EEXIST)
	check(0)
	st := decodeStat(d)
	if st.Mode != vfs.S_IFREG|0o644 || st.Size != 5 {
		t.Errorf("stat: mode %o size %d", st.Mode, st.Size)
	}
	check(0)
	if got := string(d.bytes()); got != "hello" {
		t.Errorf("readFile: %q", got)
	}
	check(0)
	ents := decodeDirents(t, d)
	if len(ents) != 1 {
		t.Fatalf("readdir: %d entries", len(ents))
	}
	if e := ents[0]; e.Type != vfs.DT_REG || e.Name != "f" || e.Ino != st.Ino {
		t.Errorf("readdir: %+v", e)
	}
	check(vfs.EXDEV)
	check(0)
	if fd := d.num(); fd < 0 {
		t.Errorf("open: fd %d", fd)
	}
	if d.bad || d.off != len(d.b) {
		t.Errorf("response: bad=%v, %d of %d bytes read", d.bad, d.off, len(d.b))
	}
}

// TestBadRequests: what cannot be decoded stops the batch with an error
// naming the operation; nothing is misread as an argument.
func TestBadRequests(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	tests := []struct {
		name string
		req  []byte
		want string
	}{
		{"empty", nil, "shorter than its header"},
		{"opcode 0", new(req).op("", 0).bytes(), "unknown opcode 0"},
		{"unknown opcode", append(binary.LittleEndian.AppendUint32(nil, 1), 250, 0, 0, 0, 0), "unknown opcode 250"},
		{"truncated header", append(binary.LittleEndian.AppendUint32(nil, 1), opcodes()["stat"], 1), "truncated header"},
		{"no such VFS", new(req).op("stat", 999).str("/").bytes(), "stat: no VFS 999"},
		{"truncated string", func() []byte {
			p := new(req).op("stat", id).u32(100).bytes()
			return append(p, "/tm"...)
		}(), "stat: truncated arguments"},
		{"missing argument", new(req).op("mkdir", id).str("/x").bytes(), "mkdir: truncated arguments"},
		{"fraction as an integer", new(req).op("close", id).u64(math.Float64bits(1.5)).bytes(), "close: truncated arguments"},
		{"trailing bytes", append(new(req).op("sync", id).bytes(), 1, 2), "2 bytes after the last operation"},
		{"count larger than the operations", func() []byte {
			p := new(req).op("sync", id).bytes()
			p[0] = 2
			return p
		}(), "operation 1 of 2: truncated header"},
		{"no shell", new(req).op("shellRun", 0).num(77).str("ls").raw(nil).bytes(), "no shell 77"},
		{"no guest", new(req).op("wasiOutput", 0).num(77).bytes(), "no WASI guest 77"},
		{"memory without JavaScript", func() []byte {
			d := exec(t, b, new(req).op("wasiNew", id).strs("g").strs().strs().str("/").raw(nil).num(0), nil)
			d.u32()
			return new(req).op("wasiMemory", 0).num(d.num()).u32(1).bytes()
		}(), "no guest memory"},
		{"negative memory budget", new(req).op("vfsNew", 0).num(0).num(-1).num(0).bytes(), "memory budget is negative"},
		{"memory budget over 1 GiB", new(req).op("vfsNew", 0).num(0).num(MaxMemoryBudget + 1).num(0).bytes(), "is over the 1073741824 bytes"},
		{"memory budget of 16 GiB", new(req).op("vfsNew", 0).num(0).num(16 << 30).num(0).bytes(), "is over the 1073741824 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.Exec(tc.req, NoEnv{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestShell(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	d := exec(t, b, new(req).op("shellNew", id), nil)
	d.u32()
	sh := d.num()
	steps := []struct {
		line, stdin    string
		status         int64
		exited         bool
		stdout, stderr string
		prompt         string
	}{
		{"mkdir /tmp/s && cd /tmp/s && echo hi > f && cat f", "", 0, false, "hi\n", "", "vfscope:/tmp/s# "},
		{"cat nope", "", 1, false, "", "cat: nope: No such file or directory\n", "vfscope:/tmp/s# "},
		{"cat", "from stdin", 0, false, "from stdin", "", "vfscope:/tmp/s# "},
		{"exit 4", "", 4, true, "", "", "vfscope:/tmp/s# "},
		{"echo no", "", 4, true, "", "", "vfscope:/tmp/s# "},
	}
	for _, s := range steps {
		d := exec(t, b, new(req).op("shellRun", 0).num(sh).str(s.line).raw([]byte(s.stdin)), nil)
		if e := d.u32(); e != 0 {
			t.Fatalf("%q: errno %d", s.line, e)
		}
		status, exited, out, errs, prompt := d.num(), d.u8() == 1, string(d.bytes()), string(d.bytes()), d.str()
		if status != s.status || exited != s.exited || out != s.stdout || errs != s.stderr || prompt != s.prompt {
			t.Errorf("%q: status %d exited %v stdout %q stderr %q prompt %q\nwant %d %v %q %q %q",
				s.line, status, exited, out, errs, prompt, s.status, s.exited, s.stdout, s.stderr, s.prompt)
		}
	}
	exec(t, b, new(req).op("shellClose", 0).num(sh), nil)
	if _, err := b.Exec(new(req).op("shellClose", 0).num(sh).bytes(), NoEnv{}); err == nil {
		t.Error("closing a closed shell succeeded")
	}
}

// TestShellSplit checks that shellSplit gives the line's simple commands
// as the shell parses them, with the shell's working directory, and a
// syntax error as text.
func TestShellSplit(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	d := exec(t, b, new(req).op("shellNew", id), nil)
	d.u32()
	sh := d.num()
	exec(t, b, new(req).op("shellRun", 0).num(sh).str("mkdir /tmp/w && cd /tmp/w").raw(nil), nil)
	tests := []struct{ line, want string }{
		{`busybox echo "a b" c > 'my f' 2>&1`, `/tmp/w: [busybox][echo][a b][c] 1>my f 2>&1`},
		{`a; b | c`, `/tmp/w: [a] ; [b] ; [c]`},
		{`echo "x`, `/tmp/w: error incomplete command`},
	}
	for _, tc := range tests {
		d := exec(t, b, new(req).op("shellSplit", 0).num(sh).str(tc.line), nil)
		if e := d.u32(); e != 0 {
			t.Fatalf("%q: errno %d", tc.line, e)
		}
		perr, cwd := d.str(), d.str()
		var parts []string
		for n := d.u32(); n > 0; n-- {
			var sb strings.Builder
			for na := d.u32(); na > 0; na-- {
				sb.WriteString("[" + d.str() + "]")
			}
			for nr := d.u32(); nr > 0; nr-- {
				fd, op, target := d.u8(), d.str(), d.str()
				sb.WriteString(" " + string(rune('0'+fd)) + op + target)
			}
			parts = append(parts, sb.String())
		}
		got := cwd + ": " + strings.Join(parts, " ; ")
		if perr != "" {
			got = cwd + ": error " + perr
		}
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.line, got, tc.want)
		}
	}
	if _, err := b.Exec(new(req).op("shellSplit", 0).num(sh+1).str("ls").bytes(), NoEnv{}); err == nil {
		t.Error("splitting on a shell that does not exist succeeded")
	}
}

// countingMemory is guest memory held "on the other side": it counts the
// crossings and the bytes copied, as a JavaScript host would pay them.
type countingMemory struct {
	mem           wasi.Bytes
	calls, copied int
	sizeCalls     int
}

func (m *countingMemory) Size() uint32 { m.sizeCalls++; return uint32(len(m.mem)) }

func (m *countingMemory) ReadAt(dst []byte, off uint32) bool {
	m.calls++
	m.copied += len(dst)
	src, ok := m.mem.View(off, uint32(len(dst)))
	if ok {
		copy(dst, src)
	}
	return ok
}

func (m *countingMemory) WriteAt(off uint32, p []byte) bool {
	m.calls++
	m.copied += len(p)
	return m.mem.Write(off, p)
}

type memEnv struct{ m GuestMemory }

func (e memEnv) GuestMemory(slot uint32) (GuestMemory, error) {
	if slot != 1 {
		return nil, errors.New("no such slot")
	}
	return e.m, nil
}

func funcIndex(t *testing.T, name string) uint32 {
	for i, f := range wasi.Funcs {
		if f.Name == name {
			return uint32(i)
		}
	}
	t.Fatalf("no WASI function %s", name)
	return 0
}

// TestWASICopies: a guest's fd_write and fd_read cross between the
// memories only for data too large for the exchange block (fd_write's
// 64 KiB, once); the iovec array is staged and the data read and the
// results are queued (guestmem.go); proc_exit turns into the exited state.
func TestWASICopies(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	d := exec(t, b, new(req).op("wasiNew", id).strs("guest").strs("A=1").strs("/").str("/").raw(nil).num(0), nil)
	if e := d.u32(); e != 0 {
		t.Fatalf("wasiNew: errno %d", e)
	}
	g := d.num()
	cm := &countingMemory{mem: make(wasi.Bytes, 1<<20)}
	exec(t, b, new(req).op("wasiMemory", 0).num(g).u32(1), memEnv{cm})

	call := func(name string, params ...uint64) (wasi.Errno, bool, uint32, string) {
		t.Helper()
		return callWASI(t, b, uint32(g), name, params...)
	}
	// path_open(3, 0, "/tmp/w" at 100, 6, O_CREAT, rights all, all, 0, fd at 200)
	copy(cm.mem[100:], "tmp/w")
	errno, _, _, _ := call("path_open", 3, 0, 100, 5, uint64(wasi.OflagCreat), uint64(wasi.RightsAll), uint64(wasi.RightsAll), 0, 200)
	if errno != wasi.ESUCCESS {
		t.Fatalf("path_open: %v", errno)
	}
	fd := uint64(binary.LittleEndian.Uint32(cm.mem[200:]))
	const n = 64 << 10
	for i := range n {
		cm.mem[4096+i] = byte(i * 13)
	}
	// One iovec at 300: {4096, n}; nwritten at 400.
	binary.LittleEndian.PutUint32(cm.mem[300:], 4096)
	binary.LittleEndian.PutUint32(cm.mem[304:], n)
	cm.calls, cm.copied = 0, 0
	if errno, _, _, _ := call("fd_write", fd, 300, 1, 400); errno != wasi.ESUCCESS {
		t.Fatalf("fd_write: %v", errno)
	}
	if got := binary.LittleEndian.Uint32(cm.mem[400:]); got != n {
		t.Fatalf("fd_write wrote %d", got)
	}
	// The data (n): the iovec array is staged, the result queued.
	if cm.calls != 1 || cm.copied != n {
		t.Errorf("fd_write: %d crossings copying %d bytes, want 1 and %d", cm.calls, cm.copied, n)
	}
	// Read it back into another buffer, from offset 0.
	binary.LittleEndian.PutUint32(cm.mem[300:], 4096+n)
	cm.calls, cm.copied = 0, 0
	if errno, _, _, _ := call("fd_pread", fd, 300, 1, 0, 400); errno != wasi.ESUCCESS {
		t.Fatalf("fd_pread: %v", errno)
	}
	if cm.calls != 0 || cm.copied != 0 {
		t.Errorf("fd_pread: %d crossings copying %d bytes, want none", cm.calls, cm.copied)
	}
	if !bytes.Equal(cm.mem[4096:4096+n], cm.mem[4096+n:4096+2*n]) {
		t.Error("fd_pread read back other bytes")
	}
	// A short read (the last 100 bytes into a buffer of n) copies only
	// what it read: the buffer it fills is scratch that held other data.
	for i := range n {
		cm.mem[4096+n+i] = 0xee
	}
	binary.LittleEndian.PutUint32(cm.mem[300:], 4096+n)
	cm.calls, cm.copied = 0, 0
	if errno, _, _, _ := call("fd_pread", fd, 300, 1, n-100, 400); errno != wasi.ESUCCESS {
		t.Fatalf("short fd_pread: %v", errno)
	}
	if got := binary.LittleEndian.Uint32(cm.mem[400:]); got != 100 || cm.copied != 0 {
		t.Errorf("short fd_pread: read %d, copied %d bytes by crossing, want 100 and 0", got, cm.copied)
	}
	if !bytes.Equal(cm.mem[4096+n:4096+n+100], cm.mem[4096+n-100:4096+n]) {
		t.Error("short fd_pread read other bytes")
	}
	for i := 100; i < n; i++ {
		if cm.mem[4096+n+i] != 0xee {
			t.Errorf("short fd_pread changed the guest's buffer past what it read, at %d", i)
			break
		}
	}
	// A buffer outside memory is EFAULT, and costs no copy of it.
	binary.LittleEndian.PutUint32(cm.mem[300:], 1<<20-10)
	cm.copied = 0
	if errno, _, _, _ := call("fd_pread", fd, 300, 1, 0, 400); errno != wasi.EFAULT {
		t.Errorf("fd_pread past the end: %v, want EFAULT", errno)
	}
	if cm.copied != 0 {
		t.Errorf("a failed fd_pread copied %d bytes", cm.copied)
	}
	// Output to fd 1 is flagged, and wasiOutput returns it.
	copy(cm.mem[500:], "hi\n")
	binary.LittleEndian.PutUint32(cm.mem[300:], 500)
	binary.LittleEndian.PutUint32(cm.mem[304:], 3)
	if _, _, _, out := call("fd_write", 1, 300, 1, 400); out != "hi\n" {
		t.Errorf("stdout %q", out)
	}
	if _, exited, code, _ := call("proc_exit", 7); !exited || code != 7 {
		t.Errorf("proc_exit: exited %v code %d", exited, code)
	}
	if _, exited, code, _ := call("fd_write", 1, 300, 1, 400); !exited || code != 7 {
		t.Errorf("a call after proc_exit: exited %v code %d", exited, code)
	}
	exec(t, b, new(req).op("wasiClose", 0).num(g), nil)
	d = exec(t, b, new(req).op("readFile", id).str("/tmp/w"), nil)
	if e := d.u32(); e != 0 || len(d.bytes()) != n {
		t.Errorf("the guest's file: errno %d", e)
	}
}

// TestVFSClose releases a VFS with its shells and guests.
func TestVFSClose(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	d := exec(t, b, new(req).op("shellNew", id).op("open", id).str("/tmp").num(vfs.O_RDONLY).num(0), nil)
	d.u32()
	sh := d.num()
	exec(t, b, new(req).op("vfsClose", id), nil)
	if _, err := b.Exec(new(req).op("stat", id).str("/").bytes(), NoEnv{}); err == nil {
		t.Error("a closed VFS answered")
	}
	if _, err := b.Exec(new(req).op("shellRun", 0).num(sh).str("ls").raw(nil).bytes(), NoEnv{}); err == nil {
		t.Error("a closed VFS's shell answered")
	}
}

// TestResponseReuse: the response buffer is reused between batches and
// a read result larger than it grows it.
func TestResponseReuse(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	exec(t, b, new(req).op("writeFile", id).str("/tmp/big").raw(big).num(vfs.O_WRONLY|vfs.O_CREAT).num(0o600), nil)
	for range 3 {
		d := exec(t, b, new(req).op("open", id).str("/tmp/big").num(vfs.O_RDONLY).num(0), nil)
		d.u32()
		fd := d.num()
		d = exec(t, b, new(req).op("read", id).num(fd).num(int64(len(big))+10).op("read", id).num(fd).num(10).op("close", id).num(fd), nil)
		d.u32()
		if got := d.bytes(); !bytes.Equal(got, big) {
			t.Fatalf("read %d bytes, want %d", len(got), len(big))
		}
		if d.u32() != 0 || len(d.bytes()) != 0 {
			t.Fatal("read at EOF returned data")
		}
	}
	d := exec(t, b, new(req).op("read", id).num(0).num(-1), nil)
	if e := vfs.Errno(d.u32()); e != vfs.EINVAL {
		t.Errorf("read of -1 bytes: %v", e)
	}
}

// TestTrace: a subscription sees the events of the operations after it,
// as JSON in the trace schema, and a snapshot holds the tree.
func TestTrace(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	d := exec(t, b, new(req).op("subscribe", id).num(0), nil)
	d.u32()
	l := d.num()
	exec(t, b, new(req).op("mkdir", id).str("/tmp/traced").num(0o755), nil)
	d = exec(t, b, new(req).op("events", 0).num(l).num(0).op("snapshot", id), nil)
	if e := d.u32(); e != 0 {
		t.Fatalf("events: errno %d", e)
	}
	var events []map[string]any
	if err := json.Unmarshal(d.bytes(), &events); err != nil {
		t.Fatalf("events are not a JSON array: %v", err)
	}
	found := false
	for _, e := range events {
		if e["kind"] == "dentry.instantiate" && e["name"] == "traced" {
			found = true
		}
	}
	if !found {
		t.Errorf("no dentry.instantiate of traced among %d events: %v", len(events), events)
	}
	d.u32()
	var snap trace.Snapshot
	if err := trace.DecodeSnapshot(d.bytes(), &snap); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	names := map[string]bool{}
	for _, de := range snap.Dentries {
		names[de.Name] = true
	}
	if !names["traced"] || !names["tmp"] {
		t.Errorf("snapshot dentries lack tmp or traced: %v", names)
	}
	d = exec(t, b, new(req).op("events", 0).num(l).num(0), nil)
	d.u32()
	if got := string(d.bytes()); got != "[]" {
		t.Errorf("events after reading all: %s", got)
	}
	exec(t, b, new(req).op("unsubscribe", 0).num(l), nil)
	if _, err := b.Exec(new(req).op("events", 0).num(l).num(0).bytes(), NoEnv{}); err == nil {
		t.Error("a closed listener answered")
	}
}

// BenchmarkExec measures the bridge's own cost around an operation: an
// empty batch, a stat, and a WASI call, against the same calls made
// directly.
func BenchmarkExec(b *testing.B) {
	br := New()
	t := &testing.T{}
	id := newVFS(t, br)
	empty := new(req).bytes()
	stat := new(req).op("stat", id).str("/tmp").bytes()
	d := exec(t, br, new(req).op("wasiNew", id).strs("g").strs().strs().str("/").raw(nil).num(0), nil)
	d.u32()
	g := d.num()
	cm := &countingMemory{mem: make(wasi.Bytes, 1<<16)}
	exec(t, br, new(req).op("wasiMemory", 0).num(g).u32(1), memEnv{cm})
	fdstat := funcIndex(t, "fd_fdstat_get")
	b.Run("empty", func(b *testing.B) {
		for b.Loop() {
			br.Exec(empty, NoEnv{})
		}
	})
	b.Run("stat", func(b *testing.B) {
		for b.Loop() {
			br.Exec(stat, NoEnv{})
		}
	})
	b.Run("stat-direct", func(b *testing.B) {
		var st vfs.Stat
		task := br.vfses[id].task
		for b.Loop() {
			task.Stat("/tmp", &st)
		}
	})
	b.Run("wasi-fd_fdstat_get", func(b *testing.B) {
		for b.Loop() {
			br.CallWASI(uint32(g), fdstat, []uint64{3, 64})
		}
	})
	b.Run("wasi-fd_fdstat_get-direct", func(b *testing.B) {
		a := br.guests[uint32(g)].abi
		for b.Loop() {
			a.FdFdstatGet(cm.mem, 3, 64)
		}
	})
}

// TestWASIPreopens: the preopens wasiNew passes are the guest's fds 3,
// 4, ...; an empty list gives it none (fd_prestat_get(3) is EBADF, as
// for node's WASI with no preopens and wasmtime without --dir), not the
// whole VFS.
func TestWASIPreopens(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	exec(t, b, new(req).op("mkdir", id).str("/tmp/p").num(0o755), nil)
	for _, tc := range []struct {
		name     string
		preopens []string
		want     []wasi.Errno // fd_prestat_get of fds 3 and 4
	}{
		{"none", nil, []wasi.Errno{wasi.EBADF, wasi.EBADF}},
		{"the root", []string{"/"}, []wasi.Errno{wasi.ESUCCESS, wasi.EBADF}},
		{"two", []string{"/", "/tmp/p"}, []wasi.Errno{wasi.ESUCCESS, wasi.ESUCCESS}},
	} {
		d := exec(t, b, new(req).op("wasiNew", id).strs("g").strs().strs(tc.preopens...).str("/").raw(nil).num(0), nil)
		if e := d.u32(); e != 0 {
			t.Fatalf("%s: wasiNew: errno %d", tc.name, e)
		}
		g := d.num()
		cm := &countingMemory{mem: make(wasi.Bytes, 1<<16)}
		exec(t, b, new(req).op("wasiMemory", 0).num(g).u32(1), memEnv{cm})
		for i, want := range tc.want {
			if errno, _, _, _ := callWASI(t, b, uint32(g), "fd_prestat_get", uint64(3+i), 100); errno != want {
				t.Errorf("%s: fd_prestat_get(%d) = %v, want %v", tc.name, 3+i, errno, want)
			}
		}
		exec(t, b, new(req).op("wasiClose", 0).num(g), nil)
	}
}

// TestWASIPreopenFails: a preopen that cannot be opened fails wasiNew
// with its errno and, in the errno word's high 16 bits, 1 + its index,
// so that JavaScript names its path; a root that cannot be entered is
// step 0.
func TestWASIPreopenFails(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	exec(t, b, new(req).op("mkdir", id).str("/tmp/p").num(0o755), nil)
	for _, tc := range []struct {
		name     string
		root     string
		preopens []string
		want     uint32
	}{
		{"the second preopen", "/", []string{"/tmp/p", "/nope"}, uint32(vfs.ENOENT) | 2<<16},
		{"a file", "/", []string{"/proc/meminfo"}, uint32(vfs.ENOTDIR) | 1<<16},
		{"the root", "/nope", []string{"/"}, uint32(vfs.ENOENT)},
	} {
		d := exec(t, b, new(req).op("wasiNew", id).strs("g").strs().strs(tc.preopens...).str(tc.root).raw(nil).num(0), nil)
		if e := d.u32(); e != tc.want {
			t.Errorf("%s: errno word %#x, want %#x", tc.name, e, tc.want)
		}
	}
}
