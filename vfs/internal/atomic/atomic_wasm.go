//go:build js || wasip1

package atomic

import "unsafe"

// noCopy makes go vet's copylocks check report copies, as for
// sync/atomic's types.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// value is the one implementation behind every type of this file: a
// plain field whose loads, stores and read-modify-writes contain no call
// (see the package doc for why that is atomic here). Its value is its
// first word, as in sync/atomic's types (the VFS's prepublish stores
// rely on it).
type value[T comparable] struct {
	_ noCopy
	v T
}

func (x *value[T]) Load() T            { return x.v }
func (x *value[T]) Store(val T)        { x.v = val }
func (x *value[T]) Swap(new T) (old T) { old, x.v = x.v, new; return old }
func (x *value[T]) CompareAndSwap(old, new T) bool {
	if x.v != old {
		return false
	}
	x.v = new
	return true
}

// integer adds sync/atomic's arithmetic: Add returns the new value, And
// and Or the old one.
type integer[T int32 | int64 | uint32 | uint64] struct{ value[T] }

func (x *integer[T]) Add(delta T) T      { x.v += delta; return x.v }
func (x *integer[T]) And(mask T) (old T) { old = x.v; x.v &= mask; return old }
func (x *integer[T]) Or(mask T) (old T)  { old = x.v; x.v |= mask; return old }

// Bool is an atomic boolean.
type Bool struct{ value[bool] }

// Int32 is an atomic int32.
type Int32 struct{ integer[int32] }

// Int64 is an atomic int64.
type Int64 struct{ integer[int64] }

// Uint32 is an atomic uint32.
type Uint32 struct{ integer[uint32] }

// Uint64 is an atomic uint64.
type Uint64 struct{ integer[uint64] }

// Pointer is an atomic *T.
type Pointer[T any] struct {
	// _ [0]*T keeps Pointer[A] and Pointer[B] from converting into each
	// other, as in sync/atomic.
	_ [0]*T
	value[*T]
}

// LoadPointer loads *addr.
func LoadPointer(addr *unsafe.Pointer) unsafe.Pointer { return *addr }

// StorePointer stores val into *addr.
func StorePointer(addr *unsafe.Pointer, val unsafe.Pointer) { *addr = val }
