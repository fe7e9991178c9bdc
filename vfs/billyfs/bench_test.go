package billyfs_test

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"testing"

	"github.com/go-git/go-billy/v5/memfs"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// The benchmarks run billyfs on a memfs and, as the peer in the same
// run, the same work on a go-billy memfs directly: the cost of the page
// cache, writeback and billyfs's layout over the store alone.

const benchFile = 16 << 20
const benchChunk = 64 << 10

var benchSeq atomic.Int64

func benchVFS(b *testing.B) (*vfs.Task, string) {
	v, t, err := boot.New(vfs.Options{})
	if err != nil {
		b.Fatal(err)
	}
	store := fmt.Sprintf("mem:bench-%d", benchSeq.Add(1))
	b.Cleanup(func() {
		t.Umount2("/mnt", vfs.MNT_DETACH)
		billyfs.ForgetStore(store)
		v.Shutdown()
	})
	if err := t.Mkdir("/mnt", 0o755); err != nil {
		b.Fatal(err)
	}
	if err := t.Mount("none", "/mnt", "billyfs", 0, "store="+store); err != nil {
		b.Fatal(err)
	}
	return t, store
}

func mustB(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSeqWrite writes a 16 MiB file in 64 KiB chunks and fsyncs it
// (so every page reaches the store).
func BenchmarkSeqWrite(b *testing.B) {
	chunk := pattern(1, benchChunk)
	b.Run("billyfs", func(b *testing.B) {
		t, _ := benchVFS(b)
		b.SetBytes(benchFile)
		for i := 0; i < b.N; i++ {
			fd, err := t.Open("/mnt/f", vfs.O_CREAT|vfs.O_WRONLY|vfs.O_TRUNC, 0o644)
			mustB(b, err)
			for off := 0; off < benchFile; off += benchChunk {
				_, err := t.Write(fd, chunk)
				mustB(b, err)
			}
			mustB(b, t.Fsync(fd))
			mustB(b, t.Close(fd))
		}
	})
	b.Run("memfs", func(b *testing.B) {
		fs := memfs.New()
		b.SetBytes(benchFile)
		for i := 0; i < b.N; i++ {
			f, err := fs.OpenFile("f", os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			mustB(b, err)
			for off := 0; off < benchFile; off += benchChunk {
				_, err := f.Write(chunk)
				mustB(b, err)
			}
			mustB(b, f.Close())
		}
	})
}

// BenchmarkSeqRead reads a 16 MiB file in 64 KiB chunks: "cold" after a
// remount (every page read from the store, through readahead), "warm"
// from the page cache.
func BenchmarkSeqRead(b *testing.B) {
	buf := make([]byte, benchChunk)
	readAll := func(b *testing.B, t *vfs.Task) {
		fd, err := t.Open("/mnt/f", vfs.O_RDONLY, 0)
		mustB(b, err)
		for {
			n, err := t.Read(fd, buf)
			mustB(b, err)
			if n == 0 {
				break
			}
		}
		mustB(b, t.Close(fd))
	}
	setup := func(b *testing.B) (*vfs.Task, string) {
		t, store := benchVFS(b)
		fd, err := t.Open("/mnt/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
		mustB(b, err)
		_, err = t.Write(fd, pattern(2, benchFile))
		mustB(b, err)
		mustB(b, t.Close(fd))
		return t, store
	}
	b.Run("billyfs-cold", func(b *testing.B) {
		t, store := setup(b)
		b.SetBytes(benchFile)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			mustB(b, t.Umount2("/mnt", 0))
			mustB(b, t.Mount("none", "/mnt", "billyfs", 0, "store="+store))
			b.StartTimer()
			readAll(b, t)
		}
	})
	b.Run("billyfs-warm", func(b *testing.B) {
		t, _ := setup(b)
		readAll(b, t)
		b.SetBytes(benchFile)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			readAll(b, t)
		}
	})
	b.Run("memfs", func(b *testing.B) {
		fs := memfs.New()
		f, err := fs.Create("f")
		mustB(b, err)
		f.Write(pattern(2, benchFile))
		f.Close()
		b.SetBytes(benchFile)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			f, err := fs.Open("f")
			mustB(b, err)
			for {
				_, err := f.Read(buf)
				if err == io.EOF {
					break
				}
				mustB(b, err)
			}
			f.Close()
		}
	})
}

// BenchmarkSmallFiles creates 1,000 files of 4 KiB in a new directory,
// then syncs (billyfs: every inode record and page reaches the store).
func BenchmarkSmallFiles(b *testing.B) {
	data := pattern(3, 4096)
	const files = 1000
	b.Run("billyfs", func(b *testing.B) {
		t, _ := benchVFS(b)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			dir := fmt.Sprintf("/mnt/%d", i)
			mustB(b, t.Mkdir(dir, 0o755))
			b.StartTimer()
			for j := 0; j < files; j++ {
				fd, err := t.Open(fmt.Sprintf("%s/f%d", dir, j), vfs.O_CREAT|vfs.O_WRONLY, 0o644)
				mustB(b, err)
				_, err = t.Write(fd, data)
				mustB(b, err)
				mustB(b, t.Close(fd))
			}
			t.Sync()
		}
	})
	b.Run("memfs", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			fs := memfs.New()
			for j := 0; j < files; j++ {
				f, err := fs.Create(fmt.Sprintf("f%d", j))
				mustB(b, err)
				f.Write(data)
				f.Close()
			}
		}
	})
}
