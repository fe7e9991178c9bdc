package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/playground"
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
