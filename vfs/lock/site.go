package lock

import (
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// pkgDir is the directory of this package's source files as the runtime
// names them; modRoot is the module root, used to shorten sites to
// module-relative paths like "vfs/namei.go:123". Set once at init.
var pkgDir, modRoot string

func init() {
	_, file, _, _ := runtime.Caller(0)
	pkgDir = path.Dir(file)
	modRoot = strings.TrimSuffix(pkgDir, "/vfs/lock")
}

// inPackage reports whether a frame belongs to package lock proper (its
// tests count as outside callers).
func inPackage(file string) bool {
	return path.Dir(file) == pkgDir && !strings.HasSuffix(file, "_test.go")
}

// siteCache maps a return pc to the site it resolves to: "file:line" of
// the first frame outside package lock at that pc, or "" if every frame
// there is inside the package. It only grows, bounded by the code size.
var siteCache sync.Map // uintptr -> string

// callerSite returns "file:line" of the first caller outside package lock.
// Only called with validation or tracing on. Unwinding costs per frame,
// and the acquirer is at most a few frames up (the primitive's method,
// its slow path, the owner's helper), so a short walk comes first.
func callerSite() string {
	var pcs [5]uintptr
	n := runtime.Callers(2, pcs[:])
	for _, pc := range pcs[:n] {
		s, ok := siteCache.Load(pc)
		if !ok {
			s = resolveSite(pc)
			siteCache.Store(pc, s)
		}
		if s != "" {
			return s.(string)
		}
	}
	if n < len(pcs) {
		return "?"
	}
	// Deeper than expected: walk the whole stack.
	var deep [64]uintptr
	n = runtime.Callers(2, deep[:])
	for _, pc := range deep[:n] {
		if s := resolveSite(pc); s != "" {
			return s
		}
	}
	return "?"
}

// resolveSite returns the site of the first frame outside package lock
// among the (possibly inlined) frames at return pc, or "".
func resolveSite(pc uintptr) string {
	frames := runtime.CallersFrames([]uintptr{pc})
	for {
		f, more := frames.Next()
		if f.File != "" && !inPackage(f.File) {
			return shortFile(f.File) + ":" + strconv.Itoa(f.Line)
		}
		if !more {
			return ""
		}
	}
}

// shortFile makes a path module-relative when it is inside the module, and
// otherwise keeps its last two elements.
func shortFile(file string) string {
	if modRoot != "" && modRoot != "." && strings.HasPrefix(file, modRoot+"/") {
		return file[len(modRoot)+1:]
	}
	dir, base := path.Split(file)
	if d := path.Base(dir); d != "." && d != "/" && d != "" {
		return d + "/" + base
	}
	return base
}
