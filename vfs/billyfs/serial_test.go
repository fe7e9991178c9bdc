package billyfs

import (
	"os"
	"testing"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"

	"github.com/vfscope/vfscope/vfs"
)

// panicStore is a memfs whose files panic on every write and truncate,
// as memfs itself does when asked to grow a file past what a slice can
// hold.
type panicStore struct{ billy.Filesystem }

type panicFile struct{ billy.File }

func (s panicStore) OpenFile(name string, flag int, perm os.FileMode) (billy.File, error) {
	f, err := s.Filesystem.OpenFile(name, flag, perm)
	return panicFile{f}, err
}
func (panicFile) WriteAt(p []byte, off int64) (int, error) { panic("growslice: len out of range") }
func (panicFile) Truncate(int64) error                     { panic("growslice: len out of range") }

// TestSerialFSLimits: the store's last guard. A write or truncate past
// s_maxbytes never reaches the store (EFBIG); a store that panics fails
// the call with EIO, and the lock is free after.
func TestSerialFSLimits(t *testing.T) {
	const maxb = 1 << 20
	cases := []struct {
		name  string
		store billy.Filesystem
		op    func(f billy.File) error
		want  error
	}{
		{"write past the limit", memfs.New(), func(f billy.File) error { _, err := f.(*serialFile).WriteAt([]byte("x"), maxb); return err }, vfs.EFBIG},
		{"write at 2^62", memfs.New(), func(f billy.File) error { _, err := f.(*serialFile).WriteAt([]byte("x"), 1<<62); return err }, vfs.EFBIG},
		{"write ending at the limit", memfs.New(), func(f billy.File) error { _, err := f.(*serialFile).WriteAt([]byte("x"), maxb-1); return err }, nil},
		{"write at a negative offset", memfs.New(), func(f billy.File) error { _, err := f.(*serialFile).WriteAt([]byte("x"), -1); return err }, vfs.EFBIG},
		{"truncate past the limit", memfs.New(), func(f billy.File) error { return f.Truncate(maxb + 1) }, vfs.EFBIG},
		{"store panics in a write", panicStore{memfs.New()}, func(f billy.File) error { _, err := f.(*serialFile).WriteAt([]byte("x"), 0); return err }, vfs.EIO},
		{"store panics in a truncate", panicStore{memfs.New()}, func(f billy.File) error { return f.Truncate(0) }, vfs.EIO},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSerialFS(c.store, maxb)
			f, err := s.OpenFile("f", os.O_RDWR|os.O_CREATE, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.op(f); err != c.want {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if !s.mu.TryLock() {
				t.Fatal("the store's lock is still held")
			}
			s.mu.Unlock()
		})
	}
}
