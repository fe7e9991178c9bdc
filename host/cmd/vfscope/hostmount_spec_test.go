package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/host/hostfs"
)

// TestParseHostMount: host:SRC:DST and hostfs:SRC:DST both mount a host
// directory; a relative SRC is taken from the working directory of the
// command line, as a shell would, since hostfs accepts only absolute
// sources; an empty one is a usage error for both spellings.
func TestParseHostMount(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		spec     string
		src, dst string
		err      string
	}{
		{"host:/srv/data:/data", "/srv/data", "/data", ""},
		{"hostfs:/srv/data:/data:ro", "/srv/data", "/data", ""},
		{"host:./dir:/data", filepath.Join(wd, "dir"), "/data", ""},
		{"hostfs:dir/sub/..:/data", filepath.Join(wd, "dir"), "/data", ""},
		{"host::/data", "", "", "host mounts need SRC"},
		{"hostfs::/data", "", "", "host mounts need SRC"},
	}
	for _, c := range cases {
		m, err := parseMount(c.spec)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want an error with %q", c.spec, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.spec, err)
			continue
		}
		if got, want := []string{m.typ, m.src, m.dst}, []string{hostfs.Name, c.src, c.dst}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q, want %q", c.spec, got, want)
		}
	}
}
