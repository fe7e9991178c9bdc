package wasi

import "encoding/binary"

// Memory is the guest's linear memory as the ABI sees it: byte ranges and
// little-endian integers at offsets. Every method checks bounds; a false
// result becomes EFAULT for the guest. wazero's api.Memory satisfies it
// (host/wasihost adapts it); a browser host implements it over a
// Uint8Array; tests use Bytes.
type Memory interface {
	// Read returns the n bytes at off. The slice may alias guest memory
	// or be a copy; the ABI only reads it.
	Read(off, n uint32) ([]byte, bool)
	// Write copies p to off.
	Write(off uint32, p []byte) bool
	ReadUint32Le(off uint32) (uint32, bool)
	WriteUint32Le(off uint32, v uint32) bool
	ReadUint64Le(off uint32) (uint64, bool)
	WriteUint64Le(off uint32, v uint64) bool
}

// ViewMemory is a Memory whose Read returns a slice aliasing guest memory,
// so that writes to it are the guest's: fd_read and fd_pread then read
// straight into the guest's buffers, with no copy.
type ViewMemory interface {
	Memory
	// View returns the n bytes at off, aliasing guest memory.
	View(off, n uint32) ([]byte, bool)
}

// RangeMemory is a Memory that can check a range's bounds without
// reading it: a host whose Read copies (JavaScript's, where the guest's
// memory is a WebAssembly.Memory) then copies only the bytes a call
// reads, not the buffers fd_read is about to fill.
type RangeMemory interface {
	Memory
	// InRange reports whether the n bytes at off are inside memory.
	InRange(off, n uint32) bool
}

// ScratchMemory is a RangeMemory that lends buffers for the length of one
// call. fd_read fills such a buffer and copies what it read to the guest,
// so the buffer need not be allocated, or zeroed, for every call.
type ScratchMemory interface {
	RangeMemory
	// Scratch returns n bytes that stay valid until the call returns.
	// Their content is unspecified: the ABI copies to the guest only
	// what it wrote into them.
	Scratch(off, n uint32) []byte
}

// Bytes is a Memory (and ViewMemory) over a byte slice, for tests and for
// hosts that own the guest's memory as a Go slice.
type Bytes []byte

// InRange reports whether the n bytes at off are inside m.
func (m Bytes) InRange(off, n uint32) bool { return uint64(off)+uint64(n) <= uint64(len(m)) }

func (m Bytes) Read(off, n uint32) ([]byte, bool) { return m.View(off, n) }

func (m Bytes) View(off, n uint32) ([]byte, bool) {
	if !m.InRange(off, n) {
		return nil, false
	}
	return m[off : off+n : off+n], true
}

func (m Bytes) Write(off uint32, p []byte) bool {
	if uint64(len(p)) > 1<<32 || !m.InRange(off, uint32(len(p))) {
		return false
	}
	copy(m[off:], p)
	return true
}

func (m Bytes) ReadUint32Le(off uint32) (uint32, bool) {
	if !m.InRange(off, 4) {
		return 0, false
	}
	return binary.LittleEndian.Uint32(m[off:]), true
}

func (m Bytes) WriteUint32Le(off uint32, v uint32) bool {
	if !m.InRange(off, 4) {
		return false
	}
	binary.LittleEndian.PutUint32(m[off:], v)
	return true
}

func (m Bytes) ReadUint64Le(off uint32) (uint64, bool) {
	if !m.InRange(off, 8) {
		return 0, false
	}
	return binary.LittleEndian.Uint64(m[off:]), true
}

func (m Bytes) WriteUint64Le(off uint32, v uint64) bool {
	if !m.InRange(off, 8) {
		return false
	}
	binary.LittleEndian.PutUint64(m[off:], v)
	return true
}
