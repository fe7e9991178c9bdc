package wasmtest

import "encoding/binary"

// Imports of the guests below, with their function indexes.
var (
	procExit  = Import{Name: "proc_exit", Params: []byte{I32}}
	fdWrite   = Import{Name: "fd_write", Params: []byte{I32, I32, I32, I32}, Results: []byte{I32}}
	pathOpen  = Import{Name: "path_open", Params: []byte{I32, I32, I32, I32, I32, I64, I64, I32, I32}, Results: []byte{I32}}
	pollOneof = Import{Name: "poll_oneoff", Params: []byte{I32, I32, I32, I32}, Results: []byte{I32}}
)

// Junk is not a module.
func Junk() []byte { return []byte("#!/bin/sh\necho not wasm\n") }

// Unreachable is a guest whose _start traps at unreachable.
func Unreachable() []byte {
	return Module{Imports: []Import{procExit}, Memory: true, Start: OpUnreachable}.Bytes()
}

// NaNTrunc is a guest whose _start traps converting a NaN to an integer
// (i32.trunc_f32_s: "invalid conversion to integer").
func NaNTrunc() []byte {
	nan := []byte{0x43, 0x00, 0x00, 0xc0, 0x7f} // f32.const nan
	return Module{Imports: []Import{procExit}, Memory: true, Start: Cat(nan, []byte{0xa8}, OpDrop)}.Bytes()
}

// Exit is a guest calling proc_exit(code).
func Exit(code uint32) []byte {
	return Module{Imports: []Import{procExit}, Memory: true, Start: Cat(Const32(int32(code)), Call(0))}.Bytes()
}

// Loop is a guest spinning in a loop forever, calling nothing.
func Loop() []byte {
	return Module{Imports: []Import{procExit}, Memory: true, Start: []byte{0x03, 0x40, 0x0c, 0x00, 0x0b}}.Bytes()
}

// NoMemory is a guest without memory calling fd_write(1, 0, 0, 0).
func NoMemory() []byte {
	return Module{Imports: []Import{fdWrite}, Start: Cat(Const32(1), Const32(0), Const32(0), Const32(0), Call(0), OpDrop)}.Bytes()
}

// ExitNoMemory is a guest without memory calling proc_exit(code), which
// needs none.
func ExitNoMemory(code uint32) []byte {
	return Module{Imports: []Import{procExit}, Start: Cat(Const32(int32(code)), Call(0))}.Bytes()
}

// Memory layout of the guests that write.
const (
	iovAt      = 0    // one iovec: buf, len
	nwrittenAt = 8    // fd_write's result
	fdAt       = 12   // path_open's result
	subAt      = 64   // a clock subscription, 48 bytes
	eventAt    = 128  // poll_oneoff's event, 32 bytes
	neventsAt  = 160  // poll_oneoff's count
	pathAt     = 256  // the path, up to 256 bytes
	textAt     = 512  // what is written
	maxText    = 4096 // memory up to textAt+maxText is the module's one page
)

// Hello is a guest writing text to its stdout.
func Hello(text string) []byte {
	return Module{
		Imports: []Import{procExit, fdWrite},
		Memory:  true,
		Data:    []Segment{{iovAt, iov(textAt, len(text))}, {textAt, []byte(text)}},
		Start:   Cat(Const32(1), Const32(iovAt), Const32(1), Const32(nwrittenAt), Call(1), OpDrop),
	}.Bytes()
}

// WriteThenSleep is a guest that creates path (relative to its
// preopened directory, fd 3) and writes data to it, leaving it open,
// writes "started\n" to its stdout, then sleeps for seconds in
// poll_oneoff, calling proc_exit(0) once it is woken. It traps if
// path_open or fd_write fails.
func WriteThenSleep(path, data string, seconds uint64) []byte {
	const started = "started\n"
	if len(path) > textAt-pathAt || len(data)+len(started) > maxText {
		panic("wasmtest: path or data too long")
	}
	sub := make([]byte, 48)
	// userdata 0, tag clock (0), clock realtime (0), timeout, precision, flags 0.
	binary.LittleEndian.PutUint64(sub[24:], seconds*1e9)
	check := []byte{0x04, 0x40, 0x00, 0x0b} // if: unreachable
	loadFd := []byte{0x41, fdAt, 0x28, 0x02, 0x00}
	const rightFdWrite = 1 << 6
	const oflagCreat = 1
	return Module{
		Imports: []Import{procExit, fdWrite, pathOpen, pollOneof},
		Memory:  true,
		Data: []Segment{
			{iovAt, iov(textAt, len(data))}, {subAt, sub},
			{pathAt, []byte(path)}, {textAt, []byte(data + started)},
		},
		Start: Cat(
			Const32(3), Const32(0), Const32(pathAt), Const32(int32(len(path))), Const32(oflagCreat),
			Const64(rightFdWrite), Const64(0), Const32(0), Const32(fdAt), Call(2), check,
			loadFd, Const32(iovAt), Const32(1), Const32(nwrittenAt), Call(1), check,
			// The iovec now points at "started\n".
			Const32(iovAt), Const32(int32(textAt+len(data))), []byte{0x36, 0x02, 0x00},
			Const32(iovAt+4), Const32(int32(len(started))), []byte{0x36, 0x02, 0x00},
			Const32(1), Const32(iovAt), Const32(1), Const32(nwrittenAt), Call(1), check,
			Const32(subAt), Const32(eventAt), Const32(1), Const32(neventsAt), Call(3), OpDrop,
			Const32(0), Call(0),
		),
	}.Bytes()
}

func iov(buf, n int) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint32(b, uint32(buf))
	binary.LittleEndian.PutUint32(b[4:], uint32(n))
	return b
}

// Reactor is a reactor, not a command: it exports "_initialize", which
// calls proc_exit(0), and no _start.
func Reactor() []byte {
	return Module{Imports: []Import{procExit}, Export: "_initialize", Memory: true, Start: Cat(Const32(0), Call(0))}.Bytes()
}

// Importing is a guest importing function name of module mod, of type
// () -> (), besides proc_exit; its _start calls proc_exit(0).
func Importing(mod, name string) []byte {
	return Module{Imports: []Import{procExit, {Module: mod, Name: name}}, Memory: true, Start: Cat(Const32(0), Call(0))}.Bytes()
}

// ExitPages is Exit(code) with a memory of pages 64 KiB pages from the
// start: one a runtime whose limit is below pages refuses.
func ExitPages(code, pages uint32) []byte {
	return Module{Imports: []Import{procExit}, Memory: true, Pages: pages, Start: Cat(Const32(int32(code)), Call(0))}.Bytes()
}

// Grow is a guest with a one-page memory (no maximum) whose _start
// grows it by pages and calls proc_exit with what memory.grow returned:
// 1, the size before, or 0xffffffff (-1) if the memory could not grow.
func Grow(pages uint32) []byte {
	return Module{Imports: []Import{procExit}, Memory: true, Start: Cat(Const32(int32(pages)), OpMemoryGrow, Call(0))}.Bytes()
}
