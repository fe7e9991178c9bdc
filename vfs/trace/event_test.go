package trace

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestEveryKindHasAnExample(t *testing.T) {
	have := map[Kind]bool{}
	for _, e := range exampleEvents() {
		have[e.Kind] = true
	}
	for _, k := range Kinds() {
		if !have[k] {
			t.Errorf("no example event of kind %s", k)
		}
	}
}

func TestEventRoundTrip(t *testing.T) {
	for _, e := range exampleEvents() {
		t.Run(e.Kind.String(), func(t *testing.T) {
			b, err := json.Marshal(&e)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), `"kind":"`+e.Kind.String()+`"`) {
				t.Errorf("encoding %s lacks its kind name", b)
			}
			var got Event
			if err := DecodeEvent(b, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, e) {
				t.Errorf("round trip of %s:\n got %+v\nwant %+v", b, got, e)
			}
		})
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	s := exampleSnapshot()
	b, err := json.Marshal(&s)
	if err != nil {
		t.Fatal(err)
	}
	var got Snapshot
	if err := DecodeSnapshot(b, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, s)
	}
}

func TestDecodeRejects(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"unknown kind", `{"seq":1,"time":0,"kind":"dentry.bogus"}`, "unknown event kind"},
		{"no kind", `{"seq":1,"time":0}`, "no kind"},
		{"unknown field", `{"seq":1,"time":0,"kind":"dentry.alloc","colour":"red"}`, "unknown field"},
		{"bad mode", `{"seq":1,"time":0,"kind":"lock.acquire","lock_mode":"sideways"}`, "unknown lock mode"},
		{"not an object", `[1,2]`, "bad event"},
		{"trailing", `{"seq":1,"time":0,"kind":"dentry.alloc"} {}`, "trailing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e Event
			err := DecodeEvent([]byte(c.in), &e)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("DecodeEvent(%s) = %v, want an error with %q", c.in, err, c.want)
			}
		})
	}
	var s Snapshot
	if err := DecodeSnapshot([]byte(`{"schema":"vfscope.trace/0"}`), &s); err == nil || !strings.Contains(err.Error(), "want \""+Schema+"\"") {
		t.Errorf("old schema: %v", err)
	}
}

func TestEncodeRejectsKindNone(t *testing.T) {
	if _, err := json.Marshal(&Event{}); err == nil {
		t.Error("an event without a kind encoded")
	}
}

func TestStreamRoundTrip(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	evs := exampleEvents()
	for i := range evs {
		if err := w.Write(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if lines[0] != `{"schema":"`+Schema+`"}` || len(lines) != len(evs)+1 {
		t.Fatalf("stream starts %q and has %d lines, want the schema line and %d events", lines[0], len(lines), len(evs))
	}
	r, err := NewReader(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		e, err := r.Next()
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if !reflect.DeepEqual(e, evs[i]) {
			t.Errorf("event %d: got %+v want %+v", i, e, evs[i])
		}
	}
	if _, err := r.Next(); err == nil {
		t.Error("no EOF after the last event")
	}
	for _, bad := range []string{"", `{"schema":"other/1"}` + "\n", `{"seq":1}` + "\n"} {
		if _, err := NewReader(strings.NewReader(bad)); err == nil {
			t.Errorf("NewReader(%q) accepted it", bad)
		}
	}
}
