package vfs_test

import (
	"bytes"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// pcmfs is pcfs whose files can be mapped: ->mmap installs the page-cache
// vm_operations plus ->open and ->close that count, and ->dirty_folio
// records whether its caller held the folio lock (the page_mkwrite race
// rule: the folio stays locked until set_page_dirty has run).
type pcmfs struct {
	*pcfs
	opens, closes atomic.Int64
	dirtyUnlocked atomic.Int64 // ->dirty_folio calls without the folio lock
	dirtyLocked   atomic.Int64
}

func (p *pcmfs) vmOps() *vfs.VMOperations {
	return &vfs.VMOperations{
		Fault:       vfs.FilemapFault,
		MapPages:    vfs.FilemapMapPages,
		PageMkwrite: vfs.FilemapPageMkwrite,
		Open:        func(t *vfs.Task, vma *vfs.Mapping) { p.opens.Add(1) },
		Close:       func(t *vfs.Task, vma *vfs.Mapping) { p.closes.Add(1) },
	}
}

func (p *pcmfs) register(t *vfs.Task, v *vfs.VFS, name string) error {
	vmops := p.vmOps()
	fst := &vfs.FileSystemType{
		Name: name,
		Mount: func(t *vfs.Task, fst *vfs.FileSystemType, flags uint32, dev, data string) (*vfs.Dentry, error) {
			return vfs.MountNodev(t, fst, flags, data, func(t *vfs.Task, sb *vfs.SuperBlock, data string) error {
				sb.MaxBytes = 1 << 40
				sb.Blocksize = vfs.PAGE_SIZE
				sb.FSInfo = p.pcfs
				// Freezable, as a disk filesystem is (FIFREEZE needs
				// ->freeze_fs).
				sb.Ops = &vfs.SuperOperations{
					FreezeFS:   func(t *vfs.Task, sb *vfs.SuperBlock) error { p.count("freeze_fs"); return nil },
					UnfreezeFS: func(t *vfs.Task, sb *vfs.SuperBlock) error { p.count("unfreeze_fs"); return nil },
				}
				in := vfs.NewInode(t, sb)
				in.SetModeType(vfs.S_IFDIR | 0o777)
				in.SetNlink(2)
				ops := p.dirOps()
				create := ops.Create
				ops.Create = func(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, mode uint32, excl bool) error {
					if err := create(t, dir, d, mode, excl); err != nil {
						return err
					}
					fin := d.Inode()
					// Hashed as a disk filesystem's inodes are, so that
					// the flusher and sync(2) find the dirty ones.
					vfs.InsertInodeHash(t, fin)
					fin.FOps.Mmap = func(t *vfs.Task, f *vfs.File, vma *vfs.Mapping) error {
						if err := vfs.GenericFileMmap(t, f, vma); err != nil {
							return err
						}
						vma.VMOps = vmops
						return nil
					}
					aops := fin.Mapping().AOps
					dirty := aops.DirtyFolio
					aops.DirtyFolio = func(t *vfs.Task, m *vfs.AddressSpace, fo *vfs.Folio) bool {
						if vfs.FolioHeldBy(t, fo) {
							p.dirtyLocked.Add(1)
						} else {
							p.dirtyUnlocked.Add(1)
						}
						return dirty(t, m, fo)
					}
					return nil
				}
				in.Ops = ops
				root, err := vfs.MakeRoot(t, in)
				if err != nil {
					return err
				}
				sb.SetRoot(root)
				return nil
			})
		},
		KillSB: vfs.KillLitterSuper,
	}
	return v.RegisterFilesystem(t, fst)
}

// mmEnv is pcEnv plus pcmfs at /pm.
func mmEnv(t testing.TB) (*vfs.VFS, *vfs.Task, *pcmfs) {
	t.Helper()
	v, tk, _ := pcEnv(t)
	p := &pcmfs{pcfs: newPCFS()}
	if err := p.register(tk, v, "pcmfs"); err != nil {
		t.Fatal(err)
	}
	if err := tk.Mkdir("/pm", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := tk.Mount("none", "/pm", "pcmfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	return v, tk, p
}

// mmFile creates path with data and returns an fd open with flags.
func mmFile(t *testing.T, tk *vfs.Task, path string, data []byte, flags int) int {
	t.Helper()
	fd, err := tk.Open(path, vfs.O_RDWR|vfs.O_CREAT|vfs.O_TRUNC, 0o644)
	mustT(t, "create "+path, err)
	mustT(t, "write "+path, pwriteAll(tk, fd, data, 0))
	mustT(t, "close", tk.Close(fd))
	fd, err = tk.Open(path, flags, 0)
	mustT(t, "open "+path, err)
	return fd
}

func load(t *testing.T, vma *vfs.Mapping, off int64, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if got, err := vma.Load(off, b); err != nil || got != n {
		t.Fatalf("load %d bytes at %d: %d, %v", n, off, got, err)
	}
	return b
}

func store(t *testing.T, vma *vfs.Mapping, off int64, b []byte) {
	t.Helper()
	if got, err := vma.Store(off, b); err != nil || got != len(b) {
		t.Fatalf("store %d bytes at %d: %d, %v", len(b), off, got, err)
	}
}

const P = vfs.PAGE_SIZE

// TestMmapErrors checks mmap(2)'s argument, permission and capability
// errors in Linux's order: x86-64's sys_mmap (offset alignment),
// ksys_mmap_pgoff (fget, MAP_HUGETLB) and do_mmap of mm/mmap.c (length,
// TASK_SIZE in get_unmapped_area, file_mmap_ok, then the MAP_TYPE
// switch), as a host kernel (6.x, x86-64) answers the same calls on a
// tmpfs file.
func TestMmapErrors(t *testing.T) {
	v, tk, _ := mmEnv(t)
	data := pattern(0, 3*P, 1)
	ro := mmFile(t, tk, "/pm/f", data, vfs.O_RDONLY)
	rw, err := tk.Open("/pm/f", vfs.O_RDWR, 0)
	mustT(t, "open rw", err)
	wo, err := tk.Open("/pm/f", vfs.O_WRONLY, 0)
	mustT(t, "open wo", err)
	path, err := tk.Open("/pm/f", vfs.O_PATH, 0)
	mustT(t, "open path", err)
	dir, err := tk.Open("/pm", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	mustT(t, "open dir", err)
	mustT(t, "mkdir", tk.Mkdir("/noexec", 0o755))
	mustT(t, "mount noexec", tk.Mount("none", "/noexec", "pcmfs", vfs.MS_NOEXEC, ""))
	nx := mmFile(t, tk, "/noexec/f", data, vfs.O_RDONLY)
	const S, PR, SV = vfs.MAP_SHARED, vfs.MAP_PRIVATE, vfs.MAP_SHARED_VALIDATE
	const R, W, X = vfs.PROT_READ, vfs.PROT_WRITE, vfs.PROT_EXEC
	cases := []struct {
		name        string
		fd          int
		off, length int64
		prot, flags int
		want        error
	}{
		{"unaligned offset", rw, 100, P, R, S, vfs.EINVAL},
		// x86-64's off is unsigned: a negative one is a huge pgoff,
		// past the largest file offset (file_mmap_ok).
		{"negative offset", rw, -P, P, R, S, vfs.EOVERFLOW},
		{"negative unaligned offset", rw, -1, P, R, S, vfs.EINVAL},
		{"unaligned offset, bad fd", 99, 1, P, R, S, vfs.EINVAL},
		{"MAP_ANONYMOUS, bad fd", 99, 0, P, R, PR | vfs.MAP_ANONYMOUS, vfs.EINVAL},
		{"bad fd, zero length", 99, 0, 0, R, S, vfs.EBADF},
		{"MAP_HUGETLB", rw, 0, P, R, S | vfs.MAP_HUGETLB, vfs.EINVAL},
		{"MAP_HUGETLB, zero length", rw, 0, 0, R, S | vfs.MAP_HUGETLB, vfs.EINVAL},
		{"MAP_HUGETLB before validation", rw, 0, P, R, SV | vfs.MAP_SYNC | vfs.MAP_HUGETLB, vfs.EINVAL},
		{"zero length, no type", rw, 0, 0, R, 0, vfs.EINVAL},
		// TASK_SIZE is (1<<47)-4096: a length rounding up past it.
		{"length 1<<47", rw, 0, 1 << 47, R, S, vfs.ENOMEM},
		{"length rounding up to 1<<47", rw, 0, 1<<47 - P + 1, R, S, vfs.ENOMEM},
		{"negative length", rw, 0, -1, R, S, vfs.ENOMEM},
		{"too long, no type", rw, 0, 1 << 48, R, 0, vfs.ENOMEM},
		{"too long, MAP_SYNC validated", rw, 0, 1 << 48, R, SV | vfs.MAP_SYNC, vfs.ENOMEM},
		{"too long, O_WRONLY", wo, 0, 1 << 48, R, S, vfs.ENOMEM},
		{"end overflows, no type", rw, math.MaxInt64 &^ (P - 1), P, R, 0, vfs.EOVERFLOW},
		{"end overflows, MAP_SYNC validated", rw, math.MaxInt64 &^ (P - 1), P, R, SV | vfs.MAP_SYNC, vfs.EOVERFLOW},
		{"MAP_SYNC validated, shared write of O_RDONLY", ro, 0, P, R | W, SV | vfs.MAP_SYNC, vfs.EOPNOTSUPP},
		{"MAP_SYNC unvalidated", rw, 0, P, R, S | vfs.MAP_SYNC, nil},
		{"MAP_32BIT validated", rw, 0, P, R, SV | vfs.MAP_32BIT, nil},
		{"MAP_HUGE_2MB validated", rw, 0, P, R, SV | 21<<26, nil},
		{"MAP_GROWSDOWN shared", rw, 0, P, R, S | vfs.MAP_GROWSDOWN, vfs.EINVAL},
		{"MAP_GROWSDOWN private", rw, 0, P, R, PR | vfs.MAP_GROWSDOWN, vfs.EINVAL},
		{"MAP_GROWSDOWN, shared write of O_RDONLY", ro, 0, P, R | W, S | vfs.MAP_GROWSDOWN, vfs.EACCES},
		{"MAP_GROWSDOWN of O_WRONLY", wo, 0, P, W, S | vfs.MAP_GROWSDOWN, vfs.EACCES},
		{"MAP_GROWSDOWN, no type", rw, 0, P, R, vfs.MAP_GROWSDOWN, vfs.EINVAL},
		{"MAP_GROWSDOWN of a directory", dir, 0, P, R, PR | vfs.MAP_GROWSDOWN, vfs.ENODEV},
		{"read of O_WRONLY, no type", wo, 0, P, R, 0, vfs.EINVAL},
		{"bad fd", 99, 0, P, R, S, vfs.EBADF},
		{"zero length", rw, 0, 0, R, S, vfs.EINVAL},
		{"no type", rw, 0, P, R, 0, vfs.EINVAL},
		{"type 4", rw, 0, P, R, 4, vfs.EINVAL},
		{"unknown flag validated", rw, 0, P, R, SV | 0x400000, vfs.EOPNOTSUPP},
		{"MAP_SYNC", rw, 0, P, R, SV | vfs.MAP_SYNC, vfs.EOPNOTSUPP},
		{"unknown flag unvalidated", rw, 0, P, R, S | 0x400000, nil},
		// do_mmap never validates prot (only mprotect's
		// arch_validate_prot does): unknown bits are ignored.
		{"unknown prot", rw, 0, P, 0x10, S, nil},
		{"unknown prot with read", rw, 0, P, R | 0x10 | 0x1000000, S, nil},
		{"unknown prot, shared write of O_RDONLY", ro, 0, P, R | W | 0x10, S, vfs.EACCES},
		{"MAP_FIXED", rw, 0, P, R, S | vfs.MAP_FIXED, vfs.EINVAL},
		{"MAP_ANONYMOUS", rw, 0, P, R, PR | vfs.MAP_ANONYMOUS, vfs.EINVAL},
		{"too long", rw, 0, 1 << 48, R, S, vfs.ENOMEM},
		{"end overflows", rw, math.MaxInt64 &^ (P - 1), P, R, S, vfs.EOVERFLOW},
		{"O_PATH", path, 0, P, R, S, vfs.EBADF},
		{"shared write of O_RDONLY", ro, 0, P, R | W, S, vfs.EACCES},
		{"private write of O_RDONLY", ro, 0, P, R | W, PR, nil},
		{"shared read of O_RDONLY", ro, 0, P, R, S, nil},
		{"read of O_WRONLY", wo, 0, P, R, PR, vfs.EACCES},
		{"write-only of O_WRONLY", wo, 0, P, W, S, vfs.EACCES},
		{"shared write of O_RDWR", rw, 0, 3 * P, R | W, SV, nil},
		{"directory", dir, 0, P, R, PR, vfs.ENODEV},
		{"exec on noexec mount", nx, 0, P, R | X, PR, vfs.EPERM},
		{"read on noexec mount", nx, 0, P, R, PR, nil},
		{"exec", ro, 0, P, R | X, PR, nil},
		{"past EOF is fine", ro, 10 * P, P, R, S, nil},
	}
	for _, c := range cases {
		vma, err := tk.Mmap(c.fd, c.off, c.length, c.prot, c.flags)
		if err != c.want {
			t.Errorf("%s: mmap = %v, want %v", c.name, err, c.want)
		}
		if err == nil {
			// calc_vm_prot_bits keeps only the bits it knows.
			if got, want := vma.Prot(), c.prot&(R|W|X|vfs.PROT_SEM); got != want {
				t.Errorf("%s: prot %#x, want %#x", c.name, got, want)
			}
			mustT(t, c.name+": munmap", tk.Munmap(vma))
		}
	}
	if got := len(tk.Mappings()); got != 0 {
		t.Errorf("%d mappings left", got)
	}
	pcCheck(t, v)
}

// TestMmapSharedReachesFile: a store through a shared mapping dirties
// the page through ->page_mkwrite (with the page locked while it is
// dirtied), is seen by read(2) at once, reaches the backing store at
// msync(MS_SYNC) (after which the PTE is write-protected and clean), and
// the next store faults through ->page_mkwrite again.
func TestMmapSharedReachesFile(t *testing.T) {
	v, tk, p := mmEnv(t)
	data := pattern(0, 3*P, 2)
	fd := mmFile(t, tk, "/pm/f", data, vfs.O_RDWR)
	in := vfs.FdInode(tk, fd)
	mustT(t, "fsync", tk.Fsync(fd))
	vma, err := tk.Mmap(fd, 0, 3*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	if got := load(t, vma, 0, 3*P); !bytes.Equal(got, data) {
		t.Fatalf("load differs from the file")
	}
	for i := int64(0); i < 3; i++ {
		if pte := vma.PTE(tk, i); !pte.Present || pte.Write || pte.Dirty {
			t.Errorf("page %d after loads: %+v, want present read-only clean", i, pte)
		}
	}
	msg := []byte("stored through the mapping")
	store(t, vma, P+10, msg)
	if pte := vma.PTE(tk, 1); !pte.Present || !pte.Write || !pte.Dirty {
		t.Errorf("page 1 after a store: %+v, want writable dirty", pte)
	}
	if got := pageFlags(tk, fd, 1); got != "uptodate,dirty,private" {
		t.Errorf("page 1 flags: %s", got)
	}
	buf := make([]byte, len(msg))
	_, err = tk.Pread(fd, buf, P+10)
	mustT(t, "pread", err)
	if !bytes.Equal(buf, msg) {
		t.Errorf("read(2) sees %q, want the store", buf)
	}
	if bytes.Equal(p.storeBytes(in.Ino())[P+10:P+10+len(msg)], msg) {
		t.Errorf("the store reached the backing store before any writeback")
	}
	mk := vma.Stats().Mkwrites.Load()
	// MS_ASYNC: the page was dirtied at the store; nothing is written.
	mustT(t, "msync async", tk.Msync(vma, 0, 3*P, vfs.MS_ASYNC))
	if got := pageFlags(tk, fd, 1); got != "uptodate,dirty,private" {
		t.Errorf("page 1 flags after MS_ASYNC: %s", got)
	}
	mustT(t, "msync sync", tk.Msync(vma, 0, 3*P, vfs.MS_SYNC))
	want := append([]byte(nil), data...)
	copy(want[P+10:], msg)
	if got := p.storeBytes(in.Ino()); !bytes.Equal(got, want) {
		t.Errorf("backing store after MS_SYNC differs")
	}
	if got := pageFlags(tk, fd, 1); got != "uptodate,private" {
		t.Errorf("page 1 flags after MS_SYNC: %s", got)
	}
	if pte := vma.PTE(tk, 1); !pte.Present || pte.Write || pte.Dirty {
		t.Errorf("page 1 after writeback: %+v, want write-protected and clean", pte)
	}
	store(t, vma, P+20, []byte("again"))
	if got := vma.Stats().Mkwrites.Load(); got != mk+1 {
		t.Errorf("page_mkwrite calls: %d, want %d (the store after writeback faults again)", got, mk+1)
	}
	if got := pageFlags(tk, fd, 1); got != "uptodate,dirty,private" {
		t.Errorf("page 1 flags after the second store: %s", got)
	}
	if p.dirtyUnlocked.Load() != 0 || p.dirtyLocked.Load() == 0 {
		t.Errorf("->dirty_folio with the folio locked %d times, unlocked %d, want only locked",
			p.dirtyLocked.Load(), p.dirtyUnlocked.Load())
	}
	// munmap drops the PTEs; the dirty page stays dirty and is written
	// by fsync.
	mustT(t, "munmap", tk.Munmap(vma))
	if p.closes.Load() != 1 {
		t.Errorf("->close calls: %d", p.closes.Load())
	}
	mustT(t, "fsync", tk.Fsync(fd))
	copy(want[P+20:], "again")
	if got := p.storeBytes(in.Ino()); !bytes.Equal(got, want) {
		t.Errorf("backing store after munmap and fsync differs")
	}
	if _, err := vma.Load(0, buf); !errors.Is(err, vfs.SIGSEGV) {
		t.Errorf("load after munmap: %v, want SIGSEGV", err)
	}
	mustT(t, "munmap twice", tk.Munmap(vma))
	mustT(t, "close", tk.Close(fd))
	pcCheck(t, v)
}

// TestMmapPrivate: a private mapping sees the file until it stores to a
// page; the store goes to a private copy that never reaches the file,
// the page cache or other mappings.
func TestMmapPrivate(t *testing.T) {
	for _, dir := range []string{"/pm", "/"} {
		t.Run(dir, func(t *testing.T) {
			v, tk, p := mmEnv(t)
			data := pattern(0, 2*P, 3)
			name := dir + "/priv"
			if dir == "/" {
				name = "/priv"
			}
			fd := mmFile(t, tk, name, data, vfs.O_RDWR)
			priv, err := tk.Mmap(fd, 0, 2*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_PRIVATE)
			mustT(t, "mmap private", err)
			shared, err := tk.Mmap(fd, 0, 2*P, vfs.PROT_READ, vfs.MAP_SHARED)
			mustT(t, "mmap shared", err)
			load(t, priv, 0, 2*P)
			// A write(2) before the private store is seen through it.
			mustT(t, "pwrite", pwriteAll(tk, fd, []byte("file"), 0))
			if got := load(t, priv, 0, 4); string(got) != "file" {
				t.Errorf("private mapping before its store sees %q", got)
			}
			store(t, priv, 0, []byte("mine"))
			if pte := priv.PTE(tk, 0); !pte.Anon || !pte.Write {
				t.Errorf("private page after a store: %+v, want a writable copy", pte)
			}
			if got := load(t, priv, 0, 4); string(got) != "mine" {
				t.Errorf("private mapping reads %q after its store", got)
			}
			if got := load(t, shared, 0, 4); string(got) != "file" {
				t.Errorf("shared mapping sees %q, want the file", got)
			}
			buf := make([]byte, 4)
			_, err = tk.Pread(fd, buf, 0)
			mustT(t, "pread", err)
			if string(buf) != "file" {
				t.Errorf("read(2) sees %q", buf)
			}
			mustT(t, "pwrite 2", pwriteAll(tk, fd, []byte("FILE"), 0))
			if got := load(t, priv, 0, 4); string(got) != "mine" {
				t.Errorf("private copy changed by a later write(2): %q", got)
			}
			mustT(t, "msync", tk.Msync(priv, 0, 2*P, vfs.MS_SYNC))
			mustT(t, "fsync", tk.Fsync(fd))
			if dir == "/pm" {
				if got := p.storeBytes(vfs.FdInode(tk, fd).Ino()); string(got[:4]) != "FILE" {
					t.Errorf("backing store holds %q", got[:4])
				}
			}
			if priv.Stats().CowCopies.Load() != 1 || priv.Stats().Mkwrites.Load() != 0 {
				t.Errorf("private: %d copies, %d page_mkwrite", priv.Stats().CowCopies.Load(), priv.Stats().Mkwrites.Load())
			}
			// A store to a page not mapped yet copies at once (do_cow_fault).
			store(t, priv, P+1, []byte("x"))
			if pte := priv.PTE(tk, 1); !pte.Anon {
				t.Errorf("page 1: %+v, want a private copy", pte)
			}
			if got := load(t, priv, P, 2); got[0] != data[P] || got[1] != 'x' {
				t.Errorf("private copy of page 1: %v", got)
			}
			tk.Exit()
			if got := vfs.FdInode(tk, fd); got != nil {
				t.Errorf("fd still open after exit")
			}
			pcCheck(t, v)
		})
	}
}

// TestMmapSIGBUS: pages past EOF fault with SIGBUS, also after a truncate
// shrinks the file under a mapping (private copies included); the part of
// the last page past EOF reads as zeros; outside the mapping and against
// its protection is SIGSEGV; a hole punched under a mapping reads zeros.
func TestMmapSIGBUS(t *testing.T) {
	for _, dir := range []string{"/pm", "/small"} {
		t.Run(dir, func(t *testing.T) {
			v, tk, _ := mmEnv(t)
			data := pattern(0, 3*P, 4)
			fd := mmFile(t, tk, dir+"/f", data, vfs.O_RDWR)
			sh, err := tk.Mmap(fd, 0, 4*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
			mustT(t, "mmap", err)
			pr, err := tk.Mmap(fd, 0, 4*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_PRIVATE)
			mustT(t, "mmap private", err)
			ro, err := tk.Mmap(fd, 0, 3*P, vfs.PROT_READ, vfs.MAP_SHARED)
			mustT(t, "mmap ro", err)
			b := make([]byte, 8)
			if n, err := sh.Load(3*P-4, b); !errors.Is(err, vfs.SIGBUS) || n != 4 {
				t.Errorf("load across EOF: %d, %v, want 4 bytes then SIGBUS", n, err)
			} else if fe := (*vfs.FaultError)(nil); !errors.As(err, &fe) || fe.Off != 3*P {
				t.Errorf("SIGBUS at %v, want offset %d", err, 3*P)
			}
			if _, err := sh.Load(4*P, b); !errors.Is(err, vfs.SIGSEGV) {
				t.Errorf("load past the mapping: %v, want SIGSEGV", err)
			}
			if _, err := ro.Store(0, b); !errors.Is(err, vfs.SIGSEGV) {
				t.Errorf("store to PROT_READ: %v, want SIGSEGV", err)
			}
			store(t, sh, 2*P, []byte("shared"))
			store(t, pr, 2*P+100, []byte("private"))
			load(t, pr, P, 8)
			mustT(t, "ftruncate", tk.Ftruncate(fd, P+P/2))
			for _, c := range []struct {
				vma   *vfs.Mapping
				off   int64
				store bool
				want  error
			}{
				{sh, 2 * P, false, vfs.SIGBUS},
				{sh, 2 * P, true, vfs.SIGBUS},
				{pr, 2*P + 100, false, vfs.SIGBUS}, // the private copy went too
				{pr, 2 * P, true, vfs.SIGBUS},
				{sh, P, false, nil},
				{pr, P + P/2 + 1, false, nil}, // same page as EOF: zeros
				{sh, P + P/2 + 1, true, nil},
				{ro, 2 * P, false, vfs.SIGBUS},
			} {
				var err error
				if c.store {
					copy(b, "ABCDEFGH")
					_, err = c.vma.Store(c.off, b)
				} else {
					clear(b)
					b[0] = 0xff
					_, err = c.vma.Load(c.off, b)
				}
				if (c.want == nil && err != nil) || (c.want != nil && !errors.Is(err, c.want)) {
					t.Errorf("access at %d (store %v) after truncate: %v, want %v", c.off, c.store, err, c.want)
				}
				if !c.store && err == nil && c.off > P+P/2 && !bytes.Equal(b, make([]byte, 8)) {
					t.Errorf("load past EOF in the last page at %d: %v, want zeros", c.off, b)
				}
			}
			// The shared store past EOF went into the page cache's page,
			// which the private mapping still maps uncopied (it only
			// loaded page 1): it sees the store, as on Linux.
			if got := load(t, pr, P+P/2+1, 8); string(got) != "ABCDEFGH" {
				t.Errorf("private mapping past EOF after a shared store there: %q, want ABCDEFGH", got)
			}
			if pte := sh.PTE(tk, 2); pte.Present {
				t.Errorf("page 2 still mapped after truncate")
			}
			// Growing the file again makes the pages reachable: holes.
			mustT(t, "ftruncate up", tk.Ftruncate(fd, 3*P))
			if got := load(t, sh, 2*P, 8); !bytes.Equal(got, make([]byte, 8)) {
				t.Errorf("regrown page: %v, want zeros", got)
			}
			if dir == "/pm" {
				// Hole punch zaps the PTE; the page reads as zeros.
				load(t, sh, 0, 8)
				mustT(t, "punch", tk.Fallocate(fd, vfs.FALLOC_FL_PUNCH_HOLE|vfs.FALLOC_FL_KEEP_SIZE, 0, P))
				if pte := sh.PTE(tk, 0); pte.Present {
					t.Errorf("punched page still mapped")
				}
				if got := load(t, sh, 0, 8); !bytes.Equal(got, make([]byte, 8)) {
					t.Errorf("punched page: %v, want zeros", got)
				}
			}
			mustT(t, "close", tk.Close(fd))
			tk.Exit()
			pcCheck(t, v)
		})
	}
}

// TestMmapTmpfsFull: a fault that must make a page of a full tmpfs gets
// SIGBUS (shmem_fault's ENOSPC), and a store to a hole charges size=.
func TestMmapTmpfsFull(t *testing.T) {
	v, tk, _ := mmEnv(t)
	fd := mmFile(t, tk, "/small/f", nil, vfs.O_RDWR)
	mustT(t, "ftruncate", tk.Ftruncate(fd, 32*P)) // 64k tmpfs: 16 pages
	vma, err := tk.Mmap(fd, 0, 32*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	var i int64
	for ; i < 32; i++ {
		if _, err := vma.Store(i*P, []byte{byte(i)}); err != nil {
			if !errors.Is(err, vfs.SIGBUS) {
				t.Fatalf("store to page %d: %v, want SIGBUS when full", i, err)
			}
			break
		}
	}
	if i != 16 {
		t.Errorf("stores before the filesystem was full: %d, want 16", i)
	}
	var st vfs.Statfs
	mustT(t, "statfs", tk.Statfs("/small", &st))
	if st.Bfree != 0 {
		t.Errorf("free blocks: %d, want 0", st.Bfree)
	}
	mustT(t, "munmap", tk.Munmap(vma))
	mustT(t, "close", tk.Close(fd))
	mustT(t, "unlink", tk.Unlink("/small/f"))
	mustT(t, "statfs", tk.Statfs("/small", &st))
	if st.Bfree != st.Blocks {
		t.Errorf("free blocks after unlink: %d of %d", st.Bfree, st.Blocks)
	}
	pcCheck(t, v)
}

// TestMmapFrozen: a store to a page that freezing cleaned waits in
// ->page_mkwrite (sb_start_pagefault) until the filesystem is thawed; a
// read-only mount refuses a shared writable mapping but allows a private
// one, whose stores stay private.
func TestMmapFrozen(t *testing.T) {
	v, tk, p := mmEnv(t)
	fd := mmFile(t, tk, "/pm/f", pattern(0, 2*P, 5), vfs.O_RDWR)
	vma, err := tk.Mmap(fd, 0, 2*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	store(t, vma, 0, []byte("before freeze"))
	// Freezing syncs: the page is written and its PTE write-protected.
	other := v.NewTask("freezer", vfs.RootCred)
	mustT(t, "freeze", other.Freeze("/pm"))
	if n := p.Calls()["freeze_fs"]; n != 1 {
		t.Errorf("->freeze_fs called %d times, want 1", n)
	}
	in := vfs.FdInode(tk, fd)
	if got := p.storeBytes(in.Ino()); string(got[:13]) != "before freeze" {
		t.Errorf("freeze did not write the mapped page")
	}
	if pte := vma.PTE(tk, 0); pte.Write {
		t.Errorf("PTE writable on a frozen filesystem")
	}
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := vma.Store(0, []byte("during freeze")); err != nil {
			t.Errorf("store: %v", err)
		}
		done.Store(true)
	}()
	deadline := time.Now().Add(50 * time.Millisecond)
	for time.Now().Before(deadline) {
		if done.Load() {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if done.Load() {
		t.Errorf("a store to a frozen filesystem completed")
	}
	mustT(t, "thaw", other.Thaw("/pm"))
	wg.Wait()
	if got := load(t, vma, 0, 13); string(got) != "during freeze" {
		t.Errorf("after thaw: %q", got)
	}
	mustT(t, "munmap", tk.Munmap(vma))
	mustT(t, "close", tk.Close(fd))

	// Read-only mount.
	mustT(t, "remount ro", tk.Mount("none", "/pm", "", vfs.MS_REMOUNT|vfs.MS_RDONLY, ""))
	if _, err := tk.Open("/pm/f", vfs.O_RDWR, 0); err != vfs.EROFS {
		t.Errorf("open O_RDWR on ro: %v", err)
	}
	rfd, err := tk.Open("/pm/f", vfs.O_RDONLY, 0)
	mustT(t, "open ro", err)
	if _, err := tk.Mmap(rfd, 0, P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED); err != vfs.EACCES {
		t.Errorf("shared writable mapping on ro: %v, want EACCES", err)
	}
	pr, err := tk.Mmap(rfd, 0, P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_PRIVATE)
	mustT(t, "private writable mapping on ro", err)
	store(t, pr, 0, []byte("private"))
	buf := make([]byte, 7)
	_, err = tk.Pread(rfd, buf, 0)
	mustT(t, "pread", err)
	if string(buf) == "private" {
		t.Errorf("a private store reached a read-only file")
	}
	mustT(t, "munmap", tk.Munmap(pr))
	mustT(t, "close", tk.Close(rfd))
	pcCheck(t, v)
}
