package bridge

import (
	"encoding/binary"
	"unsafe"

	"github.com/vfscope/vfscope/host/wasi"
)

// GuestMemory is a WASI guest's linear memory held on the JavaScript side
// (a WebAssembly.Memory): every method is a crossing, so the ABI's view of
// it (guestMemory) asks for exactly the bytes a call reads or writes, and
// most calls need none of them (see the exchange block below).
type GuestMemory interface {
	// Size is the memory's current length in bytes.
	Size() uint32
	// ReadAt copies len(dst) bytes at off into dst.
	ReadAt(dst []byte, off uint32) bool
	// WriteAt copies p to off.
	WriteAt(off uint32, p []byte) bool
}

// The exchange block.
//
// A crossing between Go and JavaScript costs more than the bytes most
// calls move: a path_filestat_get read its path with one and wrote its
// filestat with another, an fd_read crossed three times (the iovec
// array, the data, the count). So each guest has an exchange block in
// Go's memory, which the guest's imports and the ABI share:
//
//   - before a call, the import stages the guest bytes it knows the call
//     reads (its paths; fd_read's and fd_write's iovec arrays, and
//     fd_write's data) into the block and lists them (off, n, where);
//     Read finds a range there instead of crossing;
//   - during the call, writes to the guest are queued in the block (a
//     write of the call's scratch buffers, fd_read's data, by address,
//     since they stay put until the next call; others copied into the
//     block) and CallWASI's result carries WASIWrites; the import then
//     copies them into the guest's memory, in order, before it returns.
//
// A range not staged is read by crossing, as before; a write too large
// for the block crosses at once. A write updates the staged copies it
// overlaps, and a crossing read or write applies the queued writes
// first when it overlaps one of them, so a call sees guest memory, and
// leaves it, as it would with every access crossing.
//
// Layout (offsets in bytes; uint32 words, little-endian), sent to
// JavaScript by wasiMemory so the two sides cannot disagree:
//
//	xNIn      number of staged ranges (set by the import before the
//	          call, zeroed by CallWASI after it)
//	xNOut     number of queued writes (zeroed when a call starts)
//	xIn       xMaxIn ranges {guest offset, length, offset in the block}
//	xOut      xMaxOut writes {guest offset, length, address in Go's memory}
//	xInData   .. xOutData: the staged bytes
//	xOutData  .. xSize: the bytes of queued writes
const (
	xNIn     = 0
	xNOut    = 4
	xIn      = 64
	xMaxIn   = 8
	xOut     = xIn + 12*xMaxIn
	xMaxOut  = 16
	xInData  = 512
	xOutData = 24 << 10
	xSize    = 32 << 10

	// WASIWrites (in CallWASI's result): the call queued writes to the
	// guest's memory in its exchange block.
	WASIWrites = 1 << 18
)

// guestMemory is the wasi.Memory (and wasi.ScratchMemory) of a guest
// whose memory lives in JavaScript. Bounds are checked against a cached
// size, refreshed only when a range falls outside it (memory only
// grows). Buffers returned by Read and Scratch come from an arena reset
// at every call, so a call reading or filling several iovecs allocates
// once.
type guestMemory struct {
	g       GuestMemory
	size    uint32
	arena   []byte
	scratch [8]byte

	// x is the exchange block (xSize bytes, dataAlign-aligned: staged
	// data keeps the guest's alignment modulo dataAlign).
	x []byte
	// nOut and outEnd are the queued writes and the end of their bytes
	// in x; out holds each write's bytes (a slice of x or of the arena),
	// for flush.
	nOut   int
	outEnd int
	out    [xMaxOut][]byte
}

func newGuestMemory(g GuestMemory) *guestMemory {
	return &guestMemory{g: g, x: AlignedBuffer(xSize), outEnd: xOutData}
}

// What an import stages before its call (Staging).
const (
	// StagePaths: the byte ranges named by parameters (A, B) and, unless
	// C is NoParam, (C, D): pointer and length.
	StagePaths = 1
	// StageIovecs: the iovec array named by (A, B): pointer and count.
	StageIovecs = 2
	// StageIovecData: the iovec array and the buffers it names.
	StageIovecData = 3
	// NoParam: no second range.
	NoParam = 255
)

// Stage is what a function's import stages: Kind, and parameter indexes.
type Stage struct{ Kind, A, B, C, D uint8 }

// Staging is, by function name, the guest bytes each function's import
// stages: those the ABI reads in every successful call (a path, an iovec
// array, fd_write's data). wasiMemory sends it to the imports, which
// check theirs against it.
var Staging = map[string]Stage{
	"path_create_directory":   {StagePaths, 1, 2, NoParam, NoParam},
	"path_filestat_get":       {StagePaths, 2, 3, NoParam, NoParam},
	"path_filestat_set_times": {StagePaths, 2, 3, NoParam, NoParam},
	"path_link":               {StagePaths, 2, 3, 5, 6},
	"path_open":               {StagePaths, 2, 3, NoParam, NoParam},
	"path_readlink":           {StagePaths, 1, 2, NoParam, NoParam},
	"path_remove_directory":   {StagePaths, 1, 2, NoParam, NoParam},
	"path_rename":             {StagePaths, 1, 2, 4, 5},
	"path_symlink":            {StagePaths, 0, 1, 3, 4},
	"path_unlink_file":        {StagePaths, 1, 2, NoParam, NoParam},
	"fd_read":                 {StageIovecs, 1, 2, NoParam, NoParam},
	"fd_pread":                {StageIovecs, 1, 2, NoParam, NoParam},
	"fd_write":                {StageIovecData, 1, 2, NoParam, NoParam},
	"fd_pwrite":               {StageIovecData, 1, 2, NoParam, NoParam},
}

// encodeLayout is wasiMemory's response: the block's address, its
// layout, and Staging.
func (m *guestMemory) encodeLayout(e *encoder) {
	e.u32(uint32(uintptr(unsafe.Pointer(unsafe.SliceData(m.x)))))
	for _, v := range []uint32{xNIn, xNOut, xIn, xMaxIn, xOut, xMaxOut, xInData, xOutData, xSize, WASIWrites} {
		e.u32(v)
	}
	e.u32(uint32(len(Staging)))
	for _, f := range wasi.Funcs {
		if s, ok := Staging[f.Name]; ok {
			e.str(f.Name)
			for _, v := range []uint8{s.Kind, s.A, s.B, s.C, s.D} {
				e.u8(v)
			}
		}
	}
}

// begin starts a call: no writes queued.
func (m *guestMemory) begin() {
	m.nOut, m.outEnd = 0, xOutData
	binary.LittleEndian.PutUint32(m.x[xNOut:], 0)
}

// end finishes a call: the staged ranges are spent, the arena free
// again (its bytes stay as they are until the next call's Scratch, so
// queued writes of them are good until the import applies them). It
// reports whether writes are queued.
func (m *guestMemory) end() bool {
	binary.LittleEndian.PutUint32(m.x[xNIn:], 0)
	m.arena = m.arena[:0]
	return m.nOut > 0
}

// staged returns the n bytes at off if the import staged them.
func (m *guestMemory) staged(off, n uint32) ([]byte, bool) {
	le := binary.LittleEndian
	nin := le.Uint32(m.x[xNIn:])
	for i := uint32(0); i < nin && i < xMaxIn; i++ {
		d := m.x[xIn+12*i:]
		so, sn, at := le.Uint32(d), le.Uint32(d[4:]), le.Uint32(d[8:])
		if off < so || uint64(off)+uint64(n) > uint64(so)+uint64(sn) ||
			at < xInData || uint64(at)+uint64(sn) > xOutData {
			continue
		}
		at += off - so
		return m.x[at : at+n : at+n], true
	}
	return nil, false
}

// patchStaged copies p, written at off, into the staged ranges it
// overlaps.
func (m *guestMemory) patchStaged(off uint32, p []byte) {
	le := binary.LittleEndian
	nin := le.Uint32(m.x[xNIn:])
	for i := uint32(0); i < nin && i < xMaxIn; i++ {
		d := m.x[xIn+12*i:]
		so, sn, at := le.Uint32(d), le.Uint32(d[4:]), le.Uint32(d[8:])
		if at < xInData || uint64(at)+uint64(sn) > xOutData {
			continue
		}
		lo, hi := max(uint64(off), uint64(so)), min(uint64(off)+uint64(len(p)), uint64(so)+uint64(sn))
		if lo < hi {
			copy(m.x[uint64(at)+lo-uint64(so):], p[lo-uint64(off):hi-uint64(off)])
		}
	}
}

// queue queues the write of p at off, if the block has room: by
// address if p is in the arena, else by copying it into the block.
func (m *guestMemory) queue(off uint32, p []byte) bool {
	if m.nOut == xMaxOut {
		return false
	}
	q := p
	if !m.inArena(p) {
		if len(p) > xSize-m.outEnd {
			return false
		}
		q = m.x[m.outEnd : m.outEnd+len(p) : m.outEnd+len(p)]
		copy(q, p)
		m.outEnd += (len(p) + 7) &^ 7
		m.outEnd = min(m.outEnd, xSize)
	}
	d := m.x[xOut+12*m.nOut:]
	le := binary.LittleEndian
	le.PutUint32(d, off)
	le.PutUint32(d[4:], uint32(len(q)))
	le.PutUint32(d[8:], uint32(uintptr(unsafe.Pointer(unsafe.SliceData(q)))))
	m.out[m.nOut] = q
	m.nOut++
	le.PutUint32(m.x[xNOut:], uint32(m.nOut))
	return true
}

// inArena reports whether p lies in the arena's current buffer, whose
// bytes stay put until the next call.
func (m *guestMemory) inArena(p []byte) bool {
	if len(p) == 0 || cap(m.arena) == 0 {
		return false
	}
	a := uintptr(unsafe.Pointer(unsafe.SliceData(m.arena)))
	q := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
	return q >= a && q+uintptr(len(p)) <= a+uintptr(cap(m.arena))
}

// overlapsQueued reports whether a queued write overlaps the n bytes at
// off: a crossing read of them must see it, a crossing write of them
// must come after it.
func (m *guestMemory) overlapsQueued(off uint32, n int) bool {
	for i := range m.nOut {
		qo := binary.LittleEndian.Uint32(m.x[xOut+12*i:])
		if uint64(qo) < uint64(off)+uint64(n) && uint64(off) < uint64(qo)+uint64(len(m.out[i])) {
			return true
		}
	}
	return false
}

// flush writes the queued writes to the guest now (before a crossing
// read or write that overlaps one).
func (m *guestMemory) flush() bool {
	ok := true
	for i := range m.nOut {
		d := m.x[xOut+12*i:]
		ok = m.g.WriteAt(binary.LittleEndian.Uint32(d), m.out[i]) && ok
		m.out[i] = nil
	}
	m.nOut, m.outEnd = 0, xOutData
	binary.LittleEndian.PutUint32(m.x[xNOut:], 0)
	return ok
}

func (m *guestMemory) InRange(off, n uint32) bool {
	end := uint64(off) + uint64(n)
	if end <= uint64(m.size) {
		return true
	}
	m.size = m.g.Size()
	return end <= uint64(m.size)
}

func (m *guestMemory) Read(off, n uint32) ([]byte, bool) {
	if p, ok := m.staged(off, n); ok {
		return p, true
	}
	if !m.InRange(off, n) {
		return nil, false
	}
	p := m.Scratch(off, n)
	if n > 0 && (m.overlapsQueued(off, int(n)) && !m.flush() || !m.g.ReadAt(p, off)) {
		return nil, false
	}
	return p, true
}

// Scratch is wasi.ScratchMemory's: n bytes of the arena for the guest
// range at off, valid until the call returns.
func (m *guestMemory) Scratch(off, n uint32) []byte {
	// Data of dataAlignMin bytes or more gets the guest address's
	// alignment modulo dataAlign (the arena starts aligned), so neither
	// the copy from the guest nor, for an aligned guest buffer, the copy
	// into the page cache is misaligned (see dataAlign).
	pad := 0
	if n >= dataAlignMin {
		pad = (int(off) - len(m.arena)) & (dataAlign - 1)
	}
	if len(m.arena)+pad+int(n) > cap(m.arena) {
		m.arena = AlignedBuffer(max(2*cap(m.arena), int(n)+dataAlign, 4096))[:0]
		pad = 0
		if n >= dataAlignMin {
			pad = int(off) & (dataAlign - 1)
		}
	}
	l := len(m.arena) + pad
	m.arena = m.arena[:l+int(n)]
	return m.arena[l : l+int(n) : l+int(n)]
}

func (m *guestMemory) Write(off uint32, p []byte) bool {
	if uint64(len(p)) > 1<<32-1 || !m.InRange(off, uint32(len(p))) {
		return false
	}
	if len(p) == 0 {
		return true
	}
	m.patchStaged(off, p)
	if m.queue(off, p) {
		return true
	}
	// No room: out of descriptors (flush, then queue) or too large for
	// the block (cross, after the queued writes it overlaps).
	if m.nOut == xMaxOut || m.overlapsQueued(off, len(p)) {
		if !m.flush() {
			return false
		}
		if m.queue(off, p) {
			return true
		}
	}
	return m.g.WriteAt(off, p)
}

func (m *guestMemory) ReadUint32Le(off uint32) (uint32, bool) {
	p, ok := m.Read(off, 4)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint32(p), true
}

func (m *guestMemory) WriteUint32Le(off uint32, v uint32) bool {
	binary.LittleEndian.PutUint32(m.scratch[:4], v)
	return m.Write(off, m.scratch[:4])
}

func (m *guestMemory) ReadUint64Le(off uint32) (uint64, bool) {
	p, ok := m.Read(off, 8)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint64(p), true
}

func (m *guestMemory) WriteUint64Le(off uint32, v uint64) bool {
	binary.LittleEndian.PutUint64(m.scratch[:8], v)
	return m.Write(off, m.scratch[:8])
}
