package wasihost

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/vfscope/vfscope/host/wasi"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

var (
	buildOnce sync.Once
	guestWasm []byte
	buildErr  error
)

// fsprobe builds testdata/fsprobe for GOOS=wasip1 once per test binary;
// the test is skipped without a go tool.
func fsprobe(t *testing.T) []byte {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build the wasip1 guest")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fsprobe")
		if err != nil {
			buildErr = err
			return
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, "fsprobe.wasm")
		cmd := exec.Command(goTool, "build", "-o", out, "./testdata/fsprobe")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if msg, err := cmd.CombinedOutput(); err != nil {
			buildErr = err
			t.Logf("%s", msg)
			return
		}
		guestWasm, buildErr = os.ReadFile(out)
	})
	if buildErr != nil {
		t.Fatalf("building the guest: %v", buildErr)
	}
	return guestWasm
}

func TestRunFsprobe(t *testing.T) {
	wasm := fsprobe(t)
	ctx := context.Background()
	v, task, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	// A second tmpfs, for the EXDEV steps.
	if err := task.Mkdir("/mnt", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := task.Mount("tmpfs", "/mnt", "tmpfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	var stdout, stderr bytes.Buffer
	code, err := Run(ctx, r, wasm, wasi.Config{
		Task:   task,
		Args:   []string{"fsprobe", "7"},
		Env:    []string{"FOO=bar"},
		Stdout: &stdout,
		Stderr: &stderr,
	})
	if err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	// WASI's filestat has no permission bits: Go's port shows every
	// regular file as 0600.
	want := `args ["7"]
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
	if got := stdout.String(); got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
	if got := stderr.String(); got != "to stderr\n" {
		t.Errorf("stderr = %q", got)
	}
	if code != 7 {
		t.Errorf("exit code = %d, want 7", code)
	}
	// The guest's task exited: its files are closed.
	if reps := v.Validator().Reports(); len(reps) > 0 {
		t.Errorf("lock validator: %v", reps)
	}
	// What the guest left behind is visible to the host task.
	var st vfs.Stat
	if err := task.Stat("/tmp/d", &st); err != vfs.ENOENT {
		t.Errorf("stat /tmp/d after the guest: %v", err)
	}
}
