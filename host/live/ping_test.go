package live

import (
	"testing"
	"time"
)

// TestSilentViewerDropped: the server pings its viewers, and one that
// answers nothing for PongWait (it never reads, so gorilla never sends
// the pong) loses its place; one that reads answers the pings and keeps
// it however long the VFS is idle.
func TestSilentViewerDropped(t *testing.T) {
	const wait = 200 * time.Millisecond
	for _, tc := range []struct {
		name    string
		reads   bool // the viewer reads, and so answers pings
		dropped bool
	}{
		{"silent viewer", false, true},
		{"live viewer", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newServer(nil)
			s.MaxViewers = 1
			s.PongWait = wait
			c, _, err := dial(t, s, "")
			if err != nil {
				t.Fatal(err)
			}
			if tc.reads {
				go func() {
					for {
						if _, _, err := c.ReadMessage(); err != nil {
							return
						}
					}
				}()
			}
			time.Sleep(5 * wait)
			s.mu.Lock()
			n := len(s.viewers)
			s.mu.Unlock()
			if got := n == 0; got != tc.dropped {
				t.Errorf("after %v idle: %d viewers, dropped=%v, want %v", 5*wait, n, got, tc.dropped)
			}
		})
	}
}
