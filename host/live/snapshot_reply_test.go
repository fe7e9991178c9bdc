package live

import (
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs/trace"
)

// TestSnapshotReplyKeepsStream: a reply to a snapshot request is a side
// record. Events emitted before the request, still gathering in the hub
// when the reply goes out, reach the viewer after it, each exactly once,
// and with no resynchronising snapshot (the viewer lost nothing).
func TestSnapshotReplyKeepsStream(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before int // events emitted before the request
		ids    []int64
	}{
		{"one event, one request", 1, []int64{5}},
		{"many events, many requests", 40, []int64{1, 2, 3}},
		{"request without id", 3, []int64{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, bus := newServer(nil)
			s.Flush = 300 * time.Millisecond // the events are still gathering at the request
			c, _, err := dial(t, s, "")
			if err != nil {
				t.Fatal(err)
			}
			recv(t, c) // hello
			recv(t, c) // snapshot at seq 0
			for i := 0; i < tc.before; i++ {
				bus.Emit(&trace.Event{Kind: trace.DentryAlloc, Dentry: uint64(i + 2), Name: "a"})
			}
			for _, id := range tc.ids {
				if err := c.WriteJSON(&Message{Type: "snapshot", ID: id}); err != nil {
					t.Fatal(err)
				}
			}
			want := uint64(tc.before + 1)
			var replies int
			var seqs []uint64
			for replies < len(tc.ids) || len(seqs) == 0 || seqs[len(seqs)-1] < want {
				if replies == len(tc.ids) && len(seqs) == tc.before {
					// Every reply is in: one event after them.
					bus.Emit(&trace.Event{Kind: trace.DentryHash, Dentry: 2, Bucket: 7})
				}
				m := recv(t, c)
				switch {
				case m.Type == "events":
					for _, e := range m.Events {
						seqs = append(seqs, e.Seq)
					}
				case m.Type == "snapshot" && m.Snapshot != nil:
					if replies == len(tc.ids) {
						t.Fatalf("unrequested snapshot at seq %d: the stream restarted", m.Snapshot.Seq)
					}
					if m.ID != tc.ids[replies] {
						t.Fatalf("reply id %d, want %d", m.ID, tc.ids[replies])
					}
					replies++
				default:
					t.Fatalf("got %+v", m)
				}
			}
			for i, q := range seqs {
				if q != uint64(i+1) {
					t.Fatalf("events %v, want 1..%d each once", seqs, want)
				}
			}
		})
	}
}

// TestSnapshotPerReply: a snapshot is taken only to answer a request.
// A wake-up whose requests an earlier pass answered takes none (many
// requests in a stream make the reader's signal and the run loop's
// draining race).
func TestSnapshotPerReply(t *testing.T) {
	for _, n := range []int{1, 50, 2000} {
		s, bus := newServer(nil)
		var taken atomic.Int64
		s.Snapshot = func() trace.Snapshot {
			taken.Add(1)
			seq := bus.Seq()
			bus.Emit(&trace.Event{Kind: trace.DentryAlloc, Dentry: 1}) // each snapshot's seq is its own
			return trace.Snapshot{Schema: trace.Schema, Seq: seq}
		}
		c, _, err := dial(t, s, "")
		if err != nil {
			t.Fatal(err)
		}
		recv(t, c) // hello
		recv(t, c) // the first snapshot
		go func() {
			for i := 1; i <= n; i++ {
				if c.WriteJSON(&Message{Type: "snapshot", ID: int64(i)}) != nil {
					return
				}
			}
		}()
		seqs := map[uint64]bool{}
		for got := 0; got < n; {
			m := recv(t, c)
			switch m.Type {
			case "snapshot":
				seqs[m.Snapshot.Seq] = true
				got++
			case "error":
				got++ // too many pending
			}
		}
		// Every snapshot taken after the first went into a reply.
		if extra := taken.Load() - 1 - int64(len(seqs)); extra != 0 {
			t.Errorf("%d requests: %d snapshots taken that no reply carried", n, extra)
		}
	}
}

// TestSnapshotEncodedOnce: requests answered together share one
// snapshot, encoded once however many replies carry it; each reply is
// a whole message with its own id.
func TestSnapshotEncodedOnce(t *testing.T) {
	var encoded atomic.Int64
	orig := marshalSnapshot
	marshalSnapshot = func(s *trace.Snapshot) (json.RawMessage, error) {
		encoded.Add(1)
		return orig(s)
	}
	t.Cleanup(func() { marshalSnapshot = orig })
	for _, tc := range []struct {
		name string
		ids  []int64
	}{
		{"one", []int64{7}},
		{"eight at once", []int64{1, 2, 3, 4, 5, 6, 7, 8}},
		{"without ids", []int64{0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, bus := newServer(nil)
			block := make(chan struct{})
			var taken atomic.Int64
			s.Snapshot = func() trace.Snapshot {
				if taken.Add(1) == 2 {
					<-block // the requests gather meanwhile
				}
				return trace.Snapshot{Schema: trace.Schema, Seq: bus.Seq(), Dentries: []trace.DentrySnap{{ID: 1, Name: "/"}}}
			}
			c, _, err := dial(t, s, "")
			if err != nil {
				t.Fatal(err)
			}
			recv(t, c) // hello
			recv(t, c) // the first snapshot
			// One request to hold the run loop in Snapshot, then the rest.
			if err := c.WriteJSON(&Message{Type: "snapshot", ID: 99}); err != nil {
				t.Fatal(err)
			}
			for taken.Load() < 2 {
				time.Sleep(time.Millisecond)
			}
			for _, id := range tc.ids {
				if err := c.WriteJSON(&Message{Type: "snapshot", ID: id}); err != nil {
					t.Fatal(err)
				}
			}
			time.Sleep(50 * time.Millisecond) // the reader has queued them
			before := encoded.Load()
			close(block)
			if m := recv(t, c); m.ID != 99 {
				t.Fatalf("first reply %+v", m)
			}
			for _, id := range tc.ids {
				m := recv(t, c)
				if m.Type != "snapshot" || m.ID != id || m.Snapshot == nil || len(m.Snapshot.Dentries) != 1 {
					t.Fatalf("reply %+v, want snapshot %d", m, id)
				}
			}
			// The held request's snapshot, and one for the rest.
			if n := encoded.Load() - before; n != 2 {
				t.Errorf("%d replies: %d encodings, want 2", len(tc.ids), n)
			}
		})
	}
}
