package live

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vfscope/vfscope/vfs/trace"
)

// dial starts s on a test server and connects a viewer to it.
func dial(t *testing.T, s *Server, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	c, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), h)
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, resp, err
}

func recv(t *testing.T, c *websocket.Conn) Message {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m Message
	if err := c.ReadJSON(&m); err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

// newServer is a Server over a bus whose snapshots carry the bus's
// sequence number (the part of a snapshot the protocol relies on).
func newServer(exec func(string) (string, int)) (*Server, *trace.Bus) {
	bus := trace.NewBus()
	return &Server{
		Name: "test",
		Bus:  bus,
		Snapshot: func() trace.Snapshot {
			return trace.Snapshot{Schema: trace.Schema, Seq: bus.Seq(), Time: bus.Now()}
		},
		Exec: exec,
	}, bus
}

func TestHelloSnapshotEvents(t *testing.T) {
	s, bus := newServer(nil)
	c, _, err := dial(t, s, "")
	if err != nil {
		t.Fatal(err)
	}
	hello := recv(t, c)
	if hello.Type != "hello" || hello.Schema != trace.Schema || hello.Writable || hello.Name != "test" {
		t.Fatalf("hello = %+v", hello)
	}
	snap := recv(t, c)
	if snap.Type != "snapshot" || snap.Snapshot == nil || snap.Snapshot.Seq != 0 {
		t.Fatalf("snapshot = %+v", snap)
	}
	bus.Emit(&trace.Event{Kind: trace.DentryAlloc, Dentry: 2, Name: "a"})
	bus.Emit(&trace.Event{Kind: trace.DentryHash, Dentry: 2, Bucket: 7})
	var got []trace.Event
	for len(got) < 2 {
		m := recv(t, c)
		if m.Type != "events" {
			t.Fatalf("got %+v, want events", m)
		}
		got = append(got, m.Events...)
	}
	if len(got) != 2 || got[0].Seq != 1 || got[0].Name != "a" || got[1].Kind != trace.DentryHash || got[1].Bucket != 7 {
		t.Errorf("events = %+v", got)
	}
	// A viewer may ask for a snapshot at any time.
	if err := c.WriteJSON(Message{Type: "snapshot"}); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, c); m.Type != "snapshot" || m.Snapshot.Seq != 2 {
		t.Errorf("after asking: %+v", m)
	}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name    string
		exec    func(string) (string, int)
		msg     Message
		want    Message
		wantErr string
	}{
		{"read-only refuses", nil, Message{Type: "command", ID: 3, Line: "rm -r /"},
			Message{Type: "error", ID: 3}, "read-only"},
		{"writable runs", func(line string) (string, int) { return "ran " + line + "\n", 4 },
			Message{Type: "command", ID: 5, Line: "ls"},
			Message{Type: "result", ID: 5, Output: "ran ls\n", Status: 4}, ""},
		{"unknown type", nil, Message{Type: "frob", ID: 6},
			Message{Type: "error", ID: 6}, "unknown message type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newServer(tc.exec)
			c, _, err := dial(t, s, "")
			if err != nil {
				t.Fatal(err)
			}
			if h := recv(t, c); h.Writable != (tc.exec != nil) {
				t.Errorf("hello writable = %v", h.Writable)
			}
			recv(t, c) // snapshot
			if err := c.WriteJSON(tc.msg); err != nil {
				t.Fatal(err)
			}
			m := recv(t, c)
			if m.Type != tc.want.Type || m.ID != tc.want.ID || m.Output != tc.want.Output || m.Status != tc.want.Status {
				t.Errorf("reply %+v, want %+v", m, tc.want)
			}
			if !strings.Contains(m.Error, tc.wantErr) {
				t.Errorf("error %q, want it to contain %q", m.Error, tc.wantErr)
			}
		})
	}
}

func TestOrigin(t *testing.T) {
	tests := []struct {
		name   string
		origin string
		allow  []string
		ok     bool
	}{
		{"no origin (not a browser)", "", nil, true},
		{"same host", "http://HOST", nil, true},
		{"other site", "http://evil.example", nil, false},
		{"listed origin", "http://app.example:8000", []string{"http://app.example:8000"}, true},
		{"unparsable", "http://%zz", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newServer(nil)
			s.Origins = tc.allow
			srv := httptest.NewServer(s)
			defer srv.Close()
			origin := strings.Replace(tc.origin, "HOST", strings.TrimPrefix(srv.URL, "http://"), 1)
			h := http.Header{}
			if origin != "" {
				h.Set("Origin", origin)
			}
			c, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), h)
			if tc.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				c.Close()
				return
			}
			if err == nil {
				c.Close()
				t.Fatal("accepted")
			}
			if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Errorf("response %v, want 403", resp)
			}
		})
	}
}

// TestSlowViewerResyncs: a viewer whose ring overflows never holds up
// the emitter, and gets a snapshot in place of the events it lost.
func TestSlowViewerResyncs(t *testing.T) {
	s, bus := newServer(nil)
	s.Ring = 8
	s.Flush = 200 * time.Millisecond // the burst overflows the ring before the pump reads it
	c, _, err := dial(t, s, "")
	if err != nil {
		t.Fatal(err)
	}
	recv(t, c) // hello
	recv(t, c) // snapshot
	start := time.Now()
	for i := 0; i < 1000; i++ {
		bus.Emit(&trace.Event{Kind: trace.DentryLRUAdd, Dentry: uint64(i + 1)})
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("1000 emits took %v with a stalled viewer", d)
	}
	m := recv(t, c)
	if m.Type != "snapshot" || m.Snapshot.Seq != 1000 {
		t.Fatalf("after the overflow got %s (seq %v), want a snapshot at seq 1000", m.Type, m.Snapshot)
	}
}
