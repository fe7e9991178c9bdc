package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseBillyfsMount(t *testing.T) {
	checkParseMount(t, "billyfs", []parseMountCase{
		{"billyfs:mem:/mnt", "mem", "/mnt", "", ""},
		{"billyfs:store=mem:/mnt", "mem", "/mnt", "", ""},
		{"billyfs:mem:disk1:/mnt", "mem:disk1", "/mnt", "", ""},
		{"billyfs:store=mem:disk1:/mnt:size=1m,ro", "mem:disk1", "/mnt", "size=1m", ""},
		{"billyfs:os:/host/dir:/mnt", "os:/host/dir", "/mnt", "", ""},
		{"billyfs:os:/host/dir:/mnt:nr_inodes=5", "os:/host/dir", "/mnt", "nr_inodes=5", ""},
		{"billyfs:myregistered:/mnt", "myregistered", "/mnt", "", ""},
		{"billyfs:mem", "", "", "", "want billyfs:STORE:DST"},
		{"billyfs:os:/host/dir", "", "", "", "want billyfs:STORE:DST"},
		{"billyfs:mem:a:/mnt:x:y", "", "", "", "want billyfs:STORE:DST"},
		{"billyfs:disk:relative", "", "", "", "DST must be an absolute path"},
	})
}

// parseMountCase is a --mount spec and the type-independent part of what
// parseMount makes of it, or the text its error must hold.
type parseMountCase struct {
	spec          string
	src, dst, opt string
	err           string
}

// checkParseMount runs parseMount on each case; typ is the filesystem
// type every accepted spec must name.
func checkParseMount(t *testing.T, typ string, cases []parseMountCase) {
	t.Helper()
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
		got := []string{m.typ, m.src, m.dst, m.data}
		if want := []string{typ, c.src, c.dst, c.opt}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q, want %q", c.spec, got, want)
		}
	}
}

// TestRunBillyfsMount runs a guest twice on a billyfs whose store is a
// host directory: the second run finds what the first wrote (it was
// written back at unmount), and the host directory holds billyfs's
// layout, not the guest's files.
func TestRunBillyfsMount(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build the wasip1 guest")
	}
	app := filepath.Join(t.TempDir(), "billyprobe.wasm")
	cmd := exec.Command(goTool, "build", "-o", app, "./testdata/billyprobe")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the guest: %v\n%s", err, msg)
	}
	dir := t.TempDir()
	for i, want := range []string{"none\n", "found \"generation 1\\n\"\n", "found \"generation 2\\n\"\n"} {
		out, errOut, st := runCmd("run", "--lockdep", "--mount", "billyfs:os:"+dir+":/data:size=1m", app)
		if st != 0 || out != want || errOut != "" {
			t.Fatalf("run %d: status %d, stdout %q (want %q), stderr %q", i+1, st, out, want, errOut)
		}
	}
	for _, name := range []string{"super", "i", "f", "d", "orphan"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("the store lacks %s: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "note")); err == nil {
		t.Error("the guest's file is on the host by its name: not billyfs's layout")
	}
	_, errOut, st := runCmd("run", "--mount", "billyfs:mem:/data:size=lots", app)
	if st != 2 || !strings.Contains(errOut, "billyfs: size=lots: not a size") {
		t.Errorf("bad option: status %d, stderr %q", st, errOut)
	}
}

// TestShBillyfsPersists: vfscope sh writes back and unmounts its billyfs
// mounts at exit, so a second session on the same host directory finds
// the file.
func TestShBillyfsPersists(t *testing.T) {
	dir := t.TempDir()
	mnt := "mount -t billyfs -o store=os:" + dir + " none /mnt; "
	out, errOut, st := runCmd("sh", "-c", "mkdir /mnt; "+mnt+"echo kept > /mnt/f")
	if st != 0 || errOut != "" {
		t.Fatalf("first session: status %d, %q %q", st, out, errOut)
	}
	out, errOut, st = runCmd("sh", "-c", "mkdir /mnt; "+mnt+"cat /mnt/f")
	if st != 0 || out != "kept\n" || errOut != "" {
		t.Fatalf("second session: status %d, stdout %q, stderr %q", st, out, errOut)
	}
}
