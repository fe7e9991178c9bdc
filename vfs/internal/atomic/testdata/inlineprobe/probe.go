// Package inlineprobe uses every method of the atomic types, for
// TestMethodsInline to see which calls the compiler inlines.
package inlineprobe

import "github.com/vfscope/vfscope/vfs/internal/atomic"

type all struct {
	b   atomic.Bool
	i32 atomic.Int32
	i64 atomic.Int64
	u32 atomic.Uint32
	u64 atomic.Uint64
}

// Use calls each method once.
func Use(a *all) {
	a.b.Store(a.b.Load())
	a.b.Swap(a.b.CompareAndSwap(false, true))
	a.i32.Store(a.i32.Add(a.i32.Swap(a.i32.Load())))
	a.i32.CompareAndSwap(a.i32.And(0), a.i32.Or(0))
	a.i64.Store(a.i64.Add(a.i64.Swap(a.i64.Load())))
	a.i64.CompareAndSwap(a.i64.And(0), a.i64.Or(0))
	a.u32.Store(a.u32.Add(a.u32.Swap(a.u32.Load())))
	a.u32.CompareAndSwap(a.u32.And(0), a.u32.Or(0))
	a.u64.Store(a.u64.Add(a.u64.Swap(a.u64.Load())))
	a.u64.CompareAndSwap(a.u64.And(0), a.u64.Or(0))
}
