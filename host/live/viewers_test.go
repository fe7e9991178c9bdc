package live

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vfscope/vfscope/vfs/trace"
)

// TestViewerLimit: a server takes at most MaxViewers viewers at once
// (DefaultMaxViewers if 0); the next is refused with 503 and a reason,
// and a place frees when a viewer leaves.
func TestViewerLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		max  int
		want int // viewers admitted
	}{
		{"default", 0, 32},
		{"two", 2, 2},
		{"one", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newServer(nil)
			s.MaxViewers = tc.max
			srv := httptest.NewServer(s)
			defer srv.Close()
			url := "ws" + strings.TrimPrefix(srv.URL, "http")
			var conns []*websocket.Conn
			defer func() {
				for _, c := range conns {
					c.Close()
				}
			}()
			for i := 0; i < tc.want; i++ {
				c, _, err := websocket.DefaultDialer.Dial(url, nil)
				if err != nil {
					t.Fatalf("viewer %d refused: %v", i+1, err)
				}
				conns = append(conns, c)
				if m := recv(t, c); m.Type != "hello" {
					t.Fatalf("viewer %d: first frame %+v", i+1, m)
				}
			}
			c, resp, err := websocket.DefaultDialer.Dial(url, nil)
			if err == nil {
				c.Close()
				t.Fatalf("viewer %d admitted, want at most %d", tc.want+1, tc.want)
			}
			if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("viewer %d: response %v, want 503", tc.want+1, resp)
			}
			body, _ := io.ReadAll(resp.Body)
			if !strings.Contains(string(body), "viewers") {
				t.Errorf("503 body %q does not say why", body)
			}
			// One leaves: the next gets in.
			recv(t, conns[0]) // snapshot
			conns[0].Close()
			conns = conns[1:]
			var ok bool
			for i := 0; i < 100 && !ok; i++ {
				c, _, err := websocket.DefaultDialer.Dial(url, nil)
				if err == nil {
					conns = append(conns, c)
					ok = true
				} else {
					runtime.Gosched()
				}
			}
			if !ok {
				t.Errorf("no place freed after a viewer left")
			}
		})
	}
}

// TestViewerMemoryBounded: what a viewer holds on the server (its ring
// on the bus, its read buffer, its connection) stays under a bound; the
// ring used to be trace.DefaultRing events (4.25 MiB) per viewer.
func TestViewerMemoryBounded(t *testing.T) {
	const viewers = 8
	const perViewer = 2 << 20
	s, _ := newServer(nil)
	srv := httptest.NewServer(s)
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	var conns []*websocket.Conn
	for i := 0; i < viewers; i++ {
		c, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		recv(t, c) // hello
		recv(t, c) // snapshot: the viewer's ring is subscribed
		conns = append(conns, c)
	}
	after := heap()
	per := int64(after-before) / viewers
	t.Logf("%d bytes per viewer", per)
	if per > perViewer {
		t.Errorf("each viewer holds %d bytes, want at most %d", per, perViewer)
	}
	runtime.KeepAlive(conns)
}

// TestCommandEndsWhenViewerLeaves: the context a viewer's line runs
// with ends when the viewer goes, so the line can be stopped (a line
// that never ends used to hold the shared shell for ever), and the
// reader goes on while a line runs: the next request is answered.
func TestCommandEndsWhenViewerLeaves(t *testing.T) {
	started, ended := make(chan struct{}), make(chan struct{})
	s, _ := newServer(func(ctx context.Context, line string) Result {
		if line == "sleep" {
			close(started)
			<-ctx.Done()
			close(ended)
		}
		return Result{Output: line}
	})
	c, _, err := dial(t, s, "")
	if err != nil {
		t.Fatal(err)
	}
	recv(t, c) // hello
	recv(t, c) // snapshot
	if err := c.WriteJSON(Message{Type: "command", ID: 1, Line: "sleep"}); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteJSON(Message{Type: "snapshot", ID: 2}); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, c); m.Type != "snapshot" || m.ID != 2 {
		t.Fatalf("while a line runs got %+v, want the snapshot", m)
	}
	// The viewer leaves once its line runs (the worker may take the line
	// after the snapshot is answered; a line still queued when its
	// viewer leaves never runs, which is another case).
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the line did not start")
	}
	c.Close()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the line's context did not end when the viewer left")
	}
}

// TestShutdown: Shutdown gives every viewer the events it has not had,
// the final message, and a normal close (1000) with its reason; later
// viewers are refused with 503.
func TestShutdown(t *testing.T) {
	s, bus := newServer(nil)
	s.Flush = time.Hour // nothing goes out but what Shutdown flushes
	srv := httptest.NewServer(s)
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	var conns []*websocket.Conn
	for i := 0; i < 3; i++ {
		c, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		recv(t, c) // hello
		recv(t, c) // snapshot
		conns = append(conns, c)
	}
	for i := 0; i < 5; i++ {
		bus.Emit(&trace.Event{Kind: trace.DentryAlloc, Dentry: uint64(i + 2)})
	}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- s.Shutdown(ctx, Message{Type: "exit", Status: 7, Error: "the guest has exited"})
	}()
	for i, c := range conns {
		var events []trace.Event
		var final Message
		for final.Type == "" {
			m := recv(t, c)
			switch m.Type {
			case "events":
				events = append(events, m.Events...)
			default:
				final = m
			}
		}
		if len(events) != 5 || events[4].Seq != 5 {
			t.Errorf("viewer %d: %d events before the end, want 5", i, len(events))
		}
		if final.Type != "exit" || final.Status != 7 {
			t.Errorf("viewer %d: final %+v", i, final)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _, err := c.ReadMessage()
		if !websocket.IsCloseError(err, websocket.CloseNormalClosure) || !strings.Contains(err.Error(), "the guest has exited") {
			t.Errorf("viewer %d: ended with %v, want a normal close with the reason", i, err)
		}
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	_, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("after Shutdown: %v, %v; want 503", resp, err)
	}
}

// TestManyViewersEveryEvent: the viewers share the hub's frames (each
// batch encoded once); every viewer gets every event, in order, or a
// snapshot in place of those it lost, and once the last has left the
// bus has no listener, so that the VFS's event sites go quiet.
func TestManyViewersEveryEvent(t *testing.T) {
	for _, tc := range []struct {
		name    string
		viewers int
		events  int
	}{
		{"one viewer", 1, 100},
		{"five viewers", 5, 3000},
		{"twenty viewers", 20, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, bus := newServer(nil)
			var mu sync.Mutex
			var active []bool
			bus.SetOnActive(func(on bool) {
				mu.Lock()
				active = append(active, on)
				mu.Unlock()
			})
			flips := func() []bool {
				mu.Lock()
				defer mu.Unlock()
				return append([]bool(nil), active...)
			}
			srv := httptest.NewServer(s)
			defer srv.Close()
			url := "ws" + strings.TrimPrefix(srv.URL, "http")
			var conns []*websocket.Conn
			for i := 0; i < tc.viewers; i++ {
				c, _, err := websocket.DefaultDialer.Dial(url, nil)
				if err != nil {
					t.Fatal(err)
				}
				recv(t, c) // hello
				recv(t, c) // snapshot
				conns = append(conns, c)
			}
			for i := 0; i < tc.events; i++ {
				bus.Emit(&trace.Event{Kind: trace.DentryLRUAdd, Dentry: uint64(i + 1)})
			}
			for i, c := range conns {
				var seq uint64
				for seq < uint64(tc.events) {
					m := recv(t, c)
					switch m.Type {
					case "events":
						for _, e := range m.Events {
							if e.Seq != seq+1 {
								t.Fatalf("viewer %d: event %d after %d", i, e.Seq, seq)
							}
							seq = e.Seq
						}
					case "snapshot":
						seq = m.Snapshot.Seq
					default:
						t.Fatalf("viewer %d: %+v", i, m)
					}
				}
			}
			for _, c := range conns {
				c.Close()
			}
			for i := 0; i < 500 && len(flips()) < 2; i++ {
				time.Sleep(10 * time.Millisecond)
			}
			if bus.Active() {
				t.Errorf("the bus is still listened to after every viewer left")
			}
			// One listener: switched on once and off once.
			if got := flips(); len(got) != 2 || !got[0] || got[1] {
				t.Errorf("the bus went active/inactive %v, want [true false]", got)
			}
		})
	}
}

// TestStalledViewerQueueBounded: a viewer that reads nothing holds at
// most maxQueued events of frames however much the VFS emits, and the
// emitter never waits for it.
func TestStalledViewerQueueBounded(t *testing.T) {
	s, bus := newServer(nil)
	s.Flush = time.Millisecond
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	recv(t, c) // hello; then it reads nothing more
	start := time.Now()
	most := int64(0)
	// At least 40 rounds, and more until the viewer's queue was seen
	// holding something: the socket's buffers take the first frames,
	// and how many depends on the host's TCP autotuning and load.
	emitted := 0
	for round := 0; round < 40 || most == 0 && round < 400; round++ {
		emitted += 2000
		for i := 0; i < 2000; i++ {
			bus.Emit(&trace.Event{Kind: trace.DentryAlloc, Dentry: uint64(i + 2), Name: strings.Repeat("n", 200)})
		}
		time.Sleep(5 * time.Millisecond) // the hub delivers
		s.mu.Lock()
		for v := range s.subs {
			most = max(most, v.queued.Load())
		}
		s.mu.Unlock()
	}
	if most > maxQueued {
		t.Errorf("a stalled viewer held %d events, want at most %d", most, maxQueued)
	}
	if most == 0 {
		t.Errorf("nothing was ever queued: the test did not load the viewer")
	}
	if d := time.Since(start); d > time.Duration(emitted/4000)*time.Second {
		t.Errorf("%d emits took %v with a stalled viewer", emitted, d)
	}
}
