package bridge

import (
	"bytes"
	"fmt"
	"testing"
	"unsafe"

	"github.com/vfscope/vfscope/host/wasi"
)

// TestByteStringAlignment: byte strings of dataAlignMin bytes or more
// start at a multiple of dataAlign from the start of the message and in
// memory, shorter ones and strings are not padded, and everything
// decodes back whatever precedes it.
func TestByteStringAlignment(t *testing.T) {
	for _, lead := range []int{0, 1, 3, 4, 60, 63, 64, 65} {
		for _, n := range []int{0, 1, dataAlignMin - 1, dataAlignMin, 4096, 5000} {
			t.Run(fmt.Sprintf("lead%d/n%d", lead, n), func(t *testing.T) {
				var e encoder
				data := bytes.Repeat([]byte{0xa5}, n)
				for range lead {
					e.u8(1)
				}
				e.bytes(data)
				e.str("after")
				start := lead + 4
				wantPad := 0
				if n >= dataAlignMin {
					wantPad = (dataAlign - start%dataAlign) % dataAlign
				}
				if got := len(e.b) - lead - 4 - n - 4 - len("after"); got != wantPad {
					t.Fatalf("padding %d, want %d", got, wantPad)
				}
				if n >= dataAlignMin {
					at := uintptr(unsafe.Pointer(&e.b[start+wantPad]))
					if at%dataAlign != 0 {
						t.Errorf("data at address %#x, not aligned to %d", at, dataAlign)
					}
				}
				d := decoder{b: e.b}
				for range lead {
					d.u8()
				}
				if got := d.bytes(); !bytes.Equal(got, data) {
					t.Errorf("decoded %d bytes, want %d", len(got), n)
				}
				if s := d.str(); s != "after" || d.bad || d.off != len(e.b) {
					t.Errorf("then %q (bad %v, %d of %d bytes read)", s, d.bad, d.off, len(e.b))
				}
			})
		}
	}
}

// TestEndData: a byte string produced in place keeps its padding when it
// is long enough and loses it when it turns out short.
func TestEndData(t *testing.T) {
	for _, k := range []int{0, 10, dataAlignMin - 1, dataAlignMin, 3000} {
		var e encoder
		e.u8(7)
		mark := len(e.b)
		e.u32(0)
		pad := e.pad(4096)
		p := e.reserve(4096)
		for i := range p[:k] {
			p[i] = byte(i)
		}
		e.b = e.b[:mark+4+pad+k]
		e.endData(mark, pad, k)
		d := decoder{b: e.b}
		d.u8()
		got := d.bytes()
		if len(got) != k || d.off != len(e.b) || d.bad {
			t.Errorf("k=%d: decoded %d bytes, %d of %d read", k, len(got), d.off, len(e.b))
			continue
		}
		for i, c := range got {
			if c != byte(i) {
				t.Errorf("k=%d: byte %d is %d", k, i, c)
				break
			}
		}
	}
}

func TestAlignedBuffer(t *testing.T) {
	for _, n := range []int{1, 100, 4096, 70000} {
		b := AlignedBuffer(n)
		if len(b) != n || cap(b) != n || uintptr(unsafe.Pointer(&b[0]))%dataAlign != 0 {
			t.Errorf("AlignedBuffer(%d): len %d cap %d at %p", n, len(b), cap(b), &b[0])
		}
	}
}

// TestStringArena: path arguments decoded through the arena keep their
// bytes while the request buffer they came from is rewritten and while
// later strings fill the chunk past its end; long and empty ones too.
func TestStringArena(t *testing.T) {
	var a wasi.StringArena
	var kept []string
	var want []string
	req := make([]byte, 0, 64)
	for i := range 3 * wasi.ArenaChunkSize / 10 {
		for _, s := range []string{
			fmt.Sprintf("/w/d%d/f%d", i%20, i),
			"",
			string(bytes.Repeat([]byte{'a' + byte(i%26)}, wasi.ArenaMaxLen)),
			string(bytes.Repeat([]byte{'z'}, wasi.ArenaMaxLen+1+i%7)),
		} {
			var e encoder
			e.str(s)
			req = append(req[:0], e.b...)
			d := decoder{b: req, paths: &a}
			got := d.path()
			if d.bad || got != s {
				t.Fatalf("path %q, want %q (bad=%v)", got, s, d.bad)
			}
			clear(req) // JavaScript rewrites the request buffer
			kept = append(kept, got)
			want = append(want, s)
		}
	}
	for i := range kept {
		if kept[i] != want[i] {
			t.Fatalf("string %d changed to %q, was %q", i, kept[i], want[i])
		}
	}
	// Without an arena, path is str.
	var e encoder
	e.str("/x")
	if d := (decoder{b: e.b}); d.path() != "/x" {
		t.Error("path without an arena")
	}
}
