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
//	{"type":"result","id":8,"status":3,"exited":true}  the line ended the shell
//	{"type":"error","id":7,"error":"..."}
//	{"type":"exit","status":0,"error":"..."}  the last frame (Shutdown)
//
// Viewer to server:
//
//	{"type":"snapshot","id":3}               send a fresh snapshot
//	{"type":"command","id":7,"line":"ls /"}  run a shell line on the VFS
//
// Every snapshot request gets its own reply, which echoes its id (none
// if the request had none) and was taken after the request arrived;
// requests that arrive together share one snapshot, sent once per
// request. At most maxAsked (8) requests of a viewer wait for their
// reply; one more gets an "error" reply at once. A snapshot without an
// id is the first one, or one the server sends after the viewer lost
// events (below).
//
// A viewer gets hello, a snapshot, then events whose seq is greater than
// the snapshot's. A reply to a request does not move that stream: the
// events emitted before it and not yet sent still follow it, and the
// viewer skips those the reply covers. Only a snapshot without an id
// restarts the stream past its seq. Commands are refused (an "error" reply) unless the
// server was made with an Exec function, which `vfscope serve` does only
// when started with --allow-write: by default viewers watch and cannot
// change the VFS.
//
// A line that ends the shell (exit, set -e) says so ("exited"); the
// next line runs in a fresh shell. When the VFS goes away (a guest run
// with vfscope run --serve has exited), Shutdown sends each viewer the
// events it has not had, an "exit" frame with the guest's status, and a
// close frame with status 1000.
//
// # Many viewers
//
// A server takes at most MaxViewers viewers (DefaultMaxViewers) at once;
// one more is refused with 503 and the reason. One listener on the bus
// serves them all, and each batch of events is encoded once (hub.go); a
// viewer costs its connection and a queue of at most maxQueued events.
//
// # Slow viewers
//
// The server's listener on the trace bus (trace.Bus) is bounded, and so
// is each viewer's queue of frames: the VFS never waits for a viewer. A
// viewer that falls behind loses events (the bus, or the hub, drops
// them); the server then sends it a new snapshot instead, and the viewer
// resynchronises.
// Only the viewer's own goroutines wait on its connection.
//
// The server pings every viewer; one that answers nothing for PongWait
// (a minute by default) is dropped, so that a viewer whose machine or
// network went away without a close does not keep its place.
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
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	// and its status. ctx ends when the viewer that sent the line
	// leaves: Exec should then stop the line (vfs.VFS.Interrupt). Nil
	// makes the VFS read-only to viewers.
	Exec func(ctx context.Context, line string) Result
	// ReadOnlyHint, with Exec nil, tells a viewer whose command is
	// refused how the server could be started to take it ("start it
	// with --allow-write"); "" for a server that has no such way.
	ReadOnlyHint string
	// Hosts are the Host header values the server answers to (nil:
	// loopback names and addresses only).
	Hosts *Hosts
	// Origins are the origins (scheme://host[:port]) allowed besides the
	// request's own host.
	Origins []string
	// MaxViewers is how many viewers may watch at once
	// (DefaultMaxViewers if 0); one more is refused with 503.
	MaxViewers int
	// Ring is the size of the server's listener ring on the bus, which
	// all its viewers share (DefaultRing if 0).
	Ring int
	// Flush is how long events gather before a frame goes out (20ms if
	// 0): batches keep the frame count low during bursts.
	Flush time.Duration
	// PongWait is how long a viewer may stay silent (DefaultPongWait if
	// 0): the server pings it every 9/10 of that, a browser answers
	// with a pong by itself, and a viewer that answers nothing within
	// PongWait (its machine gone, its network cut) is dropped and its
	// place given back.
	PongWait time.Duration

	// mu protects viewers, final, subs and hub (hub.go). Taken with no
	// other lock of the server held; it takes the bus's locks under it
	// (the hub's Subscribe) and no viewer's.
	mu      sync.Mutex
	viewers map[*viewer]struct{}
	final   *Message // set by Shutdown: no viewer is admitted after it
	wg      sync.WaitGroup
	subs    map[*viewer]struct{} // viewers that get the hub's frames
	hub     *hub                 // the reader of the bus, while subs is not empty
}

// DefaultMaxViewers is how many viewers a server takes at once unless
// told otherwise: a classroom.
const DefaultMaxViewers = 32

// DefaultPongWait is how long a viewer may stay silent unless told
// otherwise.
const DefaultPongWait = 60 * time.Second

func (s *Server) pongWait() time.Duration {
	if s.PongWait > 0 {
		return s.PongWait
	}
	return DefaultPongWait
}

// DefaultRing is the server's ring of events unless told otherwise (one
// for all its viewers, about 4.5 MiB). When more than that arrive
// between two frames, every viewer gets the same snapshot instead.
const DefaultRing = trace.DefaultRing

// Result is what a shell line did.
type Result struct {
	Output string
	Status int
	// Exited says the line ended the shell (exit, or a failure under
	// set -e); the next line runs in a fresh shell.
	Exited bool
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
	Exited   bool            `json:"exited,omitempty"`
}

// maxMessage bounds what a viewer may send (a command line).
const maxMessage = 64 << 10

// maxAsked bounds a viewer's snapshot requests waiting for their reply;
// one past it is answered with an error. Each reply carries a whole
// snapshot (some 150 KB), so the bound is a few: the page has one or
// two in flight.
const maxAsked = 8

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
	v, why := s.admit()
	if v == nil {
		http.Error(w, why, http.StatusServiceUnavailable)
		return
	}
	defer s.leave(v)
	up := websocket.Upgrader{CheckOrigin: s.CheckOrigin}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	defer conn.Close()
	conn.SetReadLimit(maxMessage)
	v.conn = conn
	ctx, cancel := context.WithCancel(context.Background())
	v.ctx = ctx
	defer func() {
		// The viewer has gone: its command, if one runs, is stopped,
		// and its place is given back once the command has ended.
		cancel()
		<-v.worker
	}()
	v.run()
}

// admit reserves a place for a new viewer, or says why there is none.
func (s *Server) admit() (*viewer, string) {
	max := s.MaxViewers
	if max <= 0 {
		max = DefaultMaxViewers
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.final != nil {
		return nil, "vfscope: refused: " + s.final.Error + "\n"
	}
	if len(s.viewers) >= max {
		return nil, fmt.Sprintf("vfscope: refused: %d viewers are watching, the most this server takes (vfscope serve --max-viewers N changes it)\n", len(s.viewers))
	}
	v := &viewer{s: s, resync: make(chan struct{}, 1), done: make(chan struct{}),
		stop: make(chan struct{}), worker: make(chan struct{}), cmds: make(chan *Message, maxCommands),
		frames: make(chan *frame, maxFrames), lost: make(chan struct{}, 1)}
	if s.viewers == nil {
		s.viewers = map[*viewer]struct{}{}
	}
	s.viewers[v] = struct{}{}
	s.wg.Add(1)
	return v, ""
}

// leave gives v's place back.
func (s *Server) leave(v *viewer) {
	s.mu.Lock()
	delete(s.viewers, v)
	s.mu.Unlock()
	s.wg.Done()
}

// Shutdown ends the stream for every viewer: each gets the events still
// buffered for it (or a snapshot, if it lost some), then final (say,
// {"type":"exit","status":N} when a guest has exited), then a close
// frame with status 1000 (normal closure) and final.Error as its reason.
// Viewers that come later are refused with 503 and final.Error.
// Shutdown returns when every viewer has gone, or when ctx ends.
func (s *Server) Shutdown(ctx context.Context, final Message) error {
	s.mu.Lock()
	if s.final == nil {
		s.final = &final
	}
	vs := make([]*viewer, 0, len(s.viewers))
	for v := range s.viewers {
		vs = append(vs, v)
	}
	s.mu.Unlock()
	// What the VFS emitted so far goes out first.
	s.flushHub()
	for _, v := range vs {
		v.stopOnce.Do(func() { close(v.stop) })
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// maxCommands bounds a viewer's command lines waiting to run; one past
// it is answered with an error.
const maxCommands = 16

// viewer is one connection.
type viewer struct {
	s    *Server
	conn *websocket.Conn
	ctx  context.Context // ends when the viewer goes
	// wmu serialises writes to conn (gorilla allows one writer at a time):
	// the event pump, the reader and the command worker write. Leaf lock.
	wmu    sync.Mutex
	resync chan struct{} // a snapshot was asked for (asked holds by whom)
	done   chan struct{} // closed when the reader ends
	stop   chan struct{} // closed by Server.Shutdown
	// stopOnce closes stop once.
	stopOnce sync.Once
	cmds     chan *Message // command lines waiting for the worker
	worker   chan struct{} // closed when the command worker ends
	frames   chan *frame   // the hub's frames not yet sent
	queued   atomic.Int64  // events in frames
	lost     chan struct{} // a token when the hub dropped a frame for this viewer
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
	return v.conn.WriteJSON(wire(m))
}

// statusMessage is a "result" or an "exit" message as sent: its status
// is written even when it is 0, as the protocol shows, where Message
// leaves a zero status out of the other types.
type statusMessage struct {
	*Message
	Status int `json:"status"`
}

// wire is what goes out for m.
func wire(m *Message) any {
	if m.Type == "result" || m.Type == "exit" {
		return statusMessage{m, m.Status}
	}
	return m
}

func (v *viewer) sendPrepared(pm *websocket.PreparedMessage) error {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	v.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	return v.conn.WritePreparedMessage(pm)
}

// ping sends a ping control frame.
func (v *viewer) ping() error {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	return v.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(10*time.Second))
}

// behind says the hub dropped a frame for v: v resynchronises.
func (v *viewer) behind() {
	select {
	case v.lost <- struct{}{}:
	default:
	}
}

func (v *viewer) run() {
	s := v.s
	s.join(v)
	defer s.part(v)
	go v.work()
	if err := v.send(&Message{Type: "hello", Schema: trace.Schema, Writable: s.Exec != nil, Name: s.Name}); err != nil {
		return
	}
	go v.read()
	seq, err := v.sendSnapshot()
	if err != nil {
		return
	}
	// Pings keep an idle viewer's read deadline moving (read), so that
	// a viewer that went away silently is noticed.
	ping := time.NewTicker(s.pongWait() * 9 / 10)
	defer ping.Stop()
	for {
		select {
		case <-v.done:
			return
		case <-ping.C:
			err = v.ping()
		case <-v.stop:
			// The hub has sent what the VFS emitted: send what is queued.
			for {
				select {
				case f := <-v.frames:
					if seq, err = v.sendFrame(f, seq); err != nil {
						return
					}
					continue
				case <-v.lost:
					if seq, err = v.resynchronise(); err != nil {
						return
					}
					continue
				default:
				}
				break
			}
			v.finish()
			return
		case <-v.resync:
			// A requested snapshot is a side record: the viewer's
			// stream goes on from where it was, so the events queued
			// for it still go out (the page skips those its snapshot
			// covers).
			err = v.answerSnapshots()
		case <-v.lost:
			seq, err = v.resynchronise()
		case f := <-v.frames:
			seq, err = v.sendFrame(f, seq)
		}
		if err != nil {
			return
		}
	}
}

// sendFrame sends the events of f past seq and returns the sequence
// number the viewer is at: f as the hub encoded it when all its events
// are new, else those that are.
func (v *viewer) sendFrame(f *frame, seq uint64) (uint64, error) {
	v.queued.Add(-int64(len(f.events)))
	select {
	case <-v.lost:
		// The hub dropped a frame before this one (this one may follow
		// it): what this viewer has is no longer whole.
		return v.resynchronise()
	default:
	}
	if f.lost {
		return v.resynchronise()
	}
	if f.snapshot {
		if f.seq <= seq {
			return seq, nil // the viewer has a newer state already
		}
		return f.seq, v.sendPrepared(f.msg)
	}
	if len(f.events) == 0 || f.events[len(f.events)-1].Seq <= seq {
		return seq, nil
	}
	last := f.events[len(f.events)-1].Seq
	if f.events[0].Seq > seq {
		return last, v.sendPrepared(f.msg)
	}
	var batch []trace.Event
	for _, e := range f.events {
		if e.Seq > seq {
			batch = append(batch, e)
		}
	}
	return last, v.send(&Message{Type: "events", Events: batch})
}

// resynchronise drops the frames queued for v and sends a snapshot in
// their place (it covers them: their events were emitted before it was
// taken); frames that come later carry what follows.
func (v *viewer) resynchronise() (uint64, error) {
	v.dropQueued()
	return v.sendSnapshot()
}

// finish sends the server's final message and a close frame, then waits
// a moment for the viewer's close frame.
func (v *viewer) finish() {
	v.s.mu.Lock()
	final := *v.s.final
	v.s.mu.Unlock()
	if v.send(&final) != nil {
		return
	}
	v.wmu.Lock()
	err := v.conn.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, closeReason(final.Error)),
		time.Now().Add(time.Second))
	v.wmu.Unlock()
	if err != nil {
		return
	}
	select {
	case <-v.done: // the viewer answered the close (or went)
	case <-time.After(time.Second):
	}
}

// closeReason cuts s to what a close frame holds (123 bytes).
func closeReason(s string) string {
	if len(s) > 123 {
		s = s[:120] + "..."
	}
	return s
}

// sendSnapshot sends a snapshot and returns its sequence number.
func (v *viewer) sendSnapshot() (uint64, error) {
	snap := v.s.Snapshot()
	raw, err := marshalSnapshot(&snap)
	if err != nil {
		return 0, err
	}
	return snap.Seq, v.sendSnapshotJSON(0, raw)
}

// answerSnapshots answers the snapshot requests that arrived so far, each
// with its id, all with one snapshot taken now and encoded once. It
// leaves the viewer's stream where it was.
func (v *viewer) answerSnapshots() error {
	v.askMu.Lock()
	ids := v.asked
	v.asked = nil
	v.askMu.Unlock()
	if len(ids) == 0 {
		// The wake-up of requests an earlier call answered (the reader
		// appends, then signals resync, while this loop drains).
		return nil
	}
	snap := v.s.Snapshot()
	raw, err := marshalSnapshot(&snap)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := v.sendSnapshotJSON(id, raw); err != nil {
			return err
		}
	}
	return nil
}

// marshalSnapshot encodes a snapshot for snapshotMessage (a variable, so
// that a test counts the encodings).
var marshalSnapshot = func(s *trace.Snapshot) (json.RawMessage, error) { return json.Marshal(s) }

// snapshotHead is the start of a "snapshot" message with id (none if
// 0): the encoded snapshot and a closing brace follow it.
func snapshotHead(id int64) []byte {
	b := []byte(`{"type":"snapshot",`)
	if id != 0 {
		b = append(b, `"id":`...)
		b = strconv.AppendInt(b, id, 10)
		b = append(b, ',')
	}
	return append(b, `"snapshot":`...)
}

// sendSnapshotJSON sends a "snapshot" message with id around raw, an
// encoded snapshot, without copying it.
func (v *viewer) sendSnapshotJSON(id int64, raw json.RawMessage) error {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	v.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	w, err := v.conn.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	for _, b := range [][]byte{snapshotHead(id), raw, []byte("}")} {
		if _, err := w.Write(b); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

// read handles the viewer's messages until the connection ends.
func (v *viewer) read() {
	defer close(v.done)
	// A viewer that sends nothing, not even the pong to run's pings,
	// for pongWait has gone: the read fails, and run ends.
	wait := v.s.pongWait()
	alive := func() { v.conn.SetReadDeadline(time.Now().Add(wait)) }
	alive()
	v.conn.SetPongHandler(func(string) error { alive(); return nil })
	for {
		_, b, err := v.conn.ReadMessage()
		if err != nil {
			return
		}
		alive()
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
			if v.s.Exec == nil {
				msg := "read-only: this server does not let viewers change the VFS"
				if v.s.ReadOnlyHint != "" {
					msg += " (" + v.s.ReadOnlyHint + ")"
				}
				if v.send(&Message{Type: "error", ID: m.ID, Error: msg}) != nil {
					return
				}
				continue
			}
			// The worker runs it, so that this loop goes on reading and
			// sees the viewer leave while a line runs.
			select {
			case v.cmds <- &m:
			default:
				if v.send(&Message{Type: "error", ID: m.ID, Error: "too many commands pending"}) != nil {
					return
				}
			}
		default:
			if v.send(&Message{Type: "error", ID: m.ID, Error: "unknown message type " + strconvQuote(m.Type)}) != nil {
				return
			}
		}
	}
}

// work runs the viewer's command lines, one at a time, in order, until
// the viewer goes.
func (v *viewer) work() {
	defer close(v.worker)
	for {
		select {
		case <-v.ctx.Done():
			return
		case m := <-v.cmds:
			if v.ctx.Err() != nil {
				return // the viewer left: its queued lines do not run
			}
			r := v.s.Exec(v.ctx, m.Line)
			if v.send(&Message{Type: "result", ID: m.ID, Output: r.Output, Status: r.Status, Exited: r.Exited}) != nil {
				return
			}
		}
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
