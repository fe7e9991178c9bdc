package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestMeminfoMapped: /proc/meminfo's Mapped is NR_FILE_MAPPED, the file
// pages mapped into page tables (fs/proc/meminfo.c; counted in
// mm/rmap.c as PTEs map and unmap page-cache pages). A private copy is
// an anonymous page, not counted; munmap, truncation and the task's
// exit take pages away. vfscope counts each present PTE of a file page,
// so a page two mappings map counts twice (RATIONALE.md).
func TestMeminfoMapped(t *testing.T) {
	const pages = 64
	steps := []struct {
		name string
		do   func(tk *vfs.Task, fd int, m *[2]*vfs.Mapping) error
		want int64 // Mapped in pages after the step
	}{
		{"mmap maps nothing", func(tk *vfs.Task, fd int, m *[2]*vfs.Mapping) error {
			var err error
			m[0], err = tk.Mmap(fd, 0, pages*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_PRIVATE)
			return err
		}, 0},
		{"read faults map every page", func(tk *vfs.Task, fd int, m *[2]*vfs.Mapping) error {
			_, err := m[0].Load(0, make([]byte, pages*P))
			return err
		}, pages},
		{"private stores replace half by copies", func(tk *vfs.Task, fd int, m *[2]*vfs.Mapping) error {
			_, err := m[0].Store(0, make([]byte, pages/2*P))
			return err
		}, pages / 2},
		{"a shared mapping's stores", func(tk *vfs.Task, fd int, m *[2]*vfs.Mapping) error {
			var err error
			if m[1], err = tk.Mmap(fd, 0, pages*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED); err != nil {
				return err
			}
			_, err = m[1].Store(0, make([]byte, 8*P))
			return err
		}, pages/2 + 8},
		{"truncate unmaps past EOF", func(tk *vfs.Task, fd int, m *[2]*vfs.Mapping) error {
			return tk.Ftruncate(fd, (pages-8)*P) // the private copies there go too
		}, pages/2 - 8 + 8},
		{"munmap of the private one", func(tk *vfs.Task, fd int, m *[2]*vfs.Mapping) error { return tk.Munmap(m[0]) }, 8},
		{"munmap of the shared one", func(tk *vfs.Task, fd int, m *[2]*vfs.Mapping) error { return tk.Munmap(m[1]) }, 0},
	}
	v, tk, err := boot.New(vfs.Options{Lockdep: true})
	mustT(t, "boot", err)
	t.Cleanup(v.Shutdown)
	fd, err := tk.Open("/tmp/mp", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustT(t, "open", err)
	_, err = tk.Write(fd, make([]byte, pages*P))
	mustT(t, "write", err)
	var m [2]*vfs.Mapping
	for _, s := range steps {
		mustT(t, s.name, s.do(tk, fd, &m))
		if got := v.MemInfo().Mapped; got != s.want*P {
			t.Fatalf("%s: Mapped %d kB, want %d kB", s.name, got>>10, s.want*P>>10)
		}
	}
	// The line /proc/meminfo shows.
	_, err = tk.Mmap(fd, 0, P, vfs.PROT_READ, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	m[0] = tk.Mappings()[0]
	_, err = m[0].Load(0, make([]byte, 1))
	mustT(t, "load", err)
	for _, l := range v.MemInfo().Lines() {
		if l.Name == "Mapped" && l.Bytes != P {
			t.Fatalf("the Mapped line says %d bytes, want %d", l.Bytes, P)
		}
	}
	// A forked task's copy of the shared mapping maps the page again at
	// its first access (fork copies no PTE of a shared mapping); its
	// exit unmaps it.
	child := tk.Fork("child")
	if got := v.MemInfo().Mapped; got != P {
		t.Fatalf("after fork: Mapped %d, want %d", got, P)
	}
	_, err = child.Mappings()[0].Load(0, make([]byte, 1))
	mustT(t, "child load", err)
	if got := v.MemInfo().Mapped; got != 2*P {
		t.Fatalf("after the child's load: Mapped %d, want %d", got, 2*P)
	}
	child.Exit()
	if got := v.MemInfo().Mapped; got != P {
		t.Fatalf("after the child's exit: Mapped %d, want %d", got, P)
	}
}
