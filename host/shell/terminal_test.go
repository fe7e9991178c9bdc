package shell_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/vfscope/vfscope/host/shell"
	"github.com/vfscope/vfscope/vfs"
)

// TestTerminalReader: a read of the terminal waiting for input ends
// with EINTR while a signal is pending (n_tty_read returns -ERESTARTSYS
// to a task with a signal pending), bytes typed later are read in order
// after it, and an end of input (^D) ends one read only, as on a tty.
func TestTerminalReader(t *testing.T) {
	_, v, _ := newShell(t, "")
	pr, pw := io.Pipe()
	tr := shell.NewTerminalReader(pr, v)
	buf := make([]byte, 16)
	steps := []struct {
		name string
		do   func()
		want string
		err  error
	}{
		{"interrupted while waiting", v.Interrupt, "", vfs.EINTR},
		{"still pending", nil, "", vfs.EINTR},
		{"delivered, a line", func() { v.ClearInterrupt(); go pw.Write([]byte("ab\n")) }, "ab\n", nil},
		{"the next line", func() { go pw.Write([]byte("cd\n")) }, "cd\n", nil},
		{"end of input, closed", func() { pw.Close() }, "", io.EOF},
	}
	for _, st := range steps {
		if st.do != nil {
			st.do()
		}
		n, err := tr.Read(buf)
		if string(buf[:n]) != st.want || err != st.err {
			t.Errorf("%s: read %q, %v; want %q, %v", st.name, buf[:n], err, st.want, st.err)
		}
	}
	// io.Pipe's end is for good: a read after it ends again.
	if n, err := tr.Read(buf); n != 0 || err != io.EOF {
		t.Errorf("after the end: %d, %v", n, err)
	}
}

// TestInteractivePromptInterrupt: in an interactive shell reading a
// TerminalReader, ^C at the prompt prints a newline and the prompt
// again, and $? is 130 (dash); the shell goes on reading.
func TestInteractivePromptInterrupt(t *testing.T) {
	sh0, v, _ := newShell(t, "")
	pr, pw := io.Pipe()
	var out bytes.Buffer
	sh := shell.New(sh0.Task(), shell.NewTerminalReader(pr, v), &out, &out)
	sh.Interactive = true
	v.Interrupt() // before the shell reads: its first read ends with EINTR
	done := make(chan int)
	go func() { done <- sh.Run() }()
	pw.Write([]byte("echo after $?\n"))
	pw.Close()
	if st := <-done; st != 0 {
		t.Errorf("status %d", st)
	}
	if got, want := out.String(), "vfscope:/# \nvfscope:/# after 130\nvfscope:/# \n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}
