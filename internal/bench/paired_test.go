package bench

import (
	"fmt"
	"io"
	"testing"
)

// Paired measurements of the targets that compare two timings: the two
// sides run alternately in blocks (pairRun) within one benchmark, and the
// verdict uses the median over the rounds of one side's time over the
// other's. On a shared, loaded machine the separate runs of the peer
// benchmarks above see different loads (their ratios swing by 2x from run
// to run); the paired medians repeat within a few percent.

// BenchmarkPaired runs each pair; b.N operations per side.
func BenchmarkPaired(b *testing.B) {
	b.Run("stat6", func(b *testing.B) {
		v, a := open(b, peers[0].new), open(b, peers[2].new)
		pv, pa := setupStat6(b, v), setupStat6(b, a)
		var err error
		nv, na, med := pairRun(b.N,
			func() { err = errors2(err, v.stat(pv)) },
			func() { err = errors2(err, a.stat(pa)) })
		must(b, err)
		recordPair(b, "paired-stat6", vfscopeName, aferoName, nv, na, med)
	})
	b.Run("create+write4k", func(b *testing.B) {
		v, a := newCreator(b, peers[0].new), newCreator(b, peers[2].new)
		defer v.close()
		defer a.close()
		var err error
		nv, na, med := pairRun(b.N,
			func() { err = errors2(err, v.next(b)) },
			func() { err = errors2(err, a.next(b)) })
		must(b, err)
		recordPair(b, "paired-create+write4k", vfscopeName, aferoName, nv, na, med)
	})
	b.Run("rename", func(b *testing.B) {
		r1 := newRenamer(b, open(b, peers[0].new), 1000)
		r10 := newRenamer(b, open(b, peers[0].new), 10000)
		// Every name once each way first, as the timed rounds will.
		for range 2 * 10000 {
			must(b, r1.next())
			must(b, r10.next())
		}
		var err error
		n1, n10, med := pairRun(b.N,
			func() { err = errors2(err, r1.next()) },
			func() { err = errors2(err, r10.next()) })
		must(b, err)
		recordPair(b, "paired-rename", "1k", "10k", n1, n10, med)
	})
	b.Run("seqwrite64k", func(b *testing.B) {
		if shmRoot == "" {
			b.Skip("os-tmpfs peer skipped: " + shmSkip)
		}
		v, o := newSeqWriter(b, pcPeers[0]), newSeqWriter(b, pcPeers[3])
		var err error
		nv, no, med := pairRun(b.N,
			func() { err = errors2(err, v.next()) },
			func() { err = errors2(err, o.next()) })
		must(b, err)
		recordPair(b, "paired-seqwrite64k", vfscopeName, osName, nv, no, med)
	})
	b.Run("randpread4k", func(b *testing.B) {
		hv, hm := randFile(b, pcPeers[0]), randFile(b, pcPeers[1])
		buf := make([]byte, randIOSize)
		var iv, im int
		var err error
		pread := func(h dfile, i *int) {
			if n, e := h.pread(buf, randOffsets[*i&(len(randOffsets)-1)]); n != randIOSize && err == nil {
				err = fmt.Errorf("pread: %d, %v", n, e)
			}
			*i++
		}
		nv, nm, med := pairRun(b.N, func() { pread(hv, &iv) }, func() { pread(hm, &im) })
		must(b, err)
		recordPair(b, "paired-randpread4k", vfscopeName, memfsName, nv, nm, med)
	})
}

// seqWriter does BenchmarkSeqWrite256M's writes one 64 KiB chunk at a
// time: every seqFileSize bytes the file is closed and removed, and a new
// one started.
type seqWriter struct {
	fs   fsys
	path string
	h    dfile
	done int
}

func newSeqWriter(b *testing.B, p peer) *seqWriter {
	w := &seqWriter{fs: open(b, p.new)}
	w.path = w.fs.abs("/big")
	b.Cleanup(func() {
		if w.h != nil {
			w.h.close()
		}
	})
	return w
}

func (w *seqWriter) next() error {
	if w.h == nil || w.done == seqFileSize {
		if w.h != nil {
			if err := w.h.close(); err != nil {
				return err
			}
			if err := w.fs.unlink(w.path); err != nil {
				return err
			}
		}
		h, err := openData(w.fs, w.path, true)
		if err != nil {
			return err
		}
		w.h, w.done = h, 0
	}
	n, err := w.h.write(seqData)
	if n != len(seqData) && err == nil {
		err = fmt.Errorf("short write: %d", n)
	}
	w.done += n
	return err
}

// renamer does renameN's operations one at a time: each file of a tree of
// n files into /dst, then back, and so on.
type renamer struct {
	fs       fsys
	src, dst []string
	i        int
}

func newRenamer(b *testing.B, fs fsys, n int) *renamer {
	r := &renamer{fs: fs}
	r.src = mkTree(b, fs, "/src", n/treePerDir, treePerDir)
	must(b, fs.mkdir(fs.abs("/dst")))
	for i, p := range r.src {
		must(b, fs.create(p))
		r.dst = append(r.dst, fs.abs(fmt.Sprintf("/dst/f%02d_%02d", i/treePerDir, i%treePerDir)))
	}
	return r
}

func (r *renamer) next() error {
	n := len(r.src)
	j := r.i % n
	from, to := r.src[j], r.dst[j]
	if (r.i/n)%2 == 1 {
		from, to = to, from
	}
	r.i++
	return r.fs.rename(from, to)
}

// randFile makes the random-I/O file of BenchmarkRandPread4K on a fresh
// filesystem of p and opens it.
func randFile(b *testing.B, p peer) dfile {
	fs := open(b, p.new)
	path := fs.abs("/rand")
	must(b, writeFile(fs, path, randFileSize))
	h, err := openData(fs, path, false)
	must(b, err)
	b.Cleanup(func() { h.close() })
	return h
}

// printPaired prints the paired medians and their verdicts.
func printPaired(w io.Writer) {
	headed := false
	line := func(format string, args ...any) {
		if !headed {
			fmt.Fprintln(w, "== paired (sides alternate in blocks of 256 ops in one run; median over the rounds)")
			headed = true
		}
		fmt.Fprintf(w, format, args...)
	}
	if m, ok := result("paired-stat6", "median"); ok {
		line("target stat6 no slower than afero MemMapFs: %s (afero/vfscope %.2fx)\n", verdict(m >= 1), m)
	}
	if m, ok := result("paired-create+write4k", "median"); ok {
		line("target create+write4k no slower than afero MemMapFs: %s (afero/vfscope %.2fx)\n", verdict(m >= 1), m)
	}
	if m, ok := result("paired-rename", "median"); ok {
		line("target rename cost independent of tree size (10k/1k <= 1.25x): %s (%.2fx)\n", verdict(m <= 1.25), m)
	}
	if m, ok := result("paired-seqwrite64k", "median"); ok {
		line("target seqwrite >= 1.5x os on tmpfs (64 KiB writes filling 256 MiB files): %s (os/vfscope %.2fx)\n", verdict(m >= 1.5), m)
	}
	if m, ok := result("paired-randpread4k", "median"); ok {
		line("target random 4 KiB pread no slower than memfs: %s (memfs/vfscope %.2fx)\n", verdict(m >= 1), m)
	}
}
