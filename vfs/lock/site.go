package lock

import (
	"path"
	"runtime"
	"strconv"
	"strings"
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

// callerSite returns "file:line" of the first caller outside package lock.
// Only called with validation on.
func callerSite() string {
	var pcs [24]uintptr
	n := runtime.Callers(2, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if f.File != "" && !inPackage(f.File) {
			return shortFile(f.File) + ":" + strconv.Itoa(f.Line)
		}
		if !more {
			return "?"
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
