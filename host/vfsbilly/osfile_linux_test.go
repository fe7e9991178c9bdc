package vfsbilly_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-git/go-billy/v5/util"

	"github.com/vfscope/vfscope/host/vfsbilly"
)

// shape is what a caller of the os package can tell of an error: its
// Op and its Err's text (for a syscall.Errno, the errno's name on this
// host), or nil. The path differs (the host's temporary directory) and
// is left out.
func shape(err error) string {
	if err == nil {
		return "nil"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

// TestFileCallsAsOS: a billy.File's Write, WriteAt and ReadAt answer as
// an *os.File of the host (Linux) does, osfs's files being those: an
// empty Write is one write(2), EBADF on a file not open for writing
// (vfs_write checks FMODE_WRITE before the count); an empty WriteAt or
// ReadAt makes no call; a negative offset fails before any call, with
// Op "readat" or "writeat"; a failed pread or pwrite is Op "read" or
// "write". The host's answer is the expectation.
func TestFileCallsAsOS(t *testing.T) {
	type file interface {
		io.Writer
		io.WriterAt
		io.ReaderAt
	}
	for _, tc := range []struct {
		name string
		flag int
		call func(f file) (int, error)
	}{
		{"Write(nil) read-only", os.O_RDONLY, func(f file) (int, error) { return f.Write(nil) }},
		{"Write(empty) read-only", os.O_RDONLY, func(f file) (int, error) { return f.Write([]byte{}) }},
		{"Write(nil) read-write", os.O_RDWR, func(f file) (int, error) { return f.Write(nil) }},
		{"Write(x) read-only", os.O_RDONLY, func(f file) (int, error) { return f.Write([]byte("x")) }},
		{"WriteAt(nil) read-only", os.O_RDONLY, func(f file) (int, error) { return f.WriteAt(nil, 0) }},
		{"WriteAt(x) read-only", os.O_RDONLY, func(f file) (int, error) { return f.WriteAt([]byte("x"), 0) }},
		{"WriteAt(x, -1)", os.O_RDWR, func(f file) (int, error) { return f.WriteAt([]byte("x"), -1) }},
		{"WriteAt(nil, -1)", os.O_RDWR, func(f file) (int, error) { return f.WriteAt(nil, -1) }},
		{"ReadAt(nil) write-only", os.O_WRONLY, func(f file) (int, error) { return f.ReadAt(nil, 0) }},
		{"ReadAt(1) write-only", os.O_WRONLY, func(f file) (int, error) { return f.ReadAt(make([]byte, 1), 0) }},
		{"ReadAt(1, -1)", os.O_RDWR, func(f file) (int, error) { return f.ReadAt(make([]byte, 1), -1) }},
		{"ReadAt(nil, -1)", os.O_RDWR, func(f file) (int, error) { return f.ReadAt(nil, -1) }},
		{"ReadAt(2) past the end", os.O_RDONLY, func(f file) (int, error) { return f.ReadAt(make([]byte, 2), 2) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := filepath.Join(t.TempDir(), "f")
			must(t, os.WriteFile(host, []byte("abc"), 0o644))
			of, err := os.OpenFile(host, tc.flag, 0)
			must(t, err)
			defer of.Close()
			wantN, wantErr := tc.call(of)

			_, tk := newVFS(t)
			bfs := vfsbilly.New(tk, "/w")
			must(t, util.WriteFile(bfs, "f", []byte("abc"), 0o644))
			bf, err := bfs.OpenFile("f", tc.flag, 0)
			must(t, err)
			defer bf.Close()
			n, err := tc.call(bf.(file))
			if n != wantN || shape(err) != shape(wantErr) {
				t.Errorf("got %d, %s; the host's os.File: %d, %s", n, shape(err), wantN, shape(wantErr))
			}
		})
	}
}

// TestTempFilePrefixAsOS: a TempFile prefix holding a "/" is refused,
// as os.CreateTemp (osfs's TempFile) refuses it, before anything is
// made; a prefix without one makes the file.
func TestTempFilePrefixAsOS(t *testing.T) {
	for _, prefix := range []string{"a/b", "/x", "x/", "ok"} {
		t.Run(prefix, func(t *testing.T) {
			of, wantErr := os.CreateTemp(t.TempDir(), prefix)
			if of != nil {
				of.Close()
			}
			_, tk := newVFS(t)
			bfs := vfsbilly.New(tk, "/w")
			bf, err := bfs.TempFile("d", prefix)
			if bf != nil {
				bf.Close()
			}
			if shape(err) != shape(wantErr) {
				t.Errorf("TempFile(%q): %s; the host's os.CreateTemp: %s", prefix, shape(err), shape(wantErr))
			}
			if err != nil {
				if _, err := bfs.Stat("d"); !os.IsNotExist(err) {
					t.Errorf("TempFile(%q) failed but made its directory: %v", prefix, err)
				}
			}
		})
	}
}
