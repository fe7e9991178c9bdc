package trace

import (
	"runtime"
	"testing"
	"weak"
)

// TestBusLetsGoOfClosedListeners: a closed listener, and with it its
// ring, is not kept alive by the bus, whether it was the only one, the
// first or the last of several.
func TestBusLetsGoOfClosedListeners(t *testing.T) {
	for _, c := range []struct {
		name  string
		n     int // listeners
		close int // the one closed
	}{
		{"only", 1, 0},
		{"first of three", 3, 0},
		{"last of three", 3, 2},
		{"middle of three", 3, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := NewBus()
			ls := make([]*Listener, c.n)
			for i := range ls {
				ls[i] = b.Subscribe(1 << 10)
			}
			gone := weak.Make(ls[c.close])
			ls[c.close].Close()
			ls[c.close] = nil
			for i := 0; i < 5 && gone.Value() != nil; i++ {
				runtime.GC()
			}
			if gone.Value() != nil {
				t.Error("the bus keeps a closed listener alive")
			}
			emitN(b, 0, 3)
			for i, l := range ls {
				if l != nil && len(readAll(l)) != 3 {
					t.Errorf("listener %d missed events", i)
				}
			}
			runtime.KeepAlive(ls)
		})
	}
}
