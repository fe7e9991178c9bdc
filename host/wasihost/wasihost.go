// Package wasihost registers vfscope's own WASI preview1 ABI (package
// host/wasi) as the "wasi_snapshot_preview1" host module of a wazero
// runtime, and runs guests with it.
//
// Instantiate registers the host module under its name, so a runtime
// has one: run concurrent guests that way on separate runtimes. Run
// gives each guest an anonymous host module of its own instead (wazero's
// experimental import resolver links the guest to it), so concurrent
// Runs may share a runtime.
//
// Every function of wasi.Funcs is exported with its preview1 signature;
// wazero's api.Memory is the ABI's guest memory (read straight into by
// fd_read, as a wasi.ViewMemory). proc_exit closes the guest with its
// exit code, as wazero's own WASI does.
package wasihost

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/sys"

	"github.com/vfscope/vfscope/host/wasi"
)

// ModuleName is the import module of WASI preview1.
const ModuleName = "wasi_snapshot_preview1"

// Host is the instantiated host module and the ABI behind it.
type Host struct {
	ABI *wasi.ABI
	mod api.Module
	// compiled is the host module's own compiled module when it is
	// anonymous (Run's), closed with it.
	compiled wazero.CompiledModule

	// lastMod and mem cache the adapter of the calling module's memory,
	// so a call allocates nothing for it.
	lastMod api.Module
	mem     wasi.Memory
}

// viewMemory makes wazero's memory a wasi.ViewMemory: its Read already
// returns a slice aliasing the guest's memory.
type viewMemory struct{ api.Memory }

func (m viewMemory) View(off, n uint32) ([]byte, bool) { return m.Memory.Read(off, n) }

func (h *Host) memory(mod api.Module) wasi.Memory {
	if mod != h.lastMod {
		h.lastMod = mod
		h.mem = viewMemory{mod.Memory()}
	}
	return h.mem
}

// CompileError is a module wazero could not compile (not a valid
// WebAssembly module, or one using features the runtime lacks): what
// execve(2) refuses with ENOEXEC, where a shell reports 126.
type CompileError struct{ Err error }

func (e *CompileError) Error() string { return e.Err.Error() }
func (e *CompileError) Unwrap() error { return e.Err }

// NotCommandError is a valid module that is not a WASI preview1 command
// the host can run: it exports no function "_start" of type () -> ()
// (a reactor, which exports "_initialize" for its embedder to call, or
// a library), or it imports a function or memory the host does not
// provide, or a preview1 function with another type than the host's.
// execve(2) refuses such a file with ENOEXEC, where a shell reports
// 126. Why names what is missing.
type NotCommandError struct{ Why string }

func (e *NotCommandError) Error() string { return "not a WASI preview1 command: " + e.Why }

// FuncType is a function's parameter and result types.
type FuncType struct{ Params, Results []api.ValueType }

func (t FuncType) String() string {
	names := func(ts []api.ValueType) string {
		s := make([]string, len(ts))
		for i, v := range ts {
			s[i] = api.ValueTypeName(v)
		}
		return "(" + strings.Join(s, ", ") + ")"
	}
	return names(t.Params) + " -> " + names(t.Results)
}

func (t FuncType) equal(u FuncType) bool {
	return slices.Equal(t.Params, u.Params) && slices.Equal(t.Results, u.Results)
}

// typeOf is f's type.
func typeOf(f api.FunctionDefinition) FuncType {
	return FuncType{f.ParamTypes(), f.ResultTypes()}
}

// abiType is the wazero type of f, a preview1 function of the ABI.
func abiType(f *wasi.Func) FuncType {
	var t FuncType
	for _, p := range f.Params {
		v := api.ValueTypeI32
		if p == wasi.I64 {
			v = api.ValueTypeI64
		}
		t.Params = append(t.Params, v)
	}
	if !f.NoReturn {
		t.Results = []api.ValueType{api.ValueTypeI32}
	}
	return t
}

// ABIFuncs are the functions the ABI's host module exports, by name.
var ABIFuncs = sync.OnceValue(func() map[string]FuncType {
	m := make(map[string]FuncType, len(wasi.Funcs))
	for i := range wasi.Funcs {
		m[wasi.Funcs[i].Name] = abiType(&wasi.Funcs[i])
	}
	return m
})

// ModuleFuncs are the functions mod exports, by name: those of another
// "wasi_snapshot_preview1" (wazero's own), for CheckCommand.
func ModuleFuncs(mod api.Module) map[string]FuncType {
	defs := mod.ExportedFunctionDefinitions()
	m := make(map[string]FuncType, len(defs))
	for name, d := range defs {
		m[name] = typeOf(d)
	}
	return m
}

// CheckCommand returns a *NotCommandError unless compiled is a preview1
// command that host, the functions the module "wasi_snapshot_preview1"
// exports, can link and start: it exports "_start" of type () -> (),
// each function it imports is one of host's with the same type, and it
// imports no memory (no host module provides one). wazero itself would
// skip a missing _start (ModuleConfig's start functions are those the
// module exports) and report an import it cannot link only as it
// instantiates, a failure like a trap's.
func CheckCommand(compiled wazero.CompiledModule, host map[string]FuncType) error {
	for _, f := range compiled.ImportedFunctions() {
		mod, name, _ := f.Import()
		h, ok := host[name]
		switch {
		case mod != ModuleName || !ok:
			return &NotCommandError{fmt.Sprintf("it imports function %s.%s, which the host does not provide", mod, name)}
		case !typeOf(f).equal(h):
			return &NotCommandError{fmt.Sprintf("it imports function %s.%s as %s, the host's is %s", mod, name, typeOf(f), h)}
		}
	}
	for _, m := range compiled.ImportedMemories() {
		mod, name, _ := m.Import()
		return &NotCommandError{fmt.Sprintf("it imports memory %s.%s, which the host does not provide", mod, name)}
	}
	start, ok := compiled.ExportedFunctions()["_start"]
	switch {
	case !ok:
		why := "it exports no function _start"
		if _, ok := compiled.ExportedFunctions()["_initialize"]; ok {
			why += " (it exports _initialize: a reactor, for an embedder to call)"
		}
		return &NotCommandError{why}
	case len(start.ParamTypes()) != 0 || len(start.ResultTypes()) != 0:
		return &NotCommandError{"its _start is " + typeOf(start).String() + ", not () -> ()"}
	}
	return nil
}

// ErrNoMemory is Run's error for a guest that imports functions of
// preview1 taking pointers but exports no memory for them to point into
// (preview1 wants a command to export its "memory"): the ABI would find
// none at the first call.
var ErrNoMemory = errors.New("the module exports no memory")

// noMemoryFuncs are the preview1 functions that take no pointer: a guest
// importing only these may have no memory.
var noMemoryFuncs = map[string]bool{"proc_exit": true, "proc_raise": true, "sched_yield": true}

// Instantiate creates the guest's ABI from cfg (a fork of cfg.Task,
// chrooted to cfg.Root, with the preopens open) and registers it in r as
// "wasi_snapshot_preview1", for one guest the caller instantiates. It is
// one host module per runtime (a second Instantiate on r fails while the
// first is open): run concurrent guests on separate runtimes, or with
// Run. Close the Host when the guest is done.
func Instantiate(ctx context.Context, r wazero.Runtime, cfg wasi.Config) (*Host, error) {
	return instantiate(ctx, r, cfg, ModuleName)
}

// instantiate is Instantiate with the host module named name: "" makes
// it anonymous, linked to its guest by resolve.
func instantiate(ctx context.Context, r wazero.Runtime, cfg wasi.Config, name string) (*Host, error) {
	a, err := wasi.New(cfg)
	if err != nil {
		return nil, err
	}
	h := &Host{ABI: a}
	b := r.NewHostModuleBuilder(ModuleName)
	for i := range wasi.Funcs {
		f := &wasi.Funcs[i]
		typ := abiType(f)
		var fn api.GoModuleFunc
		if f.NoReturn {
			fn = func(ctx context.Context, mod api.Module, stack []uint64) {
				h.exit(ctx, mod, f, stack)
			}
		} else {
			call := f.Call
			fn = func(ctx context.Context, mod api.Module, stack []uint64) {
				stack[0] = uint64(call(ctx, a, h.memory(mod), stack))
			}
		}
		b.NewFunctionBuilder().WithGoModuleFunction(fn, typ.Params, typ.Results).Export(f.Name)
	}
	if name != "" {
		h.mod, err = b.Instantiate(ctx)
	} else if h.compiled, err = b.Compile(ctx); err == nil {
		// Not b.Instantiate: it registers the module under its name,
		// and wraps it in a type the import resolver cannot link.
		h.mod, err = r.InstantiateModule(ctx, h.compiled, wazero.NewModuleConfig().WithName(""))
		if err != nil {
			h.compiled.Close(ctx)
		}
	}
	if err != nil {
		a.Close()
		return nil, err
	}
	return h, nil
}

// resolve is the import resolver of the guest of an anonymous host
// module: preview1 is this host module.
func (h *Host) resolve(name string) api.Module {
	if name == ModuleName {
		return h.mod
	}
	return nil
}

// exit runs proc_exit: the ABI panics with *wasi.ExitError; the guest is
// closed with that code and unwound with wazero's sys.ExitError.
func (h *Host) exit(ctx context.Context, mod api.Module, f *wasi.Func, stack []uint64) {
	defer func() {
		r := recover()
		if e, ok := r.(*wasi.ExitError); ok {
			_ = mod.CloseWithExitCode(ctx, e.Code)
			panic(sys.NewExitError(e.Code))
		}
		if r != nil {
			panic(r)
		}
	}()
	f.Call(ctx, h.ABI, h.memory(mod), stack)
}

// Close closes the host module and releases the guest's task and
// descriptors.
func (h *Host) Close(ctx context.Context) error {
	err := h.mod.Close(ctx)
	if h.compiled != nil {
		h.compiled.Close(ctx)
	}
	h.ABI.Close()
	return err
}

// Run compiles and runs a WASI command (its _start) on a fresh ABI from
// cfg, and returns its exit code: the code it gave proc_exit, 0 if _start
// returned. err is set when the guest could not run or trapped (then the
// code is 1, as a crashed process): a *CompileError if wazero could not
// compile wasm, a *NotCommandError if it is not a command the ABI can
// link and start (see CheckCommand), ErrNoMemory if the guest exports no
// memory for the ABI.
//
// The guest and its host module are anonymous in r (see the package
// doc), so concurrent Runs may share r, and the guest's name (argv[0])
// is free.
//
// Whether ctx can stop a running guest is the caller's choice: only a
// runtime configured WithCloseOnContextDone checks it while the guest
// computes; otherwise only the ABI's waits (poll_oneoff's sleeps) end
// with it, in EINTR. If ctx is done when the guest ends, the code is 1
// and err wraps ctx's error, whether the runtime stopped the guest or
// it exited by itself after those EINTRs (err then gives its status).
func Run(ctx context.Context, r wazero.Runtime, wasm []byte, cfg wasi.Config) (uint32, error) {
	compiled, err := r.CompileModule(ctx, wasm)
	if err != nil {
		return 1, &CompileError{Err: err}
	}
	defer compiled.Close(ctx)
	if err := CheckCommand(compiled, ABIFuncs()); err != nil {
		return 1, err
	}
	if len(compiled.ExportedMemories()) == 0 {
		for _, f := range compiled.ImportedFunctions() {
			if m, n, _ := f.Import(); m == ModuleName && !noMemoryFuncs[n] {
				return 1, ErrNoMemory
			}
		}
	}
	h, err := instantiate(ctx, r, cfg, "")
	if err != nil {
		return 1, err
	}
	defer h.Close(ctx)
	ctx = experimental.WithImportResolver(ctx, h.resolve)
	mod, err := r.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName(""))
	if err == nil {
		err = mod.Close(ctx)
	}
	return exitStatus(ctx, err)
}

// exitStatus is Run's result for the guest's end with err: nil when
// _start returned, a *sys.ExitError when it called proc_exit or the
// runtime stopped it for ctx, else a trap.
func exitStatus(ctx context.Context, err error) (uint32, error) {
	code := uint32(0)
	if err != nil {
		var ee *sys.ExitError
		if !errors.As(err, &ee) {
			return 1, err
		}
		code = ee.ExitCode()
	}
	switch {
	case ctx.Err() == nil:
		return code, nil
	case code == sys.ExitCodeContextCanceled || code == sys.ExitCodeDeadlineExceeded:
		return 1, fmt.Errorf("stopped: %w", ctx.Err())
	}
	return 1, fmt.Errorf("exited with status %d after %w", code, ctx.Err())
}
