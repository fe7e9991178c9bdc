package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/vfscope/vfscope/host"
	"github.com/vfscope/vfscope/host/hostfs"
	"github.com/vfscope/vfscope/host/live"
	"github.com/vfscope/vfscope/host/wasi"
	"github.com/vfscope/vfscope/host/wasihost"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/lock"
)

const runUsage = "[--mount TYPE:SRC:DST[:OPTS]]... [--env K=V]... [--mem SIZE] [--guest-mem SIZE] [--lockdep] [--trace FILE] [--serve ADDR [--allow-host HOST]... [--max-viewers N]] [--stats] [--sysfs] APP.wasm [ARGS...]"

const runHelpText = `Usage: vfscope run ` + runUsage + `

Run a WASI preview1 guest on a fresh VFS: tmpfs as the root, with /tmp and
/proc. The guest's working directory is /, preopened as fd 3. By default
the guest uses vfscope's own preview1 ABI, where every Linux errno
(EXDEV, EBUSY, ENOSPC, EMLINK, EROFS...) reaches it as itself.
The guest's exit code is vfscope's.

Flags (before APP.wasm; what follows it are the guest's arguments):
  --mount TYPE:SRC:DST[:OPTS]  mount before the guest starts (repeatable);
                               DST is created if missing. TYPE is tmpfs,
                               proc, or host: SRC is then a host directory,
                               shown through go-billy (filesystem type
                               hostfs) and confined to it, so that no ".."
                               or symlink reaches outside SRC. OPTS are
                               mount -o words (ro, noexec, noatime, ...) and
                               filesystem options; host:SRC:DST:ro mounts
                               the directory read-only (EROFS on writes).
                               billyfs:STORE:DST[:OPTS] mounts a disk-like
                               filesystem on a go-billy store: mem (fresh),
                               mem:NAME (kept while vfscope runs) or
                               os:/host/dir (its layout lives there, so a
                               later run sees what was written back); OPTS
                               may add size= and nr_inodes=.
  --env K=V                    set a variable of the guest's environment
                               (repeatable); the environment is otherwise empty
  --mem SIZE                   the VFS memory budget (bytes, or with K, M, G;
                               default 256M, at least 128K): MemTotal, what
                               the page cache, dentries and inodes may use
                               (not the guest's own memory: --guest-mem)
  --guest-mem SIZE             the guest's own memory, its wasm linear memory,
                               not the VFS's (--mem): at most SIZE (bytes, or
                               with K, M, G, rounded up to 64K pages; 64K to
                               4G; default 4G, all wasm32 can address).
                               Past it memory.grow returns -1, and a guest
                               whose memory starts larger is not run (126)
  --lockdep                    validate lock order; reports go to stderr
  --trace FILE                 write the VFS's events to FILE as JSON lines,
                               the schema line first (docs/trace-schema.md);
                               turns lock validation on, so that method
                               calls list the locks held; events the writer
                               cannot keep up with are dropped, marked in
                               the file and counted on stderr
  --serve ADDR                 serve the playground on ADDR (HOST:PORT) with the
                               guest's VFS live at ?live (read-only to viewers);
                               from a terminal, it keeps serving after the
                               guest exits of its own (the --mount mounts
                               synced), until SIGINT, SIGTERM or SIGHUP; a
                               signal that stops the guest ends it too. It
                               answers only to localhost, *.localhost,
                               loopback addresses and the host of ADDR (403
                               to any other Host: DNS rebinding)
  --allow-host HOST            with --serve, also answer requests for HOST,
                               a name or address of this machine (repeatable)
  --max-viewers N              with --serve, how many viewers may watch at
                               once (1 to 1024; default 32); one more is
                               refused with 503
  --stats                      at exit, print /proc/meminfo,
                               /proc/sys/fs/dentry-state and inode-nr to stderr
  --sysfs                      use wazero's own WASI with host.SysFS instead
                               of vfscope's ABI (wazero maps errnos it lacks,
                               such as EXDEV or ENOSPC, to EIO)

^C (SIGINT), SIGTERM, SIGHUP (the terminal hung up) or SIGPIPE (the
reader of the guest's output went away) stops the guest, and the
--mount mounts are unmounted as at its exit, which writes the billyfs
stores back; a second SIGINT, SIGTERM or SIGHUP kills vfscope at once.

Exit status: the guest's (modulo 256); 2 for an error in the flags or a
mount; 127 if APP.wasm cannot be read; 126 if it is not a valid module,
or not a preview1 command (no _start export, or an import the host does
not provide), or its memory starts above --guest-mem;
1 if it traps or --serve cannot listen on ADDR; 128 plus the signal's
number if a signal stopped it (130 SIGINT, 143 SIGTERM, 129 SIGHUP,
141 SIGPIPE).
`

// runOptions is the parsed command line of vfscope run.
type runOptions struct {
	mounts  []mountSpec
	env     []string
	mem     int64  // bytes; 0 = no budget given
	pages   uint32 // --guest-mem: the guest's memory limit in wasm pages; 0 = wazero's
	lockdep bool
	trace   string
	serve   string   // --serve ADDR: the live view of the guest's VFS
	hosts   []string // --allow-host: more names --serve answers to
	viewers int      // --max-viewers: viewers --serve takes at once (0: the default)
	stats   bool
	sysfs   bool
	app     string
	args    []string // argv, app first
}

type mountSpec struct {
	spec, typ, src, dst string
	flags               uint32
	data                string
}

// usageError is an error in the command line: one line, exit status 2.
type usageError string

func (e usageError) Error() string { return string(e) }

// optionArg splits args[i], a -name, --name or --name=value option, into
// its name and value. An option in takesValue without =value takes the
// next argument, and next is the index of the last argument it used; an
// option not in takesValue may not have a value.
func optionArg(args []string, i int, takesValue map[string]bool) (name, val string, next int, err error) {
	name, val, hasVal := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
	switch {
	case takesValue[name] && !hasVal:
		if i+1 >= len(args) {
			return "", "", i, usageError("--" + name + " requires an argument")
		}
		i++
		val = args[i]
	case !takesValue[name] && hasVal:
		return "", "", i, usageError("--" + name + " takes no argument")
	}
	return name, val, i, nil
}

// runTakesValue are the options of vfscope run that take a value.
var runTakesValue = map[string]bool{"mount": true, "env": true, "mem": true, "guest-mem": true, "trace": true, "serve": true, "allow-host": true, "max-viewers": true}

func parseRun(args []string) (*runOptions, error) {
	o := &runOptions{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			if i < len(args) {
				o.app, o.args = args[i], args[i:]
			}
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			o.app, o.args = a, args[i:]
			break
		}
		name, val, next, err := optionArg(args, i, runTakesValue)
		if err != nil {
			return nil, err
		}
		i = next
		switch name {
		case "h", "help":
			return nil, errHelp
		case "mount":
			m, err := parseMount(val)
			if err != nil {
				return nil, err
			}
			o.mounts = append(o.mounts, m)
		case "env":
			if k, _, ok := strings.Cut(val, "="); !ok || k == "" {
				return nil, usageError("--env " + val + ": want KEY=VALUE")
			}
			o.env = append(o.env, val)
		case "mem":
			n, ok := vfs.ParseSize(val)
			if !ok {
				return nil, usageError("--mem " + val + ": want a size such as 67108864, 64M or 1G")
			}
			if n < vfs.MinMemBudget {
				return nil, usageError("--mem " + val + ": below the smallest budget, 128K")
			}
			o.mem = n
		case "guest-mem":
			n, err := parseGuestMem(val)
			if err != nil {
				return nil, err
			}
			o.pages = n
		case "lockdep":
			o.lockdep = true
		case "trace":
			o.trace = val
		case "serve":
			if _, _, err := net.SplitHostPort(val); err != nil {
				return nil, usageError("--serve " + val + ": want HOST:PORT")
			}
			o.serve = val
		case "allow-host":
			if _, err := live.ParseHost(val); err != nil {
				return nil, usageError("--allow-host " + val + ": want a host name or an IP address, without a port")
			}
			o.hosts = append(o.hosts, val)
		case "max-viewers":
			n, err := parseMaxViewers(val)
			if err != nil {
				return nil, err
			}
			o.viewers = n
		case "stats":
			o.stats = true
		case "sysfs":
			o.sysfs = true
		default:
			return nil, usageError("unknown flag " + a + " (try 'vfscope run -h')")
		}
	}
	if o.app == "" {
		return nil, usageError("missing APP.wasm (try 'vfscope run -h')")
	}
	if len(o.hosts) > 0 && o.serve == "" {
		return nil, usageError("--allow-host needs --serve")
	}
	if o.viewers > 0 && o.serve == "" {
		return nil, usageError("--max-viewers needs --serve")
	}
	return o, nil
}

var errHelp = errors.New("help")

// wasmPage is the size of a page of wasm linear memory.
const wasmPage = 64 << 10

// parseGuestMem parses --guest-mem SIZE, with --mem's suffixes, into
// wasm pages, rounded up: from one page to wasm32's 65536 (4G).
func parseGuestMem(val string) (uint32, error) {
	n, ok := vfs.ParseSize(val)
	if !ok {
		return 0, usageError("--guest-mem " + val + ": want a size such as 65536, 64K or 1G")
	}
	if n == 0 || n > wasmPage<<16 {
		return 0, usageError("--guest-mem " + val + ": want from one page, 64K, to 4G")
	}
	return uint32((n + wasmPage - 1) / wasmPage), nil
}

// mountFlagWords are the mount -o words that are MS_ flags.
var mountFlagWords = map[string]uint32{
	"ro": vfs.MS_RDONLY, "rw": 0, "nosuid": vfs.MS_NOSUID, "nodev": vfs.MS_NODEV,
	"noexec": vfs.MS_NOEXEC, "sync": vfs.MS_SYNCHRONOUS, "dirsync": vfs.MS_DIRSYNC,
	"noatime": vfs.MS_NOATIME, "nodiratime": vfs.MS_NODIRATIME, "relatime": vfs.MS_RELATIME,
	"strictatime": vfs.MS_STRICTATIME, "lazytime": vfs.MS_LAZYTIME,
}

// parseMount parses TYPE:SRC:DST[:OPTS].
func parseMount(spec string) (mountSpec, error) {
	parts := strings.SplitN(spec, ":", 4)
	if parts[0] == billyfs.Name {
		var err error
		if parts, err = billyMountParts(spec); err != nil {
			return mountSpec{}, err
		}
	}
	if len(parts) < 3 || parts[0] == "" || parts[2] == "" {
		return mountSpec{}, usageError("--mount " + spec + ": want TYPE:SRC:DST[:OPTS]")
	}
	m := mountSpec{spec: spec, typ: parts[0], src: parts[1], dst: parts[2]}
	if !strings.HasPrefix(m.dst, "/") {
		return m, usageError("--mount " + spec + ": DST must be an absolute path in the VFS")
	}
	if m.src == "" {
		m.src = m.typ
	}
	if m.typ == "host" || m.typ == hostfs.Name {
		if parts[1] == "" {
			return m, usageError("--mount " + spec + ": host mounts need SRC, a host directory")
		}
		m.typ = hostfs.Name
		// A relative SRC is the caller's, as a shell resolves it;
		// hostfs itself takes only absolute sources.
		abs, err := filepath.Abs(parts[1])
		if err != nil {
			return m, usageError("--mount " + spec + ": " + err.Error())
		}
		m.src = abs
	}
	if len(parts) == 4 {
		var data []string
		for _, w := range strings.Split(parts[3], ",") {
			if f, ok := mountFlagWords[w]; ok {
				m.flags |= f
			} else if w != "" {
				data = append(data, w)
			}
		}
		m.data = strings.Join(data, ",")
	}
	return m, nil
}

// billyMountParts splits billyfs:SRC:DST[:OPTS], where SRC is a billyfs
// store, written STORE or store=STORE, and a store may have a colon of
// its own: mem, mem:NAME, os:/host/dir, or a name a Go program
// registered. mem:X is mem:NAME unless X starts with "/" (then X is DST).
func billyMountParts(spec string) ([]string, error) {
	f := strings.Split(spec, ":")[1:]
	bad := usageError("--mount " + spec + ": want billyfs:STORE:DST[:OPTS] (STORE: mem, mem:NAME, os:DIR)")
	if len(f) < 2 {
		return nil, bad
	}
	src := strings.TrimPrefix(f[0], "store=")
	rest := f[1:]
	isKind := false
	for _, k := range billyfs.StoreKinds() {
		isKind = isKind || k == src
	}
	if isKind && (src != "mem" || !strings.HasPrefix(rest[0], "/")) {
		src += ":" + rest[0]
		rest = rest[1:]
	}
	if len(rest) == 0 || len(rest) > 2 || src == "" {
		return nil, bad
	}
	return append([]string{billyfs.Name, src}, rest...), nil
}

// openHostDir is the backing store of --mount host:SRC:DST: the host
// directory SRC through hostfs.Dir, which os.Root confines to SRC (see
// its doc for why not go-billy's osfs.WithBoundOS).
func openHostDir(src string) (billy.Filesystem, error) {
	d, err := hostfs.OpenDir(src)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// mkdirAll creates dir and its missing parents, as mkdir -p.
func mkdirAll(t *vfs.Task, dir string) error {
	var st vfs.Stat
	if err := t.Stat(dir, &st); err == nil {
		if !vfs.IsDir(st.Mode) {
			return vfs.ENOTDIR
		}
		return nil
	}
	if i := strings.LastIndexByte(strings.TrimRight(dir, "/"), '/'); i > 0 {
		if err := mkdirAll(t, dir[:i]); err != nil {
			return err
		}
	}
	if err := t.Mkdir(dir, 0o755); err != nil && err != vfs.EEXIST {
		return err
	}
	return nil
}

// runRun is `vfscope run`.
func runRun(e *env, args []string) (status int) {
	o, err := parseRun(args)
	if err == errHelp {
		fmt.Fprint(e.stdout, runHelpText)
		return 0
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "vfscope run: %v\n", err)
		return 2
	}
	wasm, err := os.ReadFile(o.app)
	if err != nil {
		fmt.Fprintf(e.stderr, "vfscope run: %s: %v\n", o.app, pathErrText(err))
		return 127
	}

	// --trace turns lock validation on too: it is what knows the locks
	// each task holds, which method.enter events list.
	v, t, err := boot.New(vfs.Options{Lockdep: o.lockdep || o.trace != "" || o.serve != "", Trace: o.trace != "" || o.serve != "", MemBudget: o.mem})
	if err != nil {
		fmt.Fprintf(e.stderr, "vfscope run: boot: %v\n", err)
		return 1
	}
	if val := v.Validator(); val != nil && o.lockdep {
		val.OnReport(func(r lock.Report) { fmt.Fprintf(e.stderr, "%s", r.Text) })
	}
	if o.trace != "" {
		tf, err := startTrace(v, o.trace)
		if err != nil {
			fmt.Fprintf(e.stderr, "vfscope run: --trace %s: %v\n", o.trace, pathErrText(err))
			return 2
		}
		defer func() {
			if !tf.finish(e.stderr, o.trace) && status == 0 {
				status = 1
			}
		}()
	}
	// At exit the --mount mounts are unmounted, as a shutdown does, so
	// that a disk-like filesystem (billyfs) writes everything back to its
	// store. Deferred before the live view's stop, so it runs after it:
	// viewers see the guest's last state, not the unmounting. The live
	// view, waiting for a signal from a terminal, syncs them first.
	var mounted []string
	defer func() { unmountAll(t, mounted, e.stderr) }()
	holdServe := func() {}
	var signalled bool // a signal stopped the guest
	if o.serve != "" {
		flush := func() {
			if len(mounted) > 0 {
				t.Sync()
			}
		}
		hold, stop, err := serveRun(e, o.serve, o.hosts, o.viewers, o.app, v, flush)
		if err != nil {
			fmt.Fprintf(e.stderr, "vfscope run: --serve %s: %v%s\n", o.serve, err, addrInUseHint(err, "--serve"))
			if errors.As(err, new(usageError)) {
				return 2
			}
			return 1 // the address is in use, or not this machine's
		}
		holdServe = hold
		defer func() { stop(status, signalled) }()
	}
	if err := hostfs.Register(t, v, openHostDir); err != nil {
		fmt.Fprintf(e.stderr, "vfscope run: boot: %v\n", err)
		return 1
	}
	for _, m := range o.mounts {
		if err := mkdirAll(t, m.dst); err != nil {
			fmt.Fprintf(e.stderr, "vfscope run: --mount %s: %s: %v\n", m.spec, m.dst, err)
			return 2
		}
		if err := t.Mount(m.src, m.dst, m.typ, m.flags, m.data); err != nil {
			if why := billyfs.CheckOptions(m.src, m.data); m.typ == billyfs.Name && why != nil {
				err = why
			}
			fmt.Fprintf(e.stderr, "vfscope run: --mount %s: %v\n", m.spec, err)
			return 2
		}
		mounted = append(mounted, m.dst)
	}
	// The runtime closes the guest when ctx is cancelled, which a
	// signal does (see stopOnSignal); its checks cost the guest a little
	// time at every call and loop. --guest-mem bounds the guest's memory:
	// a module whose memory starts above it fails to compile (126, in
	// wazero's words, which give the limit), and memory.grow past it
	// returns -1.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rc := wazero.NewRuntimeConfig().WithCloseOnContextDone(true)
	if o.pages != 0 {
		rc = rc.WithMemoryLimitPages(o.pages)
	}
	r := wazero.NewRuntimeWithConfig(ctx, rc)
	defer r.Close(context.Background())
	stopSignals := stopOnSignal(v, cancel)
	var code uint32
	if o.sysfs {
		code, err = runSysFS(ctx, r, t, wasm, o, e)
	} else {
		code, err = wasihost.Run(ctx, r, wasm, wasi.Config{
			Task: t, Args: o.args, Env: o.env,
			Stdin: e.stdin, Stdout: e.stdout, Stderr: e.stderr,
		})
	}
	status = int(code)
	holdServe() // before stopSignals: no gap in which a signal kills vfscope
	if sig := stopSignals(); sig != 0 {
		signalled = true
		// The signal was delivered: the write-back's waits sleep again.
		v.ClearInterrupt()
		status = 128 + int(sig)
		if errors.Is(err, context.Canceled) {
			err = nil // as a process the signal killed: nothing to say
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "vfscope run: %s: %v\n", o.app, err)
		if errors.As(err, new(*wasihost.CompileError)) || errors.As(err, new(*wasihost.NotCommandError)) {
			status = 126
		}
	}
	if o.stats {
		printStats(t, e.stderr)
	}
	return status
}

// unmountAll syncs, then unmounts dsts, last first; a mount still busy
// (a descriptor the guest left open) is detached instead.
func unmountAll(t *vfs.Task, dsts []string, stderr io.Writer) {
	if len(dsts) == 0 {
		return
	}
	t.Sync()
	for i := len(dsts) - 1; i >= 0; i-- {
		err := t.Umount2(dsts[i], 0)
		if err == vfs.EBUSY {
			err = t.Umount2(dsts[i], vfs.MNT_DETACH)
		}
		if err != nil {
			fmt.Fprintf(stderr, "vfscope run: umount %s: %v\n", dsts[i], err)
		}
	}
}

// unmountStores unmounts the billyfs mounts, last mounted first, which
// writes everything back to their stores; a busy one is detached.
func unmountStores(t *vfs.Task, stderr io.Writer) {
	var dsts []string
	for _, mi := range t.MountTable() {
		if mi.FSType == billyfs.Name {
			dsts = append(dsts, mi.Mountpoint)
		}
	}
	unmountAll(t, dsts, stderr)
}

// stopOnSignal catches SIGINT, SIGTERM and SIGHUP for the guest's run,
// as a terminal's ^C, kill(1) or a closed terminal ends a process: the
// VFS's interruptible waits end (vfs.VFS.Interrupt, as catchShellSignals
// does for vfscope sh) and stopGuest cancels the context whose runtime
// then closes the guest. Without it the Go runtime's default would kill
// vfscope, and the deferred write-back of the billyfs stores would never
// run. A second such signal gets the default, for a guest stuck where
// neither reaches (a read of the terminal).
//
// SIGPIPE, which a write to a standard output or error whose reader has
// gone raises, ends the guest the same way, as it ends the writer on
// Linux (status 141); it stays caught until stop, so that the guest's
// writes before it ends fail with EPIPE instead of killing vfscope
// before the write-back. stop restores the defaults and returns the
// signal caught, 0 if none.
func stopOnSignal(v *vfs.VFS, stopGuest func()) (stop func() syscall.Signal) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	done, finished := make(chan struct{}), make(chan struct{})
	var sig syscall.Signal // written by the goroutine before finished is closed
	go func() {
		defer close(finished)
		select {
		case s := <-ch:
			signal.Stop(ch)
			sig, _ = s.(syscall.Signal)
		case <-pipe:
			sig = syscall.SIGPIPE
		case <-done:
			return
		}
		v.Interrupt()
		stopGuest()
	}()
	return func() syscall.Signal {
		signal.Stop(ch)
		close(done)
		<-finished
		signal.Stop(pipe)
		return sig
	}
}

// runSysFS runs the guest with wazero's own WASI, its filesystem being
// host.SysFS over the VFS root.
func runSysFS(ctx context.Context, r wazero.Runtime, t *vfs.Task, wasm []byte, o *runOptions, e *env) (uint32, error) {
	fs := host.NewSysFS(t, "/")
	defer fs.Close()
	if err := fs.Err(); err != nil {
		return 1, err
	}
	compiled, err := r.CompileModule(ctx, wasm)
	if err != nil {
		return 1, &wasihost.CompileError{Err: err}
	}
	defer compiled.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	if err := wasihost.CheckCommand(compiled, wasihost.ModuleFuncs(r.Module(wasi_snapshot_preview1.ModuleName))); err != nil {
		return 1, err
	}
	fsc := wazero.NewFSConfig().(sysfs.FSConfig).WithSysFSMount(fs, "/")
	// The guest is anonymous: its name (o.app) could be a module's of r.
	cfg := wazero.NewModuleConfig().WithName("").WithArgs(o.args...).
		WithStdin(e.stdin).WithStdout(e.stdout).WithStderr(e.stderr).
		WithFSConfig(fsc).WithSysWalltime().WithSysNanotime().
		WithNanosleep(func(ns int64) { sleepCtx(ctx, time.Duration(ns)) }).
		WithRandSource(rand.Reader)
	for _, kv := range o.env {
		k, v, _ := strings.Cut(kv, "=")
		cfg = cfg.WithEnv(k, v)
	}
	mod, err := r.InstantiateModule(ctx, compiled, cfg)
	if err == nil {
		err = mod.Close(ctx)
	}
	var ee *sys.ExitError
	switch {
	case err != nil && !errors.As(err, &ee):
		return 1, err // a trap
	case ctx.Err() != nil:
		return 1, fmt.Errorf("stopped: %w", ctx.Err())
	case ee != nil:
		return ee.ExitCode(), nil
	}
	return 0, nil
}

// sleepCtx sleeps for d, or until ctx is done: wazero's nanosleep for
// the guest, which the runtime stops at the next check once ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-ctx.Done():
	}
}

// printStats prints the VFS's counters as procfs shows them, each file
// under a head(1)-style header.
func printStats(t *vfs.Task, w io.Writer) {
	for _, p := range []string{"/proc/meminfo", "/proc/sys/fs/dentry-state", "/proc/sys/fs/inode-nr"} {
		fd, err := t.Open(p, vfs.O_RDONLY, 0)
		if err != nil {
			fmt.Fprintf(w, "==> %s <==\n%s\n", p, vfs.ErrnoOf(err).Name())
			continue
		}
		var data []byte
		buf := make([]byte, 4096)
		for {
			n, err := t.Read(fd, buf)
			data = append(data, buf[:n]...)
			if n == 0 || err != nil {
				break
			}
		}
		t.Close(fd)
		fmt.Fprintf(w, "==> %s <==\n%s", p, data)
	}
}
