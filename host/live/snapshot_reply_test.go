package live

import (
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
