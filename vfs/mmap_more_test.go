package vfs_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// TestMmapMapPagesSkipsLocked: fault-around maps the cached, uptodate
// pages around a read fault without blocking: a page another task holds
// locked is skipped (and faulted on its own later), the rest are mapped,
// and nothing sleeps inside ->map_pages (the validator would report it).
func TestMmapMapPagesSkipsLocked(t *testing.T) {
	v, tk, _ := mmEnv(t)
	data := pattern(0, 8*P, 6)
	fd := mmFile(t, tk, "/pm/f", data, vfs.O_RDWR)
	in := vfs.FdInode(tk, fd)
	vma, err := tk.Mmap(fd, 0, 8*P, vfs.PROT_READ, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	other := v.NewTask("locker", vfs.RootCred)
	fo := vfs.FilemapLockFolio(other, in.Mapping(), 3)
	if fo == nil {
		t.Fatal("page 3 not cached")
	}
	load(t, vma, 0, 8)
	for i := int64(0); i < 8; i++ {
		if got, want := vma.PTE(tk, i).Present, i != 3; got != want {
			t.Errorf("page %d mapped %v after fault-around, want %v", i, got, want)
		}
	}
	if got := vma.Stats().MapPages.Load(); got != 7 {
		t.Errorf("->map_pages mapped %d pages, want 7", got)
	}
	vfs.FolioUnlock(other, fo)
	vfs.FolioPut(fo)
	if got := load(t, vma, 3*P, P); !bytes.Equal(got, data[3*P:4*P]) {
		t.Errorf("page 3 differs")
	}
	mustT(t, "munmap", tk.Munmap(vma))
	mustT(t, "close", tk.Close(fd))
	pcCheck(t, v)
}

// TestMmapExitUnmaps: a task's exit unmaps its mappings (->close runs,
// later accesses are SIGSEGV); what it stored is dirty in the page cache
// and reaches the file.
func TestMmapExitUnmaps(t *testing.T) {
	v, tk, p := mmEnv(t)
	fd := mmFile(t, tk, "/pm/f", make([]byte, 2*P), vfs.O_RDWR)
	child := tk.Fork("child")
	vma, err := child.Mmap(fd, 0, 2*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	store(t, vma, P, []byte("from the child"))
	child.Exit()
	if p.closes.Load() != 1 {
		t.Errorf("->close calls after exit: %d", p.closes.Load())
	}
	if _, err := vma.Load(0, make([]byte, 1)); !errors.Is(err, vfs.SIGSEGV) {
		t.Errorf("load after exit: %v, want SIGSEGV", err)
	}
	mustT(t, "fsync", tk.Fsync(fd))
	if got := p.storeBytes(vfs.FdInode(tk, fd).Ino()); string(got[P:P+14]) != "from the child" {
		t.Errorf("the child's store did not reach the file")
	}
	mustT(t, "close", tk.Close(fd))
	pcCheck(t, v)
}

// TestMmapReclaimUnmaps: under a small budget, reclaim unmaps idle mapped
// pages to free them (after a second chance for pages accessed through
// the mapping), and a later access reads them back in.
func TestMmapReclaimUnmaps(t *testing.T) {
	v := vfs.New(vfs.Options{Lockdep: true, MemBudget: vfs.MinMemBudget})
	tk := v.NewTask("init", vfs.RootCred)
	mustT(t, "tmpfs", tmpfs.Register(tk, v))
	mustT(t, "root", v.MountRoot(tk, "tmpfs", "mode=755"))
	p := &pcmfs{pcfs: newPCFS()}
	mustT(t, "register", p.register(tk, v, "pcmfs"))
	mustT(t, "mkdir", tk.Mkdir("/pm", 0o755))
	mustT(t, "mount", tk.Mount("none", "/pm", "pcmfs", 0, ""))
	t.Cleanup(v.Shutdown)
	const n = 16
	data := pattern(0, n*P, 8)
	fd := mmFile(t, tk, "/pm/mapped", data, vfs.O_RDWR)
	mustT(t, "fsync", tk.Fsync(fd))
	vma, err := tk.Mmap(fd, 0, n*P, vfs.PROT_READ, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	load(t, vma, 0, n*P)
	if got := vma.NrPresent(tk); got != n {
		t.Fatalf("%d pages mapped, want %d", got, n)
	}
	// Pressure: stream another file through the cache, several times
	// the budget.
	ofd, err := tk.Open("/pm/other", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustT(t, "create", err)
	for i := int64(0); i < 8*n; i += 4 {
		mustT(t, "pwrite", pwriteAll(tk, ofd, pattern(i*P, 4*P, 9), i*P))
		mustT(t, "fsync", tk.Fsync(ofd))
	}
	if got := vma.NrPresent(tk); got == n {
		t.Errorf("reclaim unmapped none of the %d mapped pages", n)
	}
	if got := load(t, vma, 0, n*P); !bytes.Equal(got, data) {
		t.Errorf("mapped data differs after reclaim")
	}
	t.Logf("mapped after pressure and reload: %d; reclaim %+v", vma.NrPresent(tk), v.ReclaimStats())
	mustT(t, "munmap", tk.Munmap(vma))
	mustT(t, "close", tk.Close(fd))
	mustT(t, "close", tk.Close(ofd))
	pcCheck(t, v)
}
