package wasi

import "unsafe"

// memCaps is what a guest Memory offers beyond Memory (ViewMemory,
// RangeMemory, ScratchMemory), found by type assertion once per memory
// instead of at every fd_read and fd_write. Under GOOS=js an assertion to
// an interface is a call into the runtime's itab table (getitab) with no
// inline cache: three of them were a twentieth of an 8-byte fd_write.
type memCaps struct {
	// id is the two words of the Memory interface value (its type and
	// its data pointer): equal words are the same value. A host passes
	// one Memory for all of a guest's calls; a Memory converted anew for
	// each call (a Bytes, whose slice header is boxed by each conversion)
	// misses, and is asserted again: slower, not wrong.
	id [2]unsafe.Pointer
	// m is the Memory id was taken from: holding it keeps its box from
	// being freed and its address reused by another value.
	m       Memory
	view    ViewMemory
	rng     RangeMemory
	scratch ScratchMemory
}

// caps returns m's capabilities, asserting them only for a Memory other
// than the last one.
func (a *ABI) caps(m Memory) *memCaps {
	c := &a.mem
	// Word by word: comparing the arrays is a call to runtime.memequal
	// under GOOS=js, two calls on every call that reads guest memory.
	if id := *(*[2]unsafe.Pointer)(unsafe.Pointer(&m)); id[0] != c.id[0] || id[1] != c.id[1] {
		c.id, c.m = id, m
		c.view, _ = m.(ViewMemory)
		c.rng, _ = m.(RangeMemory)
		c.scratch, _ = m.(ScratchMemory)
	}
	return c
}
