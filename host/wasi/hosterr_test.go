package wasi

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// errStream fails every read and write with err.
type errStream struct{ err error }

func (s errStream) Read([]byte) (int, error)  { return 0, s.err }
func (s errStream) Write([]byte) (int, error) { return 0, s.err }

// streamABI is an ABI whose stdin, stdout and stderr are r, w and w.
func streamABI(t *testing.T, r io.Reader, w io.Writer) *ABI {
	t.Helper()
	_, task, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{Task: task, Stdin: r, Stdout: w, Stderr: w})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// TestStreamErrno: the error of a host stream behind fds 0, 1 and 2
// reaches the guest's fd_read and fd_write as the errno of the same
// meaning, as read(2) and write(2) would report it, each row of
// streamErrno's table; only an error that names none is EIO.
func TestStreamErrno(t *testing.T) {
	for _, c := range []struct {
		err  error
		want Errno
	}{
		{&os.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}, EPIPE},
		{&os.PathError{Op: "read", Path: "/dev/stdin", Err: syscall.EAGAIN}, EAGAIN},
		{os.NewSyscallError("write", syscall.ENOSPC), ENOSPC},
		{syscall.EINTR, EINTR},
		{syscall.EBADF, EBADF},
		{syscall.EFBIG, EFBIG},
		{syscall.ECONNRESET, ECONNRESET},
		{syscall.ELOOP, EIO}, // no row: not a stream's error
		{fmt.Errorf("store: %w", vfs.ENOSPC), ENOSPC},
		{vfs.ENODATA, EIO}, // no WASI counterpart
		{io.ErrClosedPipe, EPIPE},
		{&os.PathError{Op: "write", Path: "|1", Err: os.ErrClosed}, EBADF},
		{&os.PathError{Op: "read", Path: "|0", Err: os.ErrDeadlineExceeded}, EAGAIN},
		{errors.New("something else"), EIO},
	} {
		t.Run(fmt.Sprint(c.err), func(t *testing.T) {
			a := streamABI(t, errStream{c.err}, errStream{c.err})
			m := make(Bytes, 4096)
			m.WriteUint32Le(100, 200)
			m.WriteUint32Le(104, 10)
			if e := a.FdRead(m, 0, 100, 1, 8); e != c.want {
				t.Errorf("fd_read(0) = %s, want %s", e.Name(), c.want.Name())
			}
			for fd := int32(1); fd <= 2; fd++ {
				if e := a.FdWrite(m, fd, 100, 1, 8); e != c.want {
					t.Errorf("fd_write(%d) = %s, want %s", fd, e.Name(), c.want.Name())
				}
			}
		})
	}
}
