package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/vfscope/vfscope/host/live"
	"github.com/vfscope/vfscope/playground"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

func TestParseServe(t *testing.T) {
	tests := []struct {
		args    []string
		addr    string
		wantErr string
	}{
		{nil, "127.0.0.1:8080", ""},
		{[]string{"--addr", "127.0.0.1:0"}, "127.0.0.1:0", ""},
		{[]string{"--addr=localhost:9999"}, "localhost:9999", ""},
		{[]string{"--addr"}, "", "--addr requires an argument"},
		{[]string{"--addr", "nope"}, "", "--addr nope: want HOST:PORT"},
		{[]string{"--frob"}, "", "unknown flag --frob"},
		{[]string{"extra"}, "", "unexpected argument extra"},
		{[]string{"--live", "--allow-write", "--origin", "http://a.example:1"}, "127.0.0.1:8080", ""},
		{[]string{"--allow-write"}, "", "--allow-write needs --live"},
		{[]string{"--live", "--origin", "a.example"}, "", "--origin a.example: want scheme://host[:port]"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			o, err := parseServe(tc.args)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.addr != tc.addr {
				t.Errorf("addr %q, want %q", o.addr, tc.addr)
			}
		})
	}
}

// TestServeApp checks what a browser gets: the app when this binary has
// it inside, otherwise a page that says it was built without it (never a
// blank page).
func TestServeApp(t *testing.T) {
	srv := httptest.NewServer(serveMux(nil))
	defer srv.Close()
	_, built := playground.App()
	for _, path := range []string{"/", "/index.html", "/some/app/route"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if built {
			if resp.StatusCode != 200 || !strings.Contains(string(body), "<title>vfscope playground</title>") {
				t.Errorf("GET %s: status %d, body %.200q; want the app", path, resp.StatusCode, body)
			}
			continue
		}
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "built without the playground") {
			t.Errorf("GET %s: status %d, body %.200q; want the not-built page", path, resp.StatusCode, body)
		}
	}
}

// TestRunServe runs a guest with --serve and checks, while it runs, that
// a viewer gets the guest's VFS over the websocket, read-only.
func TestRunServe(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--serve", "nope", "x.wasm"}, "--serve nope: want HOST:PORT"},
		{[]string{"--serve"}, "--serve requires an argument"},
	} {
		if _, err := parseRun(tc.args); err == nil || err.Error() != tc.wantErr {
			t.Errorf("parseRun(%q) = %v, want %q", tc.args, err, tc.wantErr)
		}
	}
	o, err := parseRun([]string{"--serve", "127.0.0.1:0", "app.wasm", "a"})
	if err != nil || o.serve != "127.0.0.1:0" || o.app != "app.wasm" {
		t.Fatalf("parseRun: %+v, %v", o, err)
	}
}

func TestServeRunLive(t *testing.T) {
	v, task, err := boot.New(vfs.Options{Lockdep: true, Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Mkdir("/tmp/guestdir", 0o755); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	stop, err := serveRun(&env{stderr: &stderr}, "127.0.0.1:0", "app.wasm", v)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	m := regexp.MustCompile(`live at http://(\S+)/\?live`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no URL in %q", stderr.String())
	}
	c, _, err := websocket.DefaultDialer.Dial("ws://"+m[1]+"/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var hello, snap live.Message
	if err := c.ReadJSON(&hello); err != nil || hello.Name != "app.wasm" || hello.Writable {
		t.Fatalf("hello %+v, %v", hello, err)
	}
	if err := c.ReadJSON(&snap); err != nil || snap.Snapshot == nil {
		t.Fatalf("snapshot %+v, %v", snap, err)
	}
	found := false
	for _, d := range snap.Snapshot.Dentries {
		found = found || d.Name == "guestdir"
	}
	if !found {
		t.Errorf("the snapshot lacks /tmp/guestdir")
	}
}
