package live

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/vfscope/vfscope/vfs/trace"
)

// TestRingLossOneSnapshot: when the hub's ring overflows, every viewer
// misses the same events, and the hub takes one snapshot for all of
// them, each getting it in place of what was lost, then the events
// after it.
func TestRingLossOneSnapshot(t *testing.T) {
	for _, viewers := range []int{1, 3, 8} {
		s, bus := newServer(nil)
		s.Ring = 8
		s.Flush = 200 * time.Millisecond // the burst overflows the ring before the hub reads it
		var taken atomic.Int64
		s.Snapshot = func() trace.Snapshot {
			taken.Add(1)
			return trace.Snapshot{Schema: trace.Schema, Seq: bus.Seq(), Time: bus.Now()}
		}
		cs := make([]*websocket.Conn, viewers)
		for i := range cs {
			c, _, err := dial(t, s, "")
			if err != nil {
				t.Fatal(err)
			}
			recv(t, c) // hello
			recv(t, c) // its own first snapshot
			cs[i] = c
		}
		for i := 0; i < 1000; i++ {
			bus.Emit(&trace.Event{Kind: trace.DentryLRUAdd, Dentry: uint64(i + 1)})
		}
		for i, c := range cs {
			m := recv(t, c)
			if m.Type != "snapshot" || m.ID != 0 || m.Snapshot.Seq != 1000 {
				t.Fatalf("%d viewers: viewer %d got %s (%v) after the overflow, want a snapshot at seq 1000", viewers, i, m.Type, m.Snapshot)
			}
		}
		bus.Emit(&trace.Event{Kind: trace.DentryLRUDel, Dentry: 1})
		for i, c := range cs {
			if m := recv(t, c); m.Type != "events" || len(m.Events) != 1 || m.Events[0].Seq != 1001 {
				t.Fatalf("%d viewers: viewer %d got %+v after the snapshot, want event 1001", viewers, i, m)
			}
		}
		if n := taken.Load() - int64(viewers); n != 1 {
			t.Errorf("%d viewers: %d snapshots taken for one loss, want 1", viewers, n)
		}
	}
}

// TestUnencodableBatchResyncs: a batch of events that cannot be encoded
// (here, an event without a kind) is not sent, and every viewer gets a
// snapshot in its place rather than going on with a hole; the events
// after it follow as usual.
func TestUnencodableBatchResyncs(t *testing.T) {
	for _, viewers := range []int{1, 3} {
		s, bus := newServer(nil)
		s.Flush = 200 * time.Millisecond // the three events make one batch
		cs := make([]*websocket.Conn, viewers)
		for i := range cs {
			c, _, err := dial(t, s, "")
			if err != nil {
				t.Fatal(err)
			}
			recv(t, c) // hello
			recv(t, c) // its own first snapshot
			cs[i] = c
		}
		bus.Emit(&trace.Event{Kind: trace.DentryLRUAdd, Dentry: 1})
		bus.Emit(&trace.Event{Dentry: 2}) // no kind: the batch fails to encode
		bus.Emit(&trace.Event{Kind: trace.DentryLRUDel, Dentry: 1})
		for i, c := range cs {
			m := recv(t, c)
			if m.Type != "snapshot" || m.ID != 0 || m.Snapshot.Seq != 3 {
				t.Fatalf("%d viewers: viewer %d got %+v after the batch that could not be encoded, want a snapshot at seq 3", viewers, i, m)
			}
		}
		bus.Emit(&trace.Event{Kind: trace.DentryLRUDel, Dentry: 1})
		for i, c := range cs {
			if m := recv(t, c); m.Type != "events" || len(m.Events) != 1 || m.Events[0].Seq != 4 {
				t.Fatalf("%d viewers: viewer %d got %+v after the snapshot, want event 4", viewers, i, m)
			}
		}
	}
}
