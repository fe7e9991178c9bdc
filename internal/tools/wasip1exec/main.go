// Command wasip1exec runs a GOOS=wasip1 GOARCH=wasm program under the wazero
// runtime, so that `go test -exec` can run the wasip1 test binaries of the
// portable packages without any runtime installed on the machine:
//
//	GOOS=wasip1 GOARCH=wasm go test -exec "$(go env GOPATH)/bin/wasip1exec" ./vfs/...
//
// (the Makefile builds it into .bin/ and passes its path).
//
// Usage: wasip1exec PROGRAM.wasm [ARGS...]
//
// The host root "/" is mounted read-write at "/" in the guest, the guest's
// working directory is the host's (via PWD, which Go's wasip1 port honours),
// the whole host environment is passed through, and stdin/stdout/stderr are
// the host's. wasip1exec exits with the guest's exit code.
//
// Compiled modules are cached in $WASIP1EXEC_CACHE, or by default in
// <user cache dir>/vfscope/wazero, trimmed to 1 GiB whenever it exceeds
// 2 GiB (cache.go); set WASIP1EXEC_CACHE=off to disable.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) < 1 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, "usage: wasip1exec PROGRAM.wasm [ARGS...]")
		return 2
	}
	prog := args[0]
	bin, err := os.ReadFile(prog)
	if err != nil {
		fmt.Fprintf(os.Stderr, "wasip1exec: %v\n", err)
		return 1
	}

	ctx := context.Background()
	rtc := wazero.NewRuntimeConfig()
	// A guest goroutine that busy-waits never yields: wasm has one thread and
	// no preemption, so the test binary's own -test.timeout can't fire. Stop
	// it from outside shortly after that timeout, rather than waiting for
	// go test's kill a minute later, and say why.
	limit := testTimeout(args[1:])
	if limit > 0 {
		limit += timeoutGrace
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
		rtc = rtc.WithCloseOnContextDone(true)
	}
	if cache := cacheDir(); cache != "" {
		trimCache(cache, cacheMax, cacheKeep)
		if c, err := wazero.NewCompilationCacheWithDir(cache); err == nil {
			rtc = rtc.WithCompilationCache(c)
		} else {
			fmt.Fprintf(os.Stderr, "wasip1exec: compilation cache disabled: %v\n", err)
		}
	}
	rt := wazero.NewRuntimeWithConfig(ctx, rtc)
	defer rt.Close(ctx)

	wasi_snapshot_preview1.MustInstantiate(ctx, rt)

	mod, err := rt.CompileModule(ctx, bin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "wasip1exec: compiling %s: %v\n", prog, err)
		return 1
	}

	cfg := wazero.NewModuleConfig().
		WithArgs(append([]string{prog}, args[1:]...)...).
		WithStdin(os.Stdin).
		WithStdout(os.Stdout).
		WithStderr(os.Stderr).
		WithFSConfig(wazero.NewFSConfig().WithDirMount("/", "/")).
		WithSysWalltime().
		WithSysNanotime().
		WithSysNanosleep().
		WithRandSource(rand.Reader)
	for _, kv := range guestEnv() {
		cfg = cfg.WithEnv(kv[0], kv[1])
	}

	_, err = rt.InstantiateModule(ctx, mod, cfg)
	if err != nil {
		var exitErr *sys.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == sys.ExitCodeDeadlineExceeded {
				fmt.Fprintf(os.Stderr, "wasip1exec: %s still running %v after start (its -test.timeout plus %v): "+
					"stopped it. A goroutine busy-waiting without yielding (runtime.Gosched) "+
					"hangs on wasm, which runs one thread with no preemption.\n", prog, limit, timeoutGrace)
				return 2
			}
			return int(exitErr.ExitCode())
		}
		fmt.Fprintf(os.Stderr, "wasip1exec: running %s: %v\n", prog, err)
		return 1
	}
	return 0
}

// timeoutGrace is how long past its -test.timeout a test binary may run
// before the runner stops it (go test itself kills it after a minute more);
// $WASIP1EXEC_TIMEOUT_GRACE overrides it.
var timeoutGrace = 15 * time.Second

func init() {
	if v := os.Getenv("WASIP1EXEC_TIMEOUT_GRACE"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			timeoutGrace = d
		}
	}
}

// testTimeout returns the value of a -test.timeout flag among the guest's
// arguments, or 0.
func testTimeout(args []string) time.Duration {
	var d time.Duration
	for i, a := range args {
		if a == "--" || !strings.HasPrefix(a, "-") {
			continue
		}
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		var v string
		switch {
		case strings.HasPrefix(a, "test.timeout="):
			v = strings.TrimPrefix(a, "test.timeout=")
		case a == "test.timeout" && i+1 < len(args):
			v = args[i+1]
		default:
			continue
		}
		if p, err := time.ParseDuration(v); err == nil {
			d = p
		}
	}
	return d
}

// guestEnv is the host environment with PWD set to the host's working
// directory, which Go's wasip1 runtime uses as its initial working directory.
func guestEnv() [][2]string {
	wd, wdErr := os.Getwd()
	var env [][2]string
	for _, kv := range os.Environ() {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || (k == "PWD" && wdErr == nil) {
			continue
		}
		env = append(env, [2]string{k, v})
	}
	if wdErr == nil {
		env = append(env, [2]string{"PWD", wd})
	}
	return env
}

func cacheDir() string {
	if d, ok := os.LookupEnv("WASIP1EXEC_CACHE"); ok {
		if d == "off" || d == "" {
			return ""
		}
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "vfscope", "wazero")
}
