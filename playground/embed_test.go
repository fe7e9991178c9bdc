package playground

import (
	"io"
	"net/http"
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
	h, _ := appHandler(app)
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

// TestAppRevalidated: the files that are revalidated (no-cache) carry a
// strong ETag of their content, so that a browser that has the file
// gets 304 and no body, not the whole file again (an embedded file has
// no modification time to go by); another content has another tag.
// The hashed assets need none: they are cached for good.
func TestAppRevalidated(t *testing.T) {
	app := fstest.MapFS{
		"index.html":             {Data: []byte("<title>vfscope playground</title>")},
		"busybox.wasm":           {Data: []byte("\x00asm\x01\x00\x00\x00busybox")},
		"assets/index-abc123.js": {Data: []byte("console.log(1)")},
	}
	h, _ := appHandler(app)
	get := func(path, inm string) *http.Response {
		req := httptest.NewRequest("GET", path, nil)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	tags := map[string]string{}
	for _, tc := range []struct {
		path string
		tag  bool
	}{
		{"/", true},
		{"/busybox.wasm", true},
		{"/assets/index-abc123.js", false},
	} {
		res := get(tc.path, "")
		tag := res.Header.Get("ETag")
		if !tc.tag {
			if tag != "" {
				t.Errorf("GET %s: ETag %q on an immutable asset", tc.path, tag)
			}
			continue
		}
		if !strings.HasPrefix(tag, `"`) || len(tag) < 10 {
			t.Errorf("GET %s: ETag %q, want a strong tag", tc.path, tag)
			continue
		}
		tags[tc.path] = tag
		for _, c := range []struct {
			inm    string
			status int
		}{
			{tag, 304},
			{`W/` + tag, 304},
			{`"other", ` + tag, 304},
			{`"other"`, 200},
			{"*", 304},
		} {
			res := get(tc.path, c.inm)
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != c.status {
				t.Errorf("GET %s, If-None-Match %s: status %d, want %d", tc.path, c.inm, res.StatusCode, c.status)
			}
			if c.status == 304 && len(body) != 0 {
				t.Errorf("GET %s, If-None-Match %s: 304 with a body of %d bytes", tc.path, c.inm, len(body))
			}
			if got := res.Header.Get("ETag"); got != tag {
				t.Errorf("GET %s, If-None-Match %s: ETag %q, want %q", tc.path, c.inm, got, tag)
			}
		}
	}
	if tags["/"] == tags["/busybox.wasm"] {
		t.Errorf("two contents, one ETag %s", tags["/"])
	}
	app["busybox.wasm"] = &fstest.MapFile{Data: []byte("\x00asm\x01\x00\x00\x00busybox 2")}
	h, _ = appHandler(app)
	if res := get("/busybox.wasm", tags["/busybox.wasm"]); res.StatusCode != 200 || res.Header.Get("ETag") == tags["/busybox.wasm"] {
		t.Errorf("a new busybox.wasm: status %d, ETag %q (the old one was %s)", res.StatusCode, res.Header.Get("ETag"), tags["/busybox.wasm"])
	}
}
