package bridge

import (
	"encoding/binary"
	"math"
)

// decoder reads a request: little-endian integers, numbers as float64
// (JavaScript's own number type, exact up to 2^53), strings and byte
// strings as a uint32 length and the bytes. A read past the end sets
// bad, and every later read returns zero values; the caller checks bad
// once per operation.
type decoder struct {
	b   []byte
	off int
	bad bool
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

func (d *decoder) u32() uint32 {
	p := d.take(4)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(p)
}

func (d *decoder) u64() uint64 {
	p := d.take(8)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(p)
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

// bytes returns a slice aliasing the request buffer.
func (d *decoder) bytes() []byte { return d.take(int(d.u32())) }

func (d *decoder) str() string { return string(d.bytes()) }

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

// encoder appends a response in the same encoding.
type encoder struct{ b []byte }

func (e *encoder) u8(v uint8) { e.b = append(e.b, v) }

func (e *encoder) u32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }

func (e *encoder) u64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }

func (e *encoder) num(v int64) { e.u64(math.Float64bits(float64(v))) }

func (e *encoder) bytes(p []byte) {
	e.u32(uint32(len(p)))
	e.b = append(e.b, p...)
}

func (e *encoder) str(s string) {
	e.u32(uint32(len(s)))
	e.b = append(e.b, s...)
}

// reserve appends n zero bytes and returns them, for a result whose size
// is known before it is produced (a read's buffer).
func (e *encoder) reserve(n int) []byte {
	l := len(e.b)
	if cap(e.b)-l < n {
		nb := make([]byte, l, 2*cap(e.b)+n)
		copy(nb, e.b)
		e.b = nb
	}
	e.b = e.b[:l+n]
	p := e.b[l : l+n]
	clear(p)
	return p
}
