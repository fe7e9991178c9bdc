package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestTrimCache: over the bound, the oldest files go until what is kept
// fits; at or under it, nothing goes.
func TestTrimCache(t *testing.T) {
	for _, tc := range []struct {
		name      string
		max, keep int64
		want      []string // files left
	}{
		{"under the bound", 1000, 100, []string{"a", "b", "c", "d"}},
		{"at the bound", 400, 100, []string{"a", "b", "c", "d"}},
		{"over: oldest first", 350, 200, []string{"c", "d"}},
		{"over: keep all but the oldest", 350, 300, []string{"b", "c", "d"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			sub := filepath.Join(dir, "wazero-v1")
			if err := os.Mkdir(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			base := time.Now().Add(-time.Hour)
			// a is the oldest, d the newest; 100 bytes each.
			for i, name := range []string{"a", "b", "c", "d"} {
				p := filepath.Join(sub, name)
				if err := os.WriteFile(p, make([]byte, 100), 0o644); err != nil {
					t.Fatal(err)
				}
				mt := base.Add(time.Duration(i) * time.Minute)
				if err := os.Chtimes(p, mt, mt); err != nil {
					t.Fatal(err)
				}
			}
			trimCache(dir, tc.max, tc.keep)
			ents, err := os.ReadDir(sub)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range ents {
				got = append(got, e.Name())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("left %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("left %v, want %v", got, tc.want)
				}
			}
		})
	}
	// A missing directory is no error.
	trimCache(filepath.Join(t.TempDir(), "none"), 1, 0)
}
