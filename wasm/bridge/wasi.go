package bridge

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/vfscope/vfscope/host/wasi"
)

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

// opWASINew makes a guest. Its task is forked from the task of the
// shell it names (a guest run from a shell's command line runs as the
// shell's user, with its umask, after su as before), or from the VFS's
// first task (root) when the shell is 0.
func opWASINew(c *call) error {
	args, env, pre, root, stdin, shellID := c.d.strs(), c.d.strs(), c.d.strs(), c.d.str(), c.d.bytes(), c.d.num()
	if !c.ok() {
		return nil
	}
	parent := c.in.task
	if shellID != 0 {
		s, err := c.shell(shellID)
		if err != nil {
			return err
		}
		if s.in != c.in {
			return errBadRequest{"shell " + itoa(shellID) + " is on another VFS"}
		}
		parent = s.sh.Task()
	}
	g := &guest{in: c.in}
	cfg := wasi.Config{
		Task:   parent,
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
	// The list as given: empty means no preopens (as node's WASI with
	// preopens {} and wasmtime without --dir); the JavaScript side sends
	// ["/"] when its option is absent.
	cfg.Preopens = append([]string{}, pre...)
	abi, err := wasi.New(cfg)
	if err != nil {
		// Which preopen failed, as a step (the root's chroot is step
		// 0), so that JavaScript names its path in the error.
		var pe *wasi.PreopenError
		if errors.As(err, &pe) && pe.Index < 0xffff {
			return stepError{uint32(stepPreopen + pe.Index), pe.Err}
		}
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
	if g.in.wedged != "" {
		return nil, errBadRequest{"the guest's VFS is unusable: " + g.in.wedged}
	}
	c.sc.cur.Store(g.in)
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
	g.mem = newGuestMemory(gm)
	g.mem.encodeLayout(c.e)
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
	if c.b.lastGuest == g {
		c.b.lastGuest = nil
	}
	return nil
}
