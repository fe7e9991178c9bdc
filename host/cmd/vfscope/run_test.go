package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	vtrace "github.com/vfscope/vfscope/vfs/trace"
)

var (
	probeOnce sync.Once
	probePath string
	probeErr  error
	probeDir  string
)

// fsprobe builds host/wasihost/testdata/fsprobe for GOOS=wasip1 (skipped
// without a go tool) and returns the path of the module.
func fsprobe(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build the wasip1 guest")
	}
	probeOnce.Do(func() {
		probeDir, probeErr = os.MkdirTemp("", "vfscope-run")
		if probeErr != nil {
			return
		}
		probePath = filepath.Join(probeDir, "fsprobe.wasm")
		cmd := exec.Command(goTool, "build", "-o", probePath, "../../wasihost/testdata/fsprobe")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if out, err := cmd.CombinedOutput(); err != nil {
			probeErr = err
			t.Logf("%s", out)
		}
	})
	if probeErr != nil {
		t.Fatalf("building the guest: %v", probeErr)
	}
	return probePath
}

// signalStepDelayEnv makes the child vfscope sleep between the steps
// of catchShellSignals (shellSignalStep).
const signalStepDelayEnv = "VFSCOPE_TEST_SIGNAL_STEP_DELAY"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if os.Getenv(signalStepDelayEnv) != "" {
			shellSignalStep = func() { time.Sleep(200 * time.Millisecond) }
			writeBackStart = func(v *vfs.VFS) {
				time.Sleep(400 * time.Millisecond) // past shellSignalStep's sleep
				if v.Interrupted() {
					fmt.Fprintln(os.Stderr, "vfscope: test: the write-back starts interrupted")
				}
			}
		}
		main() // a child of runChild: vfscope itself
	}
	code := m.Run()
	if probeDir != "" {
		os.RemoveAll(probeDir)
	}
	os.Exit(code)
}

const probeOut = `args ["9"]
env FOO=bar
read "hello vfscope\n"
old name gone: true
readlink b.txt
stat size=19 mode=-rw------- lstat mode=L---------
ino nonzero: true nlink=1
hard nlink=2
readdir 33 entries, first b.txt last link
rmdir non-empty: ENOTEMPTY=true
rename across mounts: EXDEV=true
link across mounts: EXDEV=true
after truncate "hel"
removed: true
escape: true
proc/mounts has tmpfs: true
`

func runCmd(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	st := run(&env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}, args)
	return out.String(), errb.String(), st
}

func TestRunGuest(t *testing.T) {
	app := fsprobe(t)
	trace := filepath.Join(t.TempDir(), "trace.jsonl")
	out, errs, st := runCmd("run", "--mount", "tmpfs:none:/mnt:noatime,size=1M", "--env", "FOO=bar",
		"--mem=64M", "--lockdep", "--trace", trace, "--stats", app, "9")
	if st != 9 {
		t.Errorf("exit status %d, want the guest's 9; stderr:\n%s", st, errs)
	}
	if out != probeOut {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, probeOut)
	}
	// --stats: /proc/meminfo with MemTotal the --mem budget.
	if !strings.Contains(errs, "==> /proc/meminfo <==\nMemTotal:          65536 kB\n") {
		t.Errorf("no MemTotal of 64M in stderr:\n%s", errs)
	}
	if !strings.HasPrefix(errs, "to stderr\n") || !strings.Contains(errs, "==> /proc/sys/fs/dentry-state <==\n") ||
		!strings.Contains(errs, "==> /proc/sys/fs/inode-nr <==\n") {
		t.Errorf("stderr:\n%s", errs)
	}
	checkTraceFile(t, trace)
}

// checkTraceFile checks a --trace file: the schema line, then events
// that decode, numbered in order, with the guest's system calls
// bracketing their object events, and no validator report.
func checkTraceFile(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := vtrace.NewReader(f)
	if err != nil {
		t.Fatalf("trace file: %v", err)
	}
	kinds := map[vtrace.Kind]int{}
	var last uint64
	depth := map[int32]int{}
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("trace file: %v", err)
		}
		if e.Seq <= last {
			t.Errorf("event %d after %d", e.Seq, last)
		}
		last = e.Seq
		kinds[e.Kind]++
		switch e.Kind {
		case vtrace.SyscallEnter:
			depth[e.Task]++
		case vtrace.SyscallExit:
			depth[e.Task]--
		case vtrace.Report:
			t.Errorf("validator report in the trace: %s", e.Report.Text)
		}
	}
	for _, k := range []vtrace.Kind{vtrace.SyscallEnter, vtrace.SyscallExit, vtrace.MethodEnter, vtrace.DentryAlloc, vtrace.InodeAlloc} {
		if kinds[k] == 0 {
			t.Errorf("no %s event in the trace (%v)", k, kinds)
		}
	}
	if kinds[vtrace.SyscallEnter] != kinds[vtrace.SyscallExit] {
		t.Errorf("%d sys.enter, %d sys.exit", kinds[vtrace.SyscallEnter], kinds[vtrace.SyscallExit])
	}
}

// TestRunSysFS runs the same guest through wazero's WASI and host.SysFS:
// the same results, except the errnos wazero cannot express (EXDEV
// reaches the guest as EIO there).
func TestRunSysFS(t *testing.T) {
	app := fsprobe(t)
	out, errs, st := runCmd("run", "--sysfs", "--mount", "tmpfs:none:/mnt", "--env", "FOO=bar", app, "9")
	if st != 9 {
		t.Errorf("exit status %d, want 9; stderr:\n%s", st, errs)
	}
	want := strings.ReplaceAll(probeOut, "mounts: EXDEV=true", "mounts: EXDEV=false")
	if out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.wasm")
	os.WriteFile(junk, []byte("not wasm"), 0o644)
	for _, c := range []struct {
		name    string
		args    []string
		wantErr string
		status  int
	}{
		{"no app", []string{"run"}, "vfscope run: missing APP.wasm (try 'vfscope run -h')\n", 2},
		{"unknown flag", []string{"run", "--frob", "x.wasm"}, "vfscope run: unknown flag --frob (try 'vfscope run -h')\n", 2},
		{"flag without value", []string{"run", "--env"}, "vfscope run: --env requires an argument\n", 2},
		{"bad env", []string{"run", "--env", "NOEQUALS", "x.wasm"}, "vfscope run: --env NOEQUALS: want KEY=VALUE\n", 2},
		{"bad mem", []string{"run", "--mem", "lots", "x.wasm"}, "vfscope run: --mem lots: want a size such as 67108864, 64M or 1G\n", 2},
		{"mem too small", []string{"run", "--mem", "4K", "x.wasm"}, "vfscope run: --mem 4K: below the smallest budget, 128K\n", 2},
		{"value on a switch", []string{"run", "--stats=yes", "x.wasm"}, "vfscope run: --stats takes no argument\n", 2},
		{"bad mount", []string{"run", "--mount", "tmpfs:/x", "x.wasm"}, "vfscope run: --mount tmpfs:/x: want TYPE:SRC:DST[:OPTS]\n", 2},
		{"relative mount point", []string{"run", "--mount", "tmpfs::mnt", "x.wasm"}, "vfscope run: --mount tmpfs::mnt: DST must be an absolute path in the VFS\n", 2},
		{"host mount without SRC", []string{"run", "--mount", "host::/data:ro", "x.wasm"},
			"vfscope run: --mount host::/data:ro: host mounts need SRC, a host directory\n", 2},
		{"host mount of a missing directory", []string{"run", "--mount", "host:" + dir + "/none:/data:ro", junk},
			"vfscope run: --mount host:" + dir + "/none:/data:ro: No such file or directory\n", 2},
		{"host mount of a file", []string{"run", "--mount", "host:" + junk + ":/data", junk},
			"vfscope run: --mount host:" + junk + ":/data: Not a directory\n", 2},
		{"unknown filesystem", []string{"run", "--mount", "ext9::/x", junk}, "vfscope run: --mount ext9::/x: No such device\n", 2},
		{"mount on a file", []string{"run", "--mount", "tmpfs::/proc/mounts/x", junk}, "vfscope run: --mount tmpfs::/proc/mounts/x: /proc/mounts/x: Not a directory\n", 2},
		{"missing app", []string{"run", filepath.Join(dir, "none.wasm")}, "vfscope run: " + filepath.Join(dir, "none.wasm") + ": no such file or directory\n", 127},
		{"not wasm", []string{"run", junk}, "vfscope run: " + junk + ": ", 126},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, errs, st := runCmd(c.args...)
			if st != c.status || !strings.HasPrefix(errs, c.wantErr) {
				t.Errorf("status %d, stderr %q; want %d, %q", st, errs, c.status, c.wantErr)
			}
			if strings.Count(errs, "\n") != 1 {
				t.Errorf("stderr is not one line: %q", errs)
			}
		})
	}
	out, _, st := runCmd("run", "-h")
	if st != 0 || !strings.Contains(out, "Usage: vfscope run") || !strings.Contains(out, "host:SRC:DST:ro") {
		t.Errorf("run -h: %d %q", st, out)
	}
	out, _, _ = runCmd("help")
	if !strings.Contains(out, "vfscope run ") {
		t.Errorf("help lacks run:\n%s", out)
	}
}
