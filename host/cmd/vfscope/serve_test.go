package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vfscope/vfscope/host/live"
	"github.com/vfscope/vfscope/playground"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/trace"
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
		{[]string{"--addr", "0.0.0.0:8080", "--allow-host", "box.lan", "--allow-host=[2001:db8::1]"}, "0.0.0.0:8080", ""},
		{[]string{"--allow-host", "box.lan:8080"}, "", "--allow-host box.lan:8080: want a host name or an IP address, without a port"},
		{[]string{"--allow-host", "http://box.lan"}, "", "--allow-host http://box.lan: want a host name or an IP address, without a port"},
		{[]string{"--allow-host"}, "", "--allow-host requires an argument"},
		// --allow-write where other machines reach: a shell for anybody
		// who sends Host: 127.0.0.1, unless asked for explicitly.
		{[]string{"--addr", ":8080", "--live", "--allow-write"}, "", "--allow-write on --addr :8080 would give a shell"},
		{[]string{"--addr", "0.0.0.0:8080", "--live", "--allow-write"}, "", "--allow-write on --addr 0.0.0.0:8080 would give a shell"},
		{[]string{"--addr", "[::]:8080", "--live", "--allow-write"}, "", "--allow-write on --addr [::]:8080 would give a shell"},
		{[]string{"--addr", "192.0.2.7:8080", "--live", "--allow-write"}, "", "--allow-write on --addr 192.0.2.7:8080 would give a shell"},
		{[]string{"--addr", "box.lan:8080", "--live", "--allow-write"}, "", "--allow-write on --addr box.lan:8080 would give a shell"},
		{[]string{"--addr", ":8080", "--live", "--allow-write", "--allow-remote-write"}, ":8080", ""},
		{[]string{"--addr", "localhost:8080", "--live", "--allow-write"}, "localhost:8080", ""},
		{[]string{"--addr", "127.0.0.2:8080", "--live", "--allow-write"}, "127.0.0.2:8080", ""},
		{[]string{"--addr", "[::1]:8080", "--live", "--allow-write"}, "[::1]:8080", ""},
		{[]string{"--addr", ":8080", "--live"}, ":8080", ""},
		{[]string{"--live", "--allow-remote-write"}, "", "--allow-remote-write needs --allow-write"},
		{[]string{"--live", "--max-viewers", "5"}, "127.0.0.1:8080", ""},
		{[]string{"--live", "--max-viewers", "0"}, "", "--max-viewers 0: want a number from 1 to 1024"},
		{[]string{"--live", "--max-viewers=x"}, "", "--max-viewers x: want a number from 1 to 1024"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			o, err := parseServe(tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
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

// TestServeHosts: vfscope serve's pages and websocket answer to the
// loopback names, the host of --addr and --allow-host, and nothing else.
func TestServeHosts(t *testing.T) {
	v, _, err := boot.New(vfs.Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr  string
		allow []string
		host  string
		ok    bool
	}{
		{"127.0.0.1:8080", nil, "127.0.0.1:8080", true},
		{"127.0.0.1:8080", nil, "localhost:8080", true},
		{"127.0.0.1:8080", nil, "[::1]:8080", true},
		{"127.0.0.1:8080", nil, "evil.example:8080", false},
		{"127.0.0.1:8080", nil, "192.0.2.7:8080", false},
		{"192.0.2.7:8080", nil, "192.0.2.7:8080", true},
		{"192.0.2.7:8080", nil, "box.lan:8080", false},
		{"box.lan:8080", nil, "box.lan:8080", true},
		{"[2001:db8::1]:8080", nil, "[2001:db8::1]:8080", true},
		{"0.0.0.0:8080", nil, "192.0.2.7:8080", false},
		{"0.0.0.0:8080", []string{"192.0.2.7", "box.lan"}, "192.0.2.7:8080", true},
		{"0.0.0.0:8080", []string{"192.0.2.7", "box.lan"}, "box.lan:8080", true},
		{"0.0.0.0:8080", []string{"192.0.2.7", "box.lan"}, "evil.example:8080", false},
	}
	for _, tc := range tests {
		t.Run(tc.addr+" "+strings.Join(tc.allow, ",")+" "+tc.host, func(t *testing.T) {
			hosts, err := live.NewHosts(tc.addr, tc.allow...)
			if err != nil {
				t.Fatal(err)
			}
			mux := serveMux(hosts, liveServer("test", v, nil, hosts, nil))
			for _, path := range []string{"/", "/live"} {
				r := httptest.NewRequest("GET", path, nil)
				r.Host = tc.host
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, r)
				// Allowed: the app (or the not-built page) at /, and at
				// /live the upgrader's 400 to a request that is no upgrade.
				if refused := w.Code == http.StatusForbidden; refused == tc.ok {
					t.Errorf("GET %s: %d %.200q", path, w.Code, w.Body.String())
				}
				if !tc.ok && !strings.Contains(w.Body.String(), "DNS rebinding") {
					t.Errorf("GET %s: the 403 does not say why: %q", path, w.Body.String())
				}
			}
		})
	}
}

func TestPrintAddr(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:8080":     "127.0.0.1:8080",
		"[::1]:8080":         "[::1]:8080",
		"0.0.0.0:8080":       "127.0.0.1:8080",
		"[::]:8080":          "127.0.0.1:8080",
		"[2001:db8::1]:8080": "[2001:db8::1]:8080",
		"box.lan:8080":       "box.lan:8080",
	} {
		if got := printAddr(in); got != want {
			t.Errorf("printAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWarnAllInterfaces: listening where other machines reach, the
// warning says they can connect (the Host check stops browsers' pages of
// other sites, not other programs), and what they can do.
func TestWarnAllInterfaces(t *testing.T) {
	for _, tc := range []struct {
		addr      string
		allowed   bool
		write     bool
		want      []string // in the warning; none: no warning
		allowHost bool     // the --allow-host hint
	}{
		{addr: "127.0.0.1:8080"},
		{addr: "localhost:8080"},
		{addr: "[::1]:8080", write: true},
		{addr: ":8080", want: []string{"every interface", "other machines", "can connect", "watch the live VFS"}, allowHost: true},
		{addr: "0.0.0.0:8080", write: true, want: []string{"every interface", "run commands on the live VFS"}, allowHost: true},
		{addr: "[::]:8080", want: []string{"every interface"}, allowHost: true},
		{addr: "0.0.0.0:8080", allowed: true, want: []string{"every interface", "other machines"}},
		{addr: "192.0.2.7:8080", want: []string{"on 192.0.2.7", "other machines"}},
		{addr: "box.lan:8080", want: []string{"on box.lan", "other machines"}},
	} {
		var b bytes.Buffer
		warnAllInterfaces(&b, "vfscope serve", tc.addr, tc.allowed, tc.write)
		got := b.String()
		if len(tc.want) == 0 && got != "" {
			t.Errorf("%s: %q, want no warning", tc.addr, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q, want %q in it", tc.addr, got, w)
			}
		}
		if strings.Contains(got, "only localhost") || strings.Contains(got, "answering only to") {
			t.Errorf("%s: %q suggests only this machine can connect", tc.addr, got)
		}
		if hint := strings.Contains(got, "--allow-host for each"); hint != tc.allowHost {
			t.Errorf("%s (allowed %v): %q, want the --allow-host hint %v", tc.addr, tc.allowed, got, tc.allowHost)
		}
	}
}

// TestServeApp checks what a browser gets: the app when this binary has
// it inside, otherwise a page that says it was built without it (never a
// blank page).
func TestServeApp(t *testing.T) {
	srv := httptest.NewServer(serveMux(nil, nil))
	defer srv.Close()
	_, built := playground.App()
	for _, tc := range []struct {
		path string
		code int    // when the app is built
		body string // in the body then
	}{
		{"/", 200, "<title>vfscope playground</title>"},
		{"/index.html", 200, "<title>vfscope playground</title>"}, // redirected to /
		{"/some/app/route", 404, "not found"},
		{"/assets/", 404, "not found"},
	} {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if built {
			if resp.StatusCode != tc.code || !strings.Contains(string(body), tc.body) {
				t.Errorf("GET %s: status %d, body %.200q; want %d with %q", tc.path, resp.StatusCode, body, tc.code, tc.body)
			}
			continue
		}
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "built without the playground") {
			t.Errorf("GET %s: status %d, body %.200q; want the not-built page", tc.path, resp.StatusCode, body)
		}
	}
}

// TestParseRunServe: the command-line errors of --serve and --allow-host.
func TestParseRunServe(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--serve", "nope", "x.wasm"}, "--serve nope: want HOST:PORT"},
		{[]string{"--serve"}, "--serve requires an argument"},
		{[]string{"--allow-host", "box.lan", "x.wasm"}, "--allow-host needs --serve"},
		{[]string{"--serve", "127.0.0.1:0", "--allow-host", "box.lan:80", "x.wasm"},
			"--allow-host box.lan:80: want a host name or an IP address, without a port"},
		{[]string{"--max-viewers", "4", "x.wasm"}, "--max-viewers needs --serve"},
		{[]string{"--serve", "127.0.0.1:0", "--max-viewers", "0", "x.wasm"}, "--max-viewers 0: want a number from 1 to 1024"},
		{[]string{"--serve", "127.0.0.1:0", "--max-viewers=many", "x.wasm"}, "--max-viewers many: want a number from 1 to 1024"},
	} {
		if _, err := parseRun(tc.args); err == nil || err.Error() != tc.wantErr {
			t.Errorf("parseRun(%q) = %v, want %q", tc.args, err, tc.wantErr)
		}
	}
	o, err := parseRun([]string{"--serve", "127.0.0.1:0", "--allow-host", "box.lan", "--max-viewers", "3", "app.wasm", "a"})
	if err != nil || o.serve != "127.0.0.1:0" || o.app != "app.wasm" || len(o.hosts) != 1 || o.hosts[0] != "box.lan" || o.viewers != 3 {
		t.Fatalf("parseRun: %+v, %v", o, err)
	}
}

// syncBuffer is an output stream a test reads while a command writes it.
type syncBuffer struct {
	mu  sync.Mutex // protects b; leaf
	b   bytes.Buffer
	sig chan struct{} // gets a token after each write
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{sig: make(chan struct{}, 1)} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.sig <- struct{}{}:
	default:
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitLimit bounds wait: generous, because before a guest prints
// anything wazero compiles it, which under -race on a loaded two-core
// machine took more than 30 s (CI failed so while other builds ran).
const waitLimit = 3 * time.Minute

// wait returns re's first match in what was written, waiting up to
// waitLimit for it to appear.
func (s *syncBuffer) wait(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		if m := re.FindStringSubmatch(s.String()); m != nil {
			return m
		}
		select {
		case <-s.sig:
		case <-deadline:
			t.Fatalf("no %q in %q after %v", re, s.String(), waitLimit)
		}
	}
}

// buildWasip1 builds the Go package dir for GOOS=wasip1 (skipped without
// a go tool) and returns the module's path.
func buildWasip1(t *testing.T, dir string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build the wasip1 guest")
	}
	app := filepath.Join(t.TempDir(), filepath.Base(dir)+".wasm")
	cmd := exec.Command(goTool, "build", "-o", app, dir)
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", dir, err, out)
	}
	return app
}

// snapPaths maps each positive dentry of a snapshot to its path from
// the root of its filesystem ("/tmp/live/a.txt" on the root tmpfs,
// "/meminfo" on procfs).
func snapPaths(s *trace.Snapshot) map[string]bool {
	byID := map[uint64]trace.DentrySnap{}
	for _, d := range s.Dentries {
		byID[d.ID] = d
	}
	paths := map[string]bool{}
	for _, d := range s.Dentries {
		if d.Inode == 0 {
			continue
		}
		p := ""
		for e, ok := d, true; ok && e.Parent != e.ID; e, ok = byID[e.Parent] {
			p = "/" + e.Name + p
		}
		paths["/"+strings.TrimPrefix(p, "/")] = true
	}
	return paths
}

// TestRunServe runs `vfscope run --serve` with a guest that creates
// files and then waits on its stdin. While it runs, a viewer attached to
// the websocket gets the guest's VFS: the files in its first snapshot,
// a file the guest creates later in the events, and its command refused
// (read-only); a request naming another host is refused, page and
// websocket. When the guest exits, the server stops.
func TestRunServe(t *testing.T) {
	app := buildWasip1(t, "./testdata/liveguest")
	stdin, feed := io.Pipe()
	stdout, stderr := newSyncBuffer(), newSyncBuffer()
	done := make(chan int, 1)
	go func() {
		done <- run(&env{stdin: stdin, stdout: stdout, stderr: stderr}, []string{"run", "--serve", "127.0.0.1:0", app})
	}()
	exited := false
	defer func() { // a failed test must not leave the guest running
		if !exited {
			feed.Close()
			<-done
		}
	}()
	addr := stderr.wait(t, regexp.MustCompile(`live at http://(\S+)/\?live\n`))[1]
	stdout.wait(t, regexp.MustCompile(`^ready\n`))

	// The page is served to this host's loopback names only.
	for host, code := range map[string]int{addr: 0, "localhost:1": 0, "evil.example:1": http.StatusForbidden} {
		req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if code == 0 && resp.StatusCode == http.StatusForbidden || code != 0 && resp.StatusCode != code {
			t.Errorf("GET / with Host %s: %d %.200q", host, resp.StatusCode, body)
		}
	}
	// So is the websocket: a rebound name is refused before any frame.
	if c, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+"/live",
		http.Header{"Host": {"evil.example:1"}, "Origin": {"http://evil.example:1"}}); err == nil {
		c.Close()
		t.Errorf("a viewer with Host evil.example was accepted")
	} else if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer with Host evil.example: %v, want 403", err)
	}

	c, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/live", http.Header{"Origin": {"http://" + addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	next := func() live.Message {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		var m live.Message
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("viewer: %v", err)
		}
		return m
	}
	if hello := next(); hello.Type != "hello" || hello.Name != app || hello.Writable {
		t.Fatalf("hello %+v, want %s read-only", hello, app)
	}
	snap := next()
	if snap.Type != "snapshot" || snap.Snapshot == nil {
		t.Fatalf("got %s, want the snapshot", snap.Type)
	}
	paths := snapPaths(snap.Snapshot)
	for _, p := range []string{"/tmp/live", "/tmp/live/a.txt", "/tmp/live/sub", "/tmp/live/sub/b.txt"} {
		if !paths[p] {
			t.Errorf("the first snapshot lacks the guest's %s (it has %v)", p, paths)
		}
	}

	// A file the guest creates now reaches the viewer as events (or, had
	// the viewer fallen behind, in a new snapshot).
	io.WriteString(feed, "c.txt\n")
	stdout.wait(t, regexp.MustCompile(`created c\.txt\n`))
	for seen := false; !seen; {
		switch m := next(); m.Type {
		case "events":
			for _, e := range m.Events {
				seen = seen || e.Kind == trace.DentryAlloc && e.Name == "c.txt"
			}
		case "snapshot":
			seen = snapPaths(m.Snapshot)["/tmp/live/c.txt"]
		default:
			t.Fatalf("unexpected %+v", m)
		}
	}

	// The viewer's command is refused, and a fresh snapshot shows the
	// VFS as the guest left it.
	if err := c.WriteJSON(live.Message{Type: "command", ID: 9, Line: "touch /tmp/live/viewer.txt"}); err != nil {
		t.Fatal(err)
	}
	for {
		m := next()
		if m.Type == "events" {
			continue
		}
		if m.Type != "error" || m.ID != 9 || !strings.Contains(m.Error, "read-only") {
			t.Fatalf("reply to the command: %+v, want a read-only error", m)
		}
		break
	}
	if err := c.WriteJSON(live.Message{Type: "snapshot"}); err != nil {
		t.Fatal(err)
	}
	for {
		m := next()
		if m.Type != "snapshot" {
			continue
		}
		paths := snapPaths(m.Snapshot)
		if !paths["/tmp/live/c.txt"] || paths["/tmp/live/viewer.txt"] {
			t.Errorf("snapshot after the command: c.txt %v, viewer.txt %v; want true, false", paths["/tmp/live/c.txt"], paths["/tmp/live/viewer.txt"])
		}
		break
	}

	// The guest exits: the viewer gets the events it made last (it lists
	// /tmp/live), an "exit" frame with its status, then a normal close
	// (it used to get nothing and an abnormal close, 1006).
	feed.Close()
	for {
		m := next()
		if m.Type == "events" || m.Type == "snapshot" {
			continue
		}
		if m.Type != "exit" || m.Status != 0 || !strings.Contains(m.Error, "has exited (status 0)") {
			t.Fatalf("when the guest exited: %+v, want an exit frame with status 0", m)
		}
		break
	}
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, _, err := c.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Errorf("after the exit frame: %v, want a normal close (1000)", err)
	}
	status := <-done
	exited = true
	if status != 0 {
		t.Fatalf("vfscope run exited %d; stderr:\n%s", status, stderr.String())
	}
	if got, want := stdout.String(), "ready\ncreated c.txt\nentry a.txt\nentry c.txt\nentry sub\n"; got != want {
		t.Errorf("guest's stdout %q, want %q", got, want)
	}
	// Not on a terminal, the server stops with the guest.
	if _, err := http.Get("http://" + addr + "/"); err == nil {
		t.Errorf("still serving after the guest exited")
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
	_, stop, err := serveRun(&env{stderr: &stderr}, "127.0.0.1:0", nil, 1, "app.wasm", v, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop(0, false)
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
	// A command is refused, with no flag to suggest: run has none.
	if err := c.WriteJSON(live.Message{Type: "command", ID: 1, Line: "ls"}); err != nil {
		t.Fatal(err)
	}
	for {
		var m live.Message
		if err := c.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		if m.Type == "events" {
			continue
		}
		if want := "read-only: this server does not let viewers change the VFS"; m.Type != "error" || m.Error != want {
			t.Errorf("reply to a command %+v, want the error %q", m, want)
		}
		break
	}
	// Started with --max-viewers 1: a second viewer is refused.
	c2, resp, err := websocket.DefaultDialer.Dial("ws://"+m[1]+"/live", nil)
	if err == nil {
		c2.Close()
		t.Errorf("a second viewer was taken with --max-viewers 1")
	} else if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a second viewer: %v, %v; want 503", resp, err)
	}
}

// TestLiveExecBounded runs viewers' commands on the live VFS (serve
// --live --allow-write): what one command line prints is collected for
// its reply, so it is cut at the shell's output limit, and a device
// that never ends is read no further (Linux's cat would stream
// /dev/zero until ^C, which a viewer cannot send). The VFS goes on.
func TestLiveExecBounded(t *testing.T) {
	v, task, err := boot.New(vfs.Options{Lockdep: true, Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	hosts, err := live.NewHosts("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lv := liveServer("test", v, task.Fork("sh"), hosts, nil)
	tests := []struct {
		line   string
		body   int    // bytes of output before tail
		tail   string // the output's end
		status int
	}{
		{"cat /dev/zero", 1 << 20, "cat: /dev/zero: stopped after 1048576 bytes (the shell's limit on reading a device)\n", 1},
		{"truncate -s 2M /tmp/big; cat /tmp/big", 1 << 20, "cat: output truncated after 1048576 bytes (the shell's output limit)\n", 1},
		{"echo still here", 0, "still here\n", 0},
	}
	for _, tc := range tests {
		r := lv.Exec(context.Background(), tc.line)
		out, status := r.Output, r.Status
		if len(out) != tc.body+len(tc.tail) || !strings.HasSuffix(out, tc.tail) || status != tc.status {
			t.Errorf("%s: %d bytes ending %q, status %d; want %d ending %q, status %d",
				tc.line, len(out), out[max(len(out)-100, 0):], status, tc.body+len(tc.tail), tc.tail, tc.status)
		}
	}
}

// TestLiveMountsMemoryStoresOnly: viewers allowed to run commands on the
// live VFS of vfscope serve --live --allow-write change that VFS, not
// the host: a billyfs mount of a host directory fails with EPERM (which
// mount(8) reports as "permission denied", exit status 32) and leaves
// the directory untouched; a memory store mounts and takes files.
func TestLiveMountsMemoryStoresOnly(t *testing.T) {
	v, task, err := bootLive()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Shutdown()
	hosts, err := live.NewHosts("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lv := liveServer("test", v, task.Fork("sh"), hosts, nil)
	dir := t.TempDir()
	tests := []struct {
		line   string
		out    string // part of the output
		status int
	}{
		{"mkdir /mnt", "", 0},
		{"mount -t billyfs -o store=os:" + dir + " none /mnt", "permission denied", 32},
		{"mount -t billyfs os:" + dir + " /mnt", "permission denied", 32},
		{"mount -t billyfs -o store=mem none /mnt", "", 0},
		{"echo hi > /mnt/f; cat /mnt/f", "hi\n", 0},
		{"umount /mnt", "", 0},
	}
	for _, tc := range tests {
		r := lv.Exec(context.Background(), tc.line)
		out, status := r.Output, r.Status
		if !strings.Contains(out, tc.out) || status != tc.status {
			t.Errorf("%s: %q, status %d; want %q in it, status %d", tc.line, out, status, tc.out, tc.status)
		}
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
		t.Fatalf("the host directory holds %d entries (%v), want none", len(ents), err)
	}
}

// TestServeRunNoApp: run --serve from a binary built without the
// playground app says so, as serve does: its pages only explain how to
// build it.
func TestServeRunNoApp(t *testing.T) {
	defer func(f func() bool) { appBuilt = f }(appBuilt)
	appBuilt = func() bool { return false }
	v, _, err := boot.New(vfs.Options{Lockdep: true, Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	_, stop, err := serveRun(&env{stderr: &stderr}, "127.0.0.1:0", nil, 1, "app.wasm", v, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop(0, false)
	if want := "vfscope run: this binary was built without the playground app (run 'make playground', then rebuild); pages will say so\n"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q, want it to contain %q", stderr.String(), want)
	}
}
