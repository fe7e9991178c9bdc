package vfs

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

// TestLockdepRowsMayBlock: the rows whose notes forbid sleeping compile
// to mayBlock false: drop_inode runs under i_lock, free_inode from an
// RCU callback (softirq context, which must not sleep either).
func TestLockdepRowsMayBlock(t *testing.T) {
	for _, tc := range []struct {
		key      string
		mayBlock bool
	}{
		{"super_operations.free_inode", false},
		{"super_operations.drop_inode", false},
		{"super_operations.destroy_inode", true},
		{"super_operations.evict_inode", true},
		{"address_space_operations.free_folio", false},
		{"file_operations.iterate_shared", true},
	} {
		r := rulesByKey[tc.key]
		if r == nil {
			t.Errorf("%s: no row", tc.key)
			continue
		}
		if r.mayBlock != tc.mayBlock {
			t.Errorf("%s: mayBlock %v, want %v", tc.key, r.mayBlock, tc.mayBlock)
		}
	}
}

// TestLockdepFdgetPosDirectory: fdget_pos takes f_pos_lock for a
// directory even when its description is not shared
// (file_needs_f_pos_lock: f_op->iterate_shared), so ->iterate_shared
// runs with it held exclusively, as locking.rst says; for an unshared
// regular file it takes none (rw_test's tests). getdents64 then meets
// no violation; ->iterate_shared called without it is one.
func TestLockdepFdgetPosDirectory(t *testing.T) {
	v, tk, _ := pcEnv(t)
	root := tk.Root().Dentry.Inode()
	root.FOps = &FileOperations{Iterate: func(t *Task, f *File, ctx *DirContext) error {
		DirEmitDots(f, ctx)
		return nil
	}}
	dir, err := tk.Open("/", O_RDONLY|O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	var thread *Task
	defer func() {
		if thread != nil {
			thread.Exit()
		}
	}()
	cloned := func() *Task {
		if thread == nil {
			thread = tk.CloneFiles("thread")
		}
		return thread
	}
	unshared := func() *Task { return tk }
	for _, tc := range []struct {
		name  string
		tk    func() *Task // the table is shared from the first cloned call on
		fd    int
		flags uint8
	}{
		{"directory, unshared", unshared, dir, fdputPosUnlock},
		// A shared table's lookup takes a reference, dropped by
		// fdputFlags.
		{"directory, shared table", cloned, dir, fdputFput | fdputPosUnlock},
	} {
		tk := tc.tk()
		f, flags, err := tk.fdgetPos(tc.fd)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if flags != tc.flags {
			t.Errorf("%s: fdgetPos flags %#x, want %#x", tc.name, flags, tc.flags)
		}
		want := lock.Unheld
		if tc.flags&fdputPosUnlock != 0 {
			want = lock.Exclusive
		}
		if m := tk.o.Holds(&f.posLock); m != want {
			t.Errorf("%s: f_pos_lock held %v, want %v", tc.name, m, want)
		}
		count := f.count.Load()
		tk.fdputFlags(f, flags)
		if tc.flags&fdputFput != 0 && f.count.Load() != count-1 {
			t.Errorf("%s: fdputFlags left the count at %d, want %d", tc.name, f.count.Load(), count-1)
		}
	}
	if _, err := tk.Getdents(dir, 4096); err != nil {
		t.Fatalf("getdents64: %v", err)
	}
	if vs := v.LockingViolations(); len(vs) != 0 {
		t.Errorf("violations: %v", vs)
	}
	f, _, _ := tk.fdgetPos(dir)
	f.posLock.Unlock(tk.o)
	root.rwsem.RLock(tk.o)
	err = tk.fopIterate(f, &DirContext{Emit: func(string, uint64, uint8, int64) bool { return true }})
	root.rwsem.RUnlock(tk.o)
	if err != nil {
		t.Fatal(err)
	}
	if vs := v.LockingViolations(); len(vs) != 1 || !strings.Contains(vs[0], "f_pos_lock not held") {
		t.Errorf("iterate_shared without f_pos_lock: violations %q, want one", vs)
	}
}
