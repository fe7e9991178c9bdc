package bridge

import (
	"encoding/binary"
	"math"
	"unsafe"

	"github.com/vfscope/vfscope/host/wasi"
)

// Byte strings of dataAlignMin bytes or more start at a multiple of
// dataAlign bytes from the start of their request or response: zero to
// dataAlign-1 bytes of padding follow the length. File data then sits at
// the same offset modulo 64 as the page-cache pages it is copied to and
// from (a page is 4096-aligned), and as the buffers JavaScript copies it
// into. That matters: V8 implements WebAssembly's memory.copy (Go's
// memmove) and TypedArray copies with the C library's memmove, which on
// AMD Zen processors (rep movsb) copies 4 KiB about 15 times slower when
// source and destination differ in alignment modulo 32: 3.7 µs instead
// of 0.23 µs in node on the build machine, for every page of every read
// and write.
const (
	dataAlign    = 64
	dataAlignMin = 256
)

// dataPad is the padding before a byte string of n bytes whose data
// would start at offset off.
func dataPad(off, n int) int {
	if n < dataAlignMin {
		return 0
	}
	return -off & (dataAlign - 1)
}

// AlignedBuffer returns a zeroed buffer of n bytes starting at a multiple
// of dataAlign in memory, for requests and responses: their offsets are
// then their alignment.
func AlignedBuffer(n int) []byte {
	b := make([]byte, n+dataAlign-1)
	off := int(-uintptr(unsafe.Pointer(unsafe.SliceData(b))) & (dataAlign - 1))
	return b[off : off+n : off+n]
}

// decoder reads a request: little-endian integers, numbers as float64
// (JavaScript's own number type, exact up to 2^53), strings and byte
// strings as a uint32 length and the bytes. A read past the end sets
// bad, and every later read returns zero values; the caller checks bad
// once per operation.
type decoder struct {
	b   []byte
	off int
	bad bool
	// paths hands out path arguments (path); nil: each is allocated.
	paths *wasi.StringArena
}

func (d *decoder) take(n int) []byte {
	if d.bad || n < 0 || len(d.b)-d.off < n {
		d.bad = true
		return nil
	}
	p := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return p
}

func (d *decoder) u8() uint8 {
	p := d.take(1)
	if p == nil {
		return 0
	}
	return p[0]
}

// u32 and u64 read the bytes in place rather than through take and
// encoding/binary, so that they inline: every operation's header and
// most of its arguments are one, and under GOOS=js each call costs more
// than the read.
func (d *decoder) u32() uint32 {
	off := d.off
	if d.bad || len(d.b)-off < 4 {
		d.bad = true
		return 0
	}
	d.off = off + 4
	return binary.LittleEndian.Uint32(d.b[off:])
}

func (d *decoder) u64() uint64 {
	off := d.off
	if d.bad || len(d.b)-off < 8 {
		d.bad = true
		return 0
	}
	d.off = off + 8
	return binary.LittleEndian.Uint64(d.b[off:])
}

// num reads a float64 that must hold an integer (JavaScript's number):
// a fraction, NaN or a magnitude past 2^53 marks the request bad.
func (d *decoder) num() int64 {
	f := math.Float64frombits(d.u64())
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		d.bad = true
		return 0
	}
	return int64(f)
}

// bytes returns a byte string (after its padding), aliasing the request
// buffer.
func (d *decoder) bytes() []byte {
	n := int(d.u32())
	if d.bad {
		return nil
	}
	d.take(dataPad(d.off, n))
	return d.take(n)
}

// str returns a string: a length and the bytes, never padded.
func (d *decoder) str() string { return string(d.take(int(d.u32()))) }

// path returns a string that names a file: like str, but its bytes are
// copied into the decoder's string arena instead of an allocation of
// their own.
func (d *decoder) path() string {
	p := d.take(int(d.u32()))
	if d.paths == nil {
		return string(p)
	}
	return d.paths.String(p)
}

func (d *decoder) strs() []string {
	n := d.u32()
	if d.bad || uint64(n)*4 > uint64(len(d.b)-d.off) {
		d.bad = true
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

// encoder appends a response in the same encoding. Its buffer starts at
// a multiple of dataAlign (AlignedBuffer), so padded byte strings are
// aligned in memory too.
type encoder struct{ b []byte }

// grow makes room for n more bytes.
func (e *encoder) grow(n int) {
	if cap(e.b)-len(e.b) >= n {
		return
	}
	nb := AlignedBuffer(max(2*cap(e.b)+n, 4096))
	e.b = nb[:copy(nb, e.b)]
}

func (e *encoder) u8(v uint8) {
	e.grow(1)
	e.b = append(e.b, v)
}

func (e *encoder) u32(v uint32) {
	e.grow(4)
	e.b = binary.LittleEndian.AppendUint32(e.b, v)
}

func (e *encoder) u64(v uint64) {
	e.grow(8)
	e.b = binary.LittleEndian.AppendUint64(e.b, v)
}

func (e *encoder) num(v int64) { e.u64(math.Float64bits(float64(v))) }

func (e *encoder) bytes(p []byte) {
	e.u32(uint32(len(p)))
	e.pad(len(p))
	e.grow(len(p))
	e.b = append(e.b, p...)
}

func (e *encoder) str(s string) {
	e.u32(uint32(len(s)))
	e.grow(len(s))
	e.b = append(e.b, s...)
}

// data appends a byte string of n bytes, its length and padding
// included, and returns its n bytes (not zeroed) for the caller to fill.
func (e *encoder) data(n int) []byte {
	e.grow(4 + dataAlign + n)
	e.b = binary.LittleEndian.AppendUint32(e.b, uint32(n))
	e.pad(n)
	return e.extend(n)
}

// extend appends n bytes, not zeroed, and returns them for the caller to
// fill.
func (e *encoder) extend(n int) []byte {
	e.grow(n)
	l := len(e.b)
	e.b = e.b[:l+n]
	return e.b[l : l+n : l+n]
}

// putNum writes v as a number (a float64, little-endian) at the start of
// p.
func putNum(p []byte, v int64) {
	binary.LittleEndian.PutUint64(p, math.Float64bits(float64(v)))
}

// pad appends the padding before a byte string of n bytes whose length
// was just appended, and returns its size.
func (e *encoder) pad(n int) int {
	k := dataPad(len(e.b), n)
	if k > 0 {
		e.reserve(k)
	}
	return k
}

// reserve appends n zero bytes and returns them, for a result whose size
// is known before it is produced (a read's buffer).
func (e *encoder) reserve(n int) []byte {
	e.grow(n)
	l := len(e.b)
	e.b = e.b[:l+n]
	p := e.b[l : l+n]
	clear(p)
	return p
}

// endData finishes a byte string produced in place: its u32 length at
// mark, then pad bytes of padding (what pad returned for the size
// reserved), then k bytes of data ending the buffer. The length is
// written, and the padding removed if a string of k bytes has none.
func (e *encoder) endData(mark, pad, k int) {
	putU32(e.b[mark:], uint32(k))
	if want := dataPad(mark+4, k); want != pad {
		copy(e.b[mark+4+want:], e.b[mark+4+pad:mark+4+pad+k])
		e.b = e.b[:mark+4+want+k]
	}
}
