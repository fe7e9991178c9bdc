package billyfs

import (
	"io"
	"os"
	"sync"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

// serialFS makes a store safe for billyfs's concurrent callers (writeback,
// readers, directory changes): go-billy's memfs keeps its files in maps
// without a lock, and a store's files may not be safe either. Every call
// billyfs makes on the store, or on a file of it, holds mu.
//
// mu is a leaf: taken inside bnode.mu and sbInfo.mu, nothing inside it.
//
// It is also the last guard of the store's limits: no write or truncate
// of a store file reaches past maxBytes (EFBIG), and a store that panics
// in a write or truncate (memfs growing a slice it cannot have) fails
// the call with EIO instead of ending the process.
type serialFS struct {
	billy.Filesystem // the methods below are the ones billyfs calls
	mu               sync.Mutex
	maxBytes         int64 // s_maxbytes of the superblock; immutable
}

func newSerialFS(fs billy.Filesystem, maxBytes int64) *serialFS {
	return &serialFS{Filesystem: fs, maxBytes: maxBytes}
}

// storePanic turns a panic of the store into EIO in *err (deferred).
func storePanic(err *error) {
	if recover() != nil {
		*err = vfs.EIO
	}
}

func (s *serialFS) OpenFile(name string, flag int, perm os.FileMode) (billy.File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.Filesystem.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &serialFile{File: f, s: s}, nil
}

func (s *serialFS) Open(name string) (billy.File, error) {
	return s.OpenFile(name, os.O_RDONLY, 0)
}

func (s *serialFS) Remove(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Filesystem.Remove(name)
}

func (s *serialFS) Rename(from, to string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Filesystem.Rename(from, to)
}

func (s *serialFS) ReadDir(name string) ([]os.FileInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Filesystem.ReadDir(name)
}

func (s *serialFS) MkdirAll(name string, perm os.FileMode) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Filesystem.MkdirAll(name, perm)
}

// Sync flushes the store if it can be flushed.
func (s *serialFS) Sync() error {
	sy, ok := s.Filesystem.(interface{ Sync() error })
	if !ok {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return sy.Sync()
}

// serialFile is a file of a serialFS.
type serialFile struct {
	billy.File
	s *serialFS
}

func (f *serialFile) Read(p []byte) (int, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	return f.File.Read(p)
}

func (f *serialFile) ReadAt(p []byte, off int64) (int, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	return f.File.ReadAt(p, off)
}

func (f *serialFile) Write(p []byte) (int, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	return f.File.Write(p)
}

// WriteAt writes at off: the file's own WriteAt, or a seek and a write
// (under the lock, so nobody moves the offset between them).
func (f *serialFile) WriteAt(p []byte, off int64) (n int, err error) {
	if off < 0 || off > f.s.maxBytes-int64(len(p)) {
		return 0, vfs.EFBIG
	}
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	defer storePanic(&err) // n stays 0: only a return sets it
	if wa, ok := f.File.(io.WriterAt); ok {
		return wa.WriteAt(p, off)
	}
	if _, err := f.File.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return f.File.Write(p)
}

func (f *serialFile) Seek(off int64, whence int) (int64, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	return f.File.Seek(off, whence)
}

func (f *serialFile) Truncate(size int64) (err error) {
	if size < 0 || size > f.s.maxBytes {
		return vfs.EFBIG
	}
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	defer storePanic(&err)
	return f.File.Truncate(size)
}

func (f *serialFile) Close() error {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	return f.File.Close()
}

// Sync is fsync of the file, where the store's files have it.
func (f *serialFile) Sync() error {
	sy, ok := f.File.(interface{ Sync() error })
	if !ok {
		return nil
	}
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	return sy.Sync()
}
