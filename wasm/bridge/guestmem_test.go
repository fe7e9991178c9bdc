package bridge

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/host/wasi"
)

// TestGuestMemoryExchange: a call's reads and writes through the exchange
// block leave the guest's memory as they would if every access crossed
// (the reference, a plain wasi.Bytes given the same accesses), crossing
// only for what is not staged or does not fit.
func TestGuestMemoryExchange(t *testing.T) {
	type op struct {
		write   bool
		off     uint32
		n       int // bytes to read, or to write (from the arena with scratch)
		scratch bool
	}
	type rng struct{ off, n uint32 }
	const size = 1 << 20
	tests := []struct {
		name     string
		staged   []rng
		ops      []op
		crossing int // ReadAt and WriteAt calls
	}{
		{"staged reads", []rng{{100, 20}, {5000, 300}}, []op{{off: 100, n: 20}, {off: 104, n: 8}, {off: 5000, n: 300}}, 0},
		{"unstaged read", []rng{{100, 20}}, []op{{off: 100, n: 21}}, 1},
		{"small writes queued", nil, []op{{write: true, off: 64, n: 4}, {write: true, off: 128, n: 64}}, 0},
		{"scratch write queued by address", nil, []op{{write: true, off: 8192, n: 64 << 10, scratch: true}}, 0},
		{"large write crosses", nil, []op{{write: true, off: 64, n: 4}, {write: true, off: 8192, n: 16 << 10}}, 1},
		{"large write over a queued one", nil, []op{{write: true, off: 8200, n: 4}, {write: true, off: 8192, n: 16 << 10}, {write: true, off: 8204, n: 4}}, 2},
		{"write then staged read sees it", []rng{{100, 64}}, []op{{write: true, off: 120, n: 8}, {off: 100, n: 64}}, 0},
		{"write then crossing read sees it", nil, []op{{write: true, off: 300, n: 8}, {off: 296, n: 16}}, 2},
		{"more writes than descriptors", nil, func() []op {
			var ops []op
			for i := range xMaxOut + 3 {
				ops = append(ops, op{write: true, off: uint32(1000 + 4*(i%5)), n: 4})
			}
			return ops
		}(), xMaxOut},
		{"out of range", nil, []op{{write: true, off: size - 2, n: 4}, {off: size - 1, n: 2}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cm := &countingMemory{mem: make(wasi.Bytes, size)}
			for i := range cm.mem {
				cm.mem[i] = byte(i * 31)
			}
			ref := bytes.Clone(cm.mem)
			m := newGuestMemory(cm)
			m.begin()
			// Stage as the import does.
			le := binary.LittleEndian
			at := uint32(xInData)
			for i, r := range tc.staged {
				copy(m.x[at:], cm.mem[r.off:r.off+r.n])
				d := m.x[xIn+12*i:]
				le.PutUint32(d, r.off)
				le.PutUint32(d[4:], r.n)
				le.PutUint32(d[8:], at)
				at += r.n
			}
			le.PutUint32(m.x[xNIn:], uint32(len(tc.staged)))
			cm.calls = 0
			for i, o := range tc.ops {
				if o.write {
					p := bytes.Repeat([]byte{byte(0x80 + i)}, o.n)
					if o.scratch {
						s := m.Scratch(o.off, uint32(o.n))
						copy(s, p)
						p = s
					}
					ok := m.Write(o.off, p)
					refOK := wasi.Bytes(ref).Write(o.off, p)
					if ok != refOK {
						t.Fatalf("op %d: Write ok %v, want %v", i, ok, refOK)
					}
					continue
				}
				got, ok := m.Read(o.off, uint32(o.n))
				want, refOK := wasi.Bytes(ref).Read(o.off, uint32(o.n))
				if ok != refOK || !bytes.Equal(got, want) {
					t.Fatalf("op %d: Read(%d, %d) = %v %x, want %v %x", i, o.off, o.n, ok, got, refOK, want)
				}
			}
			if cm.calls != tc.crossing {
				t.Errorf("%d crossings, want %d", cm.calls, tc.crossing)
			}
			queued := m.end()
			if queued != (m.nOut > 0) || le.Uint32(m.x[xNOut:]) != uint32(m.nOut) || le.Uint32(m.x[xNIn:]) != 0 {
				t.Errorf("end: queued %v, nOut %d, the block's %d, nIn %d", queued, m.nOut, le.Uint32(m.x[xNOut:]), le.Uint32(m.x[xNIn:]))
			}
			// Apply the queued writes as the import does.
			for i := range m.nOut {
				d := m.x[xOut+12*i:]
				if uint32(len(m.out[i])) != le.Uint32(d[4:]) {
					t.Fatalf("queued write %d: length %d, its bytes %d", i, le.Uint32(d[4:]), len(m.out[i]))
				}
				copy(cm.mem[le.Uint32(d):], m.out[i])
			}
			if i := firstDiff(cm.mem, ref); i >= 0 {
				t.Errorf("guest memory differs from the reference at %d: %#x, want %#x", i, cm.mem[i], ref[i])
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestStagingTable: every Staging entry names a preview1 function and
// i32 parameters of it.
func TestStagingTable(t *testing.T) {
	byName := map[string]*wasi.Func{}
	for i := range wasi.Funcs {
		byName[wasi.Funcs[i].Name] = &wasi.Funcs[i]
	}
	for name, s := range Staging {
		f := byName[name]
		if f == nil {
			t.Errorf("%s: no such function", name)
			continue
		}
		idx := []uint8{s.A, s.B}
		if s.C != NoParam {
			idx = append(idx, s.C, s.D)
		}
		for _, i := range idx {
			if int(i) >= len(f.Params) || f.Params[i] != wasi.I32 {
				t.Errorf("%s: parameter %d is not an i32 of it", name, i)
			}
		}
		if s.Kind < StagePaths || s.Kind > StageIovecData || s.Kind != StagePaths && s.C != NoParam {
			t.Errorf("%s: %s", name, fmt.Sprint(s))
		}
	}
}
