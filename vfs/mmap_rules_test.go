package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// reachMmapRows reaches file_operations.mmap and every
// vm_operations_struct row the VFS calls, through a pcmfs mount at
// /pmrows, for TestPageCacheLockingRows: ->fault on a page not cached,
// ->map_pages on cached ones around a read fault, ->page_mkwrite on the
// first store, ->open on fork's copy, ->close at munmap and exit. Every call is checked against its row
// (the mmap_lock column on the mapping's address space).
func reachMmapRows(t *testing.T, v *vfs.VFS, tk *vfs.Task) {
	t.Helper()
	p := &pcmfs{pcfs: newPCFS()}
	mustT(t, "register pcmfs", p.register(tk, v, "pcmfs"))
	mustT(t, "mkdir", tk.Mkdir("/pmrows", 0o755))
	mustT(t, "mount pcmfs", tk.Mount("none", "/pmrows", "pcmfs", 0, ""))
	fd := mmFile(t, tk, "/pmrows/f", pattern(0, 20*P, 7), vfs.O_RDWR)
	mustT(t, "fsync", tk.Fsync(fd))
	in := vfs.FdInode(tk, fd)
	vfs.InvalidateMappingPages(tk, in.Mapping(), 0, 1<<40)
	before := v.LockingRowsReached()
	vma, err := tk.Mmap(fd, 0, 20*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	load(t, vma, 0, 10)   // ->map_pages finds nothing, ->fault reads in
	load(t, vma, 2*P, 10) // ->map_pages maps the pages read ahead
	store(t, vma, 3, []byte("w"))
	child := tk.Fork("child") // ->open on the child's copy
	child.Exit()
	mustT(t, "munmap", tk.Munmap(vma))
	mustT(t, "close", tk.Close(fd))
	after := v.LockingRowsReached()
	for _, row := range []string{"file_operations.mmap", "vm_operations_struct.fault",
		"vm_operations_struct.map_pages", "vm_operations_struct.page_mkwrite", "vm_operations_struct.open", "vm_operations_struct.close"} {
		if after[row] <= before[row] {
			t.Errorf("row %s not reached by the mapping", row)
		}
	}
	if vma.Stats().MapPages.Load() == 0 {
		t.Errorf("->map_pages mapped nothing")
	}
}
