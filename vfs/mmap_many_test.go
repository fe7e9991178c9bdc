package vfs_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// A task's many mappings: after mixed mmap, munmap, fork and exit, each
// task's mappings (/proc/PID/maps), each file's i_mmap (in the order the
// reverse-map walks visit it: a child's copy right after its parent's)
// and the free-area cache (where the next mapping goes) are as a model
// of them says. BenchmarkMmapMany shows exit_mmap, munmap and fork per
// mapping for 1000 and 10000 mappings.

// mmBase is the first address of a task's mappings (mmapBase): a
// mapping of n pages at slot s (in pages from it) leaves the next one
// at s+n+1, a guard page between them.
const mmBase = 0x7f0000000000

type mmOp struct {
	op    string // "map", "unmap", "fork", "exit"
	task  string // who does it ("p" the first task; "fork" names the child in name)
	name  string // the mapping (map, unmap) or the child (fork)
	file  int    // map: which of the files
	pages int64  // map: length in pages
	at    int64  // map: the start wanted, in pages from mmBase
}

func TestMmapManySequences(t *testing.T) {
	for _, c := range []struct {
		name string
		ops  []mmOp
	}{
		{"map in order then unmap in order", []mmOp{
			{op: "map", task: "p", name: "a", pages: 1, at: 0},
			{op: "map", task: "p", name: "b", pages: 2, at: 2},
			{op: "map", task: "p", name: "c", pages: 1, at: 5},
			{op: "unmap", task: "p", name: "a"},
			{op: "unmap", task: "p", name: "b"},
			{op: "unmap", task: "p", name: "c"},
			{op: "map", task: "p", name: "d", pages: 1, at: 0},
		}},
		{"munmap moves the cache back to the hole", []mmOp{
			{op: "map", task: "p", name: "a", pages: 1, at: 0},
			{op: "map", task: "p", name: "b", pages: 1, at: 2},
			{op: "map", task: "p", name: "c", pages: 1, at: 4},
			{op: "map", task: "p", name: "d", pages: 1, at: 6},
			{op: "unmap", task: "p", name: "b"},
			{op: "map", task: "p", name: "e", pages: 1, at: 2},
			{op: "map", task: "p", name: "f", pages: 1, at: 8},
		}},
		{"a hole too small is skipped, then reused by a small mapping", []mmOp{
			{op: "map", task: "p", name: "a", pages: 1, at: 0},
			{op: "map", task: "p", name: "b", pages: 1, at: 2},
			{op: "map", task: "p", name: "c", pages: 1, at: 4},
			{op: "unmap", task: "p", name: "b"},
			{op: "map", task: "p", name: "big", pages: 3, at: 6},
			{op: "map", task: "p", name: "small", pages: 1, at: 2},
			{op: "map", task: "p", name: "next", pages: 1, at: 10},
		}},
		{"unmap in reverse and interleaved across files", []mmOp{
			{op: "map", task: "p", name: "a", file: 0, pages: 1, at: 0},
			{op: "map", task: "p", name: "b", file: 1, pages: 1, at: 2},
			{op: "map", task: "p", name: "c", file: 0, pages: 1, at: 4},
			{op: "map", task: "p", name: "d", file: 1, pages: 1, at: 6},
			{op: "map", task: "p", name: "e", file: 0, pages: 1, at: 8},
			{op: "unmap", task: "p", name: "e"},
			{op: "unmap", task: "p", name: "c"},
			{op: "map", task: "p", name: "f", file: 1, pages: 3, at: 8},
			{op: "unmap", task: "p", name: "a"},
			{op: "map", task: "p", name: "g", file: 0, pages: 1, at: 0},
		}},
		{"exit of a forked child keeps the parent's i_mmap order", []mmOp{
			{op: "map", task: "p", name: "a", file: 0, pages: 1, at: 0},
			{op: "map", task: "p", name: "b", file: 1, pages: 2, at: 2},
			{op: "map", task: "p", name: "c", file: 0, pages: 1, at: 5},
			{op: "fork", task: "p", name: "c1"},
			{op: "map", task: "c1", name: "x", file: 0, pages: 1, at: 7},
			{op: "unmap", task: "p", name: "a"},
			{op: "map", task: "p", name: "d", file: 1, pages: 1, at: 0},
			{op: "exit", task: "c1"},
			{op: "map", task: "p", name: "e", file: 0, pages: 1, at: 7},
		}},
		{"exit of the parent leaves the children's mappings", []mmOp{
			{op: "map", task: "p", name: "a", file: 0, pages: 1, at: 0},
			{op: "map", task: "p", name: "b", file: 0, pages: 1, at: 2},
			{op: "map", task: "p", name: "c", file: 1, pages: 1, at: 4},
			{op: "map", task: "p", name: "d", file: 0, pages: 1, at: 6},
			{op: "fork", task: "p", name: "c1"},
			{op: "fork", task: "c1", name: "c2"},
			{op: "unmap", task: "c1", name: "b"},
			{op: "exit", task: "p"},
			{op: "map", task: "c2", name: "e", file: 1, pages: 1, at: 8},
			{op: "exit", task: "c1"},
			{op: "unmap", task: "c2", name: "a"},
			{op: "map", task: "c2", name: "f", file: 0, pages: 1, at: 0},
			{op: "exit", task: "c2"},
		}},
		{"a second fork's copy goes between the parent's mapping and the first child's", []mmOp{
			{op: "map", task: "p", name: "a", file: 0, pages: 1, at: 0},
			{op: "map", task: "p", name: "b", file: 0, pages: 1, at: 2},
			{op: "fork", task: "p", name: "c1"},
			{op: "fork", task: "p", name: "c2"},
			{op: "unmap", task: "c1", name: "a"},
			{op: "unmap", task: "p", name: "b"},
			{op: "map", task: "c2", name: "c", file: 0, pages: 1, at: 4},
			{op: "exit", task: "c2"},
			{op: "map", task: "p", name: "d", file: 0, pages: 1, at: 2},
			{op: "unmap", task: "c1", name: "b"},
			{op: "exit", task: "p"},
			{op: "map", task: "c1", name: "e", file: 0, pages: 1, at: 0},
		}},
	} {
		t.Run(c.name, func(t *testing.T) { runMmOps(t, c.ops) })
	}
}

// mmModel is what the test expects: each task's mappings by name, and
// each file's i_mmap in walk order.
type mmModel struct {
	tasks map[string]*vfs.Task
	vmas  map[string]map[string]*vfs.Mapping // task -> name -> mapping
	imap  [2][]*vfs.Mapping
}

func runMmOps(t *testing.T, ops []mmOp) {
	v, tk, _ := mmEnv(t)
	var fds [2]int
	var files [2]*vfs.AddressSpace
	probe := v.NewTask("probe", vfs.RootCred) // finds each file's address_space
	for i := range fds {
		fds[i] = mmFile(t, tk, "/pm/f"+strconv.Itoa(i), pattern(0, 4*P, byte(i+1)), vfs.O_RDWR)
		vma, err := probe.Mmap(mmFile(t, probe, "/pm/f"+strconv.Itoa(i), pattern(0, 4*P, byte(i+1)), vfs.O_RDWR), 0, P, vfs.PROT_READ, vfs.MAP_SHARED)
		mustT(t, "probe mmap", err)
		files[i] = vma.AddrSpace()
		mustT(t, "probe munmap", probe.Munmap(vma))
	}
	probe.Exit()
	m := &mmModel{
		tasks: map[string]*vfs.Task{"p": tk},
		vmas:  map[string]map[string]*vfs.Mapping{"p": {}},
	}
	fileOf := func(vma *vfs.Mapping) int {
		if vma.AddrSpace() == files[0] {
			return 0
		}
		return 1
	}
	remove := func(vma *vfs.Mapping) {
		im := &m.imap[fileOf(vma)]
		for i, x := range *im {
			if x == vma {
				*im = append((*im)[:i:i], (*im)[i+1:]...)
				return
			}
		}
		t.Fatalf("mapping at %#x not in the model's i_mmap", vma.Start())
	}
	for step, o := range ops {
		tk := m.tasks[o.task]
		what := strconv.Itoa(step) + " " + o.task + " " + o.op + " " + o.name
		switch o.op {
		case "map":
			vma, err := tk.Mmap(fds[o.file], 0, o.pages*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
			mustT(t, what, err)
			if want := mmBase + o.at*P; vma.Start() != want {
				t.Errorf("%s: at %#x, want %#x (page %d)", what, vma.Start(), want, o.at)
			}
			load(t, vma, 0, 8) // a PTE for munmap and exit to zap
			m.vmas[o.task][o.name] = vma
			m.imap[o.file] = append(m.imap[o.file], vma)
		case "unmap":
			vma := m.vmas[o.task][o.name]
			mustT(t, what, tk.Munmap(vma))
			if _, err := vma.Load(0, make([]byte, 1)); !errors.Is(err, vfs.SIGSEGV) {
				t.Errorf("%s: load after munmap: %v, want SIGSEGV", what, err)
			}
			delete(m.vmas[o.task], o.name)
			remove(vma)
		case "fork":
			child := tk.Fork(o.name)
			m.tasks[o.name] = child
			m.vmas[o.name] = map[string]*vfs.Mapping{}
			parent := map[*vfs.Mapping]string{}
			for name, vma := range m.vmas[o.task] {
				parent[vma] = name
			}
			for _, nv := range child.Mappings() {
				var pv *vfs.Mapping
				for vma := range parent {
					if vma.Start() == nv.Start() {
						pv = vma
					}
				}
				if pv == nil {
					t.Fatalf("%s: child mapping at %#x has no parent mapping", what, nv.Start())
				}
				m.vmas[o.name][parent[pv]] = nv
				im := &m.imap[fileOf(nv)]
				for i, x := range *im {
					if x == pv {
						*im = append((*im)[:i+1], append([]*vfs.Mapping{nv}, (*im)[i+1:]...)...)
						break
					}
				}
			}
		case "exit":
			live := m.vmas[o.task]
			tk.Exit()
			for _, vma := range live {
				if _, err := vma.Load(0, make([]byte, 1)); !errors.Is(err, vfs.SIGSEGV) {
					t.Errorf("%s: load after exit: %v, want SIGSEGV", what, err)
				}
				remove(vma)
			}
			delete(m.tasks, o.task)
			delete(m.vmas, o.task)
			if got := tk.Mappings(); len(got) != 0 {
				t.Errorf("%s: %d mappings left after exit", what, len(got))
			}
		}
		m.check(t, what, tk, files)
	}
}

// check compares every live task's mappings and both files' i_mmap with
// the model.
func (m *mmModel) check(t *testing.T, what string, tk *vfs.Task, files [2]*vfs.AddressSpace) {
	t.Helper()
	for name, task := range m.tasks {
		got := task.Mappings()
		if len(got) != len(m.vmas[name]) {
			t.Errorf("%s: task %s has %d mappings, want %d", what, name, len(got), len(m.vmas[name]))
		}
		for i, vma := range got {
			if i > 0 && vma.Start() <= got[i-1].Start()+got[i-1].Len() {
				t.Errorf("%s: task %s: mapping %d at %#x out of address order", what, name, i, vma.Start())
			}
			found := false
			for _, w := range m.vmas[name] {
				found = found || w == vma
			}
			if !found {
				t.Errorf("%s: task %s maps %#x, which the model has not", what, name, vma.Start())
			}
		}
	}
	for i, as := range files {
		got := vfs.IMmapForTest(tk, as)
		if len(got) != len(m.imap[i]) {
			t.Errorf("%s: file %d: i_mmap has %d mappings, want %d", what, i, len(got), len(m.imap[i]))
			continue
		}
		for k := range got {
			if got[k] != m.imap[i][k] {
				t.Errorf("%s: file %d: i_mmap[%d] is the mapping at %#x, want the one at %#x", what, i, k, got[k].Start(), m.imap[i][k].Start())
			}
		}
	}
}

// BenchmarkMmapMany maps n one-page mappings of a tmpfs file in a
// forked task, then tears them down: "exit" by the task's exit
// (exit_mmap), "munmap" by munmap of each in address order, which is
// also their order in the file's i_mmap. "fork" forks a task that has
// the n mappings (dup_mmap: each child's copy is linked into i_mmap
// right after its parent's). ns/mapping is the teardown's, or the
// fork's, cost per mapping: linear means about the same for n of 1000
// and 10000.
func BenchmarkMmapMany(b *testing.B) {
	for _, how := range []string{"exit", "munmap", "fork"} {
		for _, n := range []int{1000, 10000} {
			b.Run(how+"/n="+strconv.Itoa(n), func(b *testing.B) {
				v := vfs.New(vfs.Options{})
				tk := v.NewTask("bench", vfs.RootCred)
				if err := tmpfs.Register(tk, v); err != nil {
					b.Fatal(err)
				}
				if err := v.MountRoot(tk, "tmpfs", "mode=755"); err != nil {
					b.Fatal(err)
				}
				fd, err := tk.Open("/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := tk.Pwrite(fd, make([]byte, P), 0); err != nil {
					b.Fatal(err)
				}
				vmas := make([]*vfs.Mapping, n)
				var measured time.Duration
				for i := 0; i < b.N; i++ {
					child := tk.Fork("many")
					for k := range vmas {
						if vmas[k], err = child.Mmap(fd, 0, P, vfs.PROT_READ, vfs.MAP_SHARED); err != nil {
							b.Fatal(err)
						}
					}
					start := time.Now()
					switch how {
					case "munmap":
						for _, vma := range vmas {
							child.Munmap(vma)
						}
					case "fork":
						grandchild := child.Fork("copy")
						measured += time.Since(start)
						if got := len(grandchild.Mappings()); got != n {
							b.Fatalf("fork copied %d mappings, want %d", got, n)
						}
						grandchild.Exit()
						child.Exit()
						continue
					}
					child.Exit()
					measured += time.Since(start)
				}
				b.ReportMetric(float64(measured.Nanoseconds())/float64(b.N*n), "ns/mapping")
			})
		}
	}
}
