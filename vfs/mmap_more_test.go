package vfs_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/lock"
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
// the mapping), and a later access reads them back in; the pages of a
// VM_LOCKED (MAP_LOCKED) mapping stay mapped, as mlocked pages do.
func TestMmapReclaimUnmaps(t *testing.T) {
	for _, locked := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "locked"}[locked], func(t *testing.T) {
			testMmapReclaimUnmaps(t, locked)
		})
	}
}

func testMmapReclaimUnmaps(t *testing.T, locked bool) {
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
	flags := vfs.MAP_SHARED
	if locked {
		flags |= vfs.MAP_LOCKED
	}
	vma, err := tk.Mmap(fd, 0, n*P, vfs.PROT_READ, flags)
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
	if got := vma.NrPresent(tk); got == n && !locked {
		t.Errorf("reclaim unmapped none of the %d mapped pages", n)
	} else if got != n && locked {
		t.Errorf("reclaim unmapped %d of the %d pages of a locked mapping", n-got, n)
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

// TestMsyncErrors checks msync(2)'s errors, and that MAP_POPULATE faults
// every page inside EOF in at mmap time (read faults for a shared
// mapping, which stays clean; copies for a writable private one).
func TestMsyncErrors(t *testing.T) {
	v, tk, _ := mmEnv(t)
	fd := mmFile(t, tk, "/pm/f", pattern(0, 3*P, 10), vfs.O_RDWR)
	vma, err := tk.Mmap(fd, 0, 4*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED|vfs.MAP_POPULATE)
	mustT(t, "mmap", err)
	for i := int64(0); i < 4; i++ {
		pte := vma.PTE(tk, i)
		if want := i < 3; pte.Present != want || pte.Write {
			t.Errorf("populated shared page %d: %+v, want present %v, read-only", i, pte, want)
		}
	}
	other := tk.Fork("other")
	defer other.Exit()
	for _, c := range []struct {
		name        string
		tk          *vfs.Task
		off, length int64
		flags       int
		want        error
	}{
		{"unknown flag", tk, 0, P, 8, vfs.EINVAL},
		{"sync and async", tk, 0, P, vfs.MS_SYNC | vfs.MS_ASYNC, vfs.EINVAL},
		{"unaligned", tk, 1, P, vfs.MS_SYNC, vfs.EINVAL},
		{"length -1 (SIZE_MAX, rounding up to 0)", tk, 0, -1, vfs.MS_SYNC, nil},
		{"negative length, end below start", tk, P, -P, vfs.MS_SYNC, vfs.ENOMEM},
		{"negative offset", tk, -P, 2 * P, vfs.MS_SYNC, vfs.ENOMEM},
		{"past the mapping", tk, 2 * P, 3 * P, vfs.MS_SYNC, vfs.ENOMEM},
		{"another task's mapping", other, 0, P, vfs.MS_SYNC, vfs.ENOMEM},
		{"another task's mapping, async", other, 0, P, vfs.MS_ASYNC, vfs.ENOMEM},
		{"zero length", tk, P, 0, vfs.MS_SYNC, nil},
		{"invalidate", tk, 0, 4 * P, vfs.MS_INVALIDATE, nil},
		{"async", tk, 0, 4 * P, vfs.MS_ASYNC, nil},
		{"sync", tk, 0, 4*P - 100, vfs.MS_SYNC, nil},
	} {
		if err := c.tk.Msync(vma, c.off, c.length, c.flags); err != c.want {
			t.Errorf("%s: msync = %v, want %v", c.name, err, c.want)
		}
	}
	// Another task's mapping is a hole of the caller's address space:
	// munmap of it succeeds and unmaps nothing.
	if err := other.Munmap(vma); err != nil {
		t.Errorf("munmap of another task's mapping: %v, want success", err)
	}
	if err := tk.Msync(vma, 0, P, vfs.MS_SYNC); err != nil {
		t.Errorf("msync after another task's munmap of it: %v", err)
	}
	if err := tk.Munmap(nil); err != vfs.EINVAL {
		t.Errorf("munmap(nil): %v, want EINVAL", err)
	}
	mustT(t, "munmap", tk.Munmap(vma))
	if err := tk.Msync(vma, 0, P, vfs.MS_SYNC); err != vfs.ENOMEM {
		t.Errorf("msync after munmap: %v, want ENOMEM", err)
	}
	pr, err := tk.Mmap(fd, 0, 3*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_PRIVATE|vfs.MAP_POPULATE)
	mustT(t, "mmap private", err)
	for i := int64(0); i < 3; i++ {
		if pte := pr.PTE(tk, i); !pte.Anon || !pte.Write {
			t.Errorf("populated private page %d: %+v, want a writable copy", i, pte)
		}
	}
	// A private store needs no page_mkwrite, so freezing does not hold it.
	mustT(t, "freeze", tk.Freeze("/pm"))
	store(t, pr, 0, []byte("frozen"))
	mustT(t, "thaw", tk.Thaw("/pm"))
	mustT(t, "munmap", tk.Munmap(pr))
	mustT(t, "close", tk.Close(fd))
	pcCheck(t, v)
}

// TestMmapForkCOW: fork copies the mappings (->open on each copy). A
// shared mapping stays shared with the child; a private one shares its
// copies with the child copy-on-write: the first store on either side
// copies the page, and the last one left takes it back writable without
// copying.
func TestMmapForkCOW(t *testing.T) {
	v, tk, p := mmEnv(t)
	fd := mmFile(t, tk, "/pm/f", pattern(0, 2*P, 12), vfs.O_RDWR)
	sh, err := tk.Mmap(fd, 0, 2*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	mustT(t, "mmap shared", err)
	pr, err := tk.Mmap(fd, 0, 2*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_PRIVATE)
	mustT(t, "mmap private", err)
	store(t, pr, 0, []byte("parent"))
	store(t, sh, P, []byte("shared"))
	child := tk.Fork("child")
	if p.opens.Load() != 2 || len(child.Mappings()) != 2 {
		t.Fatalf("fork: %d ->open calls, %d mappings", p.opens.Load(), len(child.Mappings()))
	}
	csh, cpr := child.Mappings()[0], child.Mappings()[1]
	if pte := cpr.PTE(child, 0); !pte.Anon || pte.Write {
		t.Errorf("child's copy of the private page: %+v, want the shared copy read-only", pte)
	}
	if pte := pr.PTE(tk, 0); pte.Write {
		t.Errorf("parent's private page writable after fork")
	}
	if pte := csh.PTE(child, 1); pte.Present {
		t.Errorf("shared mapping's PTE copied: %+v", pte)
	}
	if got := load(t, cpr, 0, 6); string(got) != "parent" {
		t.Errorf("child reads %q in the private mapping", got)
	}
	if got := load(t, csh, P, 6); string(got) != "shared" {
		t.Errorf("child reads %q in the shared mapping", got)
	}
	copies := pr.Stats().CowCopies.Load()
	store(t, cpr, 0, []byte("child!"))
	if got := load(t, pr, 0, 6); string(got) != "parent" {
		t.Errorf("parent sees %q after the child's store", got)
	}
	if got := cpr.Stats().CowCopies.Load(); got != 1 {
		t.Errorf("child's copies: %d, want 1", got)
	}
	// The parent is the last to map its copy: it takes it back.
	store(t, pr, 0, []byte("PARENT"))
	if got := pr.Stats().CowCopies.Load(); got != copies {
		t.Errorf("parent copied again (%d copies, had %d): the page was its alone", got, copies)
	}
	if got := load(t, cpr, 0, 6); string(got) != "child!" {
		t.Errorf("child sees %q after the parent's store", got)
	}
	store(t, csh, P, []byte("SHARED"))
	if got := load(t, sh, P, 6); string(got) != "SHARED" {
		t.Errorf("parent sees %q in the shared mapping after the child's store", got)
	}
	child.Exit()
	if p.closes.Load() != 2 {
		t.Errorf("->close calls after the child's exit: %d", p.closes.Load())
	}
	mustT(t, "munmap", tk.Munmap(sh))
	mustT(t, "munmap", tk.Munmap(pr))
	mustT(t, "close", tk.Close(fd))
	pcCheck(t, v)
}

// TestMmapLockOrderMkwriteRwsem: a ->page_mkwrite that takes i_rwsem
// inverts Linux's order (write(2) holds i_rwsem and may fault, taking
// mmap_lock: might_fault tells the validator so), and the validator
// reports it even though no write here ever faults.
func TestMmapLockOrderMkwriteRwsem(t *testing.T) {
	v, tk, p := mmEnv(t)
	fd := mmFile(t, tk, "/pm/f", make([]byte, P), vfs.O_RDWR) // a write: i_rwsem -> mmap_lock
	vma, err := tk.Mmap(fd, 0, P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	vma.VMOps = &vfs.VMOperations{
		Fault: vfs.FilemapFault,
		PageMkwrite: func(t *vfs.Task, vmf *vfs.VMFault) vfs.VMFaultT {
			in := vmf.VMA.File().Inode()
			in.RwsemLock(t) // wrong: mmap_lock -> i_rwsem
			in.RwsemUnlock(t)
			return vfs.FilemapPageMkwrite(t, vmf)
		},
	}
	store(t, vma, 0, []byte("x"))
	var circular int
	for _, r := range v.Validator().Reports() {
		if r.Kind == lock.CircularDependency && strings.Contains(r.Text, "mmap_lock") && strings.Contains(r.Text, "i_mutex_key") {
			circular++
		}
	}
	if circular != 1 {
		t.Errorf("circular dependency reports naming mmap_lock and i_rwsem (i_mutex_key): %d, want 1\n%v", circular, v.Validator().Reports())
	}
	mustT(t, "munmap", tk.Munmap(vma))
	mustT(t, "close", tk.Close(fd))
	_ = p
}

// TestMmapTmpfsHoleFaults: a load from a hole of a tmpfs file makes a
// page, charged to size= and dirty like every tmpfs page, so that
// drop_caches keeps it and the charge comes back only when the file goes.
func TestMmapTmpfsHoleFaults(t *testing.T) {
	v, tk, _ := mmEnv(t)
	fd := mmFile(t, tk, "/small/h", nil, vfs.O_RDWR)
	mustT(t, "ftruncate", tk.Ftruncate(fd, 4*P))
	vma, err := tk.Mmap(fd, 0, 4*P, vfs.PROT_READ, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	if got := load(t, vma, 0, 4*P); !bytes.Equal(got, make([]byte, 4*P)) {
		t.Errorf("a hole reads non-zero")
	}
	var st vfs.Statfs
	mustT(t, "statfs", tk.Statfs("/small", &st))
	if used := st.Blocks - st.Bfree; used != 4 {
		t.Errorf("blocks used after faulting 4 holes: %d", used)
	}
	mustT(t, "munmap", tk.Munmap(vma))
	mustT(t, "drop_caches", v.DropCaches(tk, 3))
	in := vfs.FdInode(tk, fd)
	if n := in.Mapping().NrPages(); n != 4 {
		t.Errorf("pages after drop_caches: %d, want 4", n)
	}
	mustT(t, "close", tk.Close(fd))
	mustT(t, "unlink", tk.Unlink("/small/h"))
	mustT(t, "statfs", tk.Statfs("/small", &st))
	if st.Bfree != st.Blocks {
		t.Errorf("free blocks after unlink: %d of %d", st.Bfree, st.Blocks)
	}
	pcCheck(t, v)
}
