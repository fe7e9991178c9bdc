package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/host/wasihost/wasmtest"
)

// TestServeAddrInUse: an address another program listens on is no error
// in the command line: vfscope serve and vfscope run --serve both exit
// 1 (run keeps 2 for its flags and mounts), saying why and how to choose
// another address.
func TestServeAddrInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr := l.Addr().String()
	app := filepath.Join(t.TempDir(), "exit.wasm")
	if err := os.WriteFile(app, wasmtest.Exit(0), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		args   []string
		stderr string // a prefix of stderr
	}{
		{"serve", []string{"serve", "--addr", addr}, "vfscope serve: listen tcp " + addr + ": bind: address already in use" +
			" (another program listens there: choose another address with --addr HOST:PORT, or ADDR=HOST:PORT with make run)\n"},
		{"run --serve", []string{"run", "--serve", addr, app}, "vfscope run: --serve " + addr + ": listen tcp " + addr + ": bind: address already in use" +
			" (another program listens there: choose another address with --serve HOST:PORT, or ADDR=HOST:PORT with make run)\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, errs, st := runCmd(c.args...)
			if st != 1 || !strings.HasPrefix(errs, c.stderr) {
				t.Errorf("status %d, stderr %q; want 1, %q", st, errs, c.stderr)
			}
		})
	}
}
