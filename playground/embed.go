// Package playground holds the playground app (a single-page TypeScript
// app in this folder) and embeds its build for `vfscope serve`.
//
// The app is built by `make playground` (npm run build here), which writes
// it to dist/app. A Go binary built before that has no app inside: Handler
// then answers every page request with an explanation of how to build it,
// never with a blank page.
package playground

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"sync"
)

// dist is the build output folder. It always holds dist/.keep, so the
// embed pattern matches even when the app has not been built.
//
//go:embed all:dist
var dist embed.FS

// App returns the built app (index.html at its root) and true, or nil
// and false when this binary was built without it.
func App() (fs.FS, bool) {
	app, err := fs.Sub(dist, "dist/app")
	if err != nil {
		return nil, false
	}
	if _, err := fs.Stat(app, "index.html"); err != nil {
		return nil, false
	}
	return app, true
}

// NotBuilt is the page served when the binary has no app inside.
const NotBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vfscope: playground not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>This vfscope was built without the playground</h1>
<p>The playground app is a web build that must exist before the Go binary is
compiled, since the binary embeds it. From the repository root run</p>
<pre>make run</pre>
<p>which builds the WebAssembly VFS and the app, then starts
<code>vfscope serve</code>; or build them alone with <code>make playground</code>
and rebuild vfscope.</p>
<p>The live websocket endpoint (<code>/live</code>) works without the app.</p>
</body></html>
`

// Handler serves the app's files, or NotBuilt (status 503) for every
// request when the binary has no app inside. The app is at / only:
// other paths that name no file are 404. Every call returns the same
// handler, whose compressed files (gzip.go) are made once per process.
func Handler() http.Handler {
	handlerOnce.Do(func() {
		app, ok := App()
		if !ok {
			handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Header().Set("Cache-Control", "no-store")
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte(NotBuilt))
			})
			return
		}
		h, gz := appHandler(app)
		go gz.warm()
		handler = h
	})
	return handler
}

var (
	handlerOnce sync.Once
	handler     http.Handler // set once by Handler
)

// immutable is the caching of vite's output under assets/: each name
// carries a hash of the content, so a browser keeps the file (and, for
// vfscope.wasm, its compiled code) instead of fetching 7 MB again on
// every visit.
const immutable = "public, max-age=31536000, immutable"

// appHandler serves the built app in app: index.html at / (the app has
// no routes of its own; its state is in the query and the fragment),
// the files under it, assets/ as immutable and the rest to be
// revalidated, and 404 for anything else: an unknown path, whose
// index.html would load ./assets/... from the wrong folder, and a
// directory, which gets no listing. The files revalidated carry a
// strong ETag, a hash of their content taken once here (an embedded
// file has no modification time), so that a browser that has one gets
// 304 instead of the whole file again (busybox.wasm is 3 MB). A browser
// that takes gzip gets the compressible files gzipped (gzip.go).
func appHandler(app fs.FS) (http.Handler, *gzipCache) {
	files := http.FileServerFS(app)
	tags := etags(app)
	gz := newGzipCache(app)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name != "" {
			// fs.Stat refuses names that are not clean ("a/", "a//b",
			// "../x"): those are 404 as well.
			if fi, err := fs.Stat(app, name); err != nil || fi.IsDir() {
				http.NotFound(w, r) // a 404 is not cached
				return
			}
		}
		if strings.HasPrefix(name, "assets/") {
			w.Header().Set("Cache-Control", immutable)
		} else {
			w.Header().Set("Cache-Control", "no-cache")
			if name == "" {
				name = "index.html"
			}
			if tag, ok := tags[name]; ok {
				// http.ServeContent answers If-None-Match with it.
				w.Header().Set("ETag", tag)
			}
		}
		// /index.html itself is the file server's redirect to ./.
		if r.URL.Path != "/index.html" && gz.serveGzip(w, r, name) {
			return
		}
		files.ServeHTTP(w, r)
	}), gz
}

// etags hashes the files of app outside assets/ (whose names carry a
// hash already): a strong ETag for each, by name.
func etags(app fs.FS) map[string]string {
	tags := map[string]string{}
	fs.WalkDir(app, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if name == "assets" {
				return fs.SkipDir
			}
			return nil
		}
		f, err := app.Open(name)
		if err != nil {
			return nil
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return nil
		}
		tags[name] = `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
		return nil
	})
	return tags
}
