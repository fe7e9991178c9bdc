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
// request to encode or decode. The result is the errno, with WASIOutput
// and WASIExited set as they apply.
//
// Like a batch, a call is a tick of the VFSes' clock, and it holds
// Bridge.mu. After proc_exit a call runs nothing and returns
// WASIExited. The error is for a call that is not one (no such guest or
// function, a wrong parameter count, no memory passed yet): a bug of
// the host.
func (b *Bridge) CallWASI(id, fn uint32, p []uint64) (uint32, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	g := b.guests[id]
	if g == nil || id == 0 {
		return 0, fmt.Errorf("bridge: no WASI guest %d (closed or never created)", id)
	}
	if int(fn) >= len(wasi.Funcs) {
		return 0, fmt.Errorf("bridge: no WASI function %d", fn)
	}
	f := &wasi.Funcs[fn]
	if len(p) != len(f.Params) {
		return 0, fmt.Errorf("bridge: %s takes %d parameters, not %d", f.Name, len(f.Params), len(p))
	}
	if g.mem == nil {
		return 0, fmt.Errorf("bridge: the guest's memory was not passed (wasiMemory) before %s", f.Name)
	}
	if g.exited {
		return WASIExited, nil
	}
	b.clock.tick()
	r := uint32(g.call(f, p))
	g.mem.arena = g.mem.arena[:0]
	if g.stdout.Len() != 0 || g.stderr.Len() != 0 {
		r |= WASIOutput
	}
	if g.exited {
		r |= WASIExited
	}
	return r, nil
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
