//go:build js || wasip1

package atomic

import "unsafe"

// noCopy makes go vet's copylocks check report copies, as for
// sync/atomic's types.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// Each type is a plain field whose loads, stores and read-modify-writes
// contain no call (see the package doc for why that is atomic here). Its
// value is its first word, as in sync/atomic's types (the VFS's
// prepublish stores rely on it). The types are written out one by one,
// as sync/atomic's are, rather than instantiated from one generic type:
// a generic method's body takes a dictionary, which costs the inliner 7
// more per operation, and many of the VFS's small functions fit its
// budget only without that.

// Bool is an atomic boolean.
type Bool struct {
	_ noCopy
	v bool
}

func (x *Bool) Load() bool               { return x.v }
func (x *Bool) Store(val bool)           { x.v = val }
func (x *Bool) Swap(new bool) (old bool) { old, x.v = x.v, new; return old }
func (x *Bool) CompareAndSwap(old, new bool) bool {
	if x.v != old {
		return false
	}
	x.v = new
	return true
}

// Int32 is an atomic int32.
type Int32 struct {
	_ noCopy
	v int32
}

func (x *Int32) Load() int32                { return x.v }
func (x *Int32) Store(val int32)            { x.v = val }
func (x *Int32) Swap(new int32) (old int32) { old, x.v = x.v, new; return old }
func (x *Int32) CompareAndSwap(old, new int32) bool {
	if x.v != old {
		return false
	}
	x.v = new
	return true
}

// Add returns the new value; And and Or return the old one.
func (x *Int32) Add(delta int32) int32      { x.v += delta; return x.v }
func (x *Int32) And(mask int32) (old int32) { old = x.v; x.v &= mask; return old }
func (x *Int32) Or(mask int32) (old int32)  { old = x.v; x.v |= mask; return old }

// Int64 is an atomic int64.
type Int64 struct {
	_ noCopy
	v int64
}

func (x *Int64) Load() int64                { return x.v }
func (x *Int64) Store(val int64)            { x.v = val }
func (x *Int64) Swap(new int64) (old int64) { old, x.v = x.v, new; return old }
func (x *Int64) CompareAndSwap(old, new int64) bool {
	if x.v != old {
		return false
	}
	x.v = new
	return true
}

// Add returns the new value; And and Or return the old one.
func (x *Int64) Add(delta int64) int64      { x.v += delta; return x.v }
func (x *Int64) And(mask int64) (old int64) { old = x.v; x.v &= mask; return old }
func (x *Int64) Or(mask int64) (old int64)  { old = x.v; x.v |= mask; return old }

// Uint32 is an atomic uint32.
type Uint32 struct {
	_ noCopy
	v uint32
}

func (x *Uint32) Load() uint32                 { return x.v }
func (x *Uint32) Store(val uint32)             { x.v = val }
func (x *Uint32) Swap(new uint32) (old uint32) { old, x.v = x.v, new; return old }
func (x *Uint32) CompareAndSwap(old, new uint32) bool {
	if x.v != old {
		return false
	}
	x.v = new
	return true
}

// Add returns the new value; And and Or return the old one.
func (x *Uint32) Add(delta uint32) uint32      { x.v += delta; return x.v }
func (x *Uint32) And(mask uint32) (old uint32) { old = x.v; x.v &= mask; return old }
func (x *Uint32) Or(mask uint32) (old uint32)  { old = x.v; x.v |= mask; return old }

// Uint64 is an atomic uint64.
type Uint64 struct {
	_ noCopy
	v uint64
}

func (x *Uint64) Load() uint64                 { return x.v }
func (x *Uint64) Store(val uint64)             { x.v = val }
func (x *Uint64) Swap(new uint64) (old uint64) { old, x.v = x.v, new; return old }
func (x *Uint64) CompareAndSwap(old, new uint64) bool {
	if x.v != old {
		return false
	}
	x.v = new
	return true
}

// Add returns the new value; And and Or return the old one.
func (x *Uint64) Add(delta uint64) uint64      { x.v += delta; return x.v }
func (x *Uint64) And(mask uint64) (old uint64) { old = x.v; x.v &= mask; return old }
func (x *Uint64) Or(mask uint64) (old uint64)  { old = x.v; x.v |= mask; return old }

// Pointer is an atomic *T. It is generic, as sync/atomic's is.
type Pointer[T any] struct {
	_ noCopy
	// _ [0]*T keeps Pointer[A] and Pointer[B] from converting into each
	// other, as in sync/atomic.
	_ [0]*T
	v *T
}

func (x *Pointer[T]) Load() *T             { return x.v }
func (x *Pointer[T]) Store(val *T)         { x.v = val }
func (x *Pointer[T]) Swap(new *T) (old *T) { old, x.v = x.v, new; return old }
func (x *Pointer[T]) CompareAndSwap(old, new *T) bool {
	if x.v != old {
		return false
	}
	x.v = new
	return true
}

// LoadPointer loads *addr.
func LoadPointer(addr *unsafe.Pointer) unsafe.Pointer { return *addr }

// StorePointer stores val into *addr.
func StorePointer(addr *unsafe.Pointer, val unsafe.Pointer) { *addr = val }
