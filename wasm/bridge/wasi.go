package bridge

import (
	"bytes"
	"context"
	"encoding/binary"
	"time"

	"github.com/vfscope/vfscope/host/wasi"
)

// GuestMemory is a WASI guest's linear memory held on the JavaScript side
// (a WebAssembly.Memory): every method is a crossing, so the ABI's view of
// it (guestMemory) asks for exactly the bytes a call reads or writes.
type GuestMemory interface {
	// Size is the memory's current length in bytes.
	Size() uint32
	// ReadAt copies len(dst) bytes at off into dst.
	ReadAt(dst []byte, off uint32) bool
	// WriteAt copies p to off.
	WriteAt(off uint32, p []byte) bool
}

// guestMemory is the wasi.Memory (and wasi.RangeMemory) of a guest whose
// memory lives in JavaScript. Bounds are checked against a cached size,
// refreshed only when a range falls outside it (memory only grows).
// Buffers returned by Read and Scratch come from an arena reset at every
// call, so a call reading or filling several iovecs allocates once.
type guestMemory struct {
	g       GuestMemory
	size    uint32
	arena   []byte
	scratch [8]byte
}

func (m *guestMemory) InRange(off, n uint32) bool {
	end := uint64(off) + uint64(n)
	if end <= uint64(m.size) {
		return true
	}
	m.size = m.g.Size()
	return end <= uint64(m.size)
}

func (m *guestMemory) Read(off, n uint32) ([]byte, bool) {
	if !m.InRange(off, n) {
		return nil, false
	}
	p := m.Scratch(off, n)
	if n > 0 && !m.g.ReadAt(p, off) {
		return nil, false
	}
	return p, true
}

// Scratch is wasi.ScratchMemory's: n bytes of the arena for the guest
// range at off, valid until the call returns.
func (m *guestMemory) Scratch(off, n uint32) []byte {
	// Data of dataAlignMin bytes or more gets the guest address's
	// alignment modulo dataAlign (the arena starts aligned), so neither
	// the copy from the guest nor, for an aligned guest buffer, the copy
	// into the page cache is misaligned (see dataAlign).
	pad := 0
	if n >= dataAlignMin {
		pad = (int(off) - len(m.arena)) & (dataAlign - 1)
	}
	if len(m.arena)+pad+int(n) > cap(m.arena) {
		m.arena = AlignedBuffer(max(2*cap(m.arena), int(n)+dataAlign, 4096))[:0]
		pad = 0
		if n >= dataAlignMin {
			pad = int(off) & (dataAlign - 1)
		}
	}
	l := len(m.arena) + pad
	m.arena = m.arena[:l+int(n)]
	return m.arena[l : l+int(n) : l+int(n)]
}

func (m *guestMemory) Write(off uint32, p []byte) bool {
	if uint64(len(p)) > 1<<32-1 || !m.InRange(off, uint32(len(p))) {
		return false
	}
	return len(p) == 0 || m.g.WriteAt(off, p)
}

func (m *guestMemory) ReadUint32Le(off uint32) (uint32, bool) {
	if !m.InRange(off, 4) || !m.g.ReadAt(m.scratch[:4], off) {
		return 0, false
	}
	return binary.LittleEndian.Uint32(m.scratch[:4]), true
}

func (m *guestMemory) WriteUint32Le(off uint32, v uint32) bool {
	binary.LittleEndian.PutUint32(m.scratch[:4], v)
	return m.InRange(off, 4) && m.g.WriteAt(off, m.scratch[:4])
}

func (m *guestMemory) ReadUint64Le(off uint32) (uint64, bool) {
	if !m.InRange(off, 8) || !m.g.ReadAt(m.scratch[:8], off) {
		return 0, false
	}
	return binary.LittleEndian.Uint64(m.scratch[:8]), true
}

func (m *guestMemory) WriteUint64Le(off uint32, v uint64) bool {
	binary.LittleEndian.PutUint64(m.scratch[:8], v)
	return m.InRange(off, 8) && m.g.WriteAt(off, m.scratch[:8])
}

// guest is one WASI guest: its ABI (host/wasi, the same preview1 code
// vfscope run registers in wazero), its memory once the instance exists,
// and the output it wrote since the last call returned.
type guest struct {
	in     *instance
	abi    *wasi.ABI
	mem    *guestMemory
	stdout bytes.Buffer
	stderr bytes.Buffer
	exited bool
	code   uint32
}

func (g *guest) close() { g.abi.Close() }

// spinSleep waits d by reading the clock: in the GOOS=js build a guest's
// WASI call runs inside one synchronous call from JavaScript, where
// parking on a timer would hand control back to JavaScript mid-call.
func spinSleep(ctx context.Context, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

func opWASIFuncs(c *call) error {
	c.e.u32(uint32(len(wasi.Funcs)))
	for _, f := range wasi.Funcs {
		c.e.str(f.Name)
		c.e.u8(uint8(len(f.Params)))
		for _, p := range f.Params {
			c.e.u8(uint8(p))
		}
		nr := uint8(0)
		if f.NoReturn {
			nr = 1
		}
		c.e.u8(nr)
	}
	return nil
}

func opWASINew(c *call) error {
	args, env, pre, root, stdin := c.d.strs(), c.d.strs(), c.d.strs(), c.d.str(), c.d.bytes()
	if !c.ok() {
		return nil
	}
	g := &guest{in: c.in}
	cfg := wasi.Config{
		Task:   c.in.task,
		Root:   root,
		Args:   args,
		Env:    env,
		Stdin:  bytes.NewReader(bytes.Clone(stdin)),
		Stdout: &g.stdout,
		Stderr: &g.stderr,
		// No goroutine can run while JavaScript waits for a call to
		// return, so sched_yield has nothing to yield to, and a timer
		// cannot fire inside the call: poll_oneoff's clocks are waited
		// for by watching the clock.
		Yield: func() {},
		Sleep: spinSleep,
	}
	if len(pre) > 0 {
		cfg.Preopens = pre
	}
	abi, err := wasi.New(cfg)
	if err != nil {
		return err
	}
	g.abi = abi
	id := c.b.id()
	c.b.guests[id] = g
	c.e.num(int64(id))
	return nil
}

func (c *call) guest(id int64) (*guest, error) {
	g := c.b.guests[uint32(id)]
	if g == nil || id <= 0 || id > 1<<32-1 {
		return nil, errBadRequest{"no WASI guest " + itoa(id) + " (closed or never created)"}
	}
	return g, nil
}

func opWASIMemory(c *call) error {
	id, slot := c.d.num(), c.d.u32()
	if !c.ok() {
		return nil
	}
	g, err := c.guest(id)
	if err != nil {
		return err
	}
	gm, err := c.env.GuestMemory(slot)
	if err != nil {
		return errBadRequest{err.Error()}
	}
	g.mem = &guestMemory{g: gm}
	return nil
}

// call runs f. Only proc_exit (NoReturn) ends in a panic, which
// callExit turns into the exit state; the other functions are called
// without a deferred recover, which costs a few percent of a call in
// the GOOS=js build.
func (g *guest) call(f *wasi.Func, p []uint64) wasi.Errno {
	if f.NoReturn {
		return g.callExit(f, p)
	}
	return f.Call(context.Background(), g.abi, g.mem, p)
}

func (g *guest) callExit(f *wasi.Func, p []uint64) (errno wasi.Errno) {
	defer func() {
		if r := recover(); r != nil {
			ee, ok := r.(*wasi.ExitError)
			if !ok {
				panic(r)
			}
			g.exited, g.code = true, ee.Code
			errno = wasi.ESUCCESS
		}
	}()
	return f.Call(context.Background(), g.abi, g.mem, p)
}

func opWASIClose(c *call) error {
	id := c.d.num()
	if !c.ok() {
		return nil
	}
	g, err := c.guest(id)
	if err != nil {
		return err
	}
	g.close()
	delete(c.b.guests, uint32(id))
	return nil
}
