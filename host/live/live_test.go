package live

import (
	"context"
	"fmt"
	"io"
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
func newServer(exec func(context.Context, string) Result) (*Server, *trace.Bus) {
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
	const readOnly = "read-only: this server does not let viewers change the VFS"
	tests := []struct {
		name    string
		exec    func(context.Context, string) Result
		hint    string // ReadOnlyHint
		msg     Message
		want    Message
		wantErr string // in the reply's error
		exact   bool   // the whole error
	}{
		{"read-only refuses", nil, "", Message{Type: "command", ID: 3, Line: "rm -r /"},
			Message{Type: "error", ID: 3}, readOnly, true},
		{"read-only refuses with the server's hint", nil, "start it with --allow-write", Message{Type: "command", ID: 3, Line: "rm -r /"},
			Message{Type: "error", ID: 3}, readOnly + " (start it with --allow-write)", true},
		{"writable runs", func(_ context.Context, line string) Result { return Result{Output: "ran " + line + "\n", Status: 4} }, "",
			Message{Type: "command", ID: 5, Line: "ls"},
			Message{Type: "result", ID: 5, Output: "ran ls\n", Status: 4}, "", true},
		{"unknown type", nil, "", Message{Type: "frob", ID: 6},
			Message{Type: "error", ID: 6}, "unknown message type", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newServer(tc.exec)
			s.ReadOnlyHint = tc.hint
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
			if !strings.Contains(m.Error, tc.wantErr) || tc.exact && m.Error != tc.wantErr {
				t.Errorf("error %q, want %q", m.Error, tc.wantErr)
			}
		})
	}
}

// TestUpgradeHostOrigin dials the websocket with the Host and Origin a
// browser would send for each case: a page of the server itself under
// each name it answers to, a DNS-rebound name (matching Host and Origin,
// the case the Origin check alone lets through), another site's page.
// PORT stands for the test server's port.
func TestUpgradeHostOrigin(t *testing.T) {
	tests := []struct {
		name    string
		host    string   // Host header; "" sends the dialled address
		origin  string   // Origin header; "" sends none
		addr    string   // the address the server says it listens on
		allow   []string // extra hosts (--allow-host)
		origins []string // extra origins (--origin)
		ok      bool
		wantMsg string // in the 403 body
	}{
		{name: "no origin (not a browser)", ok: true},
		{name: "own page on 127.0.0.1", host: "127.0.0.1:PORT", origin: "http://127.0.0.1:PORT", ok: true},
		{name: "own page on localhost", host: "localhost:PORT", origin: "http://localhost:PORT", ok: true},
		{name: "localhost, upper case and final dot", host: "LocalHost.:PORT", origin: "http://LocalHost.:PORT", ok: true},
		{name: "a .localhost subdomain", host: "app.localhost:PORT", origin: "http://app.localhost:PORT", ok: true},
		{name: "127.0.0.0/8", host: "127.1.2.3:PORT", origin: "http://127.1.2.3:PORT", ok: true},
		{name: "IPv6 loopback", host: "[::1]:PORT", origin: "http://[::1]:PORT", ok: true},
		{name: "IPv4-mapped loopback", host: "[::ffff:127.0.0.1]:PORT", origin: "http://[::ffff:127.0.0.1]:PORT", ok: true},
		{name: "Host without a port", host: "localhost", origin: "http://localhost", ok: true},
		{name: "DNS rebinding", host: "evil.example:PORT", origin: "http://evil.example:PORT", wantMsg: "--allow-host evil.example"},
		{name: "DNS rebinding, no origin", host: "evil.example:PORT", wantMsg: "not to Host"},
		{name: "a name ending in localhost", host: "evillocalhost:PORT", origin: "http://evillocalhost:PORT", wantMsg: "not to Host"},
		{name: "localhost as a subdomain of another site", host: "localhost.evil.example:PORT", origin: "http://localhost.evil.example:PORT", wantMsg: "not to Host"},
		{name: "a loopback address as a subdomain", host: "127.0.0.1.evil.example:PORT", wantMsg: "not to Host"},
		{name: "another machine's address", host: "192.0.2.7:PORT", origin: "http://192.0.2.7:PORT", wantMsg: "not to Host"},
		{name: "unbracketed IPv6 Host", host: "::1", wantMsg: "not to Host"},
		{name: "the host the server listens on", addr: "192.0.2.7:0", host: "192.0.2.7:PORT", origin: "http://192.0.2.7:PORT", ok: true},
		{name: "listening on a name", addr: "box.lan:8080", host: "BOX.lan:8080", origin: "http://BOX.lan:8080", ok: true},
		{name: "listening on an IPv6 address", addr: "[2001:db8::1]:0", host: "[2001:db8::1]:PORT", origin: "http://[2001:db8::1]:PORT", ok: true},
		{name: "listening elsewhere, loopback still answered", addr: "192.0.2.7:0", host: "localhost:PORT", origin: "http://localhost:PORT", ok: true},
		{name: "listening elsewhere, other names refused", addr: "192.0.2.7:0", host: "evil.example:PORT", origin: "http://evil.example:PORT", wantMsg: "not to Host"},
		{name: "listening on all interfaces adds no name", addr: ":0", host: "evil.example:PORT", wantMsg: "not to Host"},
		{name: "an allowed host", allow: []string{"vfscope.test"}, host: "vfscope.test:PORT", origin: "http://vfscope.test:PORT", ok: true},
		{name: "an allowed IPv6 address", allow: []string{"[2001:db8::2]"}, host: "[2001:db8::2]:PORT", origin: "http://[2001:db8::2]:PORT", ok: true},
		{name: "an allowed host is not its subdomains", allow: []string{"vfscope.test"}, host: "a.vfscope.test:PORT", wantMsg: "not to Host"},
		{name: "other site's page", host: "127.0.0.1:PORT", origin: "http://evil.example", wantMsg: "pages of origin"},
		{name: "other port's page", host: "127.0.0.1:PORT", origin: "http://127.0.0.1:1", wantMsg: "pages of origin"},
		{name: "loopback Host, another loopback name in Origin", host: "127.0.0.1:PORT", origin: "http://localhost:PORT", wantMsg: "pages of origin"},
		{name: "listed origin", host: "127.0.0.1:PORT", origin: "http://app.example:8000", origins: []string{"http://app.example:8000/"}, ok: true},
		{name: "listed origin on a rebound Host", host: "evil.example:PORT", origin: "http://app.example:8000", origins: []string{"http://app.example:8000"}, wantMsg: "not to Host"},
		{name: "opaque origin", host: "127.0.0.1:PORT", origin: "null", wantMsg: "pages of origin"},
		{name: "unparsable origin", host: "127.0.0.1:PORT", origin: "http://%zz", wantMsg: "pages of origin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newServer(nil)
			hosts, err := NewHosts(tc.addr, tc.allow...)
			if err != nil {
				t.Fatal(err)
			}
			s.Hosts = hosts
			s.Origins = tc.origins
			srv := httptest.NewServer(s)
			defer srv.Close()
			_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
			h := http.Header{}
			if tc.host != "" {
				h.Set("Host", strings.Replace(tc.host, "PORT", port, 1))
			}
			if tc.origin != "" {
				h.Set("Origin", strings.Replace(tc.origin, "PORT", port, 1))
			}
			c, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), h)
			if tc.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if m := recv(t, c); m.Type != "hello" {
					t.Errorf("first frame %+v, want hello", m)
				}
				c.Close()
				return
			}
			if err == nil {
				c.Close()
				t.Fatal("accepted")
			}
			if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("response %v, want 403", resp)
			}
			body, _ := io.ReadAll(resp.Body)
			if !strings.Contains(string(body), tc.wantMsg) {
				t.Errorf("403 body %q, want it to contain %q", body, tc.wantMsg)
			}
		})
	}
}

func TestParseHost(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "box.lan", want: "box.lan"},
		{in: "Box.LAN.", want: "box.lan"},
		{in: "my_host-1", want: "my_host-1"},
		{in: "192.0.2.7", want: "192.0.2.7"},
		{in: "::1", want: "::1"},
		{in: "[2001:DB8::1]", want: "2001:db8::1"},
		{in: "::ffff:192.0.2.7", want: "192.0.2.7"},
		{in: "", wantErr: `host "": want a host name or an IP address`},
		{in: ".", wantErr: `host ".": want a host name or an IP address`},
		{in: "box.lan:8080", wantErr: "without a port"},
		{in: "[::1]:8080", wantErr: "without a port"},
		{in: "http://box.lan", wantErr: `':' is not allowed`},
		{in: "a b", wantErr: `' ' is not allowed`},
		{in: "*.example", wantErr: `'*' is not allowed`},
	}
	for _, tc := range tests {
		got, err := ParseHost(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseHost(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseHost(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := NewHosts("nope"); err == nil {
		t.Errorf("NewHosts with a listen address without a port: no error")
	}
	if _, err := NewHosts("127.0.0.1:0", "a:1"); err == nil {
		t.Errorf("NewHosts with a bad extra host: no error")
	}
}

// TestHostsHandler: the pages are guarded as the websocket is.
func TestHostsHandler(t *testing.T) {
	hosts, err := NewHosts("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	page := hosts.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "page") }))
	for _, tc := range []struct {
		host string
		code int
	}{
		{"127.0.0.1:8080", 200},
		{"localhost:8080", 200},
		{"[::1]:8080", 200},
		{"evil.example:8080", 403},
		{"", 403},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = tc.host
		w := httptest.NewRecorder()
		page.ServeHTTP(w, r)
		if w.Code != tc.code {
			t.Errorf("Host %q: status %d, want %d (%q)", tc.host, w.Code, tc.code, w.Body.String())
		}
		if tc.code == 200 && w.Body.String() != "page" {
			t.Errorf("Host %q: body %q", tc.host, w.Body.String())
		}
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

// TestSnapshotRequestsAnswered: every snapshot request gets its own
// reply, echoing its id, taken after it arrived, however many arrive
// together (they used to be merged into one reply, and a viewer that
// matched replies to requests in order waited for ever).
func TestSnapshotRequestsAnswered(t *testing.T) {
	for _, tc := range []struct {
		name string
		ids  []int64
	}{
		{"one", []int64{1}},
		{"five at once", []int64{1, 2, 3, 4, 5}},
		{"without ids", []int64{0, 0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, bus := newServer(nil)
			c, _, err := dial(t, s, "")
			if err != nil {
				t.Fatal(err)
			}
			recv(t, c) // hello
			recv(t, c) // snapshot
			bus.Emit(&trace.Event{Kind: trace.DentryAlloc, Dentry: 2, Name: "a"})
			for _, id := range tc.ids {
				if err := c.WriteJSON(Message{Type: "snapshot", ID: id}); err != nil {
					t.Fatal(err)
				}
			}
			var got []int64
			for len(got) < len(tc.ids) {
				m := recv(t, c)
				if m.Type == "events" {
					continue
				}
				if m.Type != "snapshot" || m.Snapshot == nil || m.Snapshot.Seq < 1 {
					t.Fatalf("got %+v, want a snapshot taken after the event", m)
				}
				got = append(got, m.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.ids) {
				t.Errorf("replies for ids %v, want %v", got, tc.ids)
			}
		})
	}
}
