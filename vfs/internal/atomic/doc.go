// Package atomic is the subset of sync/atomic the VFS uses, with the same
// names and methods, so that the core can be built two ways.
//
// Natively (atomic_native.go) every type is sync/atomic's own, by alias:
// nothing changes, and the race detector sees the real operations.
//
// On GOOS=js and GOOS=wasip1 (atomic_wasm.go) the Go runtime runs one
// goroutine at a time and switches only inside calls into the runtime.
// There sync/atomic's operations are functions the compiler will not
// inline (internal/runtime/atomic marks them noinline), and a call is
// the expensive thing in Go's WebAssembly code: the VFS makes hundreds of
// them per system call. Here they are plain loads and stores, and
// read-modify-write sequences with no call inside, which no other
// goroutine can interleave with; the compiler inlines them all. See
// RATIONALE.md, "Why does the core have its own atomic package?".
package atomic
