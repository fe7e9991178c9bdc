package vfs_test

import (
	"runtime"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

const tib = int64(1) << 40

// TestMmapAddressSpace: mappings take room in a 47-bit address space
// (TASK_SIZE (1<<47)-4096) and mmap is ENOMEM when no hole fits, as on
// the host (a non-PIE static program, whose address space is otherwise
// empty: 100 TiB maps, a second 100 TiB is ENOMEM, 10 TiB more maps, and
// after munmap of the first 100 TiB maps again; TASK_SIZE itself never
// fits above mmap_min_addr). A hole left by munmap is reused.
func TestMmapAddressSpace(t *testing.T) {
	v, tk, _ := mmEnv(t)
	fd := mmFile(t, tk, "/pm/f", pattern(0, 3*P, 1), vfs.O_RDWR)
	mmap := func(length int64) (*vfs.Mapping, error) {
		return tk.Mmap(fd, 0, length, vfs.PROT_READ, vfs.MAP_SHARED)
	}
	var live []*vfs.Mapping
	for _, c := range []struct {
		name   string
		length int64
		unmap  int // before mapping, munmap live[unmap-1]
		want   error
	}{
		{"TASK_SIZE", 1<<47 - P, 0, vfs.ENOMEM},
		{"TASK_SIZE again", 1<<47 - P, 0, vfs.ENOMEM},
		{"100 TiB", 100 * tib, 0, nil},
		{"another 100 TiB", 100 * tib, 0, vfs.ENOMEM},
		{"10 TiB", 10 * tib, 0, nil},
		{"a third 10 TiB", 10 * tib, 0, nil},
		{"and a fourth", 10 * tib, 0, vfs.ENOMEM},
		{"100 TiB after munmap of the first", 100 * tib, 1, nil},
	} {
		if c.unmap > 0 {
			mustT(t, "munmap", tk.Munmap(live[c.unmap-1]))
		}
		vma, err := mmap(c.length)
		if err != c.want {
			t.Errorf("%s: mmap = %v, want %v", c.name, err, c.want)
		}
		if err == nil {
			live = append(live, vma)
		}
	}
	ms := tk.Mappings()
	for i := range ms {
		end := ms[i].Start() + ms[i].Len()
		if ms[i].Start() < 0x10000 || end > 1<<47-P || (i > 0 && ms[i].Start() <= ms[i-1].Start()+ms[i-1].Len()) {
			t.Errorf("mapping %d at [%#x, %#x): outside the user space, overlapping or out of order", i, ms[i].Start(), end)
		}
	}
	for _, vma := range live[1:] {
		mustT(t, "munmap", tk.Munmap(vma))
	}
	// A hole left by munmap is reused: the first fit from mmap_base.
	a, err := mmap(3 * P)
	mustT(t, "mmap a", err)
	b, err := mmap(P)
	mustT(t, "mmap b", err)
	c, err := mmap(P)
	mustT(t, "mmap c", err)
	mustT(t, "munmap a", tk.Munmap(a))
	d, err := mmap(2 * P)
	mustT(t, "mmap d", err)
	if d.Start() != a.Start() {
		t.Errorf("a 2-page mapping after munmap of a 3-page one at %#x went to %#x", a.Start(), d.Start())
	}
	if ms := tk.Mappings(); len(ms) != 3 || ms[0] != d || ms[1] != b || ms[2] != c {
		t.Errorf("mappings not in address order after reusing a hole")
	}
	// A child has its parent's layout, and its own room.
	child := tk.Fork("child")
	if cm := child.Mappings(); len(cm) != 3 || cm[0].Start() != d.Start() || cm[2].Start() != c.Start() {
		t.Errorf("the child's mappings are not where its parent's are")
	}
	child.Exit()
	for _, vma := range []*vfs.Mapping{b, c, d} {
		mustT(t, "munmap", tk.Munmap(vma))
	}
	mustT(t, "close", tk.Close(fd))
	pcCheck(t, v)
}

// TestMmapSparseTables: a mapping's page tables are made as its pages
// are touched, whatever its length: mapping most of a 1 TiB sparse file
// and storing to its last page costs a few table pages, not a directory
// of every 2 MiB of it. The file is on tmpfs, whose faults read nothing
// around the page (no backing store): what is allocated is the tables
// and the two pages.
func TestMmapSparseTables(t *testing.T) {
	v, tk, _ := mmEnv(t)
	fd := mmFile(t, tk, "/sparse", nil, vfs.O_RDWR)
	const size = tib - P
	mustT(t, "ftruncate", tk.Ftruncate(fd, size))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	vma, err := tk.Mmap(fd, 0, size, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	store(t, vma, size-P, []byte("end"))
	store(t, vma, 0, []byte("start"))
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 256<<10 {
		t.Errorf("mapping 1 TiB and touching 2 pages allocated %d KiB", got>>10)
	}
	if got := vma.NrPresent(tk); got != 2 {
		t.Errorf("%d pages mapped, want 2", got)
	}
	if pte := vma.PTE(tk, size/P-1); !pte.Present || !pte.Write {
		t.Errorf("last page: %+v", pte)
	}
	if pte := vma.PTE(tk, size/P/2); pte.Present {
		t.Errorf("a page never touched is mapped: %+v", pte)
	}
	child := tk.Fork("child")
	child.Exit()
	mustT(t, "ftruncate", tk.Ftruncate(fd, P))
	if got := vma.NrPresent(tk); got != 1 {
		t.Errorf("%d pages mapped after truncation to a page, want 1", got)
	}
	mustT(t, "munmap", tk.Munmap(vma))
	mustT(t, "close", tk.Close(fd))
	pcCheck(t, v)
}

// TestMmapMaxMapCount: do_mmap is ENOMEM once the task has more than
// vm.max_map_count (65530) mappings, and maps again after a munmap.
func TestMmapMaxMapCount(t *testing.T) {
	if testing.Short() || runtime.GOARCH == "wasm" {
		t.Skip("65531 mappings: two seconds natively, minutes under WebAssembly")
	}
	v, tk, _ := mmEnv(t)
	fd := mmFile(t, tk, "/pm/f", pattern(0, P, 1), vfs.O_RDONLY)
	var ms []*vfs.Mapping
	for i := 0; i <= 65530; i++ {
		vma, err := tk.Mmap(fd, 0, P, vfs.PROT_READ, vfs.MAP_PRIVATE)
		if err != nil {
			t.Fatalf("mmap %d: %v", i, err)
		}
		ms = append(ms, vma)
	}
	if _, err := tk.Mmap(fd, 0, P, vfs.PROT_READ, vfs.MAP_PRIVATE); err != vfs.ENOMEM {
		t.Errorf("mmap number 65532: %v, want ENOMEM", err)
	}
	mustT(t, "munmap", tk.Munmap(ms[100]))
	vma, err := tk.Mmap(fd, 0, P, vfs.PROT_READ, vfs.MAP_PRIVATE)
	mustT(t, "mmap after munmap", err)
	if vma.Start() != ms[100].Start() {
		t.Errorf("the hole of munmap was not reused")
	}
	ms[100] = vma
	for _, vma := range ms {
		mustT(t, "munmap", tk.Munmap(vma))
	}
	mustT(t, "close", tk.Close(fd))
	pcCheck(t, v)
}
