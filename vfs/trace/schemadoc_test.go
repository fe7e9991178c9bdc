package trace

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestSchemaDoc checks docs/trace-schema.md against the code: every JSON
// example decodes strictly and encodes back to the same text, every event
// kind has an example, and the snapshot example is the one the tests use.
func TestSchemaDoc(t *testing.T) {
	b, err := os.ReadFile("../../docs/trace-schema.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := jsonBlocks(string(b))
	if len(blocks) == 0 {
		t.Fatal("no ```json blocks in docs/trace-schema.md")
	}
	seen := map[Kind]bool{}
	snapshots := 0
	for _, blk := range blocks {
		if strings.Contains(blk, "\n") {
			var s Snapshot
			if err := DecodeSnapshot([]byte(blk), &s); err != nil {
				t.Errorf("snapshot example: %v", err)
				continue
			}
			enc, _ := Marshal(&s)
			var ind bytes.Buffer
			json.Indent(&ind, enc, "", "  ")
			if ind.String() != blk {
				t.Errorf("snapshot example does not encode back to itself; the code gives:\n%s", ind.String())
			}
			if want := exampleSnapshot(); !reflect.DeepEqual(s, want) {
				t.Errorf("snapshot example differs from exampleSnapshot")
			}
			snapshots++
			continue
		}
		if strings.HasPrefix(blk, `{"schema"`) {
			var h Header
			if err := strictDecode([]byte(blk), &h); err != nil || h.Schema != Schema {
				t.Errorf("header example %s: %v, schema %q", blk, err, h.Schema)
			}
			continue
		}
		var e Event
		if err := DecodeEvent([]byte(blk), &e); err != nil {
			t.Errorf("example %s: %v", blk, err)
			continue
		}
		if enc, _ := Marshal(&e); string(enc) != blk {
			t.Errorf("example does not encode back to itself:\n doc  %s\n code %s", blk, enc)
		}
		seen[e.Kind] = true
	}
	for _, k := range Kinds() {
		if !seen[k] {
			t.Errorf("docs/trace-schema.md has no example of %s", k)
		}
	}
	if snapshots != 1 {
		t.Errorf("%d snapshot examples, want 1", snapshots)
	}
}

// jsonBlocks returns the bodies of the ```json fenced blocks of a
// Markdown text.
func jsonBlocks(md string) []string {
	var out []string
	for {
		i := strings.Index(md, "```json\n")
		if i < 0 {
			return out
		}
		md = md[i+len("```json\n"):]
		j := strings.Index(md, "\n```")
		if j < 0 {
			return out
		}
		out = append(out, md[:j])
		md = md[j+4:]
	}
}
