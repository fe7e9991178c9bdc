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
// Uint8Array over that memory:
//
//	vfscope_reserve(n) -> address   the request buffer, grown to n bytes
//	                                 (its content kept)
//	vfscope_state() -> address       four uint32: the sequence number of
//	                                 the last batch finished, the address
//	                                 and length of its response, and 0
//	                                 (response) or 1 (error message)
//	vfscope_call(n, seq)             runs the batch in the first n bytes
//	                                 of the request buffer
//
// The request is written by JavaScript in place and the response read in
// place: a batch costs one call and no copy on either side. JavaScript
// checks the state's sequence number to know the batch finished (a batch
// that would wait for a timer cannot finish inside a synchronous call;
// see the web README).
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
// without bound). Every yieldEvery calls the call now yields, and the
// mark workers (or the flusher, or reclaim) run then.
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
	yieldEvery   = 16
)

var (
	// calls counts vfscope_call for yieldEvery.
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
	if calls++; calls%yieldEvery == 0 {
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
