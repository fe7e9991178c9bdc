package vfs

import (
	"bytes"
	"math/rand"
	"testing"
)

// TestPageCopyStream: copyPageStream copies a whole page exactly, from a
// source at any alignment, and leaves the bytes around the page alone.
func TestPageCopyStream(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	src := make([]byte, 2*PAGE_SIZE)
	rng.Read(src)
	for _, off := range []int{0, 1, 7, 16, 63, 64, 100, PAGE_SIZE - 1, PAGE_SIZE} {
		// From the heap, page-aligned as the page cache's pages are.
		pages := pageSink(make([][PAGE_SIZE]byte, 3))
		for i := range pages[0] {
			pages[0][i], pages[2][i] = 0x5A, 0xA5
		}
		copyPageStream(&pages[1], &src[off])
		if !bytes.Equal(pages[1][:], src[off:off+PAGE_SIZE]) {
			t.Errorf("source offset %d: the page differs from the source", off)
		}
		if pages[0][PAGE_SIZE-1] != 0x5A || pages[2][0] != 0xA5 {
			t.Errorf("source offset %d: a neighbouring page changed", off)
		}
	}
}

// TestWriteStreams: which writes stream their whole pages.
func TestWriteStreams(t *testing.T) {
	for _, c := range []struct {
		pages int64
		n     int
		want  bool
	}{
		{0, 1 << 20, false},
		{streamFilePages - 1, 1 << 20, false},
		{streamFilePages, streamWriteMin - 1, false},
		{streamFilePages, streamWriteMin, true},
		{1 << 20, 4096, false},
	} {
		var m AddressSpace
		m.nrpages.Store(c.pages)
		if got := writeStreams(&m, c.n); got != (c.want && haveStreamCopy) {
			t.Errorf("a %d-byte write to a mapping of %d pages: streams %v, want %v", c.n, c.pages, got, c.want && haveStreamCopy)
		}
	}
}

var pageSinkVar [][PAGE_SIZE]byte

// pageSink makes p escape to the heap: a page of the cache is never on
// a stack.
func pageSink(p [][PAGE_SIZE]byte) [][PAGE_SIZE]byte {
	pageSinkVar = p
	return p
}
