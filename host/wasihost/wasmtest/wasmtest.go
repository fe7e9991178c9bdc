// Package wasmtest assembles tiny WASI preview1 commands for tests: a
// _start made of raw instructions, calling preview1 functions the module
// imports, with an optional memory and data. It lets a test build the
// guest it needs (one that traps, sleeps, or has no memory) without a
// toolchain; the encoding is the WebAssembly binary format's
// (https://webassembly.github.io/spec/core/binary/).
package wasmtest

// Value types.
const (
	I32 byte = 0x7f
	I64 byte = 0x7e
)

// Import is a function the module imports: of wasi_snapshot_preview1
// unless Module says otherwise.
type Import struct {
	Name            string
	Params, Results []byte // value types
	Module          string // "" is wasi_snapshot_preview1
}

// Segment is data placed in memory at Offset.
type Segment struct {
	Offset uint32
	Bytes  []byte
}

// Module is a command: Imports are functions 0 to len(Imports)-1, and
// _start, of type () -> (), is function len(Imports), its body Start
// (the instructions, without the final end). With Memory it defines and
// exports a one-page "memory", holding Data. Export renames _start (a
// reactor's "_initialize"); Pages, when not 0, is the memory's minimum
// size in 64 KiB pages instead of one.
type Module struct {
	Imports []Import
	Export  string
	Memory  bool
	Pages   uint32
	Data    []Segment
	Start   []byte
}

// Bytes is the module's binary encoding.
func (m Module) Bytes() []byte {
	var types, imports [][]byte
	for i, im := range m.Imports {
		types = append(types, cat([]byte{0x60}, vec(bytesOf(im.Params)...), vec(bytesOf(im.Results)...)))
		mod := im.Module
		if mod == "" {
			mod = "wasi_snapshot_preview1"
		}
		imports = append(imports, cat(name(mod), name(im.Name), []byte{0}, uleb(uint32(i))))
	}
	start := uint32(len(m.Imports))
	types = append(types, []byte{0x60, 0, 0})
	out := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	out = append(out, section(1, vec(types...))...)
	if len(imports) > 0 {
		out = append(out, section(2, vec(imports...))...)
	}
	out = append(out, section(3, vec(uleb(start)))...)
	export := m.Export
	if export == "" {
		export = "_start"
	}
	exports := [][]byte{cat(name(export), []byte{0}, uleb(start))}
	if m.Memory {
		out = append(out, section(5, vec(cat([]byte{0}, uleb(max(m.Pages, 1)))))...)
		exports = append(exports, cat(name("memory"), []byte{2, 0}))
	}
	out = append(out, section(7, vec(exports...))...)
	body := cat([]byte{0}, m.Start, []byte{0x0b}) // no locals
	out = append(out, section(10, vec(cat(uleb(uint32(len(body))), body)))...)
	if len(m.Data) > 0 {
		var segs [][]byte
		for _, d := range m.Data {
			segs = append(segs, cat([]byte{0}, Const32(int32(d.Offset)), []byte{0x0b}, uleb(uint32(len(d.Bytes))), d.Bytes))
		}
		out = append(out, section(11, vec(segs...))...)
	}
	return out
}

// Instructions.
var (
	OpUnreachable = []byte{0x00}
	OpDrop        = []byte{0x1a}
	OpMemoryGrow  = []byte{0x40, 0x00} // memory.grow of memory 0
)

// Const32 is i32.const v.
func Const32(v int32) []byte { return cat([]byte{0x41}, sleb(int64(v))) }

// Const64 is i64.const v.
func Const64(v int64) []byte { return cat([]byte{0x42}, sleb(v)) }

// Call is call f.
func Call(f uint32) []byte { return cat([]byte{0x10}, uleb(f)) }

// Cat joins instructions.
func Cat(bs ...[]byte) []byte { return cat(bs...) }

func cat(bs ...[]byte) []byte {
	var r []byte
	for _, b := range bs {
		r = append(r, b...)
	}
	return r
}

func bytesOf(b []byte) [][]byte {
	r := make([][]byte, len(b))
	for i := range b {
		r[i] = b[i : i+1]
	}
	return r
}

func vec(items ...[]byte) []byte { return cat(uleb(uint32(len(items))), cat(items...)) }

func name(s string) []byte { return cat(uleb(uint32(len(s))), []byte(s)) }

func section(id byte, body []byte) []byte { return cat([]byte{id}, uleb(uint32(len(body))), body) }

func uleb(n uint32) []byte {
	var b []byte
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func sleb(n int64) []byte {
	var b []byte
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if (n == 0 && c&0x40 == 0) || (n == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
