package live

import (
	"encoding/json"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vfscope/vfscope/vfs/trace"
)

// The hub: one reader of the bus for all the viewers of a server. It
// holds the server's one listener (a ring of Ring events) while anybody
// watches, gathers what the VFS emits for Flush, and encodes each batch
// once, as a prepared websocket message every viewer's connection
// writes as it is. A viewer costs a queue of frames that point to the
// shared ones, at most maxQueued events; a viewer whose queue is full
// loses the frame and resynchronises from a snapshot of its own. When
// the ring itself loses events, which every viewer misses alike, the hub
// takes one snapshot, encodes it once and sends it to all of them as a
// frame. The VFS never waits for the hub, nor the hub for a viewer.

// frame is one batch of events, or a snapshot, encoded once.
type frame struct {
	events []trace.Event // in Seq order; nil for a snapshot or a loss
	msg    *websocket.PreparedMessage
	// snapshot says msg is a "snapshot" message, taken after the hub's
	// ring lost events, whose seq is seq: it replaces what the viewer
	// has, and the frames after it carry what follows.
	snapshot bool
	seq      uint64
	// lost says the hub's ring dropped events before this point and
	// its snapshot could not be encoded: every viewer resynchronises.
	lost bool
}

// frameEvents is the most events one frame carries.
const frameEvents = 512

// maxQueued bounds the events of the frames waiting for one viewer: at
// most about 4 MiB of frames (the events and their encoding), shared
// with the viewers that have not sent them yet either; none while the
// viewer keeps up. A viewer that would pass it resynchronises.
const maxQueued = 8192

// maxFrames bounds the frames waiting for one viewer.
const maxFrames = maxQueued / 16

// hub is one run of the reader: from the first viewer's arrival to the
// last one's departure.
type hub struct {
	l     *trace.Listener
	stop  chan struct{}      // closed when the last viewer leaves
	flush chan chan struct{} // Shutdown: send what is buffered now
	done  chan struct{}      // closed when run returns
}

// join makes v receive frames, starting the hub if v is the first.
// Events emitted after join returns reach v.
func (s *Server) join(v *viewer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subs == nil {
		s.subs = map[*viewer]struct{}{}
	}
	s.subs[v] = struct{}{}
	if s.hub != nil {
		return
	}
	ring := s.Ring
	if ring <= 0 {
		ring = DefaultRing
	}
	h := &hub{l: s.Bus.Subscribe(ring), stop: make(chan struct{}), flush: make(chan chan struct{}), done: make(chan struct{})}
	s.hub = h
	go s.pump(h)
}

// part stops v's frames, and the hub if v was the last: the bus then
// has no listener of this server, and the VFS's event sites go quiet.
func (s *Server) part(v *viewer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.subs, v)
	if len(s.subs) == 0 && s.hub != nil {
		close(s.hub.stop)
		s.hub = nil
	}
}

// flushHub makes the hub send what it has buffered now, and waits for
// it (or for the hub to stop).
func (s *Server) flushHub() {
	s.mu.Lock()
	h := s.hub
	s.mu.Unlock()
	if h == nil {
		return
	}
	reply := make(chan struct{})
	select {
	case h.flush <- reply:
		<-reply
	case <-h.done:
	}
}

// pump is the hub's goroutine.
func (s *Server) pump(h *hub) {
	defer close(h.done)
	defer h.l.Close()
	flush := s.Flush
	if flush <= 0 {
		flush = 20 * time.Millisecond
	}
	buf := make([]trace.Event, frameEvents)
	for {
		var reply chan struct{}
		select {
		case <-h.stop:
			return
		case reply = <-h.flush:
		case <-h.l.Ready():
			// Let a burst gather, then send everything buffered.
			select {
			case <-h.stop:
				return
			case reply = <-h.flush:
			case <-time.After(flush):
			}
		}
		s.broadcast(h, buf)
		if reply != nil {
			close(reply)
		}
	}
}

// broadcast reads what h's listener holds and hands it, encoded, to
// every viewer.
func (s *Server) broadcast(h *hub, buf []trace.Event) {
	for {
		n := h.l.Read(buf)
		if n == 0 {
			return
		}
		var events []trace.Event
		lost := false
		for _, e := range buf[:n] {
			if e.Kind == trace.Lost {
				lost = true
				break
			}
			events = append(events, e)
		}
		if lost {
			// What the ring held is older than the snapshot: drop it,
			// and send every viewer the one snapshot.
			for h.l.Read(buf) > 0 {
			}
			s.deliver(h, s.snapshotFrame())
			return
		}
		f, err := newFrame(events)
		if err != nil {
			// A batch that cannot be encoded is lost to every viewer
			// alike: each resynchronises from the one snapshot, as
			// after a loss of the ring (the events after it that it
			// covers are skipped by seq).
			f = s.snapshotFrame()
		}
		s.deliver(h, f)
	}
}

// snapshotFrame takes a snapshot for every viewer, encoded once (a loss
// frame, which makes each viewer take its own, if it cannot be).
func (s *Server) snapshotFrame() *frame {
	snap := s.Snapshot()
	raw, err := marshalSnapshot(&snap)
	if err != nil {
		return &frame{lost: true}
	}
	b := append(snapshotHead(0), raw...)
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, append(b, '}'))
	if err != nil {
		return &frame{lost: true}
	}
	return &frame{snapshot: true, seq: snap.Seq, msg: pm}
}

// newFrame encodes events as an "events" message.
func newFrame(events []trace.Event) (*frame, error) {
	b, err := json.Marshal(&Message{Type: "events", Events: events})
	if err != nil {
		return nil, err
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, b)
	if err != nil {
		return nil, err
	}
	return &frame{events: events, msg: pm}, nil
}

// deliver queues f for every viewer of h's run; a viewer whose queue is
// full loses it and is told to resynchronise.
func (s *Server) deliver(h *hub, f *frame) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hub != h {
		return // a run that has ended: its viewers have gone
	}
	for v := range s.subs {
		if f.snapshot {
			// The snapshot covers what is queued, and what the viewer
			// lost before it: both are let go, so that a viewer's queue
			// holds at most one snapshot.
			v.dropQueued()
		}
		if v.queued.Add(int64(len(f.events))) <= maxQueued {
			select {
			case v.frames <- f:
				continue
			default:
			}
		}
		v.queued.Add(-int64(len(f.events)))
		// The viewer will resynchronise from a snapshot: what is
		// queued for it is of no use, and is let go now.
		v.dropQueued()
		v.behind()
	}
}

// dropQueued lets go of the frames queued for v and of its lost token.
func (v *viewer) dropQueued() {
	for {
		select {
		case g := <-v.frames:
			v.queued.Add(-int64(len(g.events)))
			continue
		case <-v.lost:
			continue
		default:
		}
		return
	}
}
