package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/vfscope/vfscope/playground"
)

const serveUsage = "[--addr HOST:PORT]"

const serveHelpText = `Usage: vfscope serve ` + serveUsage + `

Serve the playground: the VFS compiled to WebAssembly runs in the page, with
a terminal and live views of the dentry cache, inodes, page cache and locks.
The app is embedded in this binary when it was built after 'make playground'
('make run' does both); without it every page explains how to build it.

Flags:
  --addr HOST:PORT   where to listen (default 127.0.0.1:8080; port 0 picks
                     a free port). The URL is printed once listening.
`

// serveOptions is the parsed command line of vfscope serve.
type serveOptions struct {
	addr string
}

func parseServe(args []string) (*serveOptions, error) {
	o := &serveOptions{addr: "127.0.0.1:8080"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return nil, usageError("unexpected argument " + a)
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		takesValue := map[string]bool{"addr": true}
		if takesValue[name] && !hasVal {
			if i+1 >= len(args) {
				return nil, usageError("--" + name + " requires an argument")
			}
			i++
			val = args[i]
		} else if !takesValue[name] && hasVal {
			return nil, usageError("--" + name + " takes no argument")
		}
		switch name {
		case "h", "help":
			return nil, errHelp
		case "addr":
			if _, _, err := net.SplitHostPort(val); err != nil {
				return nil, usageError("--addr " + val + ": want HOST:PORT")
			}
			o.addr = val
		default:
			return nil, usageError("unknown flag " + a)
		}
	}
	return o, nil
}

// serveMux routes the playground's paths.
func serveMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/", playground.Handler())
	return mux
}

// listenURL is the address to print for a listener: http://HOST:PORT/.
func listenURL(l net.Listener) string {
	return "http://" + l.Addr().String() + "/"
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
	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "vfscope serve: %v\n", err)
		return 1
	}
	if _, ok := playground.App(); !ok {
		fmt.Fprintf(e.stderr, "vfscope serve: this binary was built without the playground app (run 'make playground', then rebuild); pages will say so\n")
	}
	fmt.Fprintf(e.stdout, "vfscope playground: %s\n", listenURL(l))
	srv := &http.Server{Handler: serveMux(), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(e.stderr, "vfscope serve: %v\n", err)
		return 1
	}
	return 0
}
