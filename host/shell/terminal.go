package shell

import (
	"io"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// TerminalReader is standard input read from a terminal by an
// interactive shell: a read waiting for a line ends with EINTR when a
// signal is pending on v (vfs.VFS.Interrupt, the host's ^C), as read(2)
// on a tty returns -ERESTARTSYS to a task with a signal pending
// (n_tty_read). So ^C ends a cat reading the terminal, and at the
// prompt it drops the line being typed. One goroutine reads the
// underlying reader and hands the bytes over in order, so none is lost
// when a read is interrupted. An end of input (^D) ends one read, as on
// a terminal; other errors stay.
type TerminalReader struct {
	v    *vfs.VFS
	ch   chan termChunk
	left []byte
	err  error
}

type termChunk struct {
	b   []byte
	err error
}

// signalPoll is how often a waiting read looks for a pending signal.
const signalPoll = 20 * time.Millisecond

// NewTerminalReader reads r for an interactive shell on v.
func NewTerminalReader(r io.Reader, v *vfs.VFS) *TerminalReader {
	tr := &TerminalReader{v: v, ch: make(chan termChunk)}
	go func() {
		for {
			buf := make([]byte, 4096)
			n, err := r.Read(buf)
			if n > 0 {
				tr.ch <- termChunk{b: buf[:n]}
			}
			if err != nil {
				tr.ch <- termChunk{err: err}
				if err != io.EOF {
					return
				}
				// ^D on a terminal ends one read: the next waits
				// for more (n_tty_read), as after cat's end of input.
			}
		}
	}()
	return tr
}

// Read returns bytes read already, else waits for more, or for a
// signal (vfs.EINTR).
func (tr *TerminalReader) Read(p []byte) (int, error) {
	if len(tr.left) == 0 && tr.err == nil {
		tick := time.NewTicker(signalPoll)
		defer tick.Stop()
		for len(tr.left) == 0 && tr.err == nil {
			if tr.v.Interrupted() {
				return 0, vfs.EINTR
			}
			select {
			case c := <-tr.ch:
				tr.left, tr.err = c.b, c.err
			case <-tick.C:
			}
		}
	}
	if len(tr.left) > 0 {
		n := copy(p, tr.left)
		tr.left = tr.left[n:]
		return n, nil
	}
	err := tr.err
	if err == io.EOF {
		tr.err = nil
	}
	return 0, err
}
