package trace

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// TestNamesNotUTF8: a file name is any bytes but '/' and NUL. Names
// that are not UTF-8 keep their field (U+FFFD where a byte is not
// UTF-8, for display) and gain their raw bytes ("name_b64" and the
// like), so that "\xff" and "\xfe" in one directory stay two names
// after a round trip; UTF-8 names get no such field.
func TestNamesNotUTF8(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  string // the "_b64" field, "" for none
	}{
		{"\xff", `"/w=="`},
		{"\xfe", `"/g=="`},
		{"a\xffb", `"Yf9i"`},
		{"\xe2\x82", `"4oI="`}, // a cut-off sequence
		{"é", ""},
		{"a<b>&", ""},
		{"", ""},
	} {
		// check looks in enc for field's raw form, that of value.
		check := func(what string, enc []byte, field, value string) {
			t.Helper()
			s := string(enc)
			want := `"` + field + `_b64":"` + base64.StdEncoding.EncodeToString([]byte(value)) + `"`
			if tc.raw == "" {
				if strings.Contains(s, "_b64") {
					t.Errorf("%s %q: %s has a raw form", what, tc.name, s)
				}
				return
			}
			if !strings.Contains(s, want) {
				t.Errorf("%s %q: %s, want %s in it", what, tc.name, s, want)
			}
			if !strings.Contains(s, `\ufffd`) {
				t.Errorf("%s %q: %s, want U+FFFD in the display form", what, tc.name, s)
			}
		}
		if got, _ := json.Marshal([]byte(tc.name)); tc.raw != "" && string(got) != tc.raw {
			t.Errorf("%q: base64 %s, want %s", tc.name, got, tc.raw)
		}

		e := Event{Seq: 1, Kind: DentryAlloc, Name: tc.name, Path: "/d/" + tc.name}
		enc, err := Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		check("event name", enc, "name", e.Name)
		check("event path", enc, "path", e.Path)
		var back Event
		if err := DecodeEvent(enc, &back); err != nil || back.Name != tc.name || back.Path != e.Path {
			t.Errorf("event %q: %s decodes to name %q path %q, %v", tc.name, enc, back.Name, back.Path, err)
		}

		s := Snapshot{Schema: Schema,
			Dentries: []DentrySnap{{ID: 2, Name: tc.name, Parent: 1}, {ID: 3, Name: "x" + tc.name, Parent: 1}},
			Mounts:   []MountSnap{{ID: 1, FSType: "tmpfs", Source: tc.name, Path: "/" + tc.name}},
		}
		enc, err = Marshal(&s)
		if err != nil {
			t.Fatal(err)
		}
		check("dentry name", enc, "name", tc.name)
		check("mount source", enc, "source", tc.name)
		check("mount path", enc, "path", "/"+tc.name)
		var sback Snapshot
		if err := DecodeSnapshot(enc, &sback); err != nil {
			t.Fatalf("snapshot %q: %s: %v", tc.name, enc, err)
		}
		if sback.Dentries[0].Name != tc.name || sback.Dentries[1].Name != "x"+tc.name ||
			sback.Mounts[0].Source != tc.name || sback.Mounts[0].Path != "/"+tc.name {
			t.Errorf("snapshot %q: %s decodes to %+v", tc.name, enc, sback)
		}

		// Inside another message, as the live websocket sends them.
		enc, err = json.Marshal(struct {
			Events []Event `json:"events"`
		}{[]Event{e}})
		if err != nil {
			t.Fatal(err)
		}
		check("event in a message", enc, "name", tc.name)
	}

	// "\xff" and "\xfe" under one parent are two names on the wire.
	a, _ := Marshal(&Event{Seq: 1, Kind: DentryAlloc, Name: "\xff"})
	b, _ := Marshal(&Event{Seq: 1, Kind: DentryAlloc, Name: "\xfe"})
	if string(a) == string(b) {
		t.Errorf(`"\xff" and "\xfe" encode alike: %s`, a)
	}

	// Unknown fields are still refused, in an event and in a snapshot's
	// dentries and mounts.
	for _, bad := range []string{
		`{"seq":1,"time":0,"kind":"dentry.alloc","bogus":1}`,
		`{"seq":1,"time":0,"kind":"dentry.alloc","name_b64":"!"}`,
	} {
		var e Event
		if err := DecodeEvent([]byte(bad), &e); err == nil {
			t.Errorf("%s decodes", bad)
		}
	}
	for _, bad := range []string{
		`{"schema":"` + Schema + `","dentries":[{"id":1,"bogus":1}]}`,
		`{"schema":"` + Schema + `","mounts":[{"id":1,"bogus":1}]}`,
	} {
		var s Snapshot
		if err := DecodeSnapshot([]byte(bad), &s); err == nil {
			t.Errorf("%s decodes", bad)
		}
	}
}
