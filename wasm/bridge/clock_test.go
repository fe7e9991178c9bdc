package bridge

import (
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/vfscope/vfscope/host/wasi"
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

// spin waits d without letting another goroutine run, as a page calling
// in a loop does under GOOS=js.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// sampleFloor is the earliest time a clock sample taken after it can
// give: a sample counts from the wall time of the clock's start, which
// under GOOS=js has millisecond resolution, and is cut to the
// millisecond.
func sampleFloor() time.Time {
	return time.Now().Add(-time.Millisecond).Truncate(time.Millisecond)
}

// TestBatchClock: each tick takes the time the host supplied, or samples
// the time at its first read if none was; the time holds for the tick,
// and no tick's time is earlier than the last one's.
func TestBatchClock(t *testing.T) {
	const (
		// Times the host supplies, in ms: one in the past and one in
		// the future of any run of this test.
		past   = 1_600_000_000_123 // 2020
		future = 4_000_000_000_000 // 2096
		// want values that are not times.
		sampled = -1 // sampled at the tick: within the wall clock read around it
		last    = -2 // the previous step's time
	)
	type step struct {
		host float64 // supplied before the tick; 0: none
		want int64   // ms, or sampled, or last
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"supplied", []step{{past, past}, {past + 5, past + 5}, {past + 5, past + 5}, {past + 7, past + 7}}},
		{"sampled", []step{{0, sampled}, {0, sampled}, {0, sampled}}},
		{"supplied after sampled", []step{{0, sampled}, {future, future}, {0, last}}},
		{"backwards", []step{{past + 10, past + 10}, {past + 3, last}, {past + 9, last}, {past + 11, past + 11}}},
		{"supplied behind sampled", []step{{past, past}, {0, sampled}, {past + 1, last}}},
		{"fraction of a ms", []step{{past + 0.75, past}, {past + 2.5, past + 2}}},
		{"not times", []step{{-5, sampled}, {0.5, sampled}, {math.NaN(), sampled}, {1e300, sampled}, {math.Inf(1), sampled}}},
	} {
		c := batchClock{start: time.Now()}
		var prev time.Time
		for i, s := range tc.steps {
			c.host = s.host
			before := sampleFloor()
			c.tick()
			if c.host != 0 {
				t.Errorf("%s: step %d: the host's word is %v after the tick, want 0", tc.name, i, c.host)
			}
			got := c.now()
			after := time.Now()
			switch s.want {
			case sampled:
				if got.Before(before) || got.After(after) || got.Before(prev) {
					t.Errorf("%s: step %d: %v, want a sample between %v and %v, not before %v", tc.name, i, got, before, after, prev)
				}
			case last:
				if !got.Equal(prev) {
					t.Errorf("%s: step %d: %v, want the last tick's %v", tc.name, i, got, prev)
				}
			default:
				if want := time.UnixMilli(s.want); !got.Equal(want) {
					t.Errorf("%s: step %d: %v, want the supplied %v", tc.name, i, got, want)
				}
			}
			// Later reads of the tick, with the time moving on, get
			// the same time.
			spin(time.Millisecond)
			if again := c.now(); !again.Equal(got) {
				t.Errorf("%s: step %d: second read of a tick %v, want the first %v", tc.name, i, again, got)
			}
			prev = got
		}
	}
}

// TestBatchClockConcurrent: reads racing with ticks (the flusher reads
// the clock from its own goroutine) never see the time go back, whether
// the ticks' times are supplied, behind the last tick's, or sampled.
func TestBatchClockConcurrent(t *testing.T) {
	c := batchClock{start: time.Now()}
	const ticks, readers, reads = 2000, 3, 5000
	base := time.Now().UnixMilli()
	var wg sync.WaitGroup
	errs := make(chan string, readers+1)
	wg.Add(readers)
	for r := 0; r < readers; r++ {
		go func() {
			defer wg.Done()
			var last time.Time
			for i := 0; i < reads; i++ {
				now := c.now()
				if now.Before(last) {
					errs <- fmt.Sprintf("read %d: %v after %v", i, now, last)
					return
				}
				last = now
				if i%64 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	var last time.Time
	for i := 0; i < ticks; i++ {
		// Supplied times wander 20 ms either side of now; every third
		// tick has none.
		if i%3 != 0 {
			c.host = float64(base + int64(i%41) - 20 + time.Since(c.start).Milliseconds())
		}
		c.tick()
		now := c.now()
		if now.Before(last) {
			errs <- fmt.Sprintf("tick %d: %v after %v", i, now, last)
			break
		}
		last = now
		if i%64 == 0 {
			runtime.Gosched()
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestBatchClockZero: the zero clock, used before any tick, samples the
// wall clock, and a new tick samples it anew.
func TestBatchClockZero(t *testing.T) {
	var c batchClock
	a := c.now()
	spin(2 * time.Millisecond)
	if b := c.now(); !b.Equal(a) {
		t.Errorf("second read %v, want the first %v", b, a)
	}
	c.tick()
	if b := c.now(); b.Sub(a) < 2*time.Millisecond {
		t.Errorf("read after a new tick %v, only %v after the last", b, b.Sub(a))
	}
}

// TestHostClock: a batch and a WASI call take the time supplied through
// HostClock for their timestamps, unless it is behind the last tick's;
// a batch given none samples the time.
func TestHostClock(t *testing.T) {
	b := New()
	_, g, cm := newGuest(t, b)
	word := b.HostClock()
	// mtime creates a file in one WASI call, the host's word set to ms
	// (0: none), and returns its mtime in the next, given none.
	n := 0
	mtime := func(ms float64) time.Time {
		t.Helper()
		n++
		name := fmt.Sprintf("tmp/f%d", n)
		copy(cm.mem[100:], name)
		*word = ms
		if errno, _, _, _ := callWASI(t, b, g, "path_open", 3, 0, 100, uint64(len(name)), uint64(wasi.OflagCreat), uint64(wasi.RightsAll), uint64(wasi.RightsAll), 0, 200); errno != wasi.ESUCCESS {
			t.Fatalf("path_open %s: %v", name, errno)
		}
		if *word != 0 {
			t.Errorf("the word holds %v after the WASI call, want 0", *word)
		}
		if errno, _, _, _ := callWASI(t, b, g, "path_filestat_get", 3, 0, 100, uint64(len(name)), 1024); errno != wasi.ESUCCESS {
			t.Fatalf("path_filestat_get %s: %v", name, errno)
		}
		return time.Unix(0, int64(binary.LittleEndian.Uint64(cm.mem[1024+48:])))
	}

	before := sampleFloor()
	if m := mtime(0); m.Before(before) || m.After(time.Now()) {
		t.Errorf("mtime of a file created given no time %v, want the time it ran (%v)", m, before)
	}
	// Times ahead of the last tick's are taken as they are.
	ahead := time.Now().Add(time.Hour).UnixMilli()
	if m := mtime(float64(ahead)); m.UnixNano() != ahead*int64(time.Millisecond) {
		t.Errorf("mtime of a file created given %d ms: %v", ahead, m)
	}
	if m := mtime(float64(ahead + 5)); m.UnixNano() != (ahead+5)*int64(time.Millisecond) {
		t.Errorf("mtime of a file created given %d ms: %v", ahead+5, m)
	}
	// The current time is now behind the last tick's, which is kept.
	if m := mtime(float64(time.Now().UnixMilli())); m.UnixNano() != (ahead+5)*int64(time.Millisecond) {
		t.Errorf("mtime of a file created given a time behind the last tick's: %v, want the last tick's", m)
	}

	// A batch is a tick as a call is.
	id := newVFS(t, b)
	*word = float64(ahead + 9)
	if m := mtimeOf(t, b, id, "/tmp/a"); m != (ahead+9)*int64(time.Millisecond) {
		t.Errorf("mtime of a batch given %d ms: %v", ahead+9, time.Unix(0, m))
	}
	if *word != 0 {
		t.Errorf("the word holds %v after the batch, want 0", *word)
	}
}
