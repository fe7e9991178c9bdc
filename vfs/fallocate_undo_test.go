package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// TestFallocateUndoKeepsFaultedPages: a fallocate that fails part way
// (its accounting refuses a page: ENOSPC) removes the pages it added,
// except one that a fault through a shared mapping made uptodate in the
// meantime, as shmem_undo_range(unfalloc) keeps uptodate folios: the
// bytes stored there stay, in the mapping and in the file.
func TestFallocateUndoKeepsFaultedPages(t *testing.T) {
	const P = vfs.PAGE_SIZE
	v := vfs.New(vfs.Options{Lockdep: true})
	defer v.Shutdown()
	tk := v.NewTask("init", vfs.RootCred)
	mustT(t, "tmpfs", tmpfs.Register(tk, v))
	mustT(t, "root", v.MountRoot(tk, "tmpfs", "mode=755"))
	p := &pcmfs{pcfs: newPCFS()}
	mustT(t, "register", p.register(tk, v, "pcmfs"))
	mustT(t, "mkdir", tk.Mkdir("/pm", 0o755))
	mustT(t, "mount", tk.Mount("none", "/pm", "pcmfs", 0, ""))
	fd, err := tk.Open("/pm/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustT(t, "create", err)
	mustT(t, "ftruncate", tk.Ftruncate(fd, 4*P)) // all holes

	// Another task maps the file and stores into page 0 while the
	// fallocate is between its pages.
	other := tk.Fork("faulter")
	defer other.Exit()
	ofd, err := other.Open("/pm/f", vfs.O_RDWR, 0)
	mustT(t, "open", err)
	vma, err := other.Mmap(ofd, 0, 4*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	reserved := 0
	p.fallocAccount = func(n int64) error {
		if n <= 0 {
			return nil
		}
		reserved++
		switch reserved {
		case 2: // page 0 is in the cache, not uptodate: fault it in
			done := make(chan error)
			go func() {
				_, err := vma.Store(10, []byte("kept"))
				done <- err
			}()
			if err := <-done; err != nil {
				t.Errorf("store through the mapping: %v", err)
			}
		case 3:
			return vfs.ENOSPC
		}
		return nil
	}
	if err := tk.Fallocate(fd, vfs.FALLOC_FL_KEEP_SIZE, 0, 3*P); err != vfs.ENOSPC {
		t.Fatalf("fallocate: %v, want ENOSPC", err)
	}
	// Page 1, which only the fallocate had made, is gone again.
	if n := vfs.FdInode(tk, fd).Mapping().NrPages(); n != 1 {
		t.Errorf("%d pages cached after the undo, want 1 (the faulted one)", n)
	}
	if got := load(t, vma, 10, 4); string(got) != "kept" {
		t.Errorf("the mapping reads %q after the failed fallocate, want \"kept\"", got)
	}
	buf := make([]byte, 4)
	if n, err := tk.Pread(fd, buf, 10); err != nil || n != 4 || string(buf) != "kept" {
		t.Errorf("pread after the failed fallocate: %d %v %q, want \"kept\"", n, err, buf)
	}
	mustT(t, "munmap", other.Munmap(vma))
}
