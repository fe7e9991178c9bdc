package bridge

import (
	"testing"
	"time"
)

// mtimeOf creates path in its own batch and returns its mtime.
func mtimeOf(t *testing.T, b *Bridge, id uint32, path string) int64 {
	t.Helper()
	d := exec(t, b, new(req).op("writeFile", id).str(path).raw([]byte("x")).num(0o1101).num(0o644).op("stat", id).str(path), nil)
	if e := d.u32(); e != 0 {
		t.Fatalf("writeFile %s: errno %d", path, e)
	}
	if e := d.u32(); e != 0 {
		t.Fatalf("stat %s: errno %d", path, e)
	}
	return decodeStat(d).Mtime
}

// TestClockAdvancesBetweenBatches: files written in batches 30 ms apart
// have mtimes at least 30 ms apart, though nothing but this goroutine ran
// meanwhile (under GOOS=js a busy wait lets no other goroutine run, as
// when JavaScript calls in a loop).
func TestClockAdvancesBetweenBatches(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	const gap = 30 * time.Millisecond
	m1 := mtimeOf(t, b, id, "/tmp/a")
	for start := time.Now(); time.Since(start) < gap; {
	}
	m2 := mtimeOf(t, b, id, "/tmp/b")
	if d := time.Duration(m2 - m1); d < gap {
		t.Errorf("mtimes %v apart, want at least %v", d, gap)
	}
	// Never ahead of a later read of the wall clock, though under
	// GOOS=js that clock has millisecond resolution and the monotonic
	// one the stamp adds to it is finer.
	if now := time.Now().UnixNano(); m2 > now || now-m2 > int64(time.Second) {
		t.Errorf("mtime %d is not the time of the batch (now %d)", m2, now)
	}
}

// TestBatchClock: one sample per tick, a new one after the next tick.
func TestBatchClock(t *testing.T) {
	var c batchClock
	c.tick()
	a := c.now()
	for start := time.Now(); time.Since(start) < 2*time.Millisecond; {
	}
	if b := c.now(); !b.Equal(a) {
		t.Errorf("second read of a tick %v, want the first %v", b, a)
	}
	c.tick()
	if b := c.now(); b.Sub(a) < 2*time.Millisecond {
		t.Errorf("read after a new tick %v, only %v after the last", b, b.Sub(a))
	}
}
