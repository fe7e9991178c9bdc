// Package bridge is what JavaScript drives in vfscope's GOOS=js build: the
// VFS instances, shell sessions, WASI guests and trace listeners that
// JavaScript names by number, and the batches of operations on them.
//
// It imports no syscall/js and builds (and is tested) on every GOOS: the
// command in wasm/ is the only JavaScript-specific part: four
// //go:wasmexport functions around a request buffer in Go's memory, two
// for WASI calls (a parameter block and one call that serves every WASI
// function), and the //go:wasmimport copies of WASI guests' memories.
//
// # Protocol
//
// A request is a batch, encoded little-endian:
//
//	u32 count, then count times: u8 opcode, u32 target, arguments
//
// and its response, in the same encoding:
//
//	count times: u32 errno (0 on success), then the results if 0
//
// Arguments and results are made of u8, u32, u64, numbers (a float64
// holding an integer, exactly JavaScript's number; fractions and values
// past 2^53 are refused), and strings and byte strings (a u32 length and
// the bytes). A byte string of 256 bytes or more has zero to 63 bytes of
// padding after its length, so that its data starts at a multiple of 64
// bytes from the start of the request or response (see dataAlign in
// codec.go for why). Each operation's comment in opTable lists them. The
// target is the VFS an operation acts on, 0 for those that need none.
//
// Opcodes are indexes into opTable; JavaScript learns them by name from
// "hello", with the errno names and texts, so the two sides cannot
// disagree on a number. A failing operation does not stop the batch (its
// errno is its result); a request that cannot be decoded does, with an
// error naming the operation.
//
// A WASI guest's calls are the exception: each is one Bridge.CallWASI,
// its parameters and its result plain values (wasicall.go), and the
// wasiOutput operation collects what the guest printed.
//
// # Lock order
//
//	Bridge.mu (serialises batches; taken outside every VFS lock)
package bridge
