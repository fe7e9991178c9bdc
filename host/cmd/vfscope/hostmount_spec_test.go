package main

import (
	"os"
	"path/filepath"
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
	checkParseMount(t, hostfs.Name, []parseMountCase{
		{"host:/srv/data:/data", "/srv/data", "/data", "", ""},
		{"hostfs:/srv/data:/data:ro", "/srv/data", "/data", "", ""},
		{"host:./dir:/data", filepath.Join(wd, "dir"), "/data", "", ""},
		{"hostfs:dir/sub/..:/data", filepath.Join(wd, "dir"), "/data", "", ""},
		{"host::/data", "", "", "", "host mounts need SRC"},
		{"hostfs::/data", "", "", "", "host mounts need SRC"},
	})
}
