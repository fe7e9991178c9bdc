// Package live serves a host-side VFS to the playground over a websocket:
// the same views as the in-browser VFS, from the same JSON schema
// (vfscope.trace/2, docs/trace-schema.md).
//
// # Protocol
//
// Every frame is one JSON text message with a "type".
//
// Server to viewer:
//
//	{"type":"hello","schema":"vfscope.trace/2","writable":false,"name":"..."}
//	{"type":"snapshot","snapshot":{...trace.Snapshot...}}
//	{"type":"snapshot","id":3,"snapshot":{...}}  the reply to request 3
//	{"type":"events","events":[...trace.Event...]}
//	{"type":"result","id":7,"output":"...","status":0}
//	{"type":"error","id":7,"error":"..."}
//
// Viewer to server:
//
//	{"type":"snapshot","id":3}               send a fresh snapshot
//	{"type":"command","id":7,"line":"ls /"}  run a shell line on the VFS
//
// Every snapshot request gets its own reply, which echoes its id (none
// if the request had none) and was taken after the request arrived;
// requests that arrive together share one snapshot, sent once per
// request. A snapshot without an id is the first one, or one the server
// sends after the viewer lost events (below).
//
// A viewer gets hello, a snapshot, then events whose seq is greater than
// the snapshot's. Commands are refused (an "error" reply) unless the
// server was made with an Exec function, which `vfscope serve` does only
// when started with --allow-write: by default viewers watch and cannot
// change the VFS.
//
// # Slow viewers
//
// Each viewer has its own bounded listener on the trace bus (trace.Bus):
// the VFS never waits for a viewer. A viewer that falls behind loses
// events (the bus drops and counts them); when the stream shows the loss
// the server sends a new snapshot instead, and the viewer resynchronises.
// Only the viewer's own goroutines wait on its connection.
//
// # Hosts and origins
//
// A browser page from another site must not read the VFS through the
// viewer's browser. Two checks keep it out, both answered with 403:
//
//   - The Host header must be one the server answers to (Server.Hosts:
//     localhost, loopback addresses, the host it listens on, names the
//     operator allows). Without this, a hostile page whose name is made
//     to resolve to 127.0.0.1 (DNS rebinding) would send its own name as
//     both Host and Origin, and pass the Origin check.
//   - The Origin header must be absent (not a browser), name the host
//     the request was sent to, or be one of Server.Origins.
package live

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vfscope/vfscope/vfs/trace"
)

// Server is the websocket endpoint of one VFS. Set its fields before the
// first request; they are read-only afterwards.
type Server struct {
	// Name says what the VFS is ("vfscope serve --live", "app.wasm"),
	// shown by the viewer.
	Name string
	// Bus is the VFS's trace bus; each viewer subscribes to it.
	Bus *trace.Bus
	// Snapshot takes a whole-state snapshot of the VFS.
	Snapshot func() trace.Snapshot
	// Exec runs one shell line on the VFS and returns what it printed
	// and its status. Nil makes the VFS read-only to viewers.
	Exec func(line string) (output string, status int)
	// Hosts are the Host header values the server answers to (nil:
	// loopback names and addresses only).
	Hosts *Hosts
	// Origins are the origins (scheme://host[:port]) allowed besides the
	// request's own host.
	Origins []string
	// Ring is each viewer's listener ring size (trace.DefaultRing if 0).
	Ring int
	// Flush is how long events gather before a frame goes out (20ms if
	// 0): batches keep the frame count low during bursts.
	Flush time.Duration
}

// Message is one frame of the protocol, both ways.
type Message struct {
	Type     string          `json:"type"`
	Schema   string          `json:"schema,omitempty"`
	Writable bool            `json:"writable,omitempty"`
	Name     string          `json:"name,omitempty"`
	Snapshot *trace.Snapshot `json:"snapshot,omitempty"`
	Events   []trace.Event   `json:"events,omitempty"`
	ID       int64           `json:"id,omitempty"`
	Line     string          `json:"line,omitempty"`
	Output   string          `json:"output,omitempty"`
	Status   int             `json:"status,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// maxMessage bounds what a viewer may send (a command line).
const maxMessage = 64 << 10

// maxAsked bounds a viewer's snapshot requests waiting for their reply;
// one past it is answered with an error.
const maxAsked = 1024

// CheckOrigin reports whether the Origin of a websocket upgrade r may
// connect. It trusts r.Host, which ServeHTTP has checked against Hosts
// first.
func (s *Server) CheckOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	for _, o := range s.Origins {
		if strings.EqualFold(strings.TrimSuffix(o, "/"), origin) {
			return true
		}
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// ServeHTTP upgrades the request to a websocket and streams the VFS.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.Hosts.Check(w, r) {
		return
	}
	if !s.CheckOrigin(r) {
		http.Error(w, "vfscope: refused: pages of origin "+strconvQuote(r.Header.Get("Origin"))+
			" may not watch this VFS; only pages served by this server may (vfscope serve --origin ORIGIN allows another)\n",
			http.StatusForbidden)
		return
	}
	up := websocket.Upgrader{CheckOrigin: s.CheckOrigin}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	defer conn.Close()
	conn.SetReadLimit(maxMessage)
	v := &viewer{s: s, conn: conn, resync: make(chan struct{}, 1), done: make(chan struct{})}
	v.run()
}

// viewer is one connection.
type viewer struct {
	s    *Server
	conn *websocket.Conn
	// wmu serialises writes to conn (gorilla allows one writer at a time):
	// the event pump and command replies both write. Leaf lock.
	wmu    sync.Mutex
	resync chan struct{} // a snapshot was asked for (asked holds by whom)
	done   chan struct{} // closed when the reader ends
	// askMu protects asked, the ids of the snapshot requests not yet
	// answered (0 for a request without one), in arrival order. Leaf
	// lock, taken by the reader and the run loop.
	askMu sync.Mutex
	asked []int64
}

func (v *viewer) send(m *Message) error {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	v.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	return v.conn.WriteJSON(m)
}

func (v *viewer) run() {
	s := v.s
	l := s.Bus.Subscribe(s.Ring)
	defer l.Close()
	if err := v.send(&Message{Type: "hello", Schema: trace.Schema, Writable: s.Exec != nil, Name: s.Name}); err != nil {
		return
	}
	go v.read()
	seq, err := v.sendSnapshot()
	if err != nil {
		return
	}
	flush := s.Flush
	if flush <= 0 {
		flush = 20 * time.Millisecond
	}
	buf := make([]trace.Event, 1024)
	for {
		select {
		case <-v.done:
			return
		case <-v.resync:
			if seq, err = v.answerSnapshots(); err != nil {
				return
			}
			continue
		case <-l.Ready():
		}
		// Let a burst gather, then send everything buffered.
		select {
		case <-v.done:
			return
		case <-time.After(flush):
		}
		var batch []trace.Event
		lost := false
		for {
			n := l.Read(buf)
			if n == 0 {
				break
			}
			for _, e := range buf[:n] {
				if e.Kind == trace.Lost {
					lost = true
				}
				if e.Seq > seq {
					batch = append(batch, e)
				}
			}
		}
		if lost {
			// Events were dropped: the snapshot replaces what was lost.
			if seq, err = v.sendSnapshot(); err != nil {
				return
			}
			continue
		}
		if len(batch) > 0 {
			if err := v.send(&Message{Type: "events", Events: batch}); err != nil {
				return
			}
		}
	}
}

// sendSnapshot sends a snapshot and returns its sequence number.
func (v *viewer) sendSnapshot() (uint64, error) {
	snap := v.s.Snapshot()
	return snap.Seq, v.send(&Message{Type: "snapshot", Snapshot: &snap})
}

// answerSnapshots answers the snapshot requests that arrived so far, each
// with its id, all with one snapshot taken now, and returns its sequence
// number.
func (v *viewer) answerSnapshots() (uint64, error) {
	v.askMu.Lock()
	ids := v.asked
	v.asked = nil
	v.askMu.Unlock()
	snap := v.s.Snapshot()
	for _, id := range ids {
		if err := v.send(&Message{Type: "snapshot", ID: id, Snapshot: &snap}); err != nil {
			return 0, err
		}
	}
	return snap.Seq, nil
}

// read handles the viewer's messages until the connection ends.
func (v *viewer) read() {
	defer close(v.done)
	for {
		_, b, err := v.conn.ReadMessage()
		if err != nil {
			return
		}
		var m Message
		if err := json.Unmarshal(b, &m); err != nil {
			if v.send(&Message{Type: "error", Error: "bad message: " + err.Error()}) != nil {
				return
			}
			continue
		}
		switch m.Type {
		case "snapshot":
			v.askMu.Lock()
			full := len(v.asked) >= maxAsked
			if !full {
				v.asked = append(v.asked, m.ID)
			}
			v.askMu.Unlock()
			if full {
				if v.send(&Message{Type: "error", ID: m.ID, Error: "too many snapshot requests pending"}) != nil {
					return
				}
				continue
			}
			select {
			case v.resync <- struct{}{}:
			default: // the run loop will answer this one with the others
			}
		case "command":
			reply := v.command(&m)
			if v.send(reply) != nil {
				return
			}
		default:
			if v.send(&Message{Type: "error", ID: m.ID, Error: "unknown message type " + strconvQuote(m.Type)}) != nil {
				return
			}
		}
	}
}

// command runs a viewer's shell line, if the server allows it.
func (v *viewer) command(m *Message) *Message {
	if v.s.Exec == nil {
		return &Message{Type: "error", ID: m.ID, Error: "read-only: this server does not let viewers change the VFS (start it with --allow-write)"}
	}
	out, status := v.s.Exec(m.Line)
	return &Message{Type: "result", ID: m.ID, Output: out, Status: status}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
