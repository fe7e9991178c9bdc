package playground

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// TestAppGzip: a browser that takes gzip gets the text and wasm files
// gzipped, with their own type, a strong ETag of their own and Vary:
// Accept-Encoding; one that does not (or refuses gzip with q=0) gets
// them as they are; images, and files that would not shrink, go as they
// are too.
func TestAppGzip(t *testing.T) {
	big := bytes.Repeat([]byte("\x00asm\x01\x00\x00\x00 vfscope "), 4096)
	app := fstest.MapFS{
		"index.html":              {Data: []byte(strings.Repeat("<p>vfscope playground</p>", 100))},
		"busybox.wasm":            {Data: big},
		"assets/vfscope-def.wasm": {Data: big},
		"assets/index-abc.js":     {Data: []byte(strings.Repeat("console.log(1);", 200))},
		"assets/logo-abc.png":     {Data: big},
		"assets/tiny-abc.js":      {Data: []byte("1")},
	}
	h, gz := appHandler(app)
	// The warm-up compresses what is worth it before anyone asks.
	gz.warm()
	for name, want := range map[string]bool{"index.html": true, "busybox.wasm": true, "assets/vfscope-def.wasm": true, "assets/logo-abc.png": false, "assets/tiny-abc.js": false} {
		f := gz.files[name]
		if got := f != nil && f.data != nil; got != want {
			t.Errorf("after the warm-up, %s compressed: %v, want %v", name, got, want)
		}
	}
	get := func(path, accept, inm string) *http.Response {
		req := httptest.NewRequest("GET", path, nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	for _, tc := range []struct {
		path, accept string
		gzipped      bool
		ctype, vary  string
	}{
		{"/", "gzip, deflate, br", true, "text/html", "Accept-Encoding"},
		{"/busybox.wasm", "gzip", true, "application/wasm", "Accept-Encoding"},
		{"/assets/vfscope-def.wasm", "br;q=1.0, gzip;q=0.8", true, "application/wasm", "Accept-Encoding"},
		{"/assets/index-abc.js", "*", true, "javascript", "Accept-Encoding"},
		{"/busybox.wasm", "", false, "application/wasm", "Accept-Encoding"},
		{"/busybox.wasm", "identity", false, "application/wasm", "Accept-Encoding"},
		{"/busybox.wasm", "gzip;q=0", false, "application/wasm", "Accept-Encoding"},
		{"/assets/logo-abc.png", "gzip", false, "image/png", ""},
		{"/assets/tiny-abc.js", "gzip", false, "javascript", "Accept-Encoding"},
	} {
		res := get(tc.path, tc.accept, "")
		body, _ := io.ReadAll(res.Body)
		name := strings.TrimPrefix(tc.path, "/")
		if name == "" {
			name = "index.html"
		}
		want := app[name].Data
		if res.StatusCode != 200 {
			t.Errorf("GET %s (%q): status %d", tc.path, tc.accept, res.StatusCode)
			continue
		}
		if got := res.Header.Get("Content-Encoding") == "gzip"; got != tc.gzipped {
			t.Errorf("GET %s (%q): gzipped %v, want %v", tc.path, tc.accept, got, tc.gzipped)
			continue
		}
		if got := res.Header.Get("Content-Type"); !strings.Contains(got, tc.ctype) {
			t.Errorf("GET %s (%q): Content-Type %q, want %q", tc.path, tc.accept, got, tc.ctype)
		}
		if got := res.Header.Get("Vary"); got != tc.vary {
			t.Errorf("GET %s (%q): Vary %q, want %q", tc.path, tc.accept, got, tc.vary)
		}
		if tc.gzipped {
			if len(body) >= len(want) {
				t.Errorf("GET %s: %d bytes gzipped, %d plain", tc.path, len(body), len(want))
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("GET %s: %v", tc.path, err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatalf("GET %s: %v", tc.path, err)
			}
		}
		if !bytes.Equal(body, want) {
			t.Errorf("GET %s (%q): the content differs", tc.path, tc.accept)
		}
	}

	// Each encoding has its own strong ETag, and revalidates with it.
	plain, zipped := get("/busybox.wasm", "", ""), get("/busybox.wasm", "gzip", "")
	pt, zt := plain.Header.Get("ETag"), zipped.Header.Get("ETag")
	if pt == "" || zt == "" || pt == zt || !strings.HasPrefix(zt, `"`) || !strings.HasSuffix(zt, `"`) {
		t.Fatalf("ETags: plain %q, gzipped %q", pt, zt)
	}
	if res := get("/busybox.wasm", "gzip", zt); res.StatusCode != 304 {
		t.Errorf("gzipped revalidation with its tag: status %d, want 304", res.StatusCode)
	}
	if res := get("/busybox.wasm", "gzip", pt); res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("gzipped request with the plain file's tag: status %d, encoding %q; want 200, gzip", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	// /index.html still redirects to ./, gzip or not.
	if res := get("/index.html", "gzip", ""); res.StatusCode != 301 {
		t.Errorf("GET /index.html with gzip: status %d, want 301", res.StatusCode)
	}
}
