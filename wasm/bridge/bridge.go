package bridge

import (
	"errors"
	"fmt"
	"time"

	"github.com/vfscope/vfscope/host/wasi"
	"github.com/vfscope/vfscope/vfs"
)

// Env is what the host provides besides the request bytes: the WASI
// guests' memories, registered by the JavaScript loader under slot
// numbers that wasiMemory operations name.
type Env interface {
	// GuestMemory returns the memory registered under slot.
	GuestMemory(slot uint32) (GuestMemory, error)
}

// NoEnv is an Env without guest memories.
type NoEnv struct{}

func (NoEnv) GuestMemory(uint32) (GuestMemory, error) {
	return nil, errors.New("no guest memory registered with this host")
}

// Bridge holds the VFS instances, shell sessions and WASI guests that
// JavaScript refers to by number, and executes batches of operations on
// them. It is safe for concurrent use, though the GOOS=js build calls it
// from one goroutine at a time.
type Bridge struct {
	// mu serialises batches; it protects every field below. It is taken
	// outside every VFS lock.
	mu     batchMutex
	next   uint32
	vfses  map[uint32]*instance
	shells map[uint32]*shellSession
	guests map[uint32]*guest
	// listeners are the trace subscriptions.
	listeners map[uint32]*listener
	// clock is every VFS's clock; each batch is a tick.
	clock batchClock

	// sc holds what is reused between batches, so that a batch
	// allocates for its operations only. A batch abandoned asleep keeps
	// its own (stall.go); the next one gets a fresh one.
	sc *scratch
	// lastID and last are the VFS the previous operation acted on
	// (last nil if none, or closed since): a batch, and a page's calls,
	// mostly name the same one, which then costs no map lookup.
	lastID uint32
	last   *instance
	// lastGuestID and lastGuest are the same for CallWASI's guest.
	lastGuestID uint32
	lastGuest   *guest
}

// scratch is what one batch reuses from the previous: the response
// being built, the request's decoder, the operation being run, a stat
// result, the path arguments of the operations that take one, and a
// listing's parts while opReaddir gathers them.
type scratch struct {
	out     encoder
	dec     decoder
	cl      call
	stat    vfs.Stat
	paths   wasi.StringArena
	readdir struct{ types, inos, names []byte }
	// op is the operation being run.
	op *opDef
	// cur is the VFS the operation being run acts on (nil if none):
	// the one a stalled operation interrupts or leaves unusable. It and
	// the two below are read by the watchdog's goroutine (stall.go).
	cur instWord
	// intr is the VFS the watchdog interrupted during this batch, if
	// any: the interrupt is cleared when the batch ends.
	intr instWord
	// abandoned is set when the batch running on this scratch was left
	// asleep: if it ever wakes, it runs no further operation.
	abandoned flagWord
}

// instance is one VFS as JavaScript sees it: the booted tree and the
// task its calls act as.
type instance struct {
	v    *vfs.VFS
	task *vfs.Task
	// wedged, if not empty, says why the VFS is unusable: an operation
	// on it sleeps in a wait no signal ends (stall.go), holding what it
	// holds. Every later operation on it fails with this reason.
	wedged string
}

// New returns an empty Bridge.
func New() *Bridge {
	return &Bridge{
		vfses:     map[uint32]*instance{},
		shells:    map[uint32]*shellSession{},
		guests:    map[uint32]*guest{},
		listeners: map[uint32]*listener{},
		clock:     batchClock{start: time.Now()},
		sc:        new(scratch),
	}
}

func (b *Bridge) id() uint32 {
	b.next++
	return b.next
}

// errBadRequest marks a request that cannot be decoded: the batch stops
// there and Exec reports it.
type errBadRequest struct{ msg string }

func (e errBadRequest) Error() string { return e.msg }

// Exec runs the batch in req and returns the response, which stays valid
// until the next Exec. The request is
//
//	u32 count, then count times: u8 opcode, u32 target, arguments
//
// and the response
//
//	count times: u32 errno (0 on success), then the results if 0.
//
// The errno word holds the errno in its low 16 bits and, for an
// operation made of several calls (readFile, writeFile), which of them
// failed in its high 16 (stepError; 0 is the first).
//
// target is the VFS an operation acts on (0 for the operations that need
// none). A failing operation does not stop the batch: its errno is its
// result. A request that cannot be decoded (an unknown opcode, a
// truncated argument, an unknown VFS) stops the batch with an error
// naming the operation; the operations before it have run.
func (b *Bridge) Exec(req []byte, env Env) ([]byte, error) {
	b.mu.Lock()
	sc := b.sc
	out, err := b.exec(sc, req, env)
	if sc.abandoned.Load() {
		// Abandon released b.mu and answered the caller (stall.go): this
		// batch woke after all, and its result goes nowhere.
		return nil, errAbandoned
	}
	sc.clearInterrupt()
	b.mu.Unlock()
	return out, err
}

// exec is Exec under b.mu, with the scratch sc.
func (b *Bridge) exec(sc *scratch, req []byte, env Env) ([]byte, error) {
	b.clock.tick()
	d := &sc.dec
	*d = decoder{b: req, paths: &sc.paths}
	e := &sc.out
	e.b = e.b[:0]
	n := d.u32()
	if d.bad {
		return nil, errors.New("bridge: request shorter than its header")
	}
	c := &sc.cl
	*c = call{b: b, sc: sc, d: d, e: e, env: env}
	for i := uint32(0); i < n; i++ {
		code := d.u8()
		target := d.u32()
		if d.bad || int(code) >= len(opTable) || opTable[code].run == nil {
			return nil, badHeader(i, n, code, d.bad)
		}
		op := &opTable[code]
		c.in = nil
		sc.op = op
		sc.cur.Store(nil)
		if op.needVFS {
			if b.last == nil || target != b.lastID {
				b.last, b.lastID = b.vfses[target], target
			}
			c.in = b.last
			if c.in == nil {
				return nil, noVFS(op, target)
			}
			if c.in.wedged != "" && op.name != "vfsClose" {
				return nil, wedgedVFS(op, target, c.in.wedged)
			}
			sc.cur.Store(c.in)
		}
		mark := len(e.b)
		e.u32(0)
		err := op.run(c)
		if sc.abandoned.Load() {
			return nil, errAbandoned
		}
		if d.bad {
			return nil, badArguments(op, nil)
		}
		if err != nil {
			if berr := badArguments(op, err); berr != nil {
				return nil, berr
			}
			e.b = e.b[:mark]
			e.u32(errnoWord(err))
		}
	}
	if d.off != len(d.b) {
		return nil, trailingBytes(len(d.b) - d.off)
	}
	// Drop references into the request, which JavaScript rewrites.
	sc.dec = decoder{}
	sc.cl = call{}
	sc.op = nil
	sc.cur.Store(nil)
	return e.b, nil
}

// The errors of a request that cannot be decoded are made out of line:
// Exec runs for every batch, and under GOOS=js each call site and each
// argument slot a function has costs it on every run.

//go:noinline
func badHeader(i, n uint32, code uint8, truncated bool) error {
	if truncated {
		return fmt.Errorf("bridge: operation %d of %d: truncated header", i, n)
	}
	return fmt.Errorf("bridge: operation %d of %d: unknown opcode %d", i, n, code)
}

//go:noinline
func noVFS(op *opDef, target uint32) error {
	return fmt.Errorf("bridge: %s: no VFS %d (closed or never created)", op.name, target)
}

// badArguments is the error that stops the batch for an operation whose
// arguments ran past the end of the request (err nil), or that returned
// an errBadRequest; nil for any other error, its errno the operation's
// result.
//
//go:noinline
func badArguments(op *opDef, err error) error {
	if err == nil {
		return fmt.Errorf("bridge: %s: truncated arguments", op.name)
	}
	var bad errBadRequest
	if errors.As(err, &bad) {
		return fmt.Errorf("bridge: %s: %s", op.name, bad.msg)
	}
	return nil
}

//go:noinline
func wedgedVFS(op *opDef, target uint32, why string) error {
	return fmt.Errorf("bridge: %s: VFS %d is unusable: %s", op.name, target, why)
}

//go:noinline
func trailingBytes(n int) error {
	return fmt.Errorf("bridge: %d bytes after the last operation", n)
}

// call is one operation being executed: its arguments, its result and
// its VFS.
type call struct {
	b   *Bridge
	sc  *scratch
	d   *decoder
	e   *encoder
	env Env
	in  *instance
}

// ok reports whether the arguments decoded; an operation checks it
// before acting.
func (c *call) ok() bool { return !c.d.bad }
