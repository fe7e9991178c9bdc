//go:build js

// Command wasm is vfscope built for GOOS=js GOARCH=wasm: the VFS booted as
// vfs/boot boots it, driven from JavaScript through one entry point that
// takes a batch of operations in a shared buffer (package wasm/bridge
// holds the protocol and the operations; this file is the syscall/js
// glue). The npm package web/ loads it; `make wasm` builds it into
// web/dist/vfscope.wasm beside Go's wasm_exec.js.
//
// Start-up: the loader runs the program with argv[1] naming a global
// function; main calls it with the bridge object {call, take} and then
// waits forever, serving calls.
//
//	call(u8, n, extra?) -> number | string
//
// u8 is a Uint8Array holding a request of n bytes (copied to Go once);
// the response is copied back into u8 (once) and its length returned. If
// it does not fit, -length is returned and take(u8') copies it into a
// larger array. A string result is an error (a malformed request).
// extra is the guest-memory helper of a wasiMemory operation.
package main

import (
	"os"
	"syscall/js"
	"unsafe"

	"github.com/vfscope/vfscope/wasm/bridge"
)

func main() {
	if len(os.Args) < 2 {
		panic("vfscope.wasm: argv[1] must name the global function to register with")
	}
	b := bridge.New()
	var req, pending []byte
	call := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) < 3 {
			return "vfscope bridge: call(u8, n, capacity[, extra])"
		}
		n, capacity := args[1].Int(), args[2].Int()
		if n < 0 || n > capacity {
			return "vfscope bridge: request length out of range"
		}
		if cap(req) < n {
			req = make([]byte, n, 2*n)
		}
		req = req[:n]
		js.CopyBytesToGo(req, args[0])
		var env bridge.Env = bridge.NoEnv{}
		if len(args) > 3 && args[3].Type() == js.TypeObject {
			env = jsEnv{args[3]}
		}
		out, err := b.Exec(req, env)
		if err != nil {
			return err.Error()
		}
		if len(out) > capacity {
			pending = out
			return -len(out)
		}
		js.CopyBytesToJS(args[0], out)
		return len(out)
	})
	take := js.FuncOf(func(_ js.Value, args []js.Value) any {
		n := js.CopyBytesToJS(args[0], pending)
		pending = nil
		return n
	})
	bridgeObj := js.Global().Get("Object").New()
	bridgeObj.Set("call", call)
	bridgeObj.Set("take", take)
	js.Global().Call(os.Args[1], bridgeObj)
	select {}
}

// jsEnv hands the batch's extra argument to the bridge.
type jsEnv struct{ extra js.Value }

func (e jsEnv) GuestMemory() (bridge.GuestMemory, error) {
	return &jsMemory{h: e.extra, copy: e.extra.Get("copy"), size: e.extra.Get("size")}, nil
}

// jsMemory is a guest's WebAssembly.Memory seen through the loader's
// helper: copy(dir, goAddr, guestOff, n) copies between this program's
// linear memory (at the address of a Go slice) and the guest's, in one
// crossing and one memory copy, with no JavaScript object made on the Go
// side; size() is the guest memory's byte length.
type jsMemory struct {
	h, copy, size js.Value
}

func (m *jsMemory) Size() uint32 { return uint32(m.size.Invoke().Int()) }

func (m *jsMemory) ReadAt(dst []byte, off uint32) bool {
	// dst stays reachable (and Go's heap does not move), so its address
	// is valid for the call.
	return m.copy.Invoke(0, uintptr(unsafe.Pointer(unsafe.SliceData(dst))), off, len(dst)).Bool()
}

func (m *jsMemory) WriteAt(off uint32, p []byte) bool {
	return m.copy.Invoke(1, uintptr(unsafe.Pointer(unsafe.SliceData(p))), off, len(p)).Bool()
}
