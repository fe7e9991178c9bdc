package vfs

import "github.com/vfscope/vfscope/vfs/lock"

// The wrappers through which the VFS calls ->mmap and the
// vm_operations_struct methods, each asserting its locking.rst row when
// lock validation is on (see calls.go). The vm rows' mmap_lock column is
// checked here, on the mapping's address space.

// checkVMRow records a violation of r's mmap_lock cell by the call on
// vma: "write" wants it held for write, "read" and "read/write" held in
// either mode ("read" is the least a fault holds), "maybe-read" nothing.
func (t *Task) checkVMRow(r *rule, vma *Mapping) {
	if r == nil || t.vfs.validator == nil {
		return
	}
	m := t.o.Holds(&vma.mm.mmapLock)
	var bad string
	switch r.row.cells["mmap_lock"] {
	case "write":
		if m != lock.Exclusive {
			bad = "mmap_lock held " + m.String() + ", row says write"
		}
	case "read", "read/write":
		if m == lock.Unheld {
			bad = "mmap_lock not held, row says " + r.row.cells["mmap_lock"]
		}
	}
	if bad != "" {
		v := t.vfs
		v.rules.mu.Lock()
		v.rules.violations = append(v.rules.violations, r.key+" called by "+t.o.Name()+": "+bad)
		v.rules.mu.Unlock()
	}
}

func (t *Task) fopMmap(f *File, vma *Mapping) error {
	if t.checking() {
		return checked(t, "file_operations.mmap", subjects{}, func() error { return f.fop.Mmap(t, f, vma) })
	}
	return f.fop.Mmap(t, f, vma)
}

func (t *Task) vmopOpen(vma *Mapping) {
	if t.checking() {
		r := t.enter("vm_operations_struct.open", subjects{m: vma.mapping})
		t.checkVMRow(r, vma)
		defer t.leave(r)
	}
	vma.VMOps.Open(t, vma)
}

func (t *Task) vmopClose(vma *Mapping) {
	if t.checking() {
		r := t.enter("vm_operations_struct.close", subjects{m: vma.mapping})
		t.checkVMRow(r, vma)
		defer t.leave(r)
	}
	vma.VMOps.Close(t, vma)
}

func (t *Task) vmopFault(vmf *VMFault) VMFaultT {
	if t.checking() {
		r := t.enter("vm_operations_struct.fault", subjects{m: vmf.VMA.mapping})
		t.checkVMRow(r, vmf.VMA)
		defer t.leave(r)
	}
	return vmf.VMA.VMOps.Fault(t, vmf)
}

func (t *Task) vmopMapPages(vmf *VMFault, start, end int64) VMFaultT {
	if t.checking() {
		r := t.enter("vm_operations_struct.map_pages", subjects{m: vmf.VMA.mapping})
		t.checkVMRow(r, vmf.VMA)
		defer t.leave(r)
	}
	return vmf.VMA.VMOps.MapPages(t, vmf, start, end)
}

func (t *Task) vmopPageMkwrite(vmf *VMFault) VMFaultT {
	if t.checking() {
		r := t.enter("vm_operations_struct.page_mkwrite", subjects{m: vmf.VMA.mapping})
		t.checkVMRow(r, vmf.VMA)
		defer t.leave(r)
	}
	return vmf.VMA.VMOps.PageMkwrite(t, vmf)
}
