package trace

import (
	"sync"
	"time"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// Bus carries events from one VFS to its listeners. Emit never blocks
// on a listener: each has a bounded ring, and an event that does not fit
// is dropped and counted (see the package doc).
type Bus struct {
	// mu protects seq, listeners and every listener's ring writes, so
	// that each listener sees events in Seq order. A leaf for the VFS:
	// Emit takes it inside any VFS lock. Listener.mu nests inside it.
	mu        sync.Mutex
	seq       uint64
	listeners []*Listener

	// active is len(listeners) > 0, for callers that keep the bus
	// around while nobody listens.
	active atomic.Bool
	// onActive is called, outside mu, when active changes; set once by
	// SetOnActive before the first Subscribe.
	onActive func(bool)
	// activeMu serialises the calls of onActive and protects told, the
	// state onActive was last called with. Each call passes active as
	// it is once activeMu is held, so that the last call tells the last
	// change: a leave and a join that race cannot leave the owner told
	// "off" while a listener listens. Taken by Subscribe and Close with
	// no lock of the bus held; mu nests inside it (never the reverse).
	activeMu sync.Mutex
	told     bool

	start time.Time
}

// NewBus returns a bus with no listeners.
func NewBus() *Bus { return &Bus{start: time.Now()} }

// SetOnActive registers f, called with true when the first listener
// subscribes and with false when the last one closes, so that the owner
// of the bus can switch its event sites on and off. Call it before the
// first Subscribe.
func (b *Bus) SetOnActive(f func(bool)) { b.onActive = f }

// Active reports whether any listener is subscribed.
func (b *Bus) Active() bool { return b.active.Load() }

// Seq returns the sequence number of the last event emitted (0 before
// the first), for snapshots: a snapshot taken after this call reflects
// every event up to it.
func (b *Bus) Seq() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seq
}

// Now returns the time events are stamped with: nanoseconds since the
// bus was made.
func (b *Bus) Now() int64 { return int64(time.Since(b.start)) }

// Emit numbers e, stamps its time and copies it into every listener's
// ring. It never blocks on a listener. e is not retained, but what its
// Held and Report fields point to is shared with the listeners and must
// not be changed afterwards.
func (b *Bus) Emit(e *Event) {
	b.mu.Lock()
	now := b.Now() // under mu: times follow the sequence
	if len(b.listeners) == 0 {
		b.mu.Unlock()
		return
	}
	b.seq++
	e.Seq = b.seq
	e.Time = now
	for _, l := range b.listeners {
		l.push(e)
	}
	b.mu.Unlock()
}

// A Refresher fills in the fields of an event that must be read when the
// event is numbered rather than when it was built: counts that other
// tasks change without the lock the event's site holds (d_count and
// i_count move by compare-and-swap outside d_lock and i_lock). Read at
// numbering, under the bus's lock, the value an event carries is the
// one at that point of the stream, so the last event about an object
// always carries its current value, whatever order concurrent changes
// reached the bus in. Refresh runs under Bus.mu: it may only load.
type Refresher interface {
	Refresh(e *Event)
}

// EmitRefresh is Emit with r.Refresh(e) called just before e is
// numbered, under the bus's lock.
func (b *Bus) EmitRefresh(e *Event, r Refresher) {
	b.mu.Lock()
	now := b.Now() // under mu: times follow the sequence
	if len(b.listeners) == 0 {
		b.mu.Unlock()
		return
	}
	r.Refresh(e)
	b.seq++
	e.Seq = b.seq
	e.Time = now
	for _, l := range b.listeners {
		l.push(e)
	}
	b.mu.Unlock()
}

// DefaultRing is the ring size Subscribe uses for size <= 0.
const DefaultRing = 1 << 14

// Subscribe adds a listener whose ring holds size events (DefaultRing if
// size <= 0). Events emitted from now on reach it until Close.
func (b *Bus) Subscribe(size int) *Listener {
	if size <= 0 {
		size = DefaultRing
	}
	if size < 2 {
		size = 2 // room for a Lost marker and one event
	}
	l := &Listener{b: b, ring: make([]Event, size), ready: make(chan struct{}, 1)}
	b.mu.Lock()
	b.listeners = append(b.listeners, l)
	first := len(b.listeners) == 1
	b.active.Store(true)
	b.mu.Unlock()
	if first {
		b.tellActive()
	}
	return l
}

// remove takes l off the bus.
func (b *Bus) remove(l *Listener) {
	b.mu.Lock()
	last := false
	for i, x := range b.listeners {
		if x == l {
			// A new array (none for no listener): the old one, which
			// holds l, is let go; a reslice of it would keep l's ring
			// alive as long as the bus.
			var nl []*Listener
			if len(b.listeners) > 1 {
				nl = make([]*Listener, 0, len(b.listeners)-1)
				nl = append(append(nl, b.listeners[:i]...), b.listeners[i+1:]...)
			}
			b.listeners = nl
			last = len(b.listeners) == 0
			break
		}
	}
	if last {
		b.active.Store(false)
	}
	b.mu.Unlock()
	if last {
		b.tellActive()
	}
}

// tellActive calls onActive with the bus's state, if the owner was last
// told otherwise. Every change of active is followed by a call, which
// reads active after the calls before it returned: the last one tells
// the state the changes left.
func (b *Bus) tellActive() {
	if b.onActive == nil {
		return
	}
	b.activeMu.Lock()
	defer b.activeMu.Unlock()
	on := b.active.Load()
	if on == b.told {
		return
	}
	b.told = on
	b.onActive(on)
}

// Listener receives a bus's events through a bounded ring.
type Listener struct {
	b *Bus

	// mu protects ring, head, n, pending, lost and closed. Taken inside
	// Bus.mu by Emit, alone by the reader.
	mu      sync.Mutex
	ring    []Event
	head    int    // index of the oldest buffered event
	n       int    // buffered events
	pending uint64 // dropped since the last Lost marker was queued
	lastSeq uint64 // Seq of the last dropped event
	lastT   int64  // and its Time
	lost    uint64 // dropped in all
	closed  bool

	// ready holds a token while events are buffered (capacity 1; Emit
	// never blocks on it).
	ready chan struct{}
}

// push appends e, or drops it when the ring is full; Bus.mu held.
func (l *Listener) push(e *Event) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	need := 1
	if l.pending > 0 {
		need = 2 // the Lost marker first
	}
	if len(l.ring)-l.n < need {
		l.pending++
		l.lost++
		l.lastSeq, l.lastT = e.Seq, e.Time
		l.mu.Unlock()
		return
	}
	if l.pending > 0 {
		l.putLost()
	}
	l.put(*e)
	l.mu.Unlock()
	select {
	case l.ready <- struct{}{}:
	default:
	}
}

// put stores e at the tail; l.mu held and room for it.
func (l *Listener) put(e Event) {
	i := l.head + l.n
	if i >= len(l.ring) {
		i -= len(l.ring)
	}
	l.ring[i] = e
	l.n++
}

// putLost queues the Lost marker of the pending drops; l.mu held and
// room for it. Its Seq and Time are the last dropped event's.
func (l *Listener) putLost() {
	l.put(Event{Seq: l.lastSeq, Time: l.lastT, Kind: Lost, Lost: l.pending})
	l.pending = 0
}

// Read moves up to len(dst) buffered events into dst, oldest first, and
// returns how many. It never waits (see Ready). A Lost event among
// them marks where events were dropped, in order: the reader must
// resynchronise from a snapshot. Drops that happened after the last
// buffered event are announced as soon as the ring has room, at the
// latest by the Read that empties it.
func (l *Listener) Read(dst []Event) (n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == 0 && l.pending > 0 {
		l.putLost()
	}
	for n < len(dst) && l.n > 0 {
		dst[n] = l.ring[l.head]
		l.ring[l.head] = Event{} // drop references to Held and Report
		l.head++
		if l.head == len(l.ring) {
			l.head = 0
		}
		l.n--
		n++
		if l.n == 0 && l.pending > 0 {
			l.putLost()
		}
	}
	if l.n > 0 {
		select {
		case l.ready <- struct{}{}:
		default:
		}
	}
	return n
}

// Ready returns a channel that holds a token while events may be
// buffered; wait on it, then Read until Read returns 0.
func (l *Listener) Ready() <-chan struct{} { return l.ready }

// Lost returns how many events were dropped for this listener in all.
func (l *Listener) Lost() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// Len returns how many events are buffered.
func (l *Listener) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// Close unsubscribes; buffered events can still be read.
func (l *Listener) Close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	l.mu.Unlock()
	l.b.remove(l)
}
