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
// other way. So the bridge is four exports and a buffer in this program's
// own linear memory, which JavaScript reads and writes through a
// Uint8Array over that memory (and, for WASI guests, the exports below):
//
//	vfscope_reserve(n) -> address   the request buffer, grown to n bytes
//	                                 (its content kept)
//	vfscope_state() -> address       four uint32: the sequence number of
//	                                 the last batch finished, the address
//	                                 and length of its response, and 0
//	                                 (response), 1 (error message) or 2
//	                                 (the call was abandoned: an error)
//	vfscope_call()                   runs the batch in the first n bytes
//	                                 of the request buffer, with n and
//	                                 the sequence number seq (never 0)
//	                                 stored in the state's words 1 and
//	                                 2, and word 0 cleared
//	vfscope_clock() -> address       a float64: the time of the next
//	                                 crossing in ms since the epoch
//
// The request is written by JavaScript in place and the response read in
// place: a batch costs one call and no copy on either side. A batch that
// sleeps with nothing to wake it is interrupted as by ^C, or abandoned
// with an error and its VFS marked unusable (bridge.Watchdog), so the
// state is set when the export returns. Only Go writes seq into word 0,
// and only when it answers the batch (its response, its error, or its
// abandonment): JavaScript, which cleared the word, takes a word 0 other
// than seq after the export returns for a batch nobody answered (a Go
// that exited, or a call that returned without finishing) and throws
// rather than read a stale response.
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
// calls themselves. Each import stores the guest's id, the function's
// index in the table wasiFuncs returns and the guest's parameters in a
// block of this program's memory (vfscope_wasi_block gives its address)
// and calls
//
//	vfscope_wasi()
//
// which leaves the result in the block: the errno, with
// bridge.WASIOutput (the guest wrote to stdout or stderr) and
// bridge.WASIExited (proc_exit) set, after which the loader asks
// wasiOutput for the output and the exit code; -1 means a call that is
// not one, and vfscope_state points at the message, as it does when
// its word 3 is 2 (the call was abandoned).
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

	"github.com/vfscope/vfscope/host/wasi"
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
// without bound). Every yieldEvery operations the call now yields, and
// the mark workers (or the flusher, or reclaim) run then: a batch counts
// its operations, a WASI call one (a yield costs about a microsecond,
// several clock reads and the scheduler, more than most WASI calls; the
// Go workload guest ran 5-10% faster yielding every 64 of its calls than
// every 16, its heap as flat). A batch of one operation counted four
// until the yields' share was counted: 320 Go calls a yield, 20 of a
// stat's 35 at one yield every 16 batches; at one every 64 an empty
// crossing cost 0.35-0.38 us instead of 0.47-0.52 in node, and
// test/memory.test.mjs's heap stayed at 136 MiB.
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
)

var (
	// calls counts the operations of batches and the WASI calls since
	// the last yield.
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

// maxRequest is the largest request buffer reserve makes (1 GiB): the
// JavaScript side (web/src/runtime.ts's MAX_REQUEST) fails a bigger
// request with a RangeError before sending it, and a size above it is
// refused here rather than wrapping into a negative one.
const maxRequest = 1 << 30

// reserve makes the request buffer at least n bytes, keeping its
// contents, and returns its address; 0 refuses an n over maxRequest,
// leaving the buffer as it was.
//
//go:wasmexport vfscope_reserve
func reserve(n uint32) int32 {
	if n > maxRequest {
		return 0
	}
	if int(n) > len(req) {
		nb := bridge.AlignedBuffer(max(int(n), min(2*len(req), maxRequest)))
		copy(nb, req)
		req = nb
	}
	return int32(addr(req))
}

//go:wasmexport vfscope_state
func stateAddr() int32 { return int32(uintptr(unsafe.Pointer(&state[0]))) }

//go:wasmexport vfscope_clock
func clockAddr() int32 { return int32(uintptr(unsafe.Pointer(b.HostClock()))) }

// call takes no parameters (JavaScript stores the request's length and
// the sequence number in state[1] and state[2], and clears state[0],
// which call sets to the sequence number when it answers) and returns
// nothing, so that its wrapper has no frame: a call abandoned asleep
// (see abandoned) then returns to JavaScript leaving Go's stack pointer
// where an idle pause leaves it, and later calls run as after any pause.
//
//go:wasmexport vfscope_call
func call() {
	n, seq := int32(state[1]), int32(state[2])
	if n < 0 || int(n) > len(req) {
		setError(uint32(seq), "vfscope bridge: request length out of range")
		return
	}
	if watchdog == nil {
		watchdog = b.NewWatchdog(abandoned)
	}
	callSeq = uint32(seq)
	watchdog.Begin()
	out, err := b.Exec(req[:n], jsEnv{})
	if err != nil {
		watchdog.End()
		setError(uint32(seq), err.Error())
		return
	}
	state = [4]uint32{uint32(seq), addr(out), uint32(len(out)), 0}
	// The request's first word is its count of operations.
	if calls += max(1, uint32(req[0])|uint32(req[1])<<8|uint32(req[2])<<16|uint32(req[3])<<24); calls >= yieldEvery {
		calls = 0
		runtime.Gosched()
	}
	watchdog.End()
}

// The watchdog (bridge.Watchdog) runs when a call's goroutine sleeps, and
// ends a call that cannot finish: callSeq is the call's sequence number,
// under which abandoned answers it (state[3] = 2: an error, and for a
// WASI call, whose return value is then not one, a sign to look). The
// watchdog then sleeps, and with nothing left to run Go returns to
// JavaScript.
var (
	watchdog *bridge.Watchdog
	callSeq  uint32
)

func abandoned(err error) {
	setError(callSeq, err.Error())
	state[3] = 2
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

// WASI calls: see the package comment.

// wasiBlock is where JavaScript stores a WASI call before vfscope_wasi
// and finds its result after: the guest's id, the function's index in
// wasi.Funcs, the result, and the parameters (an i32 zero-extended).
// vfscope_wasi takes no parameters and returns nothing, like
// vfscope_call, so that a call abandoned asleep leaves Go's stack as an
// idle pause does (see call).
var wasiBlock struct {
	id, fn uint32
	result int32
	_      uint32
	params [9]uint64
}

//go:wasmexport vfscope_wasi_block
func wasiBlockAddr() int32 { return int32(uintptr(unsafe.Pointer(&wasiBlock))) }

// wasiExport is one function, not an export calling a helper: under
// GOOS=js each Go call of a WASI call's path costs.
//
//go:wasmexport vfscope_wasi
func wasiExport() {
	id, fn := wasiBlock.id, wasiBlock.fn
	np := 0
	if int(fn) < len(wasi.Funcs) {
		np = len(wasi.Funcs[fn].Params)
	}
	if watchdog == nil {
		watchdog = b.NewWatchdog(abandoned)
	}
	callSeq = state[0]
	watchdog.Begin()
	r, err := b.CallWASI(id, fn, wasiBlock.params[:np])
	if calls++; calls >= yieldEvery {
		calls = 0
		runtime.Gosched()
	}
	watchdog.End()
	if err != nil {
		setError(state[0], err.Error())
		wasiBlock.result = -1
		return
	}
	wasiBlock.result = int32(r)
}
