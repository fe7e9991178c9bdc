package trace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"unicode/utf8"
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

// Names that are not UTF-8. A file name is any bytes but '/' and NUL;
// a JSON string is Unicode text, and encoding/json turns each byte
// that is not UTF-8 into U+FFFD, so that "\xff" and "\xfe" would look
// alike. Such a name keeps its field (with U+FFFD, for display) and
// gains its raw bytes, in base64, in a field of the same name with
// "_b64" after it; a reader takes the raw bytes when they are there.
// Names that are UTF-8 (nearly all) have no such field.

// raw is the raw bytes of s for its "_b64" field: nil when s is UTF-8.
func raw(s string) []byte {
	if utf8.ValidString(s) {
		return nil
	}
	return []byte(s)
}

// fieldsEncoder is an encoder of the methodless types below, into buf.
type fieldsEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// fieldsEncoders keeps the fieldsEncoders of MarshalJSON methods: an
// event's costs no encoder and no buffer of its own.
var fieldsEncoders = sync.Pool{New: func() any {
	f := &fieldsEncoder{}
	f.enc = json.NewEncoder(&f.buf)
	f.enc.SetEscapeHTML(false)
	return f
}}

// marshalFields encodes v (of a type without a MarshalJSON method) as
// Marshal does, for a MarshalJSON method.
func marshalFields(v any) ([]byte, error) {
	f := fieldsEncoders.Get().(*fieldsEncoder)
	defer fieldsEncoders.Put(f)
	f.buf.Reset()
	if err := f.enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.Clone(bytes.TrimSuffix(f.buf.Bytes(), []byte("\n"))), nil
}

// fromRaw is the field's string: its raw bytes if it has them.
func fromRaw(s *string, b []byte) {
	if b != nil {
		*s = string(b)
	}
}

// eventFields is Event without its methods.
type eventFields Event

// eventJSON is an Event's JSON form: its fields, and the raw bytes of a
// name or a path that is not UTF-8.
type eventJSON struct {
	eventFields
	NameB64 []byte `json:"name_b64,omitempty"`
	PathB64 []byte `json:"path_b64,omitempty"`
}

// MarshalJSON encodes e with "name_b64" and "path_b64" when its Name or
// Path is not UTF-8.
func (e Event) MarshalJSON() ([]byte, error) {
	if utf8.ValidString(e.Name) && utf8.ValidString(e.Path) {
		return marshalFields((*eventFields)(&e))
	}
	return marshalFields(&eventJSON{eventFields(e), raw(e.Name), raw(e.Path)})
}

// UnmarshalJSON decodes an event, taking a name or a path from its raw
// bytes when it has them; unknown fields are errors.
func (e *Event) UnmarshalJSON(b []byte) error {
	var j eventJSON
	if err := strictDecode(b, &j); err != nil {
		return err
	}
	*e = Event(j.eventFields)
	fromRaw(&e.Name, j.NameB64)
	fromRaw(&e.Path, j.PathB64)
	return nil
}

// dentryFields is DentrySnap without its methods.
type dentryFields DentrySnap

// dentryJSON is a DentrySnap's JSON form.
type dentryJSON struct {
	dentryFields
	NameB64 []byte `json:"name_b64,omitempty"`
}

// MarshalJSON encodes d with "name_b64" when its Name is not UTF-8.
func (d DentrySnap) MarshalJSON() ([]byte, error) {
	if utf8.ValidString(d.Name) {
		return marshalFields((*dentryFields)(&d))
	}
	return marshalFields(&dentryJSON{dentryFields(d), raw(d.Name)})
}

// UnmarshalJSON decodes a dentry of a snapshot; unknown fields are
// errors.
func (d *DentrySnap) UnmarshalJSON(b []byte) error {
	var j dentryJSON
	if err := strictDecode(b, &j); err != nil {
		return err
	}
	*d = DentrySnap(j.dentryFields)
	fromRaw(&d.Name, j.NameB64)
	return nil
}

// mountFields is MountSnap without its methods.
type mountFields MountSnap

// mountJSON is a MountSnap's JSON form.
type mountJSON struct {
	mountFields
	SourceB64 []byte `json:"source_b64,omitempty"`
	PathB64   []byte `json:"path_b64,omitempty"`
}

// MarshalJSON encodes m with "source_b64" and "path_b64" when its
// Source or Path is not UTF-8.
func (m MountSnap) MarshalJSON() ([]byte, error) {
	if utf8.ValidString(m.Source) && utf8.ValidString(m.Path) {
		return marshalFields((*mountFields)(&m))
	}
	return marshalFields(&mountJSON{mountFields(m), raw(m.Source), raw(m.Path)})
}

// UnmarshalJSON decodes a mount of a snapshot; unknown fields are
// errors.
func (m *MountSnap) UnmarshalJSON(b []byte) error {
	var j mountJSON
	if err := strictDecode(b, &j); err != nil {
		return err
	}
	*m = MountSnap(j.mountFields)
	fromRaw(&m.Source, j.SourceB64)
	fromRaw(&m.Path, j.PathB64)
	return nil
}
