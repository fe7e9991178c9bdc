package main

import (
	"fmt"
	"net"
	"os"
	"os/signal"

	"github.com/vfscope/vfscope/host/live"
	"github.com/vfscope/vfscope/vfs"
)

// serveRun is vfscope run --serve ADDR: the playground on addr with v, the
// guest's VFS, live at ?live (viewers only watch), answering to loopback
// names, addr's host and allowHosts. It returns the function
// that stops it once the guest has exited: run from a terminal, it first
// keeps serving until interrupted, so the last state can be looked at.
func serveRun(e *env, addr string, allowHosts []string, app string, v *vfs.VFS) (stop func(), err error) {
	hosts, err := live.NewHosts(addr, allowHosts...)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	warnAllInterfaces(e.stderr, "vfscope run", addr, len(allowHosts) > 0, false)
	lv := liveServer(app, v, nil, hosts, nil)
	halt := serveLive(l, serveMux(hosts, lv))
	fmt.Fprintf(e.stderr, "vfscope run: the guest's VFS is live at %s?live\n", listenURL(l))
	return func() {
		defer halt()
		if !e.terminal {
			return
		}
		fmt.Fprintf(e.stderr, "vfscope run: the guest has exited; still serving %s (interrupt to stop)\n", listenURL(l))
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt)
		defer signal.Stop(ch)
		<-ch
	}, nil
}
