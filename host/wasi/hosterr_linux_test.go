package wasi

import (
	"os"
	"syscall"
	"testing"
)

// fdReader reads a host descriptor with read(2) itself, as a stream
// that is not Go's poller's: an O_NONBLOCK one returns EAGAIN.
type fdReader int

func (r fdReader) Read(p []byte) (int, error) {
	n, err := syscall.Read(int(r), p)
	if err != nil {
		return 0, &os.PathError{Op: "read", Path: "stdin", Err: err}
	}
	return n, nil
}

// TestStreamErrnoHost: against the host kernel, the guest's fd_write to
// a stdout pipe whose reader has gone is EPIPE (what write(2) returns
// once SIGPIPE is not fatal) and its fd_read of an empty O_NONBLOCK
// stdin pipe is EAGAIN.
func TestStreamErrnoHost(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r.Close()
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	a := streamABI(t, fdReader(p[0]), w)
	m := make(Bytes, 4096)
	m.WriteUint32Le(100, 200)
	m.WriteUint32Le(104, 10)
	if e := a.FdWrite(m, 1, 100, 1, 8); e != EPIPE {
		t.Errorf("fd_write to a pipe without reader = %s, want EPIPE", e.Name())
	}
	if e := a.FdRead(m, 0, 100, 1, 8); e != EAGAIN {
		t.Errorf("fd_read of an empty O_NONBLOCK pipe = %s, want EAGAIN", e.Name())
	}
}
