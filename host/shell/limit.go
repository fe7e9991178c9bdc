package shell

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DefaultOutputLimit is the OutputLimit of a new shell: 1 MiB. The
// browser's shell API and the live server collect a command line's
// output in memory and hand it over in one piece (a JavaScript string,
// one websocket message), and a terminal shows a few thousand lines of
// it at most; a megabyte is more than a screen can show and small
// enough that `cat /dev/zero` costs nothing.
const DefaultOutputLimit = 1 << 20

// DefaultPipeLimit is what the buffer between the commands of a pipe
// holds at most when OutputLimit is 0: 16 MiB. The shell runs a pipe's
// commands one after the other, so the buffer holds a command's whole
// output; Linux's pipe holds 64 KiB and makes the writer wait instead.
const DefaultPipeLimit = 16 << 20

// limitError is the write error of a writer past its limit: the shell
// reports it as "NAME: output truncated after N bytes (why)".
type limitError struct {
	n   int64
	why string
}

func (e *limitError) Error() string {
	return fmt.Sprintf("output truncated after %d bytes (%s)", e.n, e.why)
}

// readLimitError is the read error of a device read past the shell's
// limit: /dev/zero and /dev/urandom never end.
type readLimitError struct{ n int64 }

func (e *readLimitError) Error() string {
	return fmt.Sprintf("stopped after %d bytes (the shell's limit on reading a device)", e.n)
}

// outputWriter is the shell's standard output or error, the writers New
// was given: together they take at most the shell's OutputLimit bytes
// per command line (reset by startOutput).
type outputWriter struct {
	w  io.Writer
	sh *Shell
}

func (o *outputWriter) Write(p []byte) (int, error) {
	s := o.sh
	if s.OutputLimit <= 0 {
		return o.w.Write(p)
	}
	room := s.OutputLimit - s.outUsed
	if room <= 0 {
		return 0, &limitError{s.OutputLimit, "the shell's output limit"}
	}
	short := int64(len(p)) > room
	if short {
		p = p[:room]
	}
	n, err := o.w.Write(p)
	s.outUsed += int64(n)
	if err == nil && short {
		err = &limitError{s.OutputLimit, "the shell's output limit"}
	}
	return n, err
}

// startOutput gives the next command line the whole OutputLimit again.
func (s *Shell) startOutput() { s.outUsed = 0 }

// pipeBuffer is the buffer between two commands of a pipe: it holds at
// most limit bytes.
type pipeBuffer struct {
	buf   bytes.Buffer
	limit int64
}

func (b *pipeBuffer) Write(p []byte) (int, error) {
	room := b.limit - int64(b.buf.Len())
	if int64(len(p)) <= room {
		return b.buf.Write(p)
	}
	n, _ := b.buf.Write(p[:max(room, 0)])
	return n, &limitError{b.limit, "the pipe's buffer is full"}
}

func (b *pipeBuffer) Read(p []byte) (int, error) { return b.buf.Read(p) }

// pipeLimit is what a pipe's buffer holds at most: OutputLimit, or
// DefaultPipeLimit when there is none.
func (s *Shell) pipeLimit() int64 {
	if s.OutputLimit > 0 {
		return s.OutputLimit
	}
	return DefaultPipeLimit
}

// readLimit is how much the shell's commands read from a device (which
// may never end) before they stop: OutputLimit, or no limit (0) when
// there is none, as Linux's cat reads /dev/zero until interrupted.
func (s *Shell) readLimit() int64 { return max(s.OutputLimit, 0) }

// unlimited is w without the shell's limit, for the notice that says
// the limit was reached: a line past the limit, so that it is seen.
func unlimited(w io.Writer) io.Writer {
	switch x := w.(type) {
	case *outputWriter:
		return x.w
	case *pipeBuffer:
		return &x.buf
	case *trackWriter:
		return unlimited(x.w)
	case *killedWriter:
		return &killedWriter{w: unlimited(x.w), sh: x.sh}
	}
	return w
}

// limitText is the text of a limit error in err, if it is one.
func limitText(err error) (string, bool) {
	var le *limitError
	if errors.As(err, &le) {
		return le.Error(), true
	}
	var re *readLimitError
	if errors.As(err, &re) {
		return re.Error(), true
	}
	return "", false
}
