package atomic

import (
	"testing"
	"unsafe"
)

// The operations return what sync/atomic documents, in both builds: Add
// the new value, And, Or and Swap the old one, CompareAndSwap whether it
// stored. The portable tests run this file under GOOS=js and wasip1.
func TestSemantics(t *testing.T) {
	var u32 Uint32
	var i64 Int64
	var u64 Uint64
	var i32 Int32
	var b Bool
	checks := []struct {
		name      string
		got, want any
	}{
		{"Uint32.Add returns the new value", u32.Add(5), uint32(5)},
		{"Uint32.Or returns the old value", u32.Or(0b1010), uint32(5)},
		{"Uint32 after Or", u32.Load(), uint32(0b1111)},
		{"Uint32.And returns the old value", u32.And(0b0110), uint32(0b1111)},
		{"Uint32 after And", u32.Load(), uint32(0b0110)},
		{"Uint32.CompareAndSwap with a stale old", u32.CompareAndSwap(1, 9), false},
		{"Uint32 unchanged by a failed CAS", u32.Load(), uint32(0b0110)},
		{"Uint32.CompareAndSwap", u32.CompareAndSwap(0b0110, 9), true},
		{"Uint32.Swap returns the old value", u32.Swap(3), uint32(9)},
		{"Int64.Add of a negative", i64.Add(-7), int64(-7)},
		{"Int64.Swap", i64.Swap(1 << 40), int64(-7)},
		{"Int64 holds 64 bits", i64.Load(), int64(1 << 40)},
		{"Uint64 wraps", u64.Add(^uint64(0)), ^uint64(0)},
		{"Int32.Add", i32.Add(2), int32(2)},
		{"Int32.CompareAndSwap", i32.CompareAndSwap(2, -2), true},
		{"Int32 after CAS", i32.Load(), int32(-2)},
		{"Bool.Swap", b.Swap(true), false},
		{"Bool.CompareAndSwap with a stale old", b.CompareAndSwap(false, false), false},
		{"Bool after", b.Load(), true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestPointer(t *testing.T) {
	a, c := new(int), new(int)
	var p Pointer[int]
	if p.Load() != nil {
		t.Fatal("zero Pointer is not nil")
	}
	p.Store(a)
	if p.CompareAndSwap(c, c) || p.Load() != a {
		t.Error("CompareAndSwap with a stale old stored")
	}
	if !p.CompareAndSwap(a, c) || p.Load() != c {
		t.Error("CompareAndSwap failed")
	}
	if old := p.Swap(nil); old != c || p.Load() != nil {
		t.Errorf("Swap returned %p, left %p", old, p.Load())
	}
	var slot unsafe.Pointer
	StorePointer(&slot, unsafe.Pointer(a))
	if LoadPointer(&slot) != unsafe.Pointer(a) {
		t.Error("LoadPointer does not see StorePointer")
	}
}
