// Package faultstore is a go-billy filesystem that wraps another and
// fails chosen calls: for tests of what a filesystem does when its
// backing store returns EIO or ENOSPC, writes short, or is slow.
//
// A Rule picks calls by operation, by path (a path.Match pattern) and by
// count: the Nth matching call, or every matching call from the Nth on.
// The first rule that picks a call decides what happens to it. Calls are
// counted per rule, and per operation for the store (Calls), so a test
// can also see how often something reached the store.
//
//	s := faultstore.New(memfs.New())
//	s.Add(faultstore.Rule{Op: faultstore.OpWrite, Path: "f/*", Nth: 2, Err: vfs.EIO})
//
// Errors come back as *os.PathError holding Rule.Err, as the os package
// reports its errors; billyfs maps them to errno values in one table.
package faultstore

import (
	"io"
	"os"
	"path"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5"
)

// Op names a kind of call on the store or on one of its files.
type Op string

// The operations rules can pick.
const (
	OpOpen     Op = "open"     // Open, OpenFile, Create
	OpStat     Op = "stat"     // Stat, Lstat
	OpReadDir  Op = "readdir"  // ReadDir
	OpMkdir    Op = "mkdir"    // MkdirAll
	OpRemove   Op = "remove"   // Remove
	OpRename   Op = "rename"   // Rename (the path is the source)
	OpRead     Op = "read"     // File.Read, File.ReadAt
	OpWrite    Op = "write"    // File.Write, File.WriteAt
	OpTruncate Op = "truncate" // File.Truncate
	OpSync     Op = "sync"     // File.Sync
	OpClose    Op = "close"    // File.Close
)

// Rule is one fault. Zero fields match anything.
type Rule struct {
	Op   Op     // the operation; "" for any
	Path string // a path.Match pattern over the store path; "" for any
	// Nth picks the Nth matching call (1 is the first); 0 picks every
	// matching call. With Always, every call from the Nth on.
	Nth    int
	Always bool
	// What happens to a picked call: it waits Delay first; then fails
	// with Err, or (writes only) writes Short bytes of its buffer and
	// returns io.ErrShortWrite, or (ShortZero) writes nothing and returns
	// no error; with none of these it goes through (a rule of
	// latency only).
	Delay time.Duration
	Err   error
	Short int
	// ShortZero (writes only, without Err) makes a picked write write
	// nothing and return (0, nil): no progress and no error, which
	// io.Writer's contract forbids but a store may still do.
	ShortZero bool
}

// Store is the fault-injecting store.
type Store struct {
	billy.Filesystem

	// mu protects rules, seen and calls.
	mu    sync.Mutex
	rules []*Rule
	seen  []int // matching calls per rule
	calls map[Op]int
	paths map[Op]map[string]int // calls per operation and path
}

// New wraps fs.
func New(fs billy.Filesystem) *Store {
	return &Store{Filesystem: fs, calls: map[Op]int{}, paths: map[Op]map[string]int{}}
}

// Add adds a rule after the others.
func (s *Store) Add(r Rule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rc := r
	s.rules = append(s.rules, &rc)
	s.seen = append(s.seen, 0)
}

// Clear removes every rule (the counts of Calls stay).
func (s *Store) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules, s.seen = nil, nil
}

// Calls returns how many calls of op reached the store so far (failed
// ones included).
func (s *Store) Calls(op Op) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// CallsMatching returns how many calls of op on paths matching pattern
// (path.Match) reached the store so far.
func (s *Store) CallsMatching(op Op, pattern string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, c := range s.paths[op] {
		if ok, _ := path.Match(pattern, p); ok {
			n += c
		}
	}
	return n
}

// fault is what a rule decided for one call.
type fault struct {
	err   error
	short int
	zero  bool // write nothing, return (0, nil)
	hit   bool
}

// decide counts the call and finds the first rule that picks it; the
// delay is waited outside the lock.
func (s *Store) decide(op Op, name string) fault {
	s.mu.Lock()
	s.calls[op]++
	if s.paths[op] == nil {
		s.paths[op] = map[string]int{}
	}
	s.paths[op][name]++
	var picked *Rule
	for i, r := range s.rules {
		if r.Op != "" && r.Op != op {
			continue
		}
		if r.Path != "" {
			if ok, _ := path.Match(r.Path, name); !ok {
				continue
			}
		}
		s.seen[i]++
		n := s.seen[i]
		if r.Nth == 0 || n == r.Nth || r.Always && n > r.Nth {
			picked = r
			break
		}
	}
	s.mu.Unlock()
	if picked == nil {
		return fault{}
	}
	if picked.Delay > 0 {
		time.Sleep(picked.Delay)
	}
	f := fault{hit: picked.Err != nil || picked.Short > 0 || picked.ShortZero,
		short: picked.Short, zero: picked.ShortZero}
	if picked.Err != nil {
		f.err = &os.PathError{Op: string(op), Path: name, Err: picked.Err}
	}
	return f
}

func (s *Store) Open(name string) (billy.File, error) {
	return s.OpenFile(name, os.O_RDONLY, 0)
}

func (s *Store) Create(name string) (billy.File, error) {
	return s.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

func (s *Store) OpenFile(name string, flag int, perm os.FileMode) (billy.File, error) {
	if f := s.decide(OpOpen, name); f.err != nil {
		return nil, f.err
	}
	bf, err := s.Filesystem.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &file{File: bf, s: s, name: name}, nil
}

func (s *Store) Stat(name string) (os.FileInfo, error) {
	if f := s.decide(OpStat, name); f.err != nil {
		return nil, f.err
	}
	return s.Filesystem.Stat(name)
}

func (s *Store) Lstat(name string) (os.FileInfo, error) {
	if f := s.decide(OpStat, name); f.err != nil {
		return nil, f.err
	}
	return s.Filesystem.Lstat(name)
}

func (s *Store) ReadDir(name string) ([]os.FileInfo, error) {
	if f := s.decide(OpReadDir, name); f.err != nil {
		return nil, f.err
	}
	return s.Filesystem.ReadDir(name)
}

func (s *Store) MkdirAll(name string, perm os.FileMode) error {
	if f := s.decide(OpMkdir, name); f.err != nil {
		return f.err
	}
	return s.Filesystem.MkdirAll(name, perm)
}

func (s *Store) Remove(name string) error {
	if f := s.decide(OpRemove, name); f.err != nil {
		return f.err
	}
	return s.Filesystem.Remove(name)
}

func (s *Store) Rename(from, to string) error {
	if f := s.decide(OpRename, from); f.err != nil {
		return f.err
	}
	return s.Filesystem.Rename(from, to)
}

// file wraps a file of the store.
type file struct {
	billy.File
	s    *Store
	name string
	// mu serialises Write's seek position with WriteAt emulation.
	mu sync.Mutex
}

func (f *file) Read(p []byte) (int, error) {
	if ft := f.s.decide(OpRead, f.name); ft.err != nil {
		return 0, ft.err
	}
	return f.File.Read(p)
}

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if ft := f.s.decide(OpRead, f.name); ft.err != nil {
		return 0, ft.err
	}
	return f.File.ReadAt(p, off)
}

func (f *file) Write(p []byte) (int, error) {
	ft := f.s.decide(OpWrite, f.name)
	if ft.err != nil {
		return 0, ft.err
	}
	if ft.zero {
		return 0, nil
	}
	if ft.short > 0 && ft.short < len(p) {
		n, err := f.File.Write(p[:ft.short])
		if err != nil {
			return n, err
		}
		return n, io.ErrShortWrite
	}
	return f.File.Write(p)
}

// WriteAt writes at off: through the inner file's WriteAt if it has one,
// else by seeking (restoring the position after).
func (f *file) WriteAt(p []byte, off int64) (int, error) {
	ft := f.s.decide(OpWrite, f.name)
	if ft.err != nil {
		return 0, ft.err
	}
	if ft.zero {
		return 0, nil
	}
	short := false
	if ft.short > 0 && ft.short < len(p) {
		p, short = p[:ft.short], true
	}
	var n int
	var err error
	if wa, ok := f.File.(io.WriterAt); ok {
		n, err = wa.WriteAt(p, off)
	} else {
		f.mu.Lock()
		var cur int64
		if cur, err = f.File.Seek(0, io.SeekCurrent); err == nil {
			if _, err = f.File.Seek(off, io.SeekStart); err == nil {
				n, err = f.File.Write(p)
			}
			f.File.Seek(cur, io.SeekStart)
		}
		f.mu.Unlock()
	}
	if err == nil && short {
		err = io.ErrShortWrite
	}
	return n, err
}

func (f *file) Truncate(size int64) error {
	if ft := f.s.decide(OpTruncate, f.name); ft.err != nil {
		return ft.err
	}
	return f.File.Truncate(size)
}

// Sync is fsync: the rule's fault, else the inner file's Sync if it has
// one.
func (f *file) Sync() error {
	if ft := f.s.decide(OpSync, f.name); ft.err != nil {
		return ft.err
	}
	if s, ok := f.File.(interface{ Sync() error }); ok {
		return s.Sync()
	}
	return nil
}

func (f *file) Close() error {
	if ft := f.s.decide(OpClose, f.name); ft.err != nil {
		f.File.Close()
		return ft.err
	}
	return f.File.Close()
}
