package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// When asMainEnv is set, the test binary behaves as wasip1exec itself, so the
// tests can exec the runner (and hand it to `go test -exec`) without building
// it separately.
const asMainEnv = "WASIP1EXEC_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

const guestSrc = `package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	b, err := os.ReadFile("input.txt")
	if err != nil {
		fmt.Fprintln(os.Stderr, "read:", err)
		os.Exit(10)
	}
	fmt.Printf("input=%s\n", b)
	fmt.Printf("args=%q\n", os.Args[1:])
	fmt.Printf("env=%s\n", os.Getenv("WASIP1EXEC_TEST_VAR"))
	wd, _ := os.Getwd()
	fmt.Printf("wd=%s\n", wd)
	if err := os.WriteFile("output.txt", []byte("written by guest"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "write:", err)
		os.Exit(11)
	}
	code, _ := strconv.Atoi(os.Args[len(os.Args)-1])
	os.Exit(code)
}
`

const guestTestSrc = `package guest

import (
	"os"
	"testing"
)

func TestReadsCwd(t *testing.T) {
	if _, err := os.ReadFile("input.txt"); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("WASIP1EXEC_TEST_VAR") != "hello" {
		t.Fatal("environment not passed")
	}
}

func TestTempDir(t *testing.T) {
	if err := os.WriteFile(t.TempDir()+"/f", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}
`

// skipHeavy skips the end-to-end tests, which build wasip1 binaries and
// compile them with wazero, in -short mode and under the race detector.
func skipHeavy(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: skipping end-to-end wasip1 test")
	}
	if raceEnabled {
		t.Skip("-race: too slow; run without -race (make test does)")
	}
}

// goTool returns the go command of the toolchain running the test.
func goTool(t *testing.T) string {
	t.Helper()
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		if p, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command available")
		}
	}
	return p
}

// writeModule writes a throwaway module with the given files into a new
// temporary directory and returns it.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module guest\n\ngo 1.24\n"
	files["input.txt"] = "hello from host"
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func wasmEnv(dir string) []string {
	return append(os.Environ(),
		"GOOS=wasip1", "GOARCH=wasm", "GOWORK=off",
		"WASIP1EXEC_CACHE="+filepath.Join(dir, "wazero-cache"))
}

func TestRunProgram(t *testing.T) {
	skipHeavy(t)
	t.Parallel()
	goCmd := goTool(t)
	dir := writeModule(t, map[string]string{"main.go": guestSrc})
	wasm := filepath.Join(t.TempDir(), "guest.wasm")
	build := exec.Command(goCmd, "build", "-o", wasm, ".")
	build.Dir = dir
	build.Env = wasmEnv(t.TempDir())
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building guest: %v\n%s", err, out)
	}

	cache := t.TempDir()
	for _, tc := range []struct {
		name string
		code int
	}{{"exit0", 0}, {"exit3", 3}} {
		t.Run(tc.name, func(t *testing.T) {
			_ = os.Remove(filepath.Join(dir, "output.txt"))
			cmd := exec.Command(os.Args[0], wasm, "a b", "--flag", strings.TrimPrefix(tc.name, "exit"))
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), asMainEnv+"=1", "WASIP1EXEC_TEST_VAR=hello",
				"WASIP1EXEC_CACHE="+cache)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, &stdout, &stderr)
			}
			want := []string{
				"input=hello from host",
				`args=["a b" "--flag" "` + strings.TrimPrefix(tc.name, "exit") + `"]`,
				"env=hello",
				"wd=" + dir,
			}
			for _, w := range want {
				if !strings.Contains(stdout.String(), w+"\n") {
					t.Errorf("stdout lacks %q:\n%s\nstderr:\n%s", w, &stdout, &stderr)
				}
			}
			if b, err := os.ReadFile(filepath.Join(dir, "output.txt")); err != nil || string(b) != "written by guest" {
				t.Errorf("guest's output.txt: %q, %v", b, err)
			}
		})
	}
}

// TestGoTestExec runs `go test -exec wasip1exec` on a throwaway package, the
// way the Makefile runs the portable packages' tests.
func TestGoTestExec(t *testing.T) {
	skipHeavy(t)
	t.Parallel()
	goCmd := goTool(t)
	dir := writeModule(t, map[string]string{"guest_test.go": guestTestSrc})

	runner := filepath.Join(t.TempDir(), "runner.sh")
	script := "#!/bin/sh\n" + asMainEnv + "=1 exec '" + os.Args[0] + "' \"$@\"\n"
	if err := os.WriteFile(runner, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}

	goTest := func(extraEnv ...string) (string, error) {
		cmd := exec.Command(goCmd, "test", "-count=1", "-v", "-exec", runner, ".")
		cmd.Dir = dir
		cmd.Env = append(wasmEnv(t.TempDir()), extraEnv...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := goTest("WASIP1EXEC_TEST_VAR=hello")
	if err != nil {
		t.Fatalf("go test -exec failed: %v\n%s", err, out)
	}
	for _, w := range []string{"--- PASS: TestReadsCwd", "--- PASS: TestTempDir", "ok  \tguest"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}

	// A failing guest test must fail go test.
	out, err = goTest("WASIP1EXEC_TEST_VAR=wrong")
	if err == nil || !strings.Contains(out, "--- FAIL: TestReadsCwd") {
		t.Errorf("go test -exec should have failed (err=%v):\n%s", err, out)
	}
}

func TestTestTimeout(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want time.Duration
	}{
		{nil, 0},
		{[]string{"-test.paniconexit0", "-test.timeout=10m0s"}, 10 * time.Minute},
		{[]string{"--test.timeout", "3s", "-test.v"}, 3 * time.Second},
		{[]string{"-test.timeout=0s"}, 0},
		{[]string{"-test.timeout=bogus"}, 0},
	} {
		if got := testTimeout(tc.args); got != tc.want {
			t.Errorf("testTimeout(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}

// TestHungGuestStopped checks that a guest spinning forever, so that its own
// -test.timeout can't fire, is stopped by the runner shortly after it.
func TestHungGuestStopped(t *testing.T) {
	skipHeavy(t)
	t.Parallel()
	goCmd := goTool(t)
	dir := writeModule(t, map[string]string{"main.go": `package main

var sink int

func main() {
	for {
		sink++
	}
}
`})
	wasm := filepath.Join(t.TempDir(), "spin.wasm")
	build := exec.Command(goCmd, "build", "-o", wasm, ".")
	build.Dir = dir
	build.Env = wasmEnv(t.TempDir())
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building guest: %v\n%s", err, out)
	}
	cmd := exec.Command(os.Args[0], wasm, "-test.timeout=1s")
	cmd.Env = append(os.Environ(), asMainEnv+"=1", "WASIP1EXEC_CACHE=off", "WASIP1EXEC_TIMEOUT_GRACE=1s")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "busy-waiting") {
		t.Fatalf("want exit 2 with a busy-waiting diagnosis, got %v:\n%s", err, out)
	}
	if d := time.Since(start); d > 2*time.Second+30*time.Second {
		t.Errorf("took %v to stop", d)
	}
}
