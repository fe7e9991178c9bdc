//go:build !js && !wasip1

package atomic

import (
	"sync/atomic"
	"unsafe"
)

type (
	Bool   = atomic.Bool
	Int32  = atomic.Int32
	Int64  = atomic.Int64
	Uint32 = atomic.Uint32
	Uint64 = atomic.Uint64
)

// Pointer is atomic.Pointer[T].
type Pointer[T any] = atomic.Pointer[T]

// LoadPointer is atomic.LoadPointer.
func LoadPointer(addr *unsafe.Pointer) unsafe.Pointer { return atomic.LoadPointer(addr) }

// StorePointer is atomic.StorePointer.
func StorePointer(addr *unsafe.Pointer, val unsafe.Pointer) { atomic.StorePointer(addr, val) }

// exportInlineBodies is never called. Through an alias, an importer of
// this package sees sync/atomic's methods but not their inline bodies:
// the compiler re-exports a body only when a function of this package
// uses it, and without one every Int64.Load in the VFS is a call (Go
// 1.26; maxminddb-golang issue 244 describes the same). Using each
// method here puts its body in this package's export data, so that the
// VFS compiles them to the single instructions sync/atomic's users get.
// TestMethodsInline checks it.
func exportInlineBodies(b *Bool, i32 *Int32, i64 *Int64, u32 *Uint32, u64 *Uint64) {
	b.Store(b.Load())
	b.Swap(b.CompareAndSwap(false, true))
	i32.Store(i32.Add(i32.Swap(i32.Load())))
	i32.CompareAndSwap(i32.And(0), i32.Or(0))
	i64.Store(i64.Add(i64.Swap(i64.Load())))
	i64.CompareAndSwap(i64.And(0), i64.Or(0))
	u32.Store(u32.Add(u32.Swap(u32.Load())))
	u32.CompareAndSwap(u32.And(0), u32.Or(0))
	u64.Store(u64.Add(u64.Swap(u64.Load())))
	u64.CompareAndSwap(u64.And(0), u64.Or(0))
}
