package conformance

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

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

// Guest runs a wasip1 module in-process the way `vfscope run` does: a
// fresh wazero runtime per run with the default engine, vfscope's ABI
// through wasihost.Run, or wazero's WASI with host.SysFS mounted at "/",
// the same module configuration. Compiled code is shared through a
// compilation cache.
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

// RunConfig is one run of a guest.
type RunConfig struct {
	Path Path
	// Task's VFS is the guest's filesystem for Native and SysFS (it
	// persists across runs). For DirFS the host directory Dir is the
	// guest's /tmp, its only directory.
	Task *vfs.Task
	Dir  string
	// Args is argv, the program's name first; Env is "KEY=value" pairs.
	Args, Env      []string
	Stdout, Stderr io.Writer
}

// Run runs the guest to its end and returns its exit code. ctx does not
// interrupt a running guest (see below); wazero checks it between calls
// into the host only.
func (g *Guest) Run(ctx context.Context, c RunConfig) (uint32, error) {
	// Not WithCloseOnContextDone: its checks at every call and loop make
	// deep recursion ten times slower (io/fs's TestCVE202230630 takes 23 s
	// instead of 2). A test binary stops itself at its -test.timeout, as
	// long as the stuck goroutine yields.
	rc := wazero.NewRuntimeConfig().WithCompilationCache(g.cache)
	r := wazero.NewRuntimeWithConfig(ctx, rc)
	defer r.Close(ctx)
	if c.Path == Native {
		// A ctx done before the guest's end is Run's err.
		return wasihost.Run(ctx, r, g.Wasm, wasi.Config{Task: c.Task, Args: c.Args, Env: c.Env, Stdout: c.Stdout, Stderr: c.Stderr})
	}
	fsc := wazero.NewFSConfig()
	if c.Path == SysFS {
		fs := host.NewSysFS(c.Task, "/")
		defer fs.Close()
		if err := fs.Err(); err != nil {
			return 1, err
		}
		fsc = fsc.(sysfs.FSConfig).WithSysFSMount(fs, "/")
	} else {
		fsc = fsc.WithDirMount(c.Dir, "/tmp")
	}
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	cfg := wazero.NewModuleConfig().WithArgs(c.Args...).WithStdout(c.Stdout).WithStderr(c.Stderr).
		WithFSConfig(fsc).WithSysWalltime().WithSysNanotime().WithSysNanosleep().WithRandSource(rand.Reader)
	for _, kv := range c.Env {
		k, v, _ := strings.Cut(kv, "=")
		cfg = cfg.WithEnv(k, v)
	}
	mod, err := r.InstantiateWithConfig(ctx, g.Wasm, cfg)
	if err != nil {
		var ee *sys.ExitError
		if errors.As(err, &ee) {
			if ctx.Err() != nil {
				return ee.ExitCode(), ctx.Err()
			}
			return ee.ExitCode(), nil
		}
		return 1, err
	}
	return 0, mod.Close(ctx)
}

// CopyIn gives t's VFS a read-only copy of parts of the host directory
// src at the same path: a tmpfs mounted at src, the regular files at the
// top of src, and the trees src/REL for each of rels; then remounted
// read-only. It is how the in-process harness gives a test binary GOROOT
// (its package directory, go.env, LICENSE...), where the vfscope command
// mounts it with `vfscope run --mount host:GOROOT:GOROOT:ro`. Symbolic
// links are copied as links; other special files are skipped.
func CopyIn(t *vfs.Task, src string, rels ...string) error {
	dst := filepath.ToSlash(src)
	if err := mkdirAllVFS(t, dst); err != nil {
		return err
	}
	if err := t.Mount("tmpfs", dst, "tmpfs", 0, "mode=755"); err != nil {
		return fmt.Errorf("mount tmpfs on %s: %w", dst, err)
	}
	top, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range top {
		if e.Type().IsRegular() {
			if err := copyFile(t, filepath.Join(src, e.Name()), path.Join(dst, e.Name())); err != nil {
				return err
			}
		}
	}
	for _, rel := range rels {
		if err := mkdirAllVFS(t, path.Dir(path.Join(dst, rel))); err != nil {
			return err
		}
		if err := copyTree(t, filepath.Join(src, filepath.FromSlash(rel)), path.Join(dst, rel)); err != nil {
			return err
		}
	}
	if err := t.Mount("", dst, "", vfs.MS_REMOUNT|vfs.MS_RDONLY, ""); err != nil {
		return fmt.Errorf("remount %s read-only: %w", dst, err)
	}
	return nil
}

func copyTree(t *vfs.Task, src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := path.Join(dst, filepath.ToSlash(rel))
		switch {
		case d.IsDir():
			info, err := d.Info()
			if err != nil {
				return err
			}
			if err := t.Mkdir(to, uint32(info.Mode().Perm())); err != nil && !(rel == "." && vfs.ErrnoOf(err) == vfs.EEXIST) {
				return fmt.Errorf("mkdir %s: %w", to, err)
			}
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return t.Symlink(target, to)
		case !d.Type().IsRegular():
			return nil
		}
		return copyFile(t, p, to)
	})
}

func copyFile(t *vfs.Task, src, dst string) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	fd, err := t.Open(dst, vfs.O_CREAT|vfs.O_WRONLY|vfs.O_EXCL, uint32(info.Mode().Perm()))
	if err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	_, werr := t.Write(fd, data)
	cerr := t.Close(fd)
	if werr != nil {
		return fmt.Errorf("write %s: %w", dst, werr)
	}
	return cerr
}

func mkdirAllVFS(t *vfs.Task, dir string) error {
	cur := ""
	for _, c := range strings.Split(strings.Trim(dir, "/"), "/") {
		cur += "/" + c
		if err := t.Mkdir(cur, 0o755); err != nil && vfs.ErrnoOf(err) != vfs.EEXIST {
			return fmt.Errorf("mkdir %s: %w", cur, err)
		}
	}
	return nil
}
