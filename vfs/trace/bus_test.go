package trace

import (
	"runtime"
	"sync"
	"testing"
)

func emitN(b *Bus, from, n int) {
	for i := 0; i < n; i++ {
		b.Emit(&Event{Kind: DentryAlloc, Dentry: uint64(from + i)})
	}
}

func readAll(l *Listener) []Event {
	var out []Event
	buf := make([]Event, 3)
	for {
		n := l.Read(buf)
		if n == 0 {
			return out
		}
		out = append(out, buf[:n]...)
	}
}

func TestBusNoListenerNoSeq(t *testing.T) {
	b := NewBus()
	emitN(b, 1, 5)
	if b.Seq() != 0 || b.Active() {
		t.Fatalf("seq %d active %v with nobody listening", b.Seq(), b.Active())
	}
}

func TestBusDeliversInOrder(t *testing.T) {
	b := NewBus()
	l1, l2 := b.Subscribe(16), b.Subscribe(16)
	emitN(b, 100, 10)
	for _, l := range []*Listener{l1, l2} {
		got := readAll(l)
		if len(got) != 10 {
			t.Fatalf("got %d events, want 10", len(got))
		}
		for i, e := range got {
			if e.Seq != uint64(i+1) || e.Dentry != uint64(100+i) {
				t.Errorf("event %d: seq %d dentry %d", i, e.Seq, e.Dentry)
			}
		}
	}
}

// A full ring drops new events, counts them, and announces the gap with
// one Lost event carrying the count, placed where the gap is.
func TestBusDropsAndAnnounces(t *testing.T) {
	cases := []struct {
		name       string
		ring, emit int
		readAfter  int // events read (freeing room) before more are emitted
		more       int
		want       []Kind
		wantLost   uint64
	}{
		{"fits", 4, 4, 0, 0, []Kind{DentryAlloc, DentryAlloc, DentryAlloc, DentryAlloc}, 0},
		{"overflow announced on drain", 4, 7, 0, 0, []Kind{DentryAlloc, DentryAlloc, DentryAlloc, DentryAlloc, Lost}, 3},
		{"overflow announced before next event", 4, 6, 3, 1, []Kind{DentryAlloc, DentryAlloc, DentryAlloc, DentryAlloc, Lost, DentryAlloc}, 2},
		{"no room for marker and event", 4, 6, 1, 2, []Kind{DentryAlloc, DentryAlloc, DentryAlloc, DentryAlloc, Lost}, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := NewBus()
			l := b.Subscribe(c.ring)
			emitN(b, 1, c.emit)
			var got []Event
			if c.readAfter > 0 {
				buf := make([]Event, c.readAfter)
				n := l.Read(buf)
				got = append(got, buf[:n]...)
			}
			emitN(b, 1000, c.more)
			got = append(got, readAll(l)...)
			var kinds []Kind
			var lost uint64
			lastSeq := uint64(0)
			for _, e := range got {
				kinds = append(kinds, e.Kind)
				if e.Kind == Lost {
					lost += e.Lost
				}
				if e.Seq <= lastSeq && e.Kind != Lost {
					t.Errorf("seq %d after %d", e.Seq, lastSeq)
				}
				lastSeq = e.Seq
			}
			if len(kinds) != len(c.want) {
				t.Fatalf("kinds %v, want %v", kinds, c.want)
			}
			for i := range kinds {
				if kinds[i] != c.want[i] {
					t.Fatalf("kinds %v, want %v", kinds, c.want)
				}
			}
			if lost != c.wantLost || l.Lost() != c.wantLost {
				t.Errorf("lost %d (Lost() %d), want %d", lost, l.Lost(), c.wantLost)
			}
			// The events after a gap follow their Seq: the gap is exactly
			// the lost count.
			for i := 1; i+1 < len(got); i++ {
				if got[i].Kind == Lost && got[i+1].Seq != got[i-1].Seq+got[i].Lost+1 {
					t.Errorf("gap: %d then lost %d then %d", got[i-1].Seq, got[i].Lost, got[i+1].Seq)
				}
			}
		})
	}
}

// A listener that never reads must not slow or block emitters; the
// others still get everything.
func TestBusSlowListenerNeverBlocks(t *testing.T) {
	b := NewBus()
	slow := b.Subscribe(8)
	fast := b.Subscribe(1 << 16)
	var wg sync.WaitGroup
	const workers, each = 4, 2000
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				b.Emit(&Event{Kind: LockAcquire, Task: int32(w)})
				if i%64 == 0 {
					runtime.Gosched()
				}
			}
		}(w)
	}
	wg.Wait()
	if got := len(readAll(fast)); got != workers*each {
		t.Errorf("fast listener got %d, want %d", got, workers*each)
	}
	if slow.Lost() != workers*each-8 {
		t.Errorf("slow listener lost %d, want %d", slow.Lost(), workers*each-8)
	}
	ev := readAll(slow)
	if len(ev) != 9 || ev[8].Kind != Lost || ev[8].Lost != workers*each-8 {
		t.Errorf("slow listener read %d events ending %+v", len(ev), ev[len(ev)-1])
	}
}

func TestBusActiveAndClose(t *testing.T) {
	b := NewBus()
	var flips []bool
	b.SetOnActive(func(on bool) { flips = append(flips, on) })
	l1 := b.Subscribe(4)
	l2 := b.Subscribe(4)
	if !b.Active() {
		t.Fatal("not active with listeners")
	}
	l1.Close()
	l1.Close()
	emitN(b, 1, 1)
	if l1.Len() != 0 || l2.Len() != 1 {
		t.Errorf("closed listener has %d events, open one %d", l1.Len(), l2.Len())
	}
	l2.Close()
	if b.Active() {
		t.Error("active after every listener closed")
	}
	if len(flips) != 2 || !flips[0] || flips[1] {
		t.Errorf("onActive calls %v, want [true false]", flips)
	}
	select {
	case <-l2.Ready():
	default:
		t.Error("no ready token with an event buffered")
	}
	if n := l2.Read(make([]Event, 4)); n != 1 {
		t.Errorf("read %d buffered events after close, want 1", n)
	}
}

func TestBusEmitNoAllocs(t *testing.T) {
	b := NewBus()
	e := &Event{Kind: DentryHash, Name: "x"}
	if n := testing.AllocsPerRun(100, func() { b.Emit(e) }); n != 0 {
		t.Errorf("Emit with nobody listening allocates %v", n)
	}
	l := b.Subscribe(1 << 10)
	defer l.Close()
	buf := make([]Event, 64)
	if n := testing.AllocsPerRun(100, func() {
		b.Emit(e)
		l.Read(buf)
	}); n != 0 {
		t.Errorf("Emit to a listener allocates %v", n)
	}
}

func BenchmarkEmitListening(b *testing.B) {
	bus := NewBus()
	l := bus.Subscribe(1 << 12)
	buf := make([]Event, 256)
	e := &Event{Kind: DentryHash, Name: "x"}
	i := 0
	for b.Loop() {
		bus.Emit(e)
		if i++; i&255 == 0 {
			l.Read(buf)
		}
	}
}
