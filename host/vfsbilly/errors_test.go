package vfsbilly

import (
	"errors"
	"io/fs"
	"os"
	"runtime"
	"syscall"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestErrnoTable checks the mapping row by row, for every errno vfs
// defines: the error value a billy caller gets, what os.IsXxx and
// errors.Is answer for it inside an *os.PathError and an *os.LinkError,
// and that ErrnoOf recovers the errno.
func TestErrnoTable(t *testing.T) {
	type class struct{ notExist, exist, perm, unsupported bool }
	want := map[vfs.Errno]class{
		vfs.ENOENT:    {notExist: true},
		vfs.EEXIST:    {exist: true},
		vfs.ENOTEMPTY: {exist: true},
		vfs.EACCES:    {perm: true},
		vfs.EPERM:     {perm: true},
		vfs.ENOSYS:    {unsupported: true},
		// Go's syscall.Errno on wasip1 counts only ENOSYS.
		vfs.EOPNOTSUPP: {unsupported: runtime.GOOS != "wasip1"},
	}
	// The rows that have no syscall name on some platform keep their
	// Linux number in an Errno on every platform.
	fallback := map[vfs.Errno]bool{vfs.ENODATA: true, vfs.ETXTBSY: true}

	for _, e := range vfs.Errnos() {
		t.Run(e.Name(), func(t *testing.T) {
			got := mapErr(e)
			switch {
			case fallback[e]:
				if got != Errno(e) {
					t.Fatalf("mapErr(%s) = %#v, want Errno(%d)", e.Name(), got, e)
				}
				if !errors.Is(got, e) {
					t.Errorf("errors.Is(Errno, vfs.%s) = false", e.Name())
				}
			default:
				s, ok := got.(syscall.Errno)
				if !ok {
					t.Fatalf("mapErr(%s) = %#v, want a syscall.Errno", e.Name(), got)
				}
				// The table names the constant; on Linux its number must
				// be the errno itself.
				if runtime.GOOS == "linux" && uint16(s) != uint16(e) {
					t.Errorf("mapErr(%s) = syscall.Errno(%d)", e.Name(), uint16(s))
				}
			}
			w := want[e]
			for _, err := range []error{
				&os.PathError{Op: "open", Path: "x", Err: got},
				&os.LinkError{Op: "rename", Old: "x", New: "y", Err: got},
			} {
				checks := []struct {
					name      string
					got, want bool
				}{
					{"os.IsNotExist", os.IsNotExist(err), w.notExist},
					{"errors.Is(fs.ErrNotExist)", errors.Is(err, fs.ErrNotExist), w.notExist},
					{"os.IsExist", os.IsExist(err), w.exist},
					{"errors.Is(fs.ErrExist)", errors.Is(err, fs.ErrExist), w.exist},
					{"os.IsPermission", os.IsPermission(err), w.perm},
					{"errors.Is(fs.ErrPermission)", errors.Is(err, fs.ErrPermission), w.perm},
					{"errors.Is(errors.ErrUnsupported)", errors.Is(err, errors.ErrUnsupported), w.unsupported},
				}
				for _, c := range checks {
					if c.got != c.want {
						t.Errorf("%T: %s = %v, want %v", err, c.name, c.got, c.want)
					}
				}
				if ErrnoOf(err) != e {
					t.Errorf("ErrnoOf(%T) = %s, want %s", err, ErrnoOf(err).Name(), e.Name())
				}
			}
		})
	}
	if len(errnoTable)+len(fallback) != len(vfs.Errnos()) {
		t.Errorf("table has %d rows and %d fallbacks for %d errnos", len(errnoTable), len(fallback), len(vfs.Errnos()))
	}
	if ErrnoOf(nil) != 0 || ErrnoOf(errors.New("x")) != vfs.EIO {
		t.Error("ErrnoOf(nil) or ErrnoOf(foreign error) wrong")
	}
	if err := pathErr("open", "x", errors.New("x")); errors.Unwrap(err).Error() != "x" {
		t.Error("a foreign error is not passed through")
	}
}
