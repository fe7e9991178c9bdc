package playground

import (
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// TestAppHandler checks what a browser gets from a built app: hashed
// assets cached for good, the rest revalidated, the app at / only (it
// has no routes of its own: index.html at /a/b/c would load
// ./assets/... from /a/b/assets/, which 404), 404 for a missing file
// and for a directory (no listings, and nothing cached).
func TestAppHandler(t *testing.T) {
	app := fstest.MapFS{
		"index.html":              {Data: []byte("<title>vfscope playground</title>")},
		"busybox.wasm":            {Data: []byte("\x00asm\x01\x00\x00\x00")},
		"assets/index-abc123.js":  {Data: []byte("console.log(1)")},
		"assets/vfscope-def.wasm": {Data: []byte("\x00asm\x01\x00\x00\x00")},
	}
	h := appHandler(app)
	for _, tc := range []struct {
		path, status, cache, ctype, body string
	}{
		{"/", "200", "no-cache", "text/html", "vfscope playground"},
		{"/some/route", "404", "", "text/plain", "not found"},
		{"/a/b/c", "404", "", "text/plain", "not found"},
		{"/a/b/c/", "404", "", "text/plain", "not found"},
		{"/index.html", "301", "no-cache", "", ""},
		{"/assets/", "404", "", "text/plain", "not found"},
		{"/assets", "404", "", "text/plain", "not found"},
		{"/busybox.wasm", "200", "no-cache", "application/wasm", "asm"},
		{"/assets/index-abc123.js", "200", immutable, "javascript", "console.log"},
		{"/assets/vfscope-def.wasm", "200", immutable, "application/wasm", "asm"},
		{"/assets/missing.js", "404", "", "text/plain", "not found"},
		{"/missing.png", "404", "", "text/plain", "not found"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		res := rec.Result()
		if got := res.Status[:3]; got != tc.status {
			t.Errorf("GET %s: status %s, want %s", tc.path, res.Status, tc.status)
		}
		if loc := res.Header.Get("Location"); tc.status == "301" && loc != "./" {
			t.Errorf("GET %s: Location %q, want ./", tc.path, loc)
		}
		if got := res.Header.Get("Cache-Control"); got != tc.cache {
			t.Errorf("GET %s: Cache-Control %q, want %q", tc.path, got, tc.cache)
		}
		if got := res.Header.Get("Content-Type"); !strings.Contains(got, tc.ctype) {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, got, tc.ctype)
		}
		if body := rec.Body.String(); !strings.Contains(body, tc.body) {
			t.Errorf("GET %s: body %.80q, want %q in it", tc.path, body, tc.body)
		}
	}
}
