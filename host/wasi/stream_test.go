package wasi

import (
	"errors"
	"io"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// stepReader returns its steps' results in turn, then (0, io.EOF).
type stepReader []struct {
	data string
	err  error
}

func (r *stepReader) Read(p []byte) (int, error) {
	if len(*r) == 0 {
		return 0, io.EOF
	}
	s := (*r)[0]
	*r = (*r)[1:]
	return copy(p, s.data), s.err
}

// TestStreamReadPartial: bytes a host stream returned along with an
// error are the result of fd_read, without the error, as read(2)
// returns a partial count; the error alone, next time, is EIO.
func TestStreamReadPartial(t *testing.T) {
	broken := errors.New("broken pipe")
	stdin := &stepReader{{"abc", broken}, {"", broken}, {"de", io.EOF}, {"", io.EOF}}
	_, task, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{Task: task, Stdin: stdin})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	m := make(Bytes, 4096)
	m.WriteUint32Le(100, 200)
	m.WriteUint32Le(104, 10)
	for i, want := range []struct {
		errno Errno
		data  string
	}{{ESUCCESS, "abc"}, {EIO, ""}, {ESUCCESS, "de"}, {ESUCCESS, ""}} {
		m.WriteUint32Le(8, 0)
		e := a.FdRead(m, 0, 100, 1, 8)
		if e != want.errno {
			t.Errorf("fd_read %d = %s, want %s", i, e.Name(), want.errno.Name())
			continue
		}
		if n := uint32(m[8]); e == ESUCCESS && string(m[200:200+n]) != want.data {
			t.Errorf("fd_read %d read %q, want %q", i, m[200:200+n], want.data)
		}
	}
}
