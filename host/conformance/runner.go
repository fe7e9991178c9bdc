package conformance

import (
	"context"
	"crypto/rand"
	"errors"
	"io"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/vfscope/vfscope/host"
	"github.com/vfscope/vfscope/host/wasi"
	"github.com/vfscope/vfscope/host/wasihost"
	"github.com/vfscope/vfscope/vfs"
)

// Path is one way for a wasip1 guest to reach a filesystem: on vfscope
// through its own ABI ("native") or through wazero's WASI over host.SysFS
// ("sysfs"), or wazero's WASI over its own sysfs.DirFS of a host
// directory ("dirfs", the peer of the benchmarks).
type Path string

const (
	Native Path = "native"
	SysFS  Path = "sysfs"
	DirFS  Path = "dirfs"
)

// Guest runs wasip1 modules in-process the way `vfscope run` does (a
// wazero runtime per run, default engine), sharing one compilation cache
// so that a module compiles once.
type Guest struct {
	Wasm  []byte
	cache wazero.CompilationCache
}

// NewGuest prepares wasm to run, its compiled code cached in cacheDir
// ("" for memory only). wazero drops a module from an in-memory cache
// when the runtime that compiled it closes, so only a directory makes
// the second run skip compilation.
func NewGuest(wasm []byte, cacheDir string) *Guest {
	if cacheDir != "" {
		if c, err := wazero.NewCompilationCacheWithDir(cacheDir); err == nil {
			return &Guest{Wasm: wasm, cache: c}
		}
	}
	return &Guest{Wasm: wasm, cache: wazero.NewCompilationCache()}
}

func (g *Guest) Close() error { return g.cache.Close(context.Background()) }

// Run is one run of the guest with args (argv, the program name first).
// For Native and SysFS the guest's root is the root of t's VFS (t's VFS
// persists across runs); for DirFS the host directory dir is the guest's
// /tmp (the only directory it has), and t is not used.
func (g *Guest) Run(ctx context.Context, path Path, t *vfs.Task, dir string, args []string, stdout, stderr io.Writer) (uint32, error) {
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(g.cache))
	defer r.Close(ctx)
	if path == Native {
		return wasihost.Run(ctx, r, g.Wasm, wasi.Config{Task: t, Args: args, Stdout: stdout, Stderr: stderr})
	}
	fsc := wazero.NewFSConfig()
	if path == SysFS {
		fs := host.NewSysFS(t, "/")
		defer fs.Close()
		if err := fs.Err(); err != nil {
			return 1, err
		}
		fsc = fsc.(sysfs.FSConfig).WithSysFSMount(fs, "/")
	} else {
		fsc = fsc.WithDirMount(dir, "/tmp")
	}
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	cfg := wazero.NewModuleConfig().WithArgs(args...).WithStdout(stdout).WithStderr(stderr).
		WithFSConfig(fsc).WithSysWalltime().WithSysNanotime().WithSysNanosleep().WithRandSource(rand.Reader)
	mod, err := r.InstantiateWithConfig(ctx, g.Wasm, cfg)
	if err != nil {
		var ee *sys.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), nil
		}
		return 1, err
	}
	return 0, mod.Close(ctx)
}
