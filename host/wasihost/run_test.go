package wasihost

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"

	"github.com/vfscope/vfscope/host/wasi"
	"github.com/vfscope/vfscope/host/wasihost/wasmtest"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

func bootTask(t *testing.T) *vfs.Task {
	t.Helper()
	_, task, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// TestRunEnds: how Run reports each way a guest ends. A compile failure
// is a *CompileError and nothing else is; a valid module that is not a
// command the ABI can link and start is a *NotCommandError naming what
// is missing, before any of it runs; traps are code 1; a guest's own
// exit code is its, even the codes wazero uses for a done ctx.
func TestRunEnds(t *testing.T) {
	tests := []struct {
		name    string
		wasm    []byte
		args    []string
		code    uint32
		err     bool
		compile bool
		noMem   bool
		notCmd  string // what the *NotCommandError says; "" for none
		stdout  string
	}{
		{name: "junk", wasm: wasmtest.Junk(), code: 1, err: true, compile: true},
		{name: "truncated", wasm: wasmtest.Exit(3)[:20], code: 1, err: true, compile: true},
		{name: "unreachable", wasm: wasmtest.Unreachable(), code: 1, err: true},
		{name: "NaN to i32", wasm: wasmtest.NaNTrunc(), code: 1, err: true},
		{name: "exit 3", wasm: wasmtest.Exit(3), code: 3},
		{name: "exit 256", wasm: wasmtest.Exit(256), code: 256},
		{name: "exit 0xefffffff", wasm: wasmtest.Exit(0xefffffff), code: 0xefffffff},
		{name: "exit 0xffffffff", wasm: wasmtest.Exit(0xffffffff), code: 0xffffffff},
		{name: "no memory", wasm: wasmtest.NoMemory(), code: 1, err: true, noMem: true},
		{name: "no memory, proc_exit only", wasm: wasmtest.ExitNoMemory(4), code: 4},
		{name: "hello", wasm: wasmtest.Hello("hi\n"), code: 0, stdout: "hi\n"},
		{name: "reactor", wasm: wasmtest.Reactor(), code: 1, err: true,
			notCmd: "not a WASI preview1 command: it exports no function _start (it exports _initialize: a reactor, for an embedder to call)"},
		{name: "import of env", wasm: wasmtest.Importing("env", "f"), code: 1, err: true,
			notCmd: "not a WASI preview1 command: it imports function env.f, which the host does not provide"},
		{name: "import of an unknown preview1 function", wasm: wasmtest.Importing(ModuleName, "fd_frobnicate"), code: 1, err: true,
			notCmd: "not a WASI preview1 command: it imports function wasi_snapshot_preview1.fd_frobnicate, which the host does not provide"},
		{name: "import of sched_yield as () -> ()", wasm: wasmtest.Importing(ModuleName, "sched_yield"), code: 1, err: true,
			notCmd: "not a WASI preview1 command: it imports function wasi_snapshot_preview1.sched_yield as () -> (), the host's is () -> (i32)"},
		// The guest's name is not a module name of the runtime.
		{name: "named wasi_snapshot_preview1", wasm: wasmtest.Hello("hi\n"), args: []string{ModuleName}, stdout: "hi\n"},
		{name: "named invalid section", wasm: wasmtest.Unreachable(), args: []string{"/invalid/section/magic.wasm"}, code: 1, err: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			r := wazero.NewRuntime(ctx)
			defer r.Close(ctx)
			var stdout bytes.Buffer
			code, err := Run(ctx, r, tc.wasm, wasi.Config{Task: bootTask(t), Args: tc.args, Stdout: &stdout})
			var ce *CompileError
			if code != tc.code || (err != nil) != tc.err || errors.As(err, &ce) != tc.compile || errors.Is(err, ErrNoMemory) != tc.noMem {
				t.Errorf("Run = %#x, %v; want %#x, error %v, compile error %v, no memory %v", code, err, tc.code, tc.err, tc.compile, tc.noMem)
			}
			var nc *NotCommandError
			if errors.As(err, &nc) != (tc.notCmd != "") || nc != nil && nc.Error() != tc.notCmd {
				t.Errorf("Run's error %v, want a *NotCommandError %q", err, tc.notCmd)
			}
			if stdout.String() != tc.stdout {
				t.Errorf("stdout %q, want %q", stdout.String(), tc.stdout)
			}
		})
	}
}

// TestRunContextDone: a ctx that ends before the guest does is Run's
// error, wrapping ctx's, with code 1: the runtime stopped the guest when
// it closes on ctx done; otherwise poll_oneoff's sleep ended in EINTR
// and the guest exited by itself.
func TestRunContextDone(t *testing.T) {
	tests := []struct {
		name  string
		close bool // WithCloseOnContextDone
		wasm  []byte
		code  uint32
	}{
		{"spinning, closed on ctx done", true, wasmtest.Loop(), 1},
		{"sleeping, closed on ctx done", true, wasmtest.WriteThenSleep("f", "x", 3600), 1},
		{"sleeping, EINTR", false, wasmtest.WriteThenSleep("f", "x", 3600), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCloseOnContextDone(tc.close))
			defer r.Close(context.Background())
			code, err := Run(ctx, r, tc.wasm, wasi.Config{Task: bootTask(t), Stdout: &bytes.Buffer{}})
			if code != tc.code || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Run = %#x, %v; want %#x, %v", code, err, tc.code, context.DeadlineExceeded)
			}
		})
	}
}

// TestRunConcurrent: guests run at once on one runtime, each with its
// own host module and ABI.
func TestRunConcurrent(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCloseOnContextDone(true))
	defer r.Close(context.Background())
	task := bootTask(t)
	spinning := make(chan error, 1)
	go func() {
		_, err := Run(ctx, r, wasmtest.Loop(), wasi.Config{Task: task, Args: []string{"loop"}})
		spinning <- err
	}()
	// The loop is running (or about to): the second guest does not wait
	// for it, nor find the name wasi_snapshot_preview1 taken.
	time.Sleep(50 * time.Millisecond)
	for i := range 2 {
		var stdout bytes.Buffer
		code, err := Run(context.Background(), r, wasmtest.Hello("hi\n"), wasi.Config{Task: task, Args: []string{"loop"}, Stdout: &stdout})
		if code != 0 || err != nil || stdout.String() != "hi\n" {
			t.Errorf("guest %d beside a running one: %d, %v, stdout %q", i, code, err, stdout.String())
		}
	}
	cancel()
	if err := <-spinning; !errors.Is(err, context.Canceled) {
		t.Errorf("the spinning guest: %v, want %v", err, context.Canceled)
	}
}

// TestRunMemoryLimit: on a runtime WithMemoryLimitPages(limit), a guest
// whose memory starts above the limit is a *CompileError naming the
// limit, before any of it runs, and one growing its memory past the
// limit sees memory.grow return -1 (the code 0xffffffff it exits with),
// while growing up to the limit succeeds (the old size, 1).
func TestRunMemoryLimit(t *testing.T) {
	tests := []struct {
		name  string
		limit uint32 // pages; 0 is wazero's default, 65536
		wasm  []byte
		code  uint32
		err   string // what the *CompileError says; "" for none
	}{
		{"2 pages, limit 2", 2, wasmtest.ExitPages(0, 2), 0, ""},
		{"3 pages, limit 2", 2, wasmtest.ExitPages(0, 3), 1, "min 3 pages (192 Ki) over limit of 2 pages (128 Ki)"},
		{"3 pages, no limit", 0, wasmtest.ExitPages(0, 3), 0, ""},
		{"grow to the limit", 2, wasmtest.Grow(1), 1, ""},
		{"grow past the limit", 2, wasmtest.Grow(2), 0xffffffff, ""},
		{"grow past 1 page, no limit", 0, wasmtest.Grow(2), 1, ""},
		{"grow past the default limit", 0, wasmtest.Grow(65536), 0xffffffff, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			rc := wazero.NewRuntimeConfig()
			if tc.limit != 0 {
				rc = rc.WithMemoryLimitPages(tc.limit)
			}
			r := wazero.NewRuntimeWithConfig(ctx, rc)
			defer r.Close(ctx)
			code, err := Run(ctx, r, tc.wasm, wasi.Config{Task: bootTask(t)})
			var ce *CompileError
			if code != tc.code || errors.As(err, &ce) != (tc.err != "") || err != nil && ce == nil {
				t.Fatalf("Run = %#x, %v; want %#x, compile error %q", code, err, tc.code, tc.err)
			}
			if ce != nil && !strings.Contains(ce.Error(), tc.err) {
				t.Errorf("Run's error %q, want it to say %q", ce, tc.err)
			}
		})
	}
}
