package main

import (
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vfscope/vfscope/host/live"
)

// TestServeSignal: SIGINT (^C) or SIGTERM (kill(1), a service manager's
// stop) to `vfscope serve --live` shuts it down gracefully: each viewer
// gets an "exit" frame and a normal close frame, and vfscope exits 0.
func TestServeSignal(t *testing.T) {
	for _, c := range []struct {
		name string
		sig  os.Signal
	}{
		{"SIGINT", os.Interrupt},
		{"SIGTERM", syscall.SIGTERM},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0", "--live")
			cmd.Env = append(os.Environ(), childEnv+"=1")
			var stdout, stderr lockedBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			defer func() {
				cmd.Process.Kill()
				<-exited
				exited <- nil
			}()
			re := regexp.MustCompile(`live VFS \(read-only\): http://(\S+)/\?live`)
			deadline := time.Now().Add(30 * time.Second)
			var m []string
			for m = re.FindStringSubmatch(stdout.String()); m == nil; m = re.FindStringSubmatch(stdout.String()) {
				if time.Now().After(deadline) {
					t.Fatalf("no live URL; stdout %q, stderr %q", stdout.String(), stderr.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			ws, _, err := websocket.DefaultDialer.Dial("ws://"+m[1]+"/live", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			var hello live.Message
			if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" {
				t.Fatalf("hello %+v, %v", hello, err)
			}
			cmd.Process.Signal(c.sig)
			ws.SetReadDeadline(time.Now().Add(30 * time.Second))
			sawExit := false
			for {
				var msg live.Message
				if err := ws.ReadJSON(&msg); err != nil {
					if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
						t.Errorf("the websocket ended with %v, want a normal close (1000)", err)
					}
					break
				}
				sawExit = sawExit || msg.Type == "exit"
			}
			if !sawExit {
				t.Errorf("no exit frame before the close")
			}
			select {
			case err := <-exited:
				exited <- err
				if err != nil {
					t.Errorf("vfscope serve: %v, want exit status 0; stderr %q", err, stderr.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("vfscope serve did not stop at %v", c.sig)
			}
		})
	}
}
