package bridge

import (
	"github.com/vfscope/vfscope/vfs/trace"
)

// listener is one JavaScript subscription to a VFS's trace bus.
type listener struct {
	in  *instance
	l   *trace.Listener
	buf []trace.Event
}

// opSubscribe adds a listener with a ring of size events (0: the
// default) and returns its id. Events wait in the ring until "events"
// reads them; a full ring drops and counts them, and the reader gets a
// "lost" event and must take a snapshot (docs/trace.md).
func opSubscribe(c *call) error {
	size := c.d.num()
	if !c.ok() {
		return nil
	}
	if size < 0 || size > 1<<22 {
		return errBadRequest{"ring size out of range"}
	}
	id := c.b.id()
	c.b.listeners[id] = &listener{in: c.in, l: c.in.v.Subscribe(int(size)), buf: make([]trace.Event, 1024)}
	c.e.num(int64(id))
	return nil
}

func (c *call) listener(id int64) (*listener, error) {
	l := c.b.listeners[uint32(id)]
	if l == nil || id <= 0 || id > 1<<32-1 {
		return nil, errBadRequest{"no trace listener " + itoa(id) + " (closed or never created)"}
	}
	return l, nil
}

// opEvents reads up to max events (0: all there are) from a listener and
// returns them as a JSON array in the schema of docs/trace-schema.md.
func opEvents(c *call) error {
	id, limit := c.d.num(), c.d.num()
	if !c.ok() {
		return nil
	}
	l, err := c.listener(id)
	if err != nil {
		return err
	}
	mark := len(c.e.b)
	c.e.u32(0)
	// Padded as a byte string of unknown size; endData fixes it up.
	pad := c.e.pad(dataAlignMin)
	c.e.u8('[')
	n := int64(0)
	for limit <= 0 || n < limit {
		buf := l.buf
		if limit > 0 && int64(len(buf)) > limit-n {
			buf = buf[:limit-n]
		}
		k := l.l.Read(buf)
		if k == 0 {
			break
		}
		for i := range buf[:k] {
			j, err := trace.Marshal(&buf[i])
			if err != nil {
				c.e.b = c.e.b[:mark]
				return err
			}
			c.e.grow(len(j) + 2) // keeps the buffer aligned
			if n > 0 {
				c.e.b = append(c.e.b, ',')
			}
			c.e.b = append(c.e.b, j...)
			n++
		}
	}
	c.e.u8(']')
	c.e.endData(mark, pad, len(c.e.b)-mark-4-pad)
	return nil
}

func opUnsubscribe(c *call) error {
	id := c.d.num()
	if !c.ok() {
		return nil
	}
	l, err := c.listener(id)
	if err != nil {
		return err
	}
	l.l.Close()
	delete(c.b.listeners, uint32(id))
	return nil
}

// opSnapshot returns the VFS's whole state as JSON (trace.Snapshot).
func opSnapshot(c *call) error {
	j, err := trace.Marshal(c.in.v.Snapshot())
	if err != nil {
		return err
	}
	c.e.bytes(j)
	return nil
}
