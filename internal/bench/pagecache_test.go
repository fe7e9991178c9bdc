package bench

import (
	"fmt"
	"io"
	"math/rand"
	"os"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// The page-cache workloads: sequential read and write of a 256 MiB file
// in 64 KiB chunks, random 4 KiB pread and pwrite in a 64 MiB file, and
// creating then reading 10,000 small files; vfscope (tmpfs on the page
// cache) against the same peers, in the same run. printPageCacheSummary
// prints MB/s and the ratios.

const (
	seqFileSize  = 256 << 20
	seqChunk     = 64 << 10
	randFileSize = 64 << 20
	randIOSize   = 4 << 10
	smallFiles   = 10000
	smallSize    = 4 << 10
)

var seqData = func() []byte {
	d := make([]byte, seqChunk)
	for i := range d {
		d[i] = byte(i * 7)
	}
	return d
}()

// dfile is an open file of any peer.
type dfile interface {
	write(p []byte) (int, error)
	read(p []byte) (int, error)
	pread(p []byte, off int64) (int, error)
	pwrite(p []byte, off int64) (int, error)
	close() error
}

// openData opens (creating with create) a file of fs for reading and
// writing.
func openData(fs fsys, p string, create bool) (dfile, error) {
	switch f := fs.(type) {
	case *vfscopeFS:
		fl := vfs.O_RDWR
		if create {
			fl |= vfs.O_CREAT | vfs.O_TRUNC
		}
		fd, err := f.t.Open(p, fl, 0o644)
		if err != nil {
			return nil, err
		}
		return &vfsFile{t: f, fd: fd}, nil
	case *memfsFS:
		fl := os.O_RDWR
		if create {
			fl |= os.O_CREATE | os.O_TRUNC
		}
		h, err := f.fs.OpenFile(p, fl, 0o644)
		if err != nil {
			return nil, err
		}
		// memfs's files (behind its chroot wrapper) have no WriteAt:
		// pwrite is Seek and Write, as a billy user would do it.
		return &stdFile{r: h, w: h, ra: h, s: h, c: h}, nil
	case *aferoFS:
		fl := os.O_RDWR
		if create {
			fl |= os.O_CREATE | os.O_TRUNC
		}
		h, err := f.fs.OpenFile(p, fl, 0o644)
		if err != nil {
			return nil, err
		}
		return &stdFile{r: h, w: h, ra: h, wa: h, c: h}, nil
	case *osFS:
		fl := os.O_RDWR
		if create {
			fl |= os.O_CREATE | os.O_TRUNC
		}
		h, err := os.OpenFile(p, fl, 0o644)
		if err != nil {
			return nil, err
		}
		return &stdFile{r: h, w: h, ra: h, wa: h, c: h}, nil
	}
	return nil, fmt.Errorf("unknown peer %T", fs)
}

type vfsFile struct {
	t  *vfscopeFS
	fd int
}

func (f *vfsFile) write(p []byte) (int, error)             { return f.t.t.Write(f.fd, p) }
func (f *vfsFile) read(p []byte) (int, error)              { return f.t.t.Read(f.fd, p) }
func (f *vfsFile) pread(p []byte, off int64) (int, error)  { return f.t.t.Pread(f.fd, p, off) }
func (f *vfsFile) pwrite(p []byte, off int64) (int, error) { return f.t.t.Pwrite(f.fd, p, off) }
func (f *vfsFile) close() error                            { return f.t.t.Close(f.fd) }

type stdFile struct {
	r  io.Reader
	w  io.Writer
	ra io.ReaderAt
	wa io.WriterAt // nil: pwrite seeks with s, then writes
	s  io.Seeker
	c  io.Closer
}

func (f *stdFile) write(p []byte) (int, error)            { return f.w.Write(p) }
func (f *stdFile) read(p []byte) (int, error)             { return f.r.Read(p) }
func (f *stdFile) pread(p []byte, off int64) (int, error) { return f.ra.ReadAt(p, off) }
func (f *stdFile) pwrite(p []byte, off int64) (int, error) {
	if f.wa != nil {
		return f.wa.WriteAt(p, off)
	}
	if _, err := f.s.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return f.w.Write(p)
}
func (f *stdFile) close() error { return f.c.Close() }

// pcBudget is the memory budget of the vfscope peer in these workloads:
// the default (vfs.DefaultMemBudget, 256 MiB) could not hold a 256 MiB
// tmpfs file, whose pages can never be reclaimed.
const pcBudget = 1 << 30

// pcPeers are the peers of the page-cache workloads: vfscope with a
// budget that fits them.
var pcPeers = func() []peer {
	ps := append([]peer(nil), peers...)
	ps[0].new = func(b *testing.B) fsys { return newVfscope(b, vfs.Options{MemBudget: pcBudget}) }
	return ps
}()

// runPCPeers is runPeers over pcPeers.
func runPCPeers(b *testing.B, workload string, body func(b *testing.B, p peer)) {
	for _, p := range pcPeers {
		b.Run(p.name, func(b *testing.B) {
			body(b, p)
			record(b, workload, p.name)
		})
	}
}

// writeFile writes size bytes to a new file at p in seqChunk writes.
func writeFile(fs fsys, p string, size int) error {
	h, err := openData(fs, p, true)
	if err != nil {
		return err
	}
	for done := 0; done < size; done += seqChunk {
		if n, err := h.write(seqData); n != len(seqData) || err != nil {
			h.close()
			return fmt.Errorf("write at %d: %d bytes, %v", done, n, err)
		}
	}
	return h.close()
}

// BenchmarkSeqWrite256M writes a new 256 MiB file in 64 KiB writes per
// op (the file is removed, untimed, after each).
func BenchmarkSeqWrite256M(b *testing.B) {
	runPCPeers(b, "seqwrite256m", func(b *testing.B, pr peer) {
		fs := open(b, pr.new)
		p := fs.abs("/big")
		b.SetBytes(seqFileSize)
		b.ResetTimer()
		for range b.N {
			if err := writeFile(fs, p, seqFileSize); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			must(b, fs.unlink(p))
			b.StartTimer()
		}
		b.StopTimer()
	})
}

// BenchmarkSeqRead256M reads a 256 MiB file from the start in 64 KiB
// reads per op.
func BenchmarkSeqRead256M(b *testing.B) {
	runPCPeers(b, "seqread256m", func(b *testing.B, pr peer) {
		fs := open(b, pr.new)
		p := fs.abs("/big")
		must(b, writeFile(fs, p, seqFileSize))
		h, err := openData(fs, p, false)
		must(b, err)
		defer h.close()
		buf := make([]byte, seqChunk)
		b.SetBytes(seqFileSize)
		b.ResetTimer()
		for range b.N {
			for off := int64(0); off < seqFileSize; off += seqChunk {
				if n, err := h.pread(buf, off); n != seqChunk {
					b.Fatalf("pread at %d: %d, %v", off, n, err)
				}
			}
		}
		b.StopTimer()
	})
}

// randOffsets are page-aligned offsets in the random-I/O file.
var randOffsets = func() []int64 {
	rng := rand.New(rand.NewSource(42))
	o := make([]int64, 1<<16)
	for i := range o {
		o[i] = rng.Int63n(randFileSize/randIOSize) * randIOSize
	}
	return o
}()

// BenchmarkRandPread4K is one 4 KiB pread at a random page of a 64 MiB
// file per op.
func BenchmarkRandPread4K(b *testing.B) {
	runPCPeers(b, "randpread4k", func(b *testing.B, pr peer) {
		fs := open(b, pr.new)
		p := fs.abs("/rand")
		must(b, writeFile(fs, p, randFileSize))
		h, err := openData(fs, p, false)
		must(b, err)
		defer h.close()
		buf := make([]byte, randIOSize)
		b.SetBytes(randIOSize)
		b.ResetTimer()
		for i := range b.N {
			if n, err := h.pread(buf, randOffsets[i&(len(randOffsets)-1)]); n != randIOSize {
				b.Fatalf("pread: %d, %v", n, err)
			}
		}
		b.StopTimer()
	})
}

// BenchmarkRandPwrite4K is one 4 KiB pwrite at a random page of a 64 MiB
// file per op.
func BenchmarkRandPwrite4K(b *testing.B) {
	runPCPeers(b, "randpwrite4k", func(b *testing.B, pr peer) {
		fs := open(b, pr.new)
		p := fs.abs("/rand")
		must(b, writeFile(fs, p, randFileSize))
		h, err := openData(fs, p, false)
		must(b, err)
		defer h.close()
		buf := seqData[:randIOSize]
		b.SetBytes(randIOSize)
		b.ResetTimer()
		for i := range b.N {
			if n, err := h.pwrite(buf, randOffsets[i&(len(randOffsets)-1)]); n != randIOSize {
				b.Fatalf("pwrite: %d, %v", n, err)
			}
		}
		b.StopTimer()
	})
}

// BenchmarkSmallFiles creates 10,000 files of 4 KiB in 100 directories
// and reads each back, per op (the tree is removed, untimed, after each).
func BenchmarkSmallFiles(b *testing.B) {
	runPCPeers(b, "smallfiles10k", func(b *testing.B, pr peer) {
		fs := open(b, pr.new)
		buf := make([]byte, smallSize+1)
		b.SetBytes(smallFiles * smallSize)
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			paths := mkTree(b, fs, fmt.Sprintf("/s%d", i), smallFiles/100, 100)
			b.StartTimer()
			for _, p := range paths {
				if err := fs.createWrite(p, fileData); err != nil {
					b.Fatal(err)
				}
			}
			for _, p := range paths {
				h, err := openData(fs, p, false)
				if err != nil {
					b.Fatal(err)
				}
				if n, err := h.read(buf); n != smallSize {
					b.Fatalf("read %s: %d, %v", p, n, err)
				}
				h.close()
			}
			b.StopTimer()
			for _, p := range paths {
				must(b, fs.unlink(p))
			}
			b.StartTimer()
		}
		b.StopTimer()
	})
}

// pageCacheWorkloads and their sizes in bytes per op, for MB/s.
var pageCacheWorkloads = []struct {
	name  string
	bytes float64
}{
	{"seqwrite256m", seqFileSize},
	{"seqread256m", seqFileSize},
	{"randpread4k", randIOSize},
	{"randpwrite4k", randIOSize},
	{"smallfiles10k", smallFiles * smallSize},
}

func mbps(bytes, ns float64) float64 { return bytes / ns * 1e9 / (1 << 20) }

// printPageCacheSummary prints the page-cache workloads' times, MB/s,
// ratios and targets.
func printPageCacheSummary(w io.Writer) {
	any := false
	for _, wl := range pageCacheWorkloads {
		v, ok := result(wl.name, vfscopeName)
		if !ok {
			continue
		}
		if !any {
			fmt.Fprintln(w, "== page cache (MB/s; ratio = peer time / vfscope time)")
			any = true
		}
		line := fmt.Sprintf("%-15s %s %s %.0f MB/s", wl.name, vfscopeName, fmtNS(v), mbps(wl.bytes, v))
		for _, p := range peers[1:] {
			if ns, ok := result(wl.name, p.name); ok {
				line += fmt.Sprintf("  %s %s %.0f MB/s (%.2fx)", p.name, fmtNS(ns), mbps(wl.bytes, ns), ns/v)
			}
		}
		fmt.Fprintln(w, line)
	}
	if !any {
		return
	}
	if v, ok := result("seqwrite256m", vfscopeName); ok {
		if o, ok := result("seqwrite256m", osName); ok {
			fmt.Fprintf(w, "target seqwrite >= 1.5x os on tmpfs: %s (%.2fx)\n", verdict(o/v >= 1.5), o/v)
		}
	}
	if v, ok := result("seqread256m", vfscopeName); ok {
		if m, ok := result("seqread256m", memfsName); ok {
			fmt.Fprintf(w, "target seqread >= 0.8x memfs: %s (%.2fx)\n", verdict(m/v >= 0.8), m/v)
		}
	}
	if v, ok := result("randpread4k", vfscopeName); ok {
		if m, ok := result("randpread4k", memfsName); ok {
			fmt.Fprintf(w, "target random 4 KiB pread no slower than memfs: %s (vfscope %s, memfs %s)\n", verdict(v <= m), fmtNS(v), fmtNS(m))
		}
	}
}
