package faultstore

import (
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
)

func TestRules(t *testing.T) {
	eio := syscall.EIO
	cases := []struct {
		name  string
		rule  Rule
		calls int    // writes to "d/f" made
		fails []bool // which of them fail
	}{
		{"every write", Rule{Op: OpWrite, Err: eio}, 3, []bool{true, true, true}},
		{"the second", Rule{Op: OpWrite, Nth: 2, Err: eio}, 3, []bool{false, true, false}},
		{"from the second on", Rule{Op: OpWrite, Nth: 2, Always: true, Err: eio}, 3, []bool{false, true, true}},
		{"another path", Rule{Op: OpWrite, Path: "e/*", Err: eio}, 2, []bool{false, false}},
		{"this path", Rule{Op: OpWrite, Path: "d/*", Nth: 1, Err: eio}, 2, []bool{true, false}},
		{"another op", Rule{Op: OpRead, Err: eio}, 2, []bool{false, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := New(memfs.New())
			s.Add(c.rule)
			f, err := s.OpenFile("d/f", os.O_CREATE|os.O_RDWR, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < c.calls; i++ {
				_, err := f.Write([]byte("x"))
				if failed := err != nil; failed != c.fails[i] {
					t.Errorf("write %d: err %v, want failure %v", i+1, err, c.fails[i])
				}
				if err != nil && !errors.Is(err, eio) {
					t.Errorf("write %d: %v is not the rule's error", i+1, err)
				}
			}
			if got := s.Calls(OpWrite); got != c.calls {
				t.Errorf("Calls(write) = %d, want %d", got, c.calls)
			}
			if got := s.CallsMatching(OpWrite, "d/*"); got != c.calls {
				t.Errorf("CallsMatching(write, d/*) = %d, want %d", got, c.calls)
			}
			if got := s.CallsMatching(OpWrite, "e/*"); got != 0 {
				t.Errorf("CallsMatching(write, e/*) = %d, want 0", got)
			}
		})
	}
}

func TestShortWriteAndWriteAt(t *testing.T) {
	s := New(memfs.New())
	s.Add(Rule{Op: OpWrite, Nth: 1, Short: 3})
	f, err := s.Create("f")
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.(io.WriterAt).WriteAt([]byte("abcdef"), 2)
	if n != 3 || !errors.Is(err, io.ErrShortWrite) {
		t.Fatalf("short WriteAt: %d %v", n, err)
	}
	if n, err := f.(io.WriterAt).WriteAt([]byte("def"), 5); n != 3 || err != nil {
		t.Fatalf("second WriteAt: %d %v", n, err)
	}
	f.Close()
	b, err := util.ReadFile(s, "f")
	if err != nil || string(b) != "\x00\x00abcdef" {
		t.Fatalf("content %q %v", b, err)
	}
}

func TestStoreOps(t *testing.T) {
	s := New(memfs.New())
	s.Add(Rule{Op: OpRemove, Path: "keep", Err: syscall.ENOSPC})
	s.Add(Rule{Op: OpOpen, Path: "slow", Delay: 20 * time.Millisecond})
	util.WriteFile(s, "keep", []byte("k"), 0o644)
	if err := s.Remove("keep"); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("Remove: %v", err)
	}
	start := time.Now()
	f, err := s.Create("slow")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if time.Since(start) < 20*time.Millisecond {
		t.Error("the latency rule did not wait")
	}
	s.Clear()
	if err := s.Remove("keep"); err != nil {
		t.Errorf("Remove after Clear: %v", err)
	}
}

// TestShortZero: a ShortZero rule makes the picked write, by Write or
// WriteAt, write nothing and report no error; the next write goes
// through.
func TestShortZero(t *testing.T) {
	cases := []struct {
		name  string
		write func(f io.Writer, p []byte) (int, error)
	}{
		{"Write", func(f io.Writer, p []byte) (int, error) { return f.Write(p) }},
		{"WriteAt", func(f io.Writer, p []byte) (int, error) { return f.(io.WriterAt).WriteAt(p, 0) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := New(memfs.New())
			s.Add(Rule{Op: OpWrite, Nth: 1, ShortZero: true})
			f, err := s.Create("f")
			if err != nil {
				t.Fatal(err)
			}
			if n, err := c.write(f, []byte("abc")); n != 0 || err != nil {
				t.Fatalf("picked write: %d %v, want 0 <nil>", n, err)
			}
			if b, _ := util.ReadFile(s, "f"); len(b) != 0 {
				t.Fatalf("the picked write wrote %q", b)
			}
			if n, err := c.write(f, []byte("abc")); n != 3 || err != nil {
				t.Fatalf("next write: %d %v", n, err)
			}
			f.Close()
			if b, err := util.ReadFile(s, "f"); err != nil || string(b) != "abc" {
				t.Fatalf("content %q %v", b, err)
			}
		})
	}
}
