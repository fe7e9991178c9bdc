package shell_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vfscope/vfscope/host/shell"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

var update = flag.Bool("update", false, "rewrite testdata/*.txt with the actual output")

// epoch is the fixed time of the test VFS's clock; ls -l compares dates
// with a minute later.
var epoch = time.Date(2026, 11, 21, 6, 18, 31, 123456789, time.UTC)

// newShell boots a VFS with a frozen clock and the lock validator on,
// and returns a shell writing stdout and stderr to one buffer, as a
// terminal shows them.
func newShell(t *testing.T, stdin string) (*shell.Shell, *vfs.VFS, *bytes.Buffer) {
	t.Helper()
	v, task, err := boot.New(vfs.Options{Lockdep: true, Clock: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sh := shell.New(task, strings.NewReader(stdin), &out, &out)
	sh.Now = func() time.Time { return epoch.Add(time.Minute) }
	t.Cleanup(func() { checkVFS(t, v) })
	return sh, v, &out
}

// scriptCase is a script and everything it must print (stdout and
// stderr together), as the reference shell and coreutils print it.
type scriptCase struct{ name, script, want string }

// runScriptCases runs each case in a fresh shell (newShell), after the
// setup line, and compares what the script printed.
func runScriptCases(t *testing.T, setup string, cases []scriptCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sh, _, out := newShell(t, "")
			sh.RunString(setup)
			sh.RunString(tc.script)
			if got := out.String(); got != tc.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.script, got, tc.want)
			}
		})
	}
}

// checkVFS fails the test if the lock validator or the locking tables
// saw a violation.
func checkVFS(t *testing.T, v *vfs.VFS) {
	t.Helper()
	if val := v.Validator(); val != nil {
		if r := val.Reports(); len(r) > 0 {
			t.Errorf("lock validator reports: %v", r)
		}
	}
	if r := v.LockingViolations(); len(r) > 0 {
		t.Errorf("locking violations: %v", r)
	}
}

// A transcript (testdata/*.txt) is a session: "$ command" lines (with
// "> " continuation lines), each followed by what the shell printed on
// stdout and stderr (then a line "\ No newline at end of output" if it
// did not end with one), and "[N]" when the status is not 0. Lines starting
// with '#' are comments. All commands of a file share one shell.
// Regenerate with: go test ./host/shell -run Transcript -update
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatal("no transcripts", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := runTranscript(t, string(data))
			if *update {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != string(data) {
				t.Errorf("transcript differs (-want +got):\n%s", diff(string(data), got))
			}
		})
	}
}

// noNewline marks output that did not end with a newline, as diff marks
// such a file.
const noNewline = `\ No newline at end of output`

// runTranscript replays the commands of a transcript and returns the
// transcript with the actual outputs.
func runTranscript(t *testing.T, src string) string {
	sh, _, out := newShell(t, "")
	var b strings.Builder
	lines := strings.Split(strings.TrimSuffix(src, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "#") {
			b.WriteString(l + "\n")
			continue
		}
		if !strings.HasPrefix(l, "$ ") {
			continue // an expected output line: replaced by the actual one
		}
		cmd := l[2:]
		b.WriteString(l + "\n")
		for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "> ") {
			i++
			cmd += "\n" + lines[i][2:]
			b.WriteString(lines[i] + "\n")
		}
		out.Reset()
		status := sh.RunString(cmd)
		b.WriteString(out.String())
		if out.Len() > 0 && !strings.HasSuffix(out.String(), "\n") {
			b.WriteString("\n" + noNewline + "\n")
		}
		if status != 0 {
			b.WriteString("[" + strconv.Itoa(status) + "]\n")
		}
		if sh.Exited() {
			break
		}
	}
	return b.String()
}

// diff shows where two transcripts first part, with some context.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	from := max(i-3, 0)
	show := func(ls []string) string {
		return strings.Join(ls[from:min(i+8, len(ls))], "\n")
	}
	return "first difference at line " + strconv.Itoa(i+1) + "\n--- want:\n" + show(w) + "\n--- got:\n" + show(g)
}
