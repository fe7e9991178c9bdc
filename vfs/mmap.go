package vfs

import (
	"math"

	"github.com/vfscope/vfscope/vfs/lock"
)

// mmap(2), munmap(2) and msync(2) of files (mm/mmap.c, mm/msync.c), over
// the mappings of vma.go and the faults of mmap_fault.go.

// PROT_* (mmap's prot).
const (
	PROT_NONE  = 0x0
	PROT_READ  = 0x1
	PROT_WRITE = 0x2
	PROT_EXEC  = 0x4
	PROT_SEM   = 0x8
)

// MAP_* (mmap's flags).
const (
	MAP_SHARED          = 0x01
	MAP_PRIVATE         = 0x02
	MAP_SHARED_VALIDATE = 0x03
	MAP_TYPE            = 0x0f
	MAP_FIXED           = 0x10
	MAP_ANONYMOUS       = 0x20
	MAP_GROWSDOWN       = 0x0100
	MAP_DENYWRITE       = 0x0800
	MAP_EXECUTABLE      = 0x1000
	MAP_LOCKED          = 0x2000
	MAP_NORESERVE       = 0x4000
	MAP_POPULATE        = 0x8000
	MAP_NONBLOCK        = 0x10000
	MAP_STACK           = 0x20000
	MAP_HUGETLB         = 0x40000
	MAP_SYNC            = 0x80000
	MAP_FIXED_NOREPLACE = 0x100000

	MAP_32BIT         = 0x40
	MAP_UNINITIALIZED = 0x4000000
	// MAP_HUGE_MASK is the field of MAP_HUGE_* sizes (MAP_HUGE_SHIFT 26),
	// which only MAP_HUGETLB reads.
	MAP_HUGE_MASK = 0x3f << 26

	// legacyMapMask is LEGACY_MAP_MASK: the flags MAP_SHARED_VALIDATE
	// accepts (and MAP_SHARED keeps) of a file without FOP_MMAP_SYNC.
	legacyMapMask = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE |
		MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE |
		MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_32BIT | MAP_HUGE_MASK
)

// MS_* (msync's flags).
const (
	MS_ASYNC      = 1
	MS_INVALIDATE = 2
	MS_SYNC       = 4
)

// Signal is a signal an access through a mapping ends with, where a
// process would be killed (or its handler run): SIGBUS for a page past
// the end of the file or one that could not be read, SIGSEGV for an
// access outside the mapping or against its protection.
type Signal int

const (
	SIGBUS  Signal = 7
	SIGSEGV Signal = 11
)

func (s Signal) Error() string {
	switch s {
	case SIGBUS:
		return "SIGBUS"
	case SIGSEGV:
		return "SIGSEGV"
	}
	return "signal " + itoa(int64(s))
}

// FaultError is the error of a Load or Store that faulted fatally: the
// signal, the offset in the mapping of the first byte not accessed, and
// why. errors.Is(err, SIGBUS) and errors.Is(err, SIGSEGV) test it. It is
// not an Errno: front ends report it as the signal.
type FaultError struct {
	Sig Signal
	Off int64
	Why string
}

func (e *FaultError) Error() string {
	return e.Sig.Error() + " at offset " + itoa(e.Off) + ": " + e.Why
}

func (e *FaultError) Unwrap() error { return e.Sig }

// mmStruct is struct mm_struct, reduced to what file mappings need: the
// task's mappings and mmap_lock.
type mmStruct struct {
	// mmapLock is mmap_lock: held for write while mappings are added
	// and removed (and ->mmap, ->open, ->close run), for read by page
	// faults and msync. An rwsem, after i_rwsem in Linux's order (a
	// write(2) from a mapped buffer faults with i_rwsem held), before
	// sb_start_pagefault, invalidate_lock, the folio lock, i_mmap_rwsem
	// and the page table locks.
	mmapLock lock.RWSem
	// vmas are the mappings (the maple tree), in address order; under
	// mmapLock.
	vmas []*Mapping
	// freeCache and cachedHole are free_area_cache and cached_hole_size:
	// where the next search for room above mmapBase starts, and the
	// largest length a hole below it fits (mmap_addr.go). Under
	// mmapLock held for write.
	freeCache, cachedHole int64
	// task owns the address space; immutable. Its goroutine makes the
	// accesses (Load, Store).
	task *Task
}

// mmOf returns t's address space, made on first use.
func (t *Task) mmOf() *mmStruct {
	if mm := t.mm.Load(); mm != nil {
		return mm
	}
	mm := &mmStruct{task: t, freeCache: mmapBase}
	mm.mmapLock.Init(classMmapSem, 0)
	t.mm.Store(mm)
	return mm
}

// Mappings returns the task's live mappings, in address order.
func (t *Task) Mappings() []*Mapping { return t.MappingsOf(t) }

// MappingsOf returns task's live mappings in address order, read by t
// under task's mmap_lock held shared (as /proc/PID/maps reads them).
func (t *Task) MappingsOf(task *Task) []*Mapping {
	mm := task.mm.Load()
	if mm == nil {
		return nil
	}
	mm.mmapLock.RLock(t.o)
	defer mm.mmapLock.RUnlock(t.o)
	return append([]*Mapping(nil), mm.vmas...)
}

// Mmap is mmap(2) of length bytes of the file open at fd from file
// offset off, with prot PROT_* and flags MAP_SHARED, MAP_PRIVATE or
// MAP_SHARED_VALIDATE plus modifiers (MAP_POPULATE, unless with
// MAP_NONBLOCK, and MAP_LOCKED fault every page inside EOF in at once;
// MAP_LOCKED makes the mapping VM_LOCKED, with no RLIMIT_MEMLOCK to
// check). The mapping gets an address of the task's address space
// (mmap_addr.go), which only names it and bounds the space: it is
// accessed by offsets from its start, and MAP_FIXED,
// MAP_FIXED_NOREPLACE and anonymous mappings are refused with EINVAL
// (see RATIONALE.md).
//
// Errors, in Linux's order (x86-64's sys_mmap, ksys_mmap_pgoff, do_mmap
// of mm/mmap.c): EINVAL for an off not page aligned; EINVAL for
// MAP_ANONYMOUS (where Linux would not look at fd); EBADF for a bad or
// O_PATH descriptor; EINVAL for MAP_HUGETLB (no file here is on
// hugetlbfs); EINVAL for a length of 0; EINVAL for MAP_FIXED*; ENOMEM
// for a length that, rounded up to pages, exceeds TASK_SIZE (x86-64's
// (1<<47)-4096); ENOMEM when the task has more than vm.max_map_count
// mappings or no hole of its address space below TASK_SIZE fits the
// mapping (get_unmapped_area, mmap_addr.go); EOVERFLOW when the range's
// end lies past the largest file offset (file_mmap_ok, the first check
// of do_mmap's "if (file)": MAX_LFS_FILESIZE for a regular file, 2^64-1
// for a directory, FIFO or character device; off is unsigned there, so
// a negative one is EOVERFLOW too for a regular file; do_mmap's earlier "offset overflow?", pgoff plus the
// pages of len wrapping, cannot happen with a pgoff of off >> PAGE_SHIFT
// and a len below TASK_SIZE); then by flags' MAP_TYPE: MAP_SHARED drops the
// flags LEGACY_MAP_MASK does not know, MAP_SHARED_VALIDATE refuses them
// (and MAP_SYNC) with EOPNOTSUPP; for both EACCES for PROT_WRITE on a
// description not open for writing; for these and MAP_PRIVATE EACCES
// for a description not open for reading, EPERM for PROT_EXEC on a
// noexec mount, ENODEV when the file cannot be mapped (no ->mmap:
// directories, devices like /dev/null), EINVAL for MAP_GROWSDOWN; any
// other MAP_TYPE is EINVAL; else what ->mmap reports. Unknown prot bits
// are ignored: do_mmap never checks them (only mprotect does), and
// calc_vm_prot_bits drops them. A shared mapping of a description not
// open for writing is not VM_SHARED (do_mmap clears it, leaving
// VM_MAYSHARE): msync(MS_SYNC) has nothing of it to write.
func (t *Task) Mmap(fd int, off, length int64, prot, flags int) (*Mapping, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("mmap"))
	}
	if off&^PAGE_MASK != 0 {
		return nil, EINVAL
	}
	if flags&MAP_ANONYMOUS != 0 {
		return nil, EINVAL
	}
	f, err := t.fdget(fd) // O_PATH descriptors are EBADF (ksys_mmap_pgoff's fget)
	if err != nil {
		return nil, err
	}
	defer fput(t, f)
	if f.mode&FMODE_PATH != 0 {
		return nil, EBADF
	}
	if flags&MAP_HUGETLB != 0 {
		return nil, EINVAL
	}
	if length == 0 {
		return nil, EINVAL
	}
	if flags&(MAP_FIXED|MAP_FIXED_NOREPLACE) != 0 {
		return nil, EINVAL
	}
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM
	// get_unmapped_area: PAGE_ALIGN(len) > TASK_SIZE (a negative length
	// is a size_t past it).
	if length < 0 || length > maxMapLen {
		return nil, ENOMEM
	}
	npages := (length + PAGE_SIZE - 1) >> PAGE_SHIFT
	pgoff := int64(uint64(off) >> PAGE_SHIFT)
	mm := t.mmOf()
	mm.mmapLock.Lock(t.o)
	// The map_count check and __get_unmapped_area come before
	// anything about the file: a full address space is ENOMEM
	// whatever the offset.
	start, err := mm.getUnmappedArea(npages)
	if err == nil && !fileMmapOK(f.inode.mode.Load(), off, npages) {
		err = EOVERFLOW
	}
	var vmShared bool
	if err == nil {
		flags, vmShared, err = mmapCheckFile(f, prot, flags)
	}
	if err != nil {
		mm.mmapLock.Unlock(t.o)
		return nil, err
	}
	vma := &Mapping{
		mm:       mm,
		file:     fget(f),
		mapping:  f.inode.Mapping(),
		start:    start,
		pgoff:    pgoff,
		length:   length,
		npages:   npages,
		prot:     prot,
		flags:    flags,
		vmShared: vmShared,
		locked:   flags&MAP_LOCKED != 0,
		pt:       newPageTable(npages),
	}
	vma.ptl.Init(classPTL, 0)
	if err := t.fopMmap(f, vma); err != nil {
		mm.mmapLock.Unlock(t.o)
		fput(t, vma.file)
		return nil, err
	}
	if vma.VMOps == nil {
		vma.VMOps = &VMOperations{} // no ->fault: every access is SIGBUS
	}
	vmaLinkFile(t, vma)
	mm.insertVMALocked(vma)
	mm.mmapLock.Unlock(t.o)
	// do_mmap asks for the population of a VM_LOCKED mapping, or of a
	// MAP_POPULATE one unless MAP_NONBLOCK (mm_populate).
	if vma.locked || flags&(MAP_POPULATE|MAP_NONBLOCK) == MAP_POPULATE {
		t.populate(vma)
	}
	return vma, nil
}

// fileMmapOK is file_mmap_ok(): npages from the unsigned offset off end
// at or below file_mmap_size_max of a file of the given mode, in u64:
// MAX_LFS_FILESIZE for a regular file, a block device or a socket,
// ULONG_MAX for anything else (no file here has FOP_UNSIGNED_OFFSET,
// whose 0 would mean no bound). A directory, FIFO or device past
// MAX_LFS_FILESIZE thus goes on to ENODEV (no ->mmap) or its ->mmap,
// as on Linux, not EOVERFLOW.
func fileMmapOK(mode uint32, off, npages int64) bool {
	maxsize := uint64(math.MaxUint64)
	switch mode & S_IFMT {
	case S_IFREG, S_IFBLK, S_IFSOCK:
		maxsize = math.MaxInt64 // MAX_LFS_FILESIZE
	}
	maxsize -= uint64(npages) << PAGE_SHIFT // below TASK_SIZE: no wrap
	return uint64(off)>>PAGE_SHIFT <= maxsize>>PAGE_SHIFT
}

// mmapCheckFile is do_mmap's switch on MAP_TYPE for a file mapping: the
// flags kept and VM_SHARED, or the error (see Mmap).
func mmapCheckFile(f *File, prot, flags int) (_ int, vmShared bool, _ error) {
	switch flags & MAP_TYPE {
	case MAP_SHARED, MAP_SHARED_VALIDATE:
		if flags&MAP_TYPE == MAP_SHARED {
			flags &= legacyMapMask
		} else if flags&^legacyMapMask != 0 {
			return 0, false, EOPNOTSUPP // MAP_SYNC too: no file here is DAX
		}
		if prot&PROT_WRITE != 0 && f.mode&FMODE_WRITE == 0 {
			return 0, false, EACCES
		}
		if IsAppend(f.inode) && f.mode&FMODE_WRITE != 0 {
			return 0, false, EACCES
		}
		vmShared = f.mode&FMODE_WRITE != 0
		fallthrough
	case MAP_PRIVATE:
		if f.mode&FMODE_READ == 0 {
			return 0, false, EACCES
		}
		if prot&PROT_EXEC != 0 && f.path.Mnt.flags.Load()&MNT_NOEXEC != 0 {
			return 0, false, EPERM
		}
		if f.fop == nil || f.fop.Mmap == nil {
			return 0, false, ENODEV
		}
		if flags&MAP_GROWSDOWN != 0 {
			return 0, false, EINVAL // VM_GROWSDOWN
		}
	default:
		return 0, false, EINVAL
	}
	return flags, vmShared, nil
}

// populate is populate_vma_page_range(): __get_user_pages with
// FOLL_TOUCH over every page inside EOF: a page not mapped (or, for a
// store, not writable) is faulted in and looked at again, writable
// private mappings with write faults (FOLL_WRITE: breaking COW), the
// rest with read faults (a shared page is not dirtied for nothing); then
// follow_page_pte's FOLL_TOUCH marks the folio it maps accessed (its
// folio_mark_dirty for a store never applies: a write fault maps a
// dirty copy). A PROT_NONE mapping is left alone (not vma_is_accessible:
// no FOLL_FORCE, and get_user_pages refuses it). Errors end it and are
// ignored, as mm_populate's.
func (t *Task) populate(vma *Mapping) {
	if vma.prot&(PROT_READ|PROT_WRITE|PROT_EXEC) == 0 {
		return
	}
	write := !vma.shared() && vma.prot&PROT_WRITE != 0
	isize := vma.mapping.host.size.Load()
	for i := int64(0); i < vma.npages && (vma.pgoff+i)<<PAGE_SHIFT < isize; {
		if fo := vma.followPage(t, i, write); fo != nil {
			FolioMarkAccessed(t, fo)
			FolioPut(fo)
			i++
			continue
		}
		if t.handleMMFault(vma, i, write) != nil {
			return
		}
	}
}

// followPage is follow_page_pte(): the folio page i maps, with a
// reference, or nil if its entry is not present (or, for a store, not
// writable).
func (vma *Mapping) followPage(t *Task, i int64, write bool) *Folio {
	vma.ptl.Lock(t.o)
	defer vma.ptl.Unlock(t.o)
	p := vma.ptep(i, false)
	if p == nil || p.bits&ptePresent == 0 || (write && p.bits&pteWrite == 0) {
		return nil
	}
	folioGet(p.folio)
	return p.folio
}

// GenericFileMmap is generic_file_mmap() as ->mmap: the page-cache
// vm_operations (GenericFileVMOps) and an atime update. ENODEV for a
// file without address_space_operations.
func GenericFileMmap(t *Task, f *File, vma *Mapping) error {
	if f.inode.data.AOps == nil {
		return ENODEV
	}
	t.fileAccessed(f)
	vma.VMOps = GenericFileVMOps
	return nil
}

// GenericFileVMOps is generic_file_vm_ops.
var GenericFileVMOps = &VMOperations{
	Fault:       FilemapFault,
	MapPages:    FilemapMapPages,
	PageMkwrite: FilemapPageMkwrite,
}

// Munmap is munmap(2) of a whole mapping: its PTEs are dropped (a page
// stored to through it was dirtied at its first store, so nothing is
// lost), ->close runs, and the file reference goes. A mapping is named
// by its handle, not by an address: unmapping a handle already
// unmapped, or another task's (a forked child's copy of a mapping is a
// handle of its own, at the same start), does nothing to the caller and
// succeeds, as munmap(2) of a range where the caller has no mapping.
//
// Errors: EINVAL for nil.
func (t *Task) Munmap(vma *Mapping) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("munmap"))
	}
	if vma == nil {
		return EINVAL
	}
	mm := t.mm.Load()
	if mm == nil || vma.mm != mm {
		return nil
	}
	mm.mmapLock.Lock(t.o)
	put, removed := t.removeVMALocked(vma, nil)
	mm.mmapLock.Unlock(t.o)
	for _, fo := range put {
		FolioPut(fo)
	}
	if removed {
		fput(t, vma.file) // with no mmap_lock held, as Linux's deferred fput
	}
	return nil
}

// removeVMALocked is unmap_region() plus remove_vma(): mark the mapping
// dead, zap its page table, take it off i_mmap and the mm's list, and
// call ->close. mmap_lock held for write. The zapped folios are
// appended to put for the caller to drop, and the file reference to
// drop, after releasing mmap_lock. removed is false if the mapping was
// gone already.
func (t *Task) removeVMALocked(vma *Mapping, put []*Folio) (_ []*Folio, removed bool) {
	if vma.dead.Load() {
		return put, false
	}
	vma.dead.Store(true)
	mm := vma.mm
	mm.removeVMALocked(vma)
	vma.ptl.Lock(t.o)
	put = vma.zapRangeLocked(0, vma.npages-1, true, put)
	vma.ptl.Unlock(t.o)
	vmaUnlinkFile(t, vma)
	if vma.VMOps.Close != nil {
		t.vmopClose(vma)
	}
	return put, true
}

// exitMmap is exit_mmap(): unmap everything at task exit, in one walk
// of the mappings and not one removal at a time (each removal from the
// address-ordered list copies one side of it: the exit of a task with
// n mappings would cost n squared). As Linux's, in three passes over
// the mappings in address order: unmap_vmas marks each dead and zaps
// its page table, free_pgtables takes them off their files' i_mmap
// (unlinkFileVMAsLocked), and remove_vma calls ->close; then the list
// is emptied at once (__mt_destroy). The folios and file references are dropped after
// mmap_lock, as in Munmap.
func (t *Task) exitMmap() {
	mm := t.mm.Load()
	if mm == nil {
		return
	}
	mm.mmapLock.Lock(t.o)
	vmas := mm.vmas
	var folios []*Folio
	for _, vma := range vmas {
		vma.dead.Store(true)
		mm.unmapAreaLocked(vma)
		vma.ptl.Lock(t.o)
		folios = vma.zapRangeLocked(0, vma.npages-1, true, folios)
		vma.ptl.Unlock(t.o)
	}
	unlinkFileVMAsLocked(t, vmas)
	files := make([]*File, 0, len(vmas))
	for _, vma := range vmas {
		if vma.VMOps.Close != nil {
			t.vmopClose(vma)
		}
		files = append(files, vma.file)
	}
	clear(vmas)
	mm.vmas = nil
	mm.mmapLock.Unlock(t.o)
	for _, fo := range folios {
		FolioPut(fo)
	}
	for _, f := range files {
		fput(t, f)
	}
}

// unlinkFileVMAsLocked is free_pgtables' unlink_file_vma_batch for the
// mappings vmas of mm, all dead and each on its file's i_mmap: each is
// taken off where it is, the others keeping their order (a forked
// mapping after its parent's, see vmaLinkFileAfter). As Linux batches
// a run of mappings of one file, a file's i_mmap_rwsem is taken once
// for each run of consecutive mappings of that file. mmap_lock held for
// write.
func unlinkFileVMAsLocked(t *Task, vmas []*Mapping) {
	var held *iMmap
	for _, vma := range vmas {
		im := vma.mapping.iMmap.Load() // made by vmaLinkFile
		if im != held {
			if held != nil {
				held.rwsem.Unlock(t.o)
			}
			held = im
			im.rwsem.Lock(t.o)
		}
		im.unlinkLocked(vma)
	}
	if held != nil {
		held.rwsem.Unlock(t.o)
	}
}

// Msync is msync(2) of bytes [off, off+length) of the mapping: of the
// addresses from the mapping's start plus off, length bytes rounded up
// to pages, both unsigned as msync's start and size_t len (a negative
// off starts below the mapping; a negative length is a size_t near
// 2^64). MS_SYNC writes the file's dirty pages of the mapped part of
// that range and waits for them (vfs_fsync_range with datasync,
// mmap_lock dropped first, as Linux); MS_ASYNC has nothing to start,
// since a store dirtied its page at its first store (write-notify),
// where the flusher finds it; MS_INVALIDATE has nothing to do, and is
// EBUSY for a VM_LOCKED mapping. A mapping that is not VM_SHARED (a private one, or a shared one
// of a description not open for writing) has nothing to write, as in
// Linux's msync. What lies outside the mapping is unmapped, as far as
// this call sees.
//
// Errors, in mm/msync.c's order: EINVAL for unknown flags, an off not
// page aligned, or MS_SYNC with MS_ASYNC; ENOMEM for a range whose end
// wraps below its start (a length of 0 after rounding up, SIZE_MAX
// among them, is 0 wherever it starts); EINVAL for nil; ENOMEM for
// another task's handle (mappings are named by handle: a forked child
// syncs its own copy through the handle Fork gave it) or one unmapped, a range that starts at or
// past the mapping's end, or one that starts below it and is MS_ASYNC
// alone or ends at or below the mapping's start; EBUSY for MS_INVALIDATE
// of a VM_LOCKED (MAP_LOCKED) mapping; else what ->fsync
// reports (a write error once per file description); else ENOMEM if
// part of the range was unmapped (below or past the mapping), after the
// mapped part was synced.
func (t *Task) Msync(vma *Mapping, off, length int64, flags int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("msync"))
	}
	if flags&^(MS_ASYNC|MS_INVALIDATE|MS_SYNC) != 0 || off&^PAGE_MASK != 0 ||
		flags&(MS_ASYNC|MS_SYNC) == MS_ASYNC|MS_SYNC {
		return EINVAL
	}
	if vma == nil {
		return EINVAL
	}
	start := uint64(vma.start) + uint64(off)
	end := start + (uint64(length)+PAGE_SIZE-1)&^(PAGE_SIZE-1)
	if end < start {
		return ENOMEM
	}
	if end == start {
		return nil
	}
	mm := t.mm.Load()
	if mm == nil || vma.mm != mm {
		return ENOMEM // unmapped in the caller's address space
	}
	mm.mmapLock.RLock(t.o)
	vmStart := uint64(vma.start)
	vmEnd := vmStart + uint64(vma.npages)<<PAGE_SHIFT
	if vma.dead.Load() || start >= vmEnd {
		mm.mmapLock.RUnlock(t.o)
		return ENOMEM // find_vma finds nothing
	}
	var unmapped error
	if start < vmStart {
		if flags == MS_ASYNC || end <= vmStart {
			mm.mmapLock.RUnlock(t.o)
			return ENOMEM
		}
		start, unmapped = vmStart, ENOMEM
	}
	if flags&MS_INVALIDATE != 0 && vma.locked {
		mm.mmapLock.RUnlock(t.o)
		return EBUSY
	}
	if end > vmEnd {
		unmapped = ENOMEM // the next find_vma finds nothing
	}
	if flags&MS_SYNC == 0 || !vma.shared() {
		mm.mmapLock.RUnlock(t.o)
		return unmapped
	}
	fstart := int64(start-vmStart) + vma.pgoff<<PAGE_SHIFT
	fend := fstart + int64(min(end, vmEnd)-start) - 1
	f := fget(vma.file)
	mm.mmapLock.RUnlock(t.o)
	defer fput(t, f)
	if err := VFSFsyncRange(t, f, fstart, fend, true); err != nil {
		return err
	}
	return unmapped
}

// mightFault is might_fault(): a copy from the task's memory (a write(2)
// buffer) could fault, and a fault takes mmap_lock shared. With lock
// validation on, the validator is told so (lockdep's might_lock_read,
// nothing is taken or traced): it learns the order write(2) makes
// (i_rwsem, then mmap_lock) from every write, and reports a fault path
// that would take i_rwsem (say, a ->page_mkwrite locking the inode)
// whether or not the two ever meet in a run.
func mightFault(t *Task) {
	if t.vfs.validator == nil {
		return
	}
	t.o.MightLock(&t.mmOf().mmapLock, lock.Shared)
}
