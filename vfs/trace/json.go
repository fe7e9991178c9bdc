package trace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Header is the first line of a JSON-lines event stream.
type Header struct {
	Schema string `json:"schema"`
}

// Writer writes events as JSON lines, the header line first: the
// format of `vfscope run --trace FILE` and of the websocket stream.
type Writer struct {
	w   *bufio.Writer
	err error
}

// NewWriter writes the header line to w and returns a Writer. Call
// Flush at the end.
func NewWriter(w io.Writer) *Writer {
	tw := &Writer{w: bufio.NewWriter(w)}
	tw.line(Header{Schema: Schema})
	return tw
}

func (w *Writer) line(v any) {
	if w.err != nil {
		return
	}
	b, err := Marshal(v)
	if err != nil {
		w.err = err
		return
	}
	b = append(b, '\n')
	_, w.err = w.w.Write(b)
}

// Marshal encodes an event, a snapshot or a header in the schema's JSON
// form: encoding/json's, without escaping '&', '<' and '>' (lock class
// names are full of them), with no trailing newline.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Write writes one event.
func (w *Writer) Write(e *Event) error {
	w.line(e)
	return w.err
}

// Flush writes out what is buffered and returns the first error met.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	return w.w.Flush()
}

// Reader reads a JSON-lines event stream.
type Reader struct {
	s *bufio.Scanner
}

// NewReader reads and checks the header line: an error if it is missing
// or names another schema.
func NewReader(r io.Reader) (*Reader, error) {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), 16<<20)
	if !s.Scan() {
		if err := s.Err(); err != nil {
			return nil, err
		}
		return nil, errors.New("trace: empty stream, want a schema line")
	}
	var h Header
	if err := strictDecode(s.Bytes(), &h); err != nil {
		return nil, fmt.Errorf("trace: bad schema line: %v", err)
	}
	if h.Schema != Schema {
		return nil, fmt.Errorf("trace: stream has schema %q, want %q", h.Schema, Schema)
	}
	return &Reader{s: s}, nil
}

// Next returns the next event, or io.EOF at the end.
func (r *Reader) Next() (Event, error) {
	var e Event
	if !r.s.Scan() {
		if err := r.s.Err(); err != nil {
			return e, err
		}
		return e, io.EOF
	}
	err := DecodeEvent(r.s.Bytes(), &e)
	return e, err
}

// DecodeEvent decodes one event, refusing fields the schema does not
// have and events without a kind.
func DecodeEvent(b []byte, e *Event) error {
	*e = Event{}
	if err := strictDecode(b, e); err != nil {
		return fmt.Errorf("trace: bad event: %v", err)
	}
	if e.Kind == KindNone {
		return errors.New("trace: bad event: no kind")
	}
	return nil
}

// DecodeSnapshot decodes a snapshot, refusing fields the schema does not
// have and another schema version.
func DecodeSnapshot(b []byte, s *Snapshot) error {
	*s = Snapshot{}
	if err := strictDecode(b, s); err != nil {
		return fmt.Errorf("trace: bad snapshot: %v", err)
	}
	if s.Schema != Schema {
		return fmt.Errorf("trace: snapshot has schema %q, want %q", s.Schema, Schema)
	}
	return nil
}

func strictDecode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data")
	}
	return nil
}
