//go:build js

// Command wasm is vfscope built for GOOS=js GOARCH=wasm: the VFS booted as
// vfs/boot boots it, driven from JavaScript through one entry point that
// takes a batch of operations in a shared buffer (package wasm/bridge
// holds the protocol and the operations; this file is the glue). The npm
// package web/ loads it; `make wasm` builds it into web/dist/vfscope.wasm
// beside Go's wasm_exec.js.
//
// # The entry point
//
// Crossing from JavaScript into Go through syscall/js (js.FuncOf) costs
// tens of microseconds: every call is an event that resumes the Go
// scheduler. A //go:wasmexport function is a plain WebAssembly call, about
// a hundred times cheaper, and a //go:wasmimport function the same the
// other way. So the bridge is three exports and a buffer in this program's
// own linear memory, which JavaScript reads and writes through a
// Uint8Array over that memory (and, for WASI guests, the exports below):
//
//	vfscope_reserve(n) -> address   the request buffer, grown to n bytes
//	                                 (its content kept)
//	vfscope_state() -> address       four uint32: the sequence number of
//	                                 the last batch finished, the address
//	                                 and length of its response, and 0
//	                                 (response) or 1 (error message)
//	vfscope_call(n, seq)             runs the batch in the first n bytes
//	                                 of the request buffer
//	vfscope_clock() -> address       a float64: the time of the next
//	                                 crossing in ms since the epoch
//
// The request is written by JavaScript in place and the response read in
// place: a batch costs one call and no copy on either side. JavaScript
// checks the state's sequence number to know the batch finished (a batch
// that would wait for a timer cannot finish inside a synchronous call;
// see the web README).
//
// Before each crossing, vfscope_call or a vfscope_wasi_* export below,
// JavaScript stores Date.now() in the clock word: the crossing is a tick
// of the VFSes' clock, and its timestamps take that time without a call
// out to JavaScript to read the clock (bridge.Bridge.HostClock). A
// crossing without a time (0, the word's value after each crossing)
// reads the clock itself when it first stamps.
//
// The loader provides the imports of module "vfscope":
//
//	ready()                          main is running: calls may start
//	size(slot) -> bytes              a WASI guest's memory size
//	copy(slot, dir, addr, off, n)    copies n bytes between this
//	-> 1 or 0                        program's memory at addr and the
//	                                 guest's at off (dir 0: guest to Go,
//	                                 1: Go to guest); 0 if out of range
//
// A guest's memory is registered under a slot number by the loader and
// named by the wasiMemory operation.
//
// # WASI calls
//
// A WASI guest's calls do not go through batches: encoding each call's
// arguments into the request and decoding its result cost more than most
// calls themselves. Each import calls an export of its own signature,
//
//	vfscope_wasi_<sig>(guest, func, params...) -> result
//
// where sig spells the preview1 function's parameters (i: i32, I: i64;
// vfscope_wasi_iiii is fd_write's and fd_read's, vfscope_wasi_ for
// sched_yield), func is its index in the table wasiFuncs returns, and the
// parameters are the guest's, as WebAssembly values. The result is the
// errno, with bridge.WASIOutput (the guest wrote to stdout or stderr) and
// bridge.WASIExited (proc_exit) set, after which the loader asks
// wasiOutput for the output and the exit code; -1 means a call that is
// not one, and vfscope_state points at the message.
//
// Most calls need no copy import: each guest has an exchange block in
// this program's memory (wasiMemory gives its address and layout), into
// which the import stages the guest bytes the call reads (its paths, its
// iovec arrays, fd_write's data) before the call, and from which it
// copies the writes the call queued (results, filestats, fd_read's data)
// into the guest's memory after it, when the result has
// bridge.WASIWrites. copy remains for what was not staged or does not
// fit (wasm/bridge/guestmem.go).
package main

import (
	"runtime"
	"runtime/debug"
	"unsafe"

	"github.com/vfscope/vfscope/wasm/bridge"
)

var (
	b = bridge.New()
	// req is the request buffer JavaScript writes into.
	req = bridge.AlignedBuffer(64 << 10)
	// state is what vfscope_call leaves for JavaScript (see the package
	// doc); errMsg holds an error message it points at.
	state  [4]uint32
	errMsg []byte
)

//go:wasmimport vfscope ready
func jsReady()

//go:wasmimport vfscope size
func jsSize(slot uint32) uint32

//go:wasmimport vfscope copy
func jsCopy(slot, dir, addr, off, n uint32) uint32

// The garbage collector and the linear memory.
//
// Go's collector marks in a background goroutine, and in this build
// goroutines run only when the running one yields: a page calling
// vfscope_call in a loop never does. So a cycle, once started, advanced
// only by the marking that allocations assist with: the write barrier
// stayed on for thousands of calls and cycles often never finished, and
// the heap grew by what each run of a workload allocated (23 MiB a run,
// without bound). Every yieldEvery units of calls the call now yields,
// and the mark workers (or the flusher, or reclaim) run then: a batch
// counts batchUnits, a WASI call one (a yield costs about a microsecond,
// several clock reads and the scheduler, more than most WASI calls; the
// Go workload guest ran 5-10% faster yielding every 64 of its calls than
// every 16, its heap as flat).
//
// Growing the linear memory is the other cost: V8 answers every
// memory.grow with a full collection of the JavaScript heap, and Go's
// heap grows 4 MiB at a time, so writing a 64 MiB file cost 16 to 55 of
// them. main grows it once, by reserveBytes that the heap then reuses
// (pages never written cost no RAM), and keeps ballastBytes allocated
// and never written, so that the collector's goal (GOGC 100: twice what
// is live) does not start a cycle every few megabytes for a small heap.
// The limit keeps a full page cache from taking the heap past what a tab
// can hold. RATIONALE.md, "How does vfscope.wasm manage Go's heap?",
// has the measurements.
const (
	gcPercent    = 100
	memoryLimit  = 512 << 20
	ballastBytes = 32 << 20
	reserveBytes = 96 << 20
	yieldEvery   = 64
	batchUnits   = 4
)

var (
	// calls counts the units of vfscope_call and the WASI calls for
	// yieldEvery.
	calls uint32
	// ballast is never read or written: it counts as live for the
	// collector's goal.
	ballast []byte
)

func main() {
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(memoryLimit)
	ballast = make([]byte, ballastBytes)
	reserve := make([]byte, reserveBytes)
	runtime.KeepAlive(reserve)
	reserve = nil
	runtime.GC()
	jsReady()
	select {}
}

func addr(p []byte) uint32 {
	if cap(p) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(p))))
}

//go:wasmexport vfscope_reserve
func reserve(n int32) int32 {
	if n < 0 {
		return 0
	}
	if int(n) > len(req) {
		nb := bridge.AlignedBuffer(max(int(n), 2*len(req)))
		copy(nb, req)
		req = nb
	}
	return int32(addr(req))
}

//go:wasmexport vfscope_state
func stateAddr() int32 { return int32(uintptr(unsafe.Pointer(&state[0]))) }

//go:wasmexport vfscope_clock
func clockAddr() int32 { return int32(uintptr(unsafe.Pointer(b.HostClock()))) }

//go:wasmexport vfscope_call
func call(n, seq int32) {
	if n < 0 || int(n) > len(req) {
		setError(uint32(seq), "vfscope bridge: request length out of range")
		return
	}
	out, err := b.Exec(req[:n], jsEnv{})
	if err != nil {
		setError(uint32(seq), err.Error())
		return
	}
	state = [4]uint32{uint32(seq), addr(out), uint32(len(out)), 0}
	if calls += batchUnits; calls%yieldEvery == 0 {
		runtime.Gosched()
	}
}

func setError(seq uint32, msg string) {
	errMsg = []byte(msg)
	state = [4]uint32{seq, addr(errMsg), uint32(len(errMsg)), 1}
}

// jsEnv gives the bridge the guest memories the loader registered.
type jsEnv struct{}

func (jsEnv) GuestMemory(slot uint32) (bridge.GuestMemory, error) {
	return jsMemory(slot), nil
}

// jsMemory is a guest's WebAssembly.Memory, registered by the loader
// under this slot: each method is one call to JavaScript and at most one
// memory copy, straight between the guest's memory and Go's.
type jsMemory uint32

func (m jsMemory) Size() uint32 { return jsSize(uint32(m)) }

func (m jsMemory) ReadAt(dst []byte, off uint32) bool {
	// dst stays reachable, and Go's heap does not move, so its address
	// is valid for the call.
	return jsCopy(uint32(m), 0, addr(dst), off, uint32(len(dst))) == 1
}

func (m jsMemory) WriteAt(off uint32, p []byte) bool {
	return jsCopy(uint32(m), 1, addr(p), off, uint32(len(p))) == 1
}

// WASI calls.
//
// A guest's WASI import calls one of the vfscope_wasi_* exports with its
// own parameters after two of ours: the guest's id and the function's
// index in wasi.Funcs. There is one export per signature of the preview1
// functions, named by it (i: an i32, I: an i64), so the loader finds the
// export for a function from the table wasiFuncs gives. The result is
// bridge.CallWASI's (the errno, with bridge.WASIOutput and
// bridge.WASIExited), or -1 if the call is not one: vfscope_state then
// points at the message, as for a failed batch.

// wasiParams holds a call's parameters: the ABI's function table takes a
// slice.
var wasiParams [9]uint64

func wasiCall(id, fn uint32, np int) int32 {
	r, err := b.CallWASI(id, fn, wasiParams[:np])
	if calls++; calls%yieldEvery == 0 {
		runtime.Gosched()
	}
	if err != nil {
		setError(state[0], err.Error())
		return -1
	}
	return int32(r)
}

//go:wasmexport vfscope_wasi_
func wasi(id, fn uint32) int32 { return wasiCall(id, fn, 0) }

//go:wasmexport vfscope_wasi_i
func wasiI(id, fn, a uint32) int32 {
	wasiParams[0] = uint64(a)
	return wasiCall(id, fn, 1)
}

//go:wasmexport vfscope_wasi_ii
func wasiII(id, fn, a, b uint32) int32 {
	p := &wasiParams
	p[0], p[1] = uint64(a), uint64(b)
	return wasiCall(id, fn, 2)
}

//go:wasmexport vfscope_wasi_iii
func wasiIII(id, fn, a, b, c uint32) int32 {
	p := &wasiParams
	p[0], p[1], p[2] = uint64(a), uint64(b), uint64(c)
	return wasiCall(id, fn, 3)
}

//go:wasmexport vfscope_wasi_iiii
func wasiIIII(id, fn, a, b, c, d uint32) int32 {
	p := &wasiParams
	p[0], p[1], p[2], p[3] = uint64(a), uint64(b), uint64(c), uint64(d)
	return wasiCall(id, fn, 4)
}

//go:wasmexport vfscope_wasi_iiiii
func wasiIIIII(id, fn, a, b, c, d, e uint32) int32 {
	p := &wasiParams
	p[0], p[1], p[2], p[3], p[4] = uint64(a), uint64(b), uint64(c), uint64(d), uint64(e)
	return wasiCall(id, fn, 5)
}

//go:wasmexport vfscope_wasi_iiiiii
func wasiIIIIII(id, fn, a, b, c, d, e, f uint32) int32 {
	p := &wasiParams
	p[0], p[1], p[2], p[3], p[4], p[5] = uint64(a), uint64(b), uint64(c), uint64(d), uint64(e), uint64(f)
	return wasiCall(id, fn, 6)
}

//go:wasmexport vfscope_wasi_iiiiiii
func wasiIIIIIII(id, fn, a, b, c, d, e, f, g uint32) int32 {
	p := &wasiParams
	p[0], p[1], p[2], p[3], p[4], p[5], p[6] = uint64(a), uint64(b), uint64(c), uint64(d), uint64(e), uint64(f), uint64(g)
	return wasiCall(id, fn, 7)
}

// clock_time_get
//
//go:wasmexport vfscope_wasi_iIi
func wasiILI(id, fn, a uint32, b uint64, c uint32) int32 {
	p := &wasiParams
	p[0], p[1], p[2] = uint64(a), b, uint64(c)
	return wasiCall(id, fn, 3)
}

// fd_filestat_set_size
//
//go:wasmexport vfscope_wasi_iI
func wasiIL(id, fn, a uint32, b uint64) int32 {
	p := &wasiParams
	p[0], p[1] = uint64(a), b
	return wasiCall(id, fn, 2)
}

// fd_allocate, fd_fdstat_set_rights
//
//go:wasmexport vfscope_wasi_iII
func wasiILL(id, fn, a uint32, b, c uint64) int32 {
	p := &wasiParams
	p[0], p[1], p[2] = uint64(a), b, c
	return wasiCall(id, fn, 3)
}

// fd_advise, fd_filestat_set_times
//
//go:wasmexport vfscope_wasi_iIIi
func wasiILLI(id, fn, a uint32, b, c uint64, d uint32) int32 {
	p := &wasiParams
	p[0], p[1], p[2], p[3] = uint64(a), b, c, uint64(d)
	return wasiCall(id, fn, 4)
}

// fd_seek
//
//go:wasmexport vfscope_wasi_iIii
func wasiILII(id, fn, a uint32, b uint64, c, d uint32) int32 {
	p := &wasiParams
	p[0], p[1], p[2], p[3] = uint64(a), b, uint64(c), uint64(d)
	return wasiCall(id, fn, 4)
}

// fd_pread, fd_pwrite, fd_readdir
//
//go:wasmexport vfscope_wasi_iiiIi
func wasiIIILI(id, fn, a, b, c uint32, d uint64, e uint32) int32 {
	p := &wasiParams
	p[0], p[1], p[2], p[3], p[4] = uint64(a), uint64(b), uint64(c), d, uint64(e)
	return wasiCall(id, fn, 5)
}

// path_filestat_set_times
//
//go:wasmexport vfscope_wasi_iiiiIIi
func wasiIIIILLI(id, fn, a, b, c, d uint32, e, f uint64, g uint32) int32 {
	p := &wasiParams
	p[0], p[1], p[2], p[3], p[4], p[5], p[6] = uint64(a), uint64(b), uint64(c), uint64(d), e, f, uint64(g)
	return wasiCall(id, fn, 7)
}

// path_open
//
//go:wasmexport vfscope_wasi_iiiiiIIii
func wasiIIIIILLII(id, fn, a, b, c, d, e uint32, f, g uint64, h, i uint32) int32 {
	p := &wasiParams
	p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8] = uint64(a), uint64(b), uint64(c), uint64(d), uint64(e), f, g, uint64(h), uint64(i)
	return wasiCall(id, fn, 9)
}
