package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vfscope/vfscope/host/live"
	"github.com/vfscope/vfscope/playground"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

const serveUsage = "[--addr HOST:PORT] [--allow-host HOST]... [--live] [--allow-write [--allow-remote-write]] [--max-viewers N] [--origin ORIGIN]..."

const serveHelpText = `Usage: vfscope serve ` + serveUsage + `

Serve the playground: the VFS compiled to WebAssembly runs in the page, with
a terminal and live views of the dentry cache, inodes, page cache and locks.
The app is embedded in this binary when it was built after 'make playground'
('make run' does both); without it every page explains how to build it.

Flags:
  --addr HOST:PORT   where to listen (default 127.0.0.1:8080; port 0 picks
                     a free port). The URL is printed once listening.
  --allow-host HOST  also answer requests for HOST, a name or address of
                     this machine (repeatable). Pages and the websocket
                     answer only to localhost, *.localhost, loopback
                     addresses and the host of --addr: any other Host gets
                     403, which keeps out pages of other sites whose name
                     was made to resolve here (DNS rebinding). It does
                     not keep out other machines: a program that is not a
                     browser sends whatever Host it likes
  --live             also boot a VFS here, on the host, and stream it to the
                     page over the websocket /live (open the printed ?live
                     URL): the same views, the same schema. Viewers watch;
                     they cannot change it unless --allow-write is given.
  --allow-write      let viewers of the live VFS run shell commands on it
                     (each command line's reply holds at most 1 MiB of
                     output; /dev/zero is read no further than that).
                     They change that VFS, never the host: billyfs there
                     mounts memory stores only (store=mem, mem:NAME);
                     store=os:DIR fails with EPERM. A line that runs for
                     more than 10s, or whose viewer leaves, is interrupted
                     as ^C would (status 130); a line that ends the shell
                     (exit) gives the next line a fresh one
  --allow-remote-write
                     allow --allow-write with an --addr other machines
                     reach (not loopback): without it, that is refused,
                     since anybody who can reach the port gets a shell on
                     the live VFS
  --max-viewers N    how many viewers may watch the live VFS at once
                     (default 32); one more is refused with 503
  --origin ORIGIN    also accept live viewers from pages of ORIGIN
                     (scheme://host[:port]; repeatable); pages served by
                     this server are always accepted
`

// serveOptions is the parsed command line of vfscope serve.
type serveOptions struct {
	addr       string
	live       bool
	allowWrite bool
	origins    []string
	allowHosts []string // --allow-host
	// allowRemoteWrite is --allow-remote-write: --allow-write on an
	// address other machines reach.
	allowRemoteWrite bool
	maxViewers       int // --max-viewers
}

// serveTakesValue are the options of vfscope serve that take a value.
var serveTakesValue = map[string]bool{"addr": true, "origin": true, "allow-host": true, "max-viewers": true}

func parseServe(args []string) (*serveOptions, error) {
	o := &serveOptions{addr: "127.0.0.1:8080", maxViewers: live.DefaultMaxViewers}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return nil, usageError("unexpected argument " + a)
		}
		name, val, next, err := optionArg(args, i, serveTakesValue)
		if err != nil {
			return nil, err
		}
		i = next
		switch name {
		case "h", "help":
			return nil, errHelp
		case "addr":
			if _, _, err := net.SplitHostPort(val); err != nil {
				return nil, usageError("--addr " + val + ": want HOST:PORT")
			}
			o.addr = val
		case "allow-host":
			if _, err := live.ParseHost(val); err != nil {
				return nil, usageError("--allow-host " + val + ": want a host name or an IP address, without a port")
			}
			o.allowHosts = append(o.allowHosts, val)
		case "live":
			o.live = true
		case "allow-write":
			o.allowWrite = true
		case "allow-remote-write":
			o.allowRemoteWrite = true
		case "max-viewers":
			n, err := parseMaxViewers(val)
			if err != nil {
				return nil, err
			}
			o.maxViewers = n
		case "origin":
			if u, err := url.Parse(val); err != nil || u.Scheme == "" || u.Host == "" {
				return nil, usageError("--origin " + val + ": want scheme://host[:port]")
			}
			o.origins = append(o.origins, val)
		default:
			return nil, usageError("unknown flag " + a)
		}
	}
	if o.allowWrite && !o.live {
		return nil, usageError("--allow-write needs --live")
	}
	if o.allowRemoteWrite && !o.allowWrite {
		return nil, usageError("--allow-remote-write needs --allow-write")
	}
	if o.allowWrite && !o.allowRemoteWrite && !loopbackAddr(o.addr) {
		return nil, usageError("--allow-write on --addr " + o.addr + " would give a shell on the live VFS to anybody who reaches that port " +
			"(the host check keeps out other sites' pages, not other programs); listen on 127.0.0.1, or add --allow-remote-write")
	}
	return o, nil
}

// maxMaxViewers bounds --max-viewers: a viewer that falls behind holds
// up to about 4 MiB of queued frames before it resynchronises.
const maxMaxViewers = 1024

// parseMaxViewers parses --max-viewers of vfscope serve and vfscope run.
func parseMaxViewers(val string) (int, error) {
	n, err := strconv.Atoi(val)
	if err != nil || n < 1 || n > maxMaxViewers {
		return 0, usageError(fmt.Sprintf("--max-viewers %s: want a number from 1 to %d", val, maxMaxViewers))
	}
	return n, nil
}

// loopbackAddr reports whether a listen address (HOST:PORT) reaches this
// machine only: localhost, or a loopback address. Every interface (":8080",
// 0.0.0.0, ::) and any other name or address does not.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.IsLoopback()
	}
	return strings.EqualFold(strings.TrimSuffix(host, "."), "localhost")
}

// addrInUseHint says, after an error listening on an address another
// program holds, how to choose another one: flag is the command's, and
// make run takes ADDR. Empty for any other error.
func addrInUseHint(err error, flag string) string {
	if !errors.Is(err, syscall.EADDRINUSE) {
		return ""
	}
	return " (another program listens there: choose another address with " + flag + " HOST:PORT, or ADDR=HOST:PORT with make run)"
}

// serveMux routes the playground's paths: the app, and /live when a
// live VFS is given; requests for a host not in hosts get 403 (the page
// as well as the websocket: a page served to a rebound name would run
// its script against this server).
func serveMux(hosts *live.Hosts, lv *live.Server) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", playground.Handler())
	if lv != nil {
		mux.Handle("/live", lv)
	}
	return hosts.Handler(mux)
}

// liveServer makes the websocket endpoint of v. With a task, viewers may
// run commands, one at a time, through one shell session (liveShell)
// whose tasks are forked from it.
func liveServer(name string, v *vfs.VFS, sh *vfs.Task, hosts *live.Hosts, origins []string) *live.Server {
	lv := &live.Server{Name: name, Bus: v.TraceBus(), Snapshot: v.Snapshot, Hosts: hosts, Origins: origins}
	if sh != nil {
		lv.Exec = newLiveShell(v, sh).exec
	}
	return lv
}

// bootLive boots the live VFS of vfscope serve --live. Its billyfs
// mounts the memory stores only, so that viewers allowed to run commands
// change this VFS and never the host's files: mount -t billyfs -o
// store=os:DIR fails with EPERM. The choice is this VFS's (vfscope run
// --mount billyfs:os:DIR:... boots its own, with every store).
func bootLive() (*vfs.VFS, *vfs.Task, error) {
	v, t, err := boot.New(vfs.Options{Lockdep: true, Trace: true})
	if err != nil {
		return nil, nil, err
	}
	if err := v.UnregisterFilesystem(t, billyfs.Name); err != nil {
		return nil, nil, err
	}
	if err := billyfs.RegisterWith(t, v, billyfs.TypeOptions{MemoryStoresOnly: true}); err != nil {
		return nil, nil, err
	}
	return v, t, nil
}

// serveLive serves mux on l in the background for vfscope run --serve:
// it returns a function that stops it.
func serveLive(l net.Listener, mux http.Handler) (stop func()) {
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}
}

// warnAllInterfaces says, for a listen address other machines reach
// (every interface, or an address that is not loopback), that they can
// connect: the host check refuses pages of other sites and names the
// server does not know, but a program that is not a browser sends the
// Host it likes (127.0.0.1) and gets in. write says whether viewers may
// run commands; allowed whether --allow-host names were given.
func warnAllInterfaces(w io.Writer, cmd, addr string, allowed, write bool) {
	if loopbackAddr(addr) {
		return
	}
	host, _, _ := net.SplitHostPort(addr)
	where := "on " + host
	if ip, err := netip.ParseAddr(host); host == "" || err == nil && ip.IsUnspecified() {
		where = "on every interface"
	}
	what := "watch the live VFS"
	if write {
		what = "run commands on the live VFS"
	}
	fmt.Fprintf(w, "%s: listening %s: other machines that reach this port can connect; "+
		"browsers' pages are answered only for localhost, loopback addresses, the host listened on and --allow-host names, "+
		"but any other program can send one of those names and %s\n", cmd, where, what)
	if !allowed && (host == "" || where == "on every interface") {
		fmt.Fprintf(w, "%s: pages opened by another name or address of this machine get 403: add --allow-host for each that viewers use\n", cmd)
	}
}

// appBuilt reports whether the playground app is in this binary; a
// variable, so that a test can see a binary without it.
var appBuilt = func() bool {
	_, ok := playground.App()
	return ok
}

// warnNoApp says, for a binary built without the playground app (go
// install from the module: the app is built, not in git), that the
// pages will only say so.
func warnNoApp(w io.Writer, cmd string) {
	if !appBuilt() {
		fmt.Fprintf(w, "%s: this binary was built without the playground app (run 'make playground', then rebuild); pages will say so\n", cmd)
	}
}

// listenURL is the address to print for a listener: http://HOST:PORT/;
// a listener on every interface prints 127.0.0.1, a URL that opens here
// and that the host check answers.
func listenURL(l net.Listener) string {
	return "http://" + printAddr(l.Addr().String()) + "/"
}

// printAddr is addr (HOST:PORT) with an unspecified host (0.0.0.0, ::)
// replaced by 127.0.0.1.
func printAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}

// runServe is `vfscope serve`.
func runServe(e *env, args []string) int {
	o, err := parseServe(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(e.stdout, serveHelpText)
		return 0
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "vfscope serve: %v (try 'vfscope serve -h')\n", err)
		return 2
	}
	hosts, err := live.NewHosts(o.addr, o.allowHosts...)
	if err != nil {
		fmt.Fprintf(e.stderr, "vfscope serve: %v\n", err)
		return 2
	}
	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "vfscope serve: %v%s\n", err, addrInUseHint(err, "--addr"))
		return 1
	}
	warnAllInterfaces(e.stderr, "vfscope serve", o.addr, len(o.allowHosts) > 0, o.allowWrite)
	warnNoApp(e.stderr, "vfscope serve")
	var lv *live.Server
	if o.live {
		v, t, err := bootLive()
		if err != nil {
			fmt.Fprintf(e.stderr, "vfscope serve: boot: %v\n", err)
			return 1
		}
		var sh *vfs.Task
		if o.allowWrite {
			sh = t.Fork("sh")
		}
		lv = liveServer("vfscope serve --live", v, sh, hosts, o.origins)
		lv.MaxViewers = o.maxViewers
		lv.ReadOnlyHint = "start it with --allow-write"
	}
	fmt.Fprintf(e.stdout, "vfscope playground: %s\n", listenURL(l))
	if lv != nil {
		mode := "read-only"
		if lv.Exec != nil {
			mode = "viewers may run commands"
		}
		fmt.Fprintf(e.stdout, "live VFS (%s): %s?live\n", mode, listenURL(l))
	}
	srv := &http.Server{Handler: serveMux(hosts, lv), ReadHeaderTimeout: 10 * time.Second}
	// ^C or kill(1) (a service manager's stop) shuts it down gracefully.
	// A second one gets the default, for a download that the grace
	// would otherwise wait for.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)
	if err := serveUntil(ctx, srv, l, lv, serveGrace); err != nil {
		fmt.Fprintf(e.stderr, "vfscope serve: %v\n", err)
		return 1
	}
	return 0
}

// serveGrace bounds how long vfscope serve, told to stop, waits for the
// viewers' goodbyes and for the downloads in progress (a page loading
// the 8 MB wasm VFS over a slow link) to finish.
const serveGrace = 30 * time.Second

// serveUntil serves srv on l until ctx is done, then shuts it down
// gracefully within grace: lv's viewers (if any) get their last events,
// an exit frame and a close frame, and the requests in progress are
// answered to the end. It returns once that shutdown has returned, not
// when Serve does (at once, with http.ErrServerClosed): a process that
// exited then would cut the responses still being written.
func serveUntil(ctx context.Context, srv *http.Server, l net.Listener, lv *live.Server, grace time.Duration) error {
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		if lv != nil {
			// The viewers' websockets are hijacked connections, which
			// srv.Shutdown neither closes nor waits for: each viewer
			// gets its last events, an exit frame and a close frame
			// first, as with vfscope run --serve.
			lv.Shutdown(shutdown, live.Message{Type: "exit", Error: "vfscope serve stopped"})
		}
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-stopped
	return nil
}
