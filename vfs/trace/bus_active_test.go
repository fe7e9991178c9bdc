package trace

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestBusActiveOrdered: the onActive calls of a leave and a join that
// race end in the bus's state: a leave whose onActive(false) is still
// running when a join subscribes must not be applied after the join's
// onActive(true), or the owner switches its event sites off while a
// listener listens (and it hears nothing). The leave's callback is
// held until the join has had every chance to finish.
func TestBusActiveOrdered(t *testing.T) {
	for _, tc := range []struct {
		name  string
		joins int // listeners subscribing while the leave's callback runs
		want  bool
	}{
		{"one join", 1, true},
		{"two joins", 2, true},
		{"no join", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBus()
			var mu sync.Mutex
			var state bool // what the owner was told last
			hold := make(chan struct{})
			entered := make(chan struct{})
			b.SetOnActive(func(on bool) {
				if !on {
					close(entered)
					<-hold // the leave's callback is slow
				}
				mu.Lock()
				state = on
				mu.Unlock()
			})
			first := b.Subscribe(4)
			left := make(chan struct{})
			go func() {
				first.Close()
				close(left)
			}()
			<-entered // the leave is in onActive(false)
			joined := make(chan *Listener, tc.joins)
			for i := 0; i < tc.joins; i++ {
				go func() { joined <- b.Subscribe(4) }()
			}
			// Give the joins time to finish (unordered callbacks let
			// them) before the leave's callback returns.
			deadline := time.Now().Add(200 * time.Millisecond)
			for len(joined) < tc.joins && time.Now().Before(deadline) {
				runtime.Gosched()
				time.Sleep(time.Millisecond)
			}
			close(hold)
			<-left
			for i := 0; i < tc.joins; i++ {
				<-joined
			}
			mu.Lock()
			got := state
			mu.Unlock()
			if got != tc.want || b.Active() != tc.want {
				t.Errorf("owner told %v, bus active %v; want %v with %d listeners", got, b.Active(), tc.want, tc.joins)
			}
		})
	}
}
