package live

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs/trace"
)

// TestStatusWritten: "result" and "exit" messages carry their status
// even when it is 0, as the protocol in the package doc shows; the other
// types leave out what they do not use.
func TestStatusWritten(t *testing.T) {
	for _, tc := range []struct {
		m    Message
		want string
	}{
		{Message{Type: "result", ID: 7, Output: "a\n"}, `{"type":"result","id":7,"output":"a\n","status":0}`},
		{Message{Type: "result", ID: 8, Status: 3, Exited: true}, `{"type":"result","id":8,"exited":true,"status":3}`},
		{Message{Type: "exit", Error: "vfscope serve stopped"}, `{"type":"exit","error":"vfscope serve stopped","status":0}`},
		{Message{Type: "exit", Status: 2, Error: "x"}, `{"type":"exit","error":"x","status":2}`},
		{Message{Type: "error", ID: 7, Error: "e"}, `{"type":"error","id":7,"error":"e"}`},
		{Message{Type: "hello", Schema: trace.Schema, Name: "n"}, `{"type":"hello","schema":"` + trace.Schema + `","name":"n"}`},
	} {
		b, err := json.Marshal(wire(&tc.m))
		if err != nil || string(b) != tc.want {
			t.Errorf("%+v: %s, %v; want %s", tc.m, b, err, tc.want)
		}
		var back Message
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, tc.m) {
			t.Errorf("%s decodes to %+v, %v", b, back, err)
		}
	}
	// And on the wire: a command's result.
	s, _ := newServer(func(context.Context, string) Result { return Result{Output: "ok\n"} })
	c, _, err := dial(t, s, "")
	if err != nil {
		t.Fatal(err)
	}
	recv(t, c) // hello
	recv(t, c) // the first snapshot
	if err := c.WriteJSON(&Message{Type: "command", ID: 5, Line: "true"}); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), `"type":"result"`) {
			if !strings.Contains(string(b), `"status":0`) {
				t.Errorf("result %s: no status", b)
			}
			break
		}
	}
}

// TestSnapshotRequestsBounded: a viewer gets at most maxAsked snapshot
// requests waiting for their reply (each reply is a whole snapshot);
// the others are answered with an error at once.
func TestSnapshotRequestsBounded(t *testing.T) {
	const n = 40
	s, bus := newServer(nil)
	block := make(chan struct{})
	var taken atomic.Int64
	s.Snapshot = func() trace.Snapshot {
		if taken.Add(1) == 2 {
			<-block // the requests gather meanwhile
		}
		return trace.Snapshot{Schema: trace.Schema, Seq: bus.Seq()}
	}
	c, _, err := dial(t, s, "")
	if err != nil {
		t.Fatal(err)
	}
	recv(t, c) // hello
	recv(t, c) // the first snapshot
	if err := c.WriteJSON(&Message{Type: "snapshot", ID: 1000}); err != nil {
		t.Fatal(err)
	}
	for taken.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	for i := 1; i <= n; i++ {
		if err := c.WriteJSON(&Message{Type: "snapshot", ID: int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	// While the run loop is busy, the reader answers what passes the
	// bound at once: a burst of n gets at most 8 snapshots (the page
	// never has more than a few in flight).
	const most = 8
	for i := 0; i < n-most; i++ {
		if m := recv(t, c); m.Type != "error" || !strings.Contains(m.Error, "too many snapshot requests") {
			t.Fatalf("reply %d to a burst of %d: %+v, want an error (at most %d pending)", i, n, m, most)
		}
	}
	close(block)
	if m := recv(t, c); m.Type != "snapshot" || m.ID != 1000 {
		t.Fatalf("reply %+v, want snapshot 1000", m)
	}
	for i := 0; i < most; i++ {
		if m := recv(t, c); m.Type != "snapshot" || m.ID == 1000 {
			t.Fatalf("reply %+v, want a snapshot", m)
		}
	}
}
