package wasi

import (
	"bytes"
	"testing"
)

// TestStringArenaStringsStayPut: every string keeps its bytes while its source is
// rewritten and later strings fill the chunk and start new ones; empty
// and over-long strings come out right too.
func TestStringArenaStringsStayPut(t *testing.T) {
	var a StringArena
	src := make([]byte, 0, ArenaMaxLen+8)
	var got, want []string
	for i := range 3 * ArenaChunkSize / 50 {
		for _, n := range []int{0, 1, 17, ArenaMaxLen, ArenaMaxLen + 1 + i%7} {
			src = append(src[:0], bytes.Repeat([]byte{'a' + byte(i%26)}, n)...)
			s := a.String(src)
			clear(src)
			got = append(got, s)
			want = append(want, string(bytes.Repeat([]byte{'a' + byte(i%26)}, n)))
		}
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("string %d is %q, want %q", i, got[i], want[i])
		}
	}
}

// TestStringArenaOneAllocationPerChunk: short strings share chunks.
func TestStringArenaOneAllocationPerChunk(t *testing.T) {
	var a StringArena
	p := []byte("/w/d3/f123")
	allocs := testing.AllocsPerRun(1000, func() { _ = a.String(p) })
	if per := float64(len(p)) / ArenaChunkSize; allocs > per*2+0.01 {
		t.Fatalf("%.3f allocations per string, want about %.4f", allocs, per)
	}
}
