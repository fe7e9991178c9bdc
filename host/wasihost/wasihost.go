// Package wasihost registers vfscope's own WASI preview1 ABI (package
// host/wasi) as the "wasi_snapshot_preview1" host module of a wazero
// runtime, and runs guests with it.
//
// Every function of wasi.Funcs is exported with its preview1 signature;
// wazero's api.Memory is the ABI's guest memory (read straight into by
// fd_read, as a wasi.ViewMemory). proc_exit closes the guest with its
// exit code, as wazero's own WASI does.
package wasihost

import (
	"context"
	"errors"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"

	"github.com/vfscope/vfscope/host/wasi"
)

// ModuleName is the import module of WASI preview1.
const ModuleName = "wasi_snapshot_preview1"

// Host is the instantiated host module and the ABI behind it.
type Host struct {
	ABI *wasi.ABI
	mod api.Module

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

// Instantiate creates the guest's ABI from cfg (a fork of cfg.Task,
// chrooted to cfg.Root, with the preopens open) and registers it in r as
// "wasi_snapshot_preview1". Close the Host when the guest is done.
func Instantiate(ctx context.Context, r wazero.Runtime, cfg wasi.Config) (*Host, error) {
	a, err := wasi.New(cfg)
	if err != nil {
		return nil, err
	}
	h := &Host{ABI: a}
	b := r.NewHostModuleBuilder(ModuleName)
	for i := range wasi.Funcs {
		f := &wasi.Funcs[i]
		params := make([]api.ValueType, len(f.Params))
		for j, p := range f.Params {
			params[j] = api.ValueTypeI32
			if p == wasi.I64 {
				params[j] = api.ValueTypeI64
			}
		}
		var results []api.ValueType
		var fn api.GoModuleFunc
		if f.NoReturn {
			fn = func(ctx context.Context, mod api.Module, stack []uint64) {
				h.exit(ctx, mod, f, stack)
			}
		} else {
			results = []api.ValueType{api.ValueTypeI32}
			call := f.Call
			fn = func(ctx context.Context, mod api.Module, stack []uint64) {
				stack[0] = uint64(call(ctx, a, h.memory(mod), stack))
			}
		}
		b.NewFunctionBuilder().WithGoModuleFunction(fn, params, results).Export(f.Name)
	}
	mod, err := b.Instantiate(ctx)
	if err != nil {
		a.Close()
		return nil, err
	}
	h.mod = mod
	return h, nil
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
	h.ABI.Close()
	return err
}

// Run compiles and runs a WASI command (its _start) on a fresh ABI from
// cfg, and returns its exit code: the code it gave proc_exit, 0 if _start
// returned. err is set when the guest could not run or trapped (then the
// code is 1, as a crashed process).
func Run(ctx context.Context, r wazero.Runtime, wasm []byte, cfg wasi.Config) (uint32, error) {
	h, err := Instantiate(ctx, r, cfg)
	if err != nil {
		return 1, err
	}
	defer h.Close(ctx)
	compiled, err := r.CompileModule(ctx, wasm)
	if err != nil {
		return 1, err
	}
	defer compiled.Close(ctx)
	name := "guest"
	if len(cfg.Args) > 0 {
		name = cfg.Args[0]
	}
	mod, err := r.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName(name))
	if err != nil {
		var ee *sys.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), nil
		}
		return 1, err
	}
	if mod != nil {
		_ = mod.Close(ctx)
	}
	return 0, nil
}
