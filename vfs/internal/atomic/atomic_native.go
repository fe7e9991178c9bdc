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
