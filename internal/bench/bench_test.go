package bench

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// The tree of the create, rename and unlink workloads: treeDirs
// directories of treePerDir files each.
const (
	treeDirs   = 100
	treePerDir = 100
	treeFiles  = treeDirs * treePerDir
	fileSize   = 4 << 10
)

var fileData = func() []byte {
	d := make([]byte, fileSize)
	for i := range d {
		d[i] = byte(i)
	}
	return d
}()

func TestMain(m *testing.M) {
	setupShm()
	code := m.Run()
	if shmRoot != "" {
		os.RemoveAll(shmRoot)
	}
	printSummary(os.Stdout)
	os.Exit(code)
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

// open makes a fresh filesystem that is discarded when the current run of
// the benchmark function ends.
func open(b *testing.B, mk func(*testing.B) fsys) fsys {
	fs := mk(b)
	b.Cleanup(fs.close)
	return fs
}

// mkTree makes /root/dNN for dirs directories and returns the (abs)
// paths of perDir files in each, "/root/dNN/fNN_MM" (names unique across
// the tree, so that the files can all be renamed into one directory). It
// creates no file.
func mkTree(b *testing.B, fs fsys, root string, dirs, perDir int) []string {
	must(b, fs.mkdir(fs.abs(root)))
	paths := make([]string, 0, dirs*perDir)
	for d := range dirs {
		dir := fmt.Sprintf("%s/d%02d", root, d)
		must(b, fs.mkdir(fs.abs(dir)))
		for f := range perDir {
			paths = append(paths, fs.abs(fmt.Sprintf("%s/f%02d_%02d", dir, d, f)))
		}
	}
	return paths
}

// ---- 1. warm stat of a 6-component path ----

const stat6Path = "/a/b/c/d/e/f"

// setupStat6 makes /a/b/c/d/e as directories and f as a file, stats it
// once so that every cache is warm, and returns its (abs) path.
func setupStat6(b *testing.B, fs fsys) string {
	for _, d := range []string{"/a", "/a/b", "/a/b/c", "/a/b/c/d", "/a/b/c/d/e"} {
		must(b, fs.mkdir(fs.abs(d)))
	}
	p := fs.abs(stat6Path)
	must(b, fs.create(p))
	must(b, fs.stat(p))
	return p
}

func stat6Serial(b *testing.B, mk func(*testing.B) fsys) {
	fs := open(b, mk)
	p := setupStat6(b, fs)
	b.ResetTimer()
	for range b.N {
		if err := fs.stat(p); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
}

// BenchmarkStat6 is the warm stat of /a/b/c/d/e/f from one goroutine.
func BenchmarkStat6(b *testing.B) {
	runPeers(b, "stat6", func(b *testing.B, p peer) { stat6Serial(b, p.new) })
}

// BenchmarkStat6Parallel is the same stat from GOMAXPROCS goroutines
// (b.RunParallel), each with its own handle (a forked Task for vfscope).
// ns/op is wall time per stat across all goroutines.
func BenchmarkStat6Parallel(b *testing.B) {
	runPeers(b, "stat6-parallel", func(b *testing.B, p peer) {
		fs := open(b, p.new)
		path := setupStat6(b, fs)
		// Fork here, from the one goroutine that drives fs: a Task is
		// not forked from several goroutines at once.
		handles := make([]fsys, runtime.GOMAXPROCS(0))
		for i := range handles {
			handles[i] = fs.fork()
		}
		defer func() {
			for _, h := range handles {
				h.exit()
			}
		}()
		var next atomic.Int32
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			h := handles[next.Add(1)-1]
			for pb.Next() {
				if err := h.stat(path); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.StopTimer()
	})
}

// BenchmarkStat6Goroutines runs vfscope's warm stat from exactly g
// goroutines (g = 1, 2, and all CPUs when more than 2), each with its own
// forked Task, splitting b.N between them: ns/op is wall time per stat,
// so ns(g=1)/ns(g=2) is the two-goroutine speedup.
func BenchmarkStat6Goroutines(b *testing.B) {
	gs := []int{1, 2}
	if n := runtime.GOMAXPROCS(0); n > 2 {
		gs = append(gs, n)
	}
	for _, g := range gs {
		b.Run(fmt.Sprintf("%s/g=%d", vfscopeName, g), func(b *testing.B) {
			fs := open(b, peers[0].new)
			path := setupStat6(b, fs)
			handles := make([]fsys, g)
			for i := range handles {
				handles[i] = fs.fork()
				must(b, handles[i].stat(path))
			}
			var wg sync.WaitGroup
			start := make(chan struct{})
			var failed atomic.Value
			for i, h := range handles {
				n := b.N / g
				if i < b.N%g {
					n++
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					for range n {
						if err := h.stat(path); err != nil {
							failed.Store(err)
							return
						}
					}
				}()
			}
			b.ResetTimer()
			close(start)
			wg.Wait()
			b.StopTimer()
			for _, h := range handles {
				h.exit()
			}
			if err := failed.Load(); err != nil {
				b.Fatal(err)
			}
			record(b, fmt.Sprintf("stat6-g%d", g), vfscopeName)
		})
	}
}

// spinSink keeps the control loop's result alive, one cache line per
// goroutine.
var spinSink [8][8]uint64

// spin is the control workload: ~100 ns of arithmetic on registers, which
// scales with goroutines exactly as far as the machine has idle cores.
func spin(x uint64) uint64 {
	for range 48 {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// BenchmarkStat6Control runs spin from 1 and 2 goroutines as
// BenchmarkStat6Goroutines runs stat: its speedup is the parallelism the
// machine actually offered during the run (less than 2 when other
// processes compete for the CPUs), the ceiling for vfscope's.
func BenchmarkStat6Control(b *testing.B) {
	for _, g := range []int{1, 2} {
		b.Run(fmt.Sprintf("g=%d", g), func(b *testing.B) {
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range g {
				n := b.N / g
				if i < b.N%g {
					n++
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					x := uint64(i)
					for range n {
						x = spin(x)
					}
					spinSink[i%len(spinSink)][0] = x
				}()
			}
			b.ResetTimer()
			close(start)
			wg.Wait()
			b.StopTimer()
			record(b, fmt.Sprintf("control-g%d", g), "spin")
		})
	}
}

// ---- 2. create and write 4 KiB, 10,000 files in 100 dirs × 100 ----

// createWrite4K times one open(O_CREAT|O_TRUNC)+write(4 KiB)+close per
// op. Every treeFiles ops it starts again on a fresh, empty filesystem
// (outside the timer), so that each op lands in a tree of at most
// treeFiles files.
func createWrite4K(b *testing.B, mk func(*testing.B) fsys) {
	var fs fsys
	var paths []string
	defer func() {
		b.StopTimer()
		if fs != nil {
			fs.close()
		}
	}()
	for i := range b.N {
		j := i % treeFiles
		if j == 0 {
			b.StopTimer()
			if fs != nil {
				fs.close()
			}
			fs = mk(b)
			paths = mkTree(b, fs, "/c", treeDirs, treePerDir)
			runtime.GC()
			b.StartTimer()
		}
		if err := fs.createWrite(paths[j], fileData); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateWrite4K is create+write of 4 KiB, per file.
func BenchmarkCreateWrite4K(b *testing.B) {
	runPeers(b, "create+write4k", func(b *testing.B, p peer) { createWrite4K(b, p.new) })
}

// ---- 3. rename every file into another directory ----

// BenchmarkRename moves each file of a tree of n files (n/100 dirs × 100)
// into one other directory, then back, and so on: ns/op is the cost of
// one rename. Run with n = 1,000 and 10,000 to show whether that cost
// depends on the tree's size.
func BenchmarkRename(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			runPeers(b, fmt.Sprintf("rename%dk", n/1000), func(b *testing.B, p peer) {
				renameN(b, p.new, n)
			})
		})
	}
}

func renameN(b *testing.B, mk func(*testing.B) fsys, n int) {
	fs := open(b, mk)
	src := mkTree(b, fs, "/src", n/treePerDir, treePerDir)
	must(b, fs.mkdir(fs.abs("/dst")))
	dst := make([]string, n)
	for i, p := range src {
		must(b, fs.create(p))
		dst[i] = fs.abs(fmt.Sprintf("/dst/f%02d_%02d", i/treePerDir, i%treePerDir))
	}
	runtime.GC()
	b.ResetTimer()
	for i := range b.N {
		j := i % n
		from, to := src[j], dst[j]
		if (i/n)%2 == 1 {
			from, to = to, from
		}
		if err := fs.rename(from, to); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
}

// ---- 4. readdir of a 10,000-entry directory ----

// BenchmarkReaddir10k lists a directory of 10,000 files per op: vfscope
// with open, getdents64 (32 KiB buffer) until empty, close; the peers
// with their own listing call. ns/entry is ns/op / 10,000.
func BenchmarkReaddir10k(b *testing.B) {
	runPeers(b, "readdir10k", func(b *testing.B, p peer) {
		fs := open(b, p.new)
		dir := fs.abs("/big")
		must(b, fs.mkdir(dir))
		for i := range treeFiles {
			must(b, fs.create(fs.abs(fmt.Sprintf("/big/f%05d", i))))
		}
		n, err := fs.readdir(dir)
		must(b, err)
		if n < treeFiles || n > treeFiles+2 {
			b.Fatalf("readdir saw %d entries, want %d (+ . and ..)", n, treeFiles)
		}
		runtime.GC()
		b.ResetTimer()
		for range b.N {
			if _, err := fs.readdir(dir); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/treeFiles, "ns/entry")
	})
}

// ---- 5. unlink of every file ----

// BenchmarkUnlink removes the 10,000 4-KiB files of the create tree, one
// per op; the tree is rebuilt outside the timer every treeFiles ops.
func BenchmarkUnlink(b *testing.B) {
	runPeers(b, "unlink", func(b *testing.B, p peer) {
		var fs fsys
		var paths []string
		defer func() {
			b.StopTimer()
			if fs != nil {
				fs.close()
			}
		}()
		for i := range b.N {
			j := i % treeFiles
			if j == 0 {
				b.StopTimer()
				if fs != nil {
					fs.close()
				}
				fs = p.new(b)
				paths = mkTree(b, fs, "/c", treeDirs, treePerDir)
				for _, q := range paths {
					must(b, fs.createWrite(q, fileData))
				}
				runtime.GC()
				b.StartTimer()
			}
			if err := fs.unlink(paths[j]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// ---- lock validation on and off ----

// BenchmarkLockdep runs vfscope's stat and create workloads with the lock
// validator off (vfs.Options{}, the production configuration, provided
// VFSCOPE_LOCKDEP is unset) and on (Options{Lockdep: true}), to show what
// validation costs and that off is the configuration measured above.
func BenchmarkLockdep(b *testing.B) {
	for _, on := range []bool{false, true} {
		mode := "off"
		if on {
			mode = "on"
		}
		mk := func(b *testing.B) fsys { return newVfscope(b, vfs.Options{Lockdep: on}) }
		b.Run("stat6/"+mode, func(b *testing.B) {
			stat6Serial(b, mk)
			record(b, "lockdep-stat6", mode)
		})
		b.Run("create+write4k/"+mode, func(b *testing.B) {
			createWrite4K(b, mk)
			record(b, "lockdep-create+write4k", mode)
		})
	}
}
