package playground

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Compressed answers. The app's wasm files are most of what a browser
// fetches (vfscope.wasm is about 9 MB, 2.5 MB gzipped; busybox.wasm 3
// MB): on a classroom network, sent as they are, they take seconds a
// gzip-encoded answer does not. A file of a compressible type is
// compressed once, in the background when the server starts (warm), or
// when a browser that accepts gzip first asks for it if that comes
// first, and the result kept for the life of the process (the files are
// embedded: they never change under it).

// compressible lists the extensions worth compressing: text and
// WebAssembly. Images are compressed already.
var compressible = map[string]bool{
	".html": true, ".js": true, ".mjs": true, ".css": true, ".wasm": true,
	".json": true, ".svg": true, ".txt": true, ".map": true,
}

// gzipCache holds the compressed files of one app, by name.
type gzipCache struct {
	app   fs.FS
	mu    sync.Mutex // protects files; a leaf
	files map[string]*gzipFile
}

// gzipFile is one file's compressed bytes, made once.
type gzipFile struct {
	once sync.Once
	data []byte // nil if the file could not be read or did not shrink
}

func newGzipCache(app fs.FS) *gzipCache {
	return &gzipCache{app: app, files: map[string]*gzipFile{}}
}

// get returns name's bytes compressed, nil when it is not worth sending
// them (not a compressible type, unreadable, or no smaller).
func (c *gzipCache) get(name string) []byte {
	if !compressible[path.Ext(name)] {
		return nil
	}
	c.mu.Lock()
	f := c.files[name]
	if f == nil {
		f = &gzipFile{}
		c.files[name] = f
	}
	c.mu.Unlock()
	f.once.Do(func() {
		raw, err := fs.ReadFile(c.app, name)
		if err != nil {
			return
		}
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		if _, err := zw.Write(raw); err != nil || zw.Close() != nil || b.Len() >= len(raw) {
			return
		}
		f.data = b.Bytes()
	})
	return f.data
}

// warm compresses every compressible file of the app now, so that the
// first browser to ask for one does not wait for it (vfscope.wasm takes
// most of a second). The server starts it in the background.
func (c *gzipCache) warm() {
	fs.WalkDir(c.app, ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			c.get(name)
		}
		return nil
	})
}

// acceptsGzip reports whether the request's Accept-Encoding lists gzip
// (or *) with a quality above zero (RFC 9110, section 12.5.3).
func acceptsGzip(r *http.Request) bool {
	for _, h := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(h, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						q = f
					}
				}
			}
			if q > 0 {
				return true
			}
		}
	}
	return false
}

// serveGzip answers with name's compressed bytes, if the browser takes
// gzip and the file is worth it, and reports whether it did. Range and
// conditional requests apply to the compressed bytes, which a strong
// ETag of their own (the plain one's, marked) names. Every answer for a
// compressible file says it varies with Accept-Encoding, so that a cache
// keeps the two apart.
func (c *gzipCache) serveGzip(w http.ResponseWriter, r *http.Request, name string) bool {
	if !compressible[path.Ext(name)] {
		return false
	}
	w.Header().Add("Vary", "Accept-Encoding")
	if !acceptsGzip(r) {
		return false
	}
	data := c.get(name)
	if data == nil {
		return false
	}
	h := w.Header()
	h.Set("Content-Encoding", "gzip")
	if tag := h.Get("ETag"); tag != "" {
		h.Set("ETag", strings.TrimSuffix(tag, `"`)+`-gzip"`)
	}
	// ServeContent takes the type from name's extension, as the file
	// server does for the plain file.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
	return true
}
