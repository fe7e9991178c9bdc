package bridge

import (
	"fmt"

	"github.com/vfscope/vfscope/host/wasi"
)

// What CallWASI returns besides the errno (its low 16 bits). A guest's
// import checks the result against WASIErrnoMask: a larger value means
// the host must look at the guest (wasiOutput) before returning the
// errno to it.
const (
	// WASIErrnoMask selects the call's errno.
	WASIErrnoMask = 0xffff
	// WASIOutput: the guest wrote to its stdout or stderr, which
	// wasiOutput returns.
	WASIOutput = 1 << 16
	// WASIExited: the guest called proc_exit (in this call or before);
	// wasiOutput returns the code, and the host unwinds the guest.
	WASIExited = 1 << 17
)

// CallWASI runs preview1 function fn (an index into wasi.Funcs) for guest
// id, with the call's wasm values in p (an i32 zero-extended): the path a
// guest's import takes in the GOOS=js build, one plain WebAssembly call
// with the values as parameters and the result as its return value, no
// request to encode or decode. The result is the errno, with WASIOutput,
// WASIExited and WASIWrites (the import must apply the writes queued in
// the guest's exchange block: guestmem.go) set as they apply.
//
// Like a batch, a call is a tick of the VFSes' clock, and it holds
// Bridge.mu. After proc_exit a call runs nothing and returns
// WASIExited. The error is for a call that is not one (no such guest or
// function, a wrong parameter count, no memory passed yet): a bug of
// the host.
func (b *Bridge) CallWASI(id, fn uint32, p []uint64) (uint32, error) {
	b.mu.Lock()
	sc := b.sc
	r, err := b.callWASI(sc, id, fn, p)
	if sc.abandoned.Load() {
		return 0, errAbandoned // as in Exec
	}
	sc.clearInterrupt()
	b.mu.Unlock()
	return r, err
}

// callWASI is CallWASI under b.mu; sc.cur is set to the guest's VFS.
func (b *Bridge) callWASI(sc *scratch, id, fn uint32, p []uint64) (uint32, error) {
	g := b.lastGuest
	if g == nil || b.lastGuestID != id {
		g = b.guests[id]
		b.lastGuestID, b.lastGuest = id, g
	}
	if g == nil || id == 0 || int(fn) >= len(wasi.Funcs) || len(p) != len(wasi.Funcs[fn].Params) || g.mem == nil {
		return 0, b.badWASICall(g, id, fn, p)
	}
	if g.in.wedged != "" {
		return 0, fmt.Errorf("bridge: %s: the guest's VFS is unusable: %s", wasi.Funcs[fn].Name, g.in.wedged)
	}
	if g.exited {
		return WASIExited, nil
	}
	sc.op = nil
	sc.cur.Store(g.in)
	b.clock.tick()
	g.mem.begin()
	// Bridge.mu is unlocked without a deferred call: a panic here is a
	// bug that ends the program (proc_exit's is recovered in g.call).
	r := uint32(g.call(&wasi.Funcs[fn], p))
	if g.mem.end() {
		r |= WASIWrites
	}
	if g.stdout.Len() != 0 || g.stderr.Len() != 0 {
		r |= WASIOutput
	}
	if g.exited {
		r |= WASIExited
	}
	sc.cur.Store(nil)
	return r, nil
}

// badWASICall is the error of a call CallWASI refused, out of line.
func (b *Bridge) badWASICall(g *guest, id, fn uint32, p []uint64) error {
	switch {
	case g == nil || id == 0:
		return fmt.Errorf("bridge: no WASI guest %d (closed or never created)", id)
	case int(fn) >= len(wasi.Funcs):
		return fmt.Errorf("bridge: no WASI function %d", fn)
	case len(p) != len(wasi.Funcs[fn].Params):
		f := &wasi.Funcs[fn]
		return fmt.Errorf("bridge: %s takes %d parameters, not %d", f.Name, len(f.Params), len(p))
	}
	return fmt.Errorf("bridge: the guest's memory was not passed (wasiMemory) before %s", wasi.Funcs[fn].Name)
}

// opWASIOutput returns what a guest wrote to stdout and stderr since the
// last wasiOutput, and whether it exited, with which code.
func opWASIOutput(c *call) error {
	id := c.d.num()
	if !c.ok() {
		return nil
	}
	g, err := c.guest(id)
	if err != nil {
		return err
	}
	if g.exited {
		c.e.u8(1)
	} else {
		c.e.u8(0)
	}
	c.e.u32(g.code)
	c.e.bytes(g.stdout.Bytes())
	c.e.bytes(g.stderr.Bytes())
	g.stdout.Reset()
	g.stderr.Reset()
	return nil
}
