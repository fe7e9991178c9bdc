package vfs_test

import (
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// Benchmarks of the namespace operations alone, on the tree of the
// browser workload (web/bench/peers.mjs: 2,000 files in 20 directories),
// with the set-up outside the timer. Natively they say what the VFS costs
// apart from any front end; under GOOS=js (go test -exec
// go_js_wasm_exec) what it costs as WebAssembly, without the crossing.
// With callgrind (GODEBUG=asyncpreemptoff=1 GOGC=off GOMAXPROCS=1
// valgrind --tool=callgrind --toggle-collect='*Renameat2') they count
// instructions per operation, which a loaded machine does not blur.
const nsN = 2000

// nsTree is the workload's tree: files (not yet created) and, for each,
// a new name in its directory and one in the next directory.
type nsTree struct {
	tk                *vfs.Task
	files, same, next []string
}

func nsSetup(b *testing.B) *nsTree {
	b.Helper()
	v, tk, err := boot.New(vfs.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(v.Shutdown)
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(tk.Mkdir("/w", 0o777))
	for d := range 20 {
		must(tk.Mkdir(fmt.Sprintf("/w/d%d", d), 0o777))
	}
	w := &nsTree{tk: tk}
	for i := range nsN {
		w.files = append(w.files, fmt.Sprintf("/w/d%d/f%d", i%20, i))
		w.same = append(w.same, fmt.Sprintf("/w/d%d/s%d", i%20, i))
		w.next = append(w.next, fmt.Sprintf("/w/d%d/m%d", (i+1)%20, i))
	}
	return w
}

func (w *nsTree) create(b *testing.B, names []string) {
	for _, p := range names {
		fd, err := w.tk.Open(p, vfs.O_CREAT|vfs.O_WRONLY|vfs.O_TRUNC, 0o644)
		if err != nil {
			b.Fatal(err)
		}
		if err := w.tk.Close(fd); err != nil {
			b.Fatal(err)
		}
	}
}

func (w *nsTree) unlink(b *testing.B, names []string) {
	for _, p := range names {
		if err := w.tk.Unlink(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNsUnlink unlinks empty files, one per op.
func BenchmarkNsUnlink(b *testing.B) {
	w := nsSetup(b)
	b.StopTimer()
	for done := 0; done < b.N; done += nsN {
		w.create(b, w.files)
		n := min(nsN, b.N-done)
		b.StartTimer()
		w.unlink(b, w.files[:n])
		b.StopTimer()
		w.unlink(b, w.files[n:])
	}
}

// nsRename renames file i to to[i] and back, one rename per op.
func nsRename(b *testing.B, w *nsTree, to []string) {
	w.create(b, w.files)
	b.ResetTimer()
	for i := range b.N {
		j := i % nsN
		from, dst := w.files[j], to[j]
		if (i/nsN)%2 == 1 {
			from, dst = dst, from
		}
		if err := w.tk.Rename(from, dst); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNsRenameSame renames each file within its directory and
// back: both paths name the parent alike.
func BenchmarkNsRenameSame(b *testing.B) {
	w := nsSetup(b)
	nsRename(b, w, w.same)
}

// BenchmarkNsRenameCross renames each file into the next directory
// under a new name and back, as the browser workload does.
func BenchmarkNsRenameCross(b *testing.B) {
	w := nsSetup(b)
	nsRename(b, w, w.next)
}

// BenchmarkNsCreateWrite creates a file, writes 4 KiB and closes it, one
// file per op (the foundation's create+write4k on the browser workload's
// tree); the files are unlinked outside the timer.
func BenchmarkNsCreateWrite(b *testing.B) {
	w := nsSetup(b)
	data := make([]byte, vfs.PAGE_SIZE)
	b.StopTimer()
	for done := 0; done < b.N; done += nsN {
		n := min(nsN, b.N-done)
		b.StartTimer()
		for _, p := range w.files[:n] {
			fd, err := w.tk.Open(p, vfs.O_CREAT|vfs.O_WRONLY|vfs.O_TRUNC, 0o644)
			if err == nil {
				_, err = w.tk.Write(fd, data)
			}
			if err == nil {
				err = w.tk.Close(fd)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		w.unlink(b, w.files[:n])
	}
}
