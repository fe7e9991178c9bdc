package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vfscope/vfscope/host/live"
	"github.com/vfscope/vfscope/vfs"
)

// viewerGoodbye bounds how long the viewers of a guest that has exited
// are waited for: each gets its last events and a close frame, and
// answers the close.
const viewerGoodbye = 3 * time.Second

// serveRun is vfscope run --serve ADDR: the playground on addr with v, the
// guest's VFS, live at ?live (viewers only watch; at most maxViewers at
// once, 0 for live.DefaultMaxViewers), answering to loopback names,
// addr's host and allowHosts. It returns hold and the function that
// stops it once the guest has exited with status. Run from a terminal,
// a guest that exited of its own keeps the playground serving until
// interrupted, so the last state can be looked at: flush, if not nil,
// is called first (it writes the stores back, so that a signal that
// kills vfscope outright, SIGKILL, loses nothing the guest wrote), and
// then SIGINT (^C), SIGTERM (kill) or SIGHUP (the terminal hung up)
// ends the waiting, which leaves the rest of the shutdown to run (run's
// --mount mounts are unmounted after stop returns); a second signal
// gets the default. A guest a signal stopped (signalled) ends the
// serving without waiting, after the flush: one kill stops vfscope, as
// run's help says. hold catches those signals for the waiting from
// then on: run calls it before it stops catching its own (stopOnSignal),
// so that a ^C between the two is not the default's, which would lose
// the write-back. Stopping, it sends each viewer the events it has not
// had, an "exit" frame with status and a normal close frame
// (live.Server.Shutdown), before the server and the process go. An addr
// or allowHosts it cannot take is a usageError; an addr it cannot
// listen on is not.
func serveRun(e *env, addr string, allowHosts []string, maxViewers int, app string, v *vfs.VFS, flush func()) (hold func(), stop func(status int, signalled bool), err error) {
	hosts, err := live.NewHosts(addr, allowHosts...)
	if err != nil {
		return nil, nil, usageError(err.Error())
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	warnAllInterfaces(e.stderr, "vfscope run", addr, len(allowHosts) > 0, false)
	warnNoApp(e.stderr, "vfscope run")
	lv := liveServer(app, v, nil, hosts, nil)
	lv.MaxViewers = maxViewers
	halt := serveLive(l, serveMux(hosts, lv))
	fmt.Fprintf(e.stderr, "vfscope run: the guest's VFS is live at %s?live\n", listenURL(l))
	var ch chan os.Signal // the waiting's signals, once hold has run; used by run's goroutine only
	hold = func() {
		if e.terminal && ch == nil {
			ch = make(chan os.Signal, 1)
			signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		}
	}
	return hold, func(status int, signalled bool) {
		defer halt()
		if e.terminal {
			// Caught before the flush, which a ^C must not cut short.
			hold()
			if flush != nil {
				flush()
			}
			if !signalled {
				fmt.Fprintf(e.stderr, "vfscope run: the guest has exited; still serving %s (interrupt to stop)\n", listenURL(l))
				<-ch
			}
			signal.Stop(ch)
		}
		ctx, cancel := context.WithTimeout(context.Background(), viewerGoodbye)
		defer cancel()
		lv.Shutdown(ctx, live.Message{Type: "exit", Status: status,
			Error: fmt.Sprintf("%s has exited (status %d)", app, status)})
	}, nil
}
