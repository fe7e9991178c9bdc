package vfs

import (
	"strings"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// The operation tables a filesystem type fills in, as in include/linux/fs.h
// and include/linux/dcache.h. A nil method means what a NULL pointer means
// in Linux: the VFS uses its generic behaviour or returns the error Linux
// returns for a missing method. Every call from the VFS into one of these
// methods goes through a wrapper in calls.go that, with lock validation on,
// asserts the locks that locking.rst's row for the method lists (see
// locking_rules.go).
//
// Every method receives the calling Task first: it is Linux's `current`,
// and the owner of any lock the method takes.

// DentryOperations is struct dentry_operations.
type DentryOperations struct {
	// Revalidate returns 1 if the dentry is still valid, 0 if the walk
	// must drop it and look the name up again. With flags&LOOKUP_RCU it
	// must not block; returning ECHILD asks for ref-walk.
	Revalidate func(t *Task, d *Dentry, flags uint32) (int, error)
	// WeakRevalidate is called on the last component reached by a
	// jump (".", "..", a mount root, a "/proc/self/fd" style link).
	WeakRevalidate func(t *Task, d *Dentry, flags uint32) (int, error)
	// Hash may rewrite name.Hash (and only that) for a lookup in parent.
	Hash func(t *Task, parent *Dentry, name *QStr) error
	// Compare returns true when name equals the candidate's name str.
	// It runs without any lock but may run under rename_lock's read side.
	Compare func(t *Task, d *Dentry, str string, name QStr) bool
	// Delete returns true if the dentry must not be kept in the cache
	// once unused. Called under d_lock.
	Delete  func(t *Task, d *Dentry) bool
	Init    func(t *Task, d *Dentry) error
	Release func(t *Task, d *Dentry)
	Prune   func(t *Task, d *Dentry)
	Iput    func(t *Task, d *Dentry, inode *Inode)
	DName   func(t *Task, d *Dentry) string
	// Automount is called when a walk reaches a dentry with
	// DCACHE_NEED_AUTOMOUNT; it returns a mount to put there.
	Automount func(t *Task, p Path) (*Mount, error)
	// Manage is called on dentries with DCACHE_MANAGE_TRANSIT.
	Manage func(t *Task, p Path, rcu bool) error
}

// Iattr is struct iattr: the attribute changes of setattr.
type Iattr struct {
	Valid        uint32 // ATTR_* bits
	Mode         uint32
	UID, GID     uint32
	Size         int64
	Atime, Mtime int64 // nanoseconds since the epoch
	Ctime        int64
	// File is ia_file: with ATTR_FILE, the open file a truncation comes
	// through (ftruncate(2)), for a filesystem that truncates through
	// its own open handle, which reaches the file when its name no
	// longer does (unlinked, or renamed by someone else); nil otherwise.
	File *File
}

// ATTR_* bits of Iattr.Valid.
const (
	ATTR_MODE      = 1 << 0
	ATTR_UID       = 1 << 1
	ATTR_GID       = 1 << 2
	ATTR_SIZE      = 1 << 3
	ATTR_ATIME     = 1 << 4
	ATTR_MTIME     = 1 << 5
	ATTR_CTIME     = 1 << 6
	ATTR_ATIME_SET = 1 << 7
	ATTR_MTIME_SET = 1 << 8
	ATTR_FORCE     = 1 << 9
	ATTR_KILL_SUID = 1 << 11
	ATTR_KILL_SGID = 1 << 12
	ATTR_FILE      = 1 << 13 // File is set: ATTR_SIZE through an open file
	ATTR_TIMES_SET = 1 << 16 // utimensat with explicit times: owner only
	ATTR_TOUCH     = 1 << 17
)

// InodeOperations is struct inode_operations.
type InodeOperations struct {
	// Lookup fills in d (negative, hashed by the VFS if the method does
	// not) or returns another dentry to use instead.
	Lookup   func(t *Task, dir *Inode, d *Dentry, flags uint32) (*Dentry, error)
	Create   func(t *Task, dir *Inode, d *Dentry, mode uint32, excl bool) error
	Link     func(t *Task, old *Dentry, dir *Inode, d *Dentry) error
	Unlink   func(t *Task, dir *Inode, d *Dentry) error
	Symlink  func(t *Task, dir *Inode, d *Dentry, target string) error
	Mkdir    func(t *Task, dir *Inode, d *Dentry, mode uint32) error
	Rmdir    func(t *Task, dir *Inode, d *Dentry) error
	Mknod    func(t *Task, dir *Inode, d *Dentry, mode uint32, dev uint64) error
	Rename   func(t *Task, oldDir *Inode, old *Dentry, newDir *Inode, new *Dentry, flags uint32) error
	Readlink func(t *Task, d *Dentry) (string, error)
	// GetLink returns a symlink's body. d is nil in RCU mode; return
	// ECHILD there if the body cannot be had without blocking.
	GetLink    func(t *Task, d *Dentry, inode *Inode) (string, error)
	Permission func(t *Task, inode *Inode, mask int) error
	Setattr    func(t *Task, d *Dentry, attr *Iattr) error
	Getattr    func(t *Task, p Path, st *Stat, mask uint32, flags uint32) error
	Listxattr  func(t *Task, d *Dentry) ([]string, error)
	UpdateTime func(t *Task, inode *Inode, flags int) error
	Tmpfile    func(t *Task, dir *Inode, f *File, mode uint32) error
}

// XattrHandler is struct xattr_handler: one namespace of extended
// attributes ("user.", "trusted."), chosen by the name's prefix.
type XattrHandler struct {
	Prefix string
	// List reports whether names of this namespace are listed for d.
	List func(t *Task, d *Dentry) bool
	Get  func(t *Task, h *XattrHandler, d *Dentry, inode *Inode, name string) ([]byte, error)
	// Set sets, or with value == nil removes, the attribute name (the
	// part after Prefix). flags holds XATTR_CREATE or XATTR_REPLACE. d
	// is nil when a write removes security.capability (FileRemovePrivs
	// has only the inode), as a Linux handler may be given no dentry.
	Set func(t *Task, h *XattrHandler, d *Dentry, inode *Inode, name string, value []byte, flags int) error
}

// DirContext is struct dir_context: the position and the callback of a
// directory iteration. Emit returns false when the caller's buffer is
// full; the iterator then stops and leaves Pos at the entry not taken.
type DirContext struct {
	Pos  int64
	Emit func(name string, ino uint64, typ uint8, nextPos int64) bool
}

// FileOperations is struct file_operations.
type FileOperations struct {
	Open    func(t *Task, inode *Inode, f *File) error
	Release func(t *Task, inode *Inode, f *File) error
	Flush   func(t *Task, f *File) error
	// Read and Write move bytes at *pos and advance it.
	Read  func(t *Task, f *File, p []byte, pos *int64) (int, error)
	Write func(t *Task, f *File, p []byte, pos *int64) (int, error)
	// ReadIter is read_iter for readv(2): the whole vector, count bytes
	// of it, in one call. A file whose read may sleep after a partial
	// transfer (a pipe: it returns once it has read anything) has it, so
	// that a readv does not wait for its later buffers with data in hand;
	// readv of a file without it calls Read buffer by buffer.
	ReadIter func(t *Task, f *File, iov [][]byte, count int, pos *int64) (int, error)
	Llseek   func(t *Task, f *File, off int64, whence int) (int64, error)
	// Iterate is iterate_shared: called with the directory's i_rwsem
	// held shared.
	Iterate func(t *Task, f *File, ctx *DirContext) error
	Fsync   func(t *Task, f *File, start, end int64, datasync bool) error
	// Lock is ->lock: the fcntl lock commands (cmd F_GETLK, F_SETLK or
	// F_SETLKW; an OFD request has FL_OFDLCK) for a filesystem that
	// keeps its own locks. nil: the generic POSIX lock code.
	Lock func(t *Task, f *File, cmd int, fl *FileLock) error
	// Flock is ->flock: flock(2) (cmd F_SETLK, or F_SETLKW to wait)
	// with an FL_FLOCK lock. nil: the generic code.
	Flock func(t *Task, f *File, cmd int, fl *FileLock) error
	// Setlease is ->setlease: arg F_RDLCK, F_WRLCK, or F_UNLCK, for which
	// lease, when not nil, only names the owner whose lease goes (Linux's
	// *priv; nil: the file's own); it calls GenericSetlease to record the
	// result, or returns EINVAL to refuse leases. nil: GenericSetlease.
	Setlease func(t *Task, f *File, arg int16, lease *FileLock) error
	// Fallocate is fallocate(2) on the file (mode FALLOC_FL_*), called
	// with i_rwsem not held: the method takes it.
	Fallocate func(t *Task, f *File, mode int, offset, length int64) error
	// Fadvise is ->fadvise: fadvise(2) (advice POSIX_FADV_*), called
	// with no lock held. nil: GenericFadvise.
	Fadvise func(t *Task, f *File, offset, length int64, advice int) error
	// Mmap is ->mmap: set up the new mapping vma of f (its VMOps,
	// usually GenericFileMmap), called with the task's mmap_lock held
	// for write. nil: the file cannot be mapped (mmap(2) gives ENODEV).
	Mmap func(t *Task, f *File, vma *Mapping) error
	// FopFlags are fop_flags: FOP_* properties of every file opened
	// with these operations.
	FopFlags uint32
}

// FOP_CAN_ODIRECT: the files take O_DIRECT (do_dentry_open gives them
// FMODE_CAN_ODIRECT). Linux's filesystems set FMODE_CAN_ODIRECT in
// their ->open (shmem_file_open, ext4_file_open); a flag of the table
// spares tmpfs an ->open call on every open.
const FOP_CAN_ODIRECT = 1 << 0

// SuperOperations is struct super_operations.
type SuperOperations struct {
	AllocInode   func(t *Task, sb *SuperBlock) *Inode
	DestroyInode func(t *Task, inode *Inode)
	FreeInode    func(t *Task, inode *Inode)
	DirtyInode   func(t *Task, inode *Inode, flags uint32)
	WriteInode   func(t *Task, inode *Inode, wbc *WritebackControl) error
	// DropInode reports whether the inode should be evicted now that its
	// last reference is gone. Called under i_lock.
	DropInode   func(t *Task, inode *Inode) bool
	EvictInode  func(t *Task, inode *Inode)
	PutSuper    func(t *Task, sb *SuperBlock)
	SyncFS      func(t *Task, sb *SuperBlock, wait bool) error
	FreezeFS    func(t *Task, sb *SuperBlock) error
	UnfreezeFS  func(t *Task, sb *SuperBlock) error
	Statfs      func(t *Task, d *Dentry, st *Statfs) error
	RemountFS   func(t *Task, sb *SuperBlock, flags *uint32, data string) error
	UmountBegin func(t *Task, sb *SuperBlock)
	// ShowOptions writes ",opt=value" for each option that differs from
	// the default, as /proc/mounts shows them.
	ShowOptions func(t *Task, w *strings.Builder, root *Dentry) error
}

// WritebackControl is struct writeback_control: what a writeback pass
// asks of ->writepages, ->writepage and ->write_inode, and what they
// report back.
type WritebackControl struct {
	// SyncMode is WB_SYNC_NONE (start what can be started without
	// waiting: flusher, memory cleansing) or WB_SYNC_ALL (data
	// integrity: wait for pages under writeback and write every dirty
	// page of the range).
	SyncMode int
	// NrToWrite is how many pages to write; ->writepages decrements it
	// for each page written and may stop at zero (WB_SYNC_NONE only).
	NrToWrite int64
	// PagesSkipped counts pages ->writepage redirtied instead of writing.
	PagesSkipped int64
	// RangeStart and RangeEnd bound the byte range written (inclusive),
	// unless RangeCyclic is set.
	RangeStart, RangeEnd int64
	// RangeCyclic: write from where the last cyclic pass stopped
	// (mapping->writeback_index) to the end, then wrap around.
	RangeCyclic bool
	// ForKupdate, ForBackground, ForReclaim and ForSync say who asked:
	// the flusher's periodic pass, the flusher above the background
	// threshold, memory reclaim, sync(2).
	ForKupdate, ForBackground, ForReclaim, ForSync bool
	// TaggedWritepages: tag the range TOWRITE first and write only the
	// tagged pages, so that pages dirtied during the pass cannot livelock
	// it (set for WB_SYNC_ALL and for sync's WB_SYNC_NONE pass).
	TaggedWritepages bool
}

// Writeback modes.
const (
	WB_SYNC_NONE = 0
	WB_SYNC_ALL  = 1
)

// AddressSpaceOperations is struct address_space_operations: how a
// filesystem moves a mapping's folios to and from its store. The locks
// each method is called with are locking.rst's address_space_operations
// table (locking_rules.go). A nil method gets the generic behaviour the
// VFS documents at each call site.
type AddressSpaceOperations struct {
	// ReadFolio fills a locked, not uptodate folio from the store
	// (invalidate_lock held shared). On success it marks it uptodate;
	// either way it unlocks it (FolioUnlock), possibly from another Task.
	// Bytes past i_size read as zeros whatever the store still holds, as
	// block_read_full_folio zeroes them: a truncating ->setattr frees the
	// store's blocks only after TruncateSetsize, and a page read in
	// between must not carry the old bytes into a later extension.
	// A mapping without ReadFolio is memory-only: a missing page is a
	// hole and reads as zeros (shmem).
	ReadFolio func(t *Task, f *File, folio *Folio) error
	// Readahead reads the locked, not uptodate folios rac names
	// (invalidate_lock held shared), unlocking each as ReadFolio does. A
	// folio it leaves locked and not uptodate is read by ReadFolio later.
	Readahead func(t *Task, rac *ReadaheadControl)
	// WriteBegin prepares [pos, pos+len) of one page for a copy (i_rwsem
	// held exclusive) and returns the folio locked, uptodate or with the
	// parts outside the range valid (read in, or zeroed).
	WriteBegin func(t *Task, f *File, m *AddressSpace, pos int64, len int) (*Folio, error)
	// WriteEnd finishes a copy of copied bytes at pos into folio (i_rwsem
	// held exclusive, folio locked): marks it uptodate and dirty (through
	// DirtyFolio), updates i_size, unlocks it and drops the reference
	// WriteBegin gave. It returns the bytes accepted.
	WriteEnd func(t *Task, f *File, m *AddressSpace, pos int64, len, copied int, folio *Folio) (int, error)
	// DirtyFolio marks a folio dirty (folio_mark_dirty); it must not
	// block. nil means FilemapDirtyFolio. Returns true if it was clean.
	DirtyFolio func(t *Task, m *AddressSpace, folio *Folio) bool
	// Writepage writes one locked, dirty-cleared folio: set writeback,
	// unlock, end writeback when the I/O completes; or, if WB_SYNC_NONE
	// would have to wait, redirty (FolioRedirtyForWritepage) and unlock.
	Writepage func(t *Task, folio *Folio, wbc *WritebackControl) error
	// Writepages writes the mapping's dirty folios of wbc's range; nil
	// means the generic loop over Writepage (write_cache_pages).
	Writepages func(t *Task, m *AddressSpace, wbc *WritebackControl) error
	// InvalidateFolio is called on a locked folio with PG_private being
	// truncated (offset, length within the page; invalidate_lock held
	// exclusive): drop the private state for that part.
	InvalidateFolio func(t *Task, folio *Folio, offset, length int)
	// ReleaseFolio asks to drop PG_private state of a locked folio not
	// under writeback before it leaves the cache; false refuses.
	ReleaseFolio func(t *Task, folio *Folio) bool
	// FreeFolio is called once a folio has left the cache (no lock).
	FreeFolio func(folio *Folio)
	// LaunderFolio writes a locked dirty folio synchronously before it
	// is invalidated, keeping it locked.
	LaunderFolio func(t *Task, folio *Folio) error
	// IsPartiallyUptodate reports whether [from, from+count) of a
	// locked, not uptodate folio holds valid data.
	IsPartiallyUptodate func(t *Task, folio *Folio, from, count int) bool
	// ErrorRemoveFolio takes a locked folio with a memory error out of
	// the cache.
	ErrorRemoveFolio func(t *Task, m *AddressSpace, folio *Folio) error
}

// VMOperations is struct vm_operations_struct: how a mapping of a file
// (Mapping, a VMA) gets its pages. The locks each method is called with
// are locking.rst's vm_operations_struct table (locking_rules.go); the
// emulated CPU access that calls them is vma.go and mmap_fault.go.
type VMOperations struct {
	// Open is called when a mapping is duplicated; Close when one goes
	// away (munmap, exit).
	Open  func(t *Task, vma *Mapping)
	Close func(t *Task, vma *Mapping)
	// Fault finds the page at vmf.Pgoff for a page that is not mapped
	// yet, sets vmf.Folio (with a reference) and returns VM_FAULT_LOCKED
	// with it locked, or an error code (VM_FAULT_SIGBUS past EOF or on a
	// read error). FilemapFault is the page-cache one.
	Fault func(t *Task, vmf *VMFault) VMFaultT
	// MapPages maps the uptodate pages of [start, end] (page indices of
	// the file) that it can reach without blocking (VMFault.MapFolio),
	// around a read fault. It must not sleep: it skips what would.
	MapPages func(t *Task, vmf *VMFault, start, end int64) VMFaultT
	// PageMkwrite is told that vmf.Folio, mapped read-only, is about to
	// become writable (the first store to it since it was mapped or
	// cleaned). Called with the folio unlocked; returns VM_FAULT_LOCKED
	// with it locked (and usually dirtied), VM_FAULT_NOPAGE if it was
	// truncated meanwhile (the access is retried), or an error code.
	PageMkwrite func(t *Task, vmf *VMFault) VMFaultT
}

// ReadaheadControl is struct readahead_control: a batch of folios, locked
// and inserted in the mapping, for ->readahead to read.
type ReadaheadControl struct {
	File    *File
	Mapping *AddressSpace
	// Folios are the folios to read, consecutive from Index; each is
	// locked, not uptodate, and referenced by the caller.
	Folios []*Folio
	// Index is the first folio's index.
	Index int64

	t    *Task // the reading task, to whom Next hands each folio's lock
	next int   // folios handed out by Next
}

// Count is readahead_count(): the number of pages in the batch.
func (r *ReadaheadControl) Count() int { return len(r.Folios) }

// Pos is readahead_pos(): the byte offset of the batch.
func (r *ReadaheadControl) Pos() int64 { return r.Index << PAGE_SHIFT }

// FileSystemType is struct file_system_type.
type FileSystemType struct {
	Name    string
	FSFlags uint32 // FS_REQUIRES_DEV, FS_USERNS_MOUNT...
	// Mount returns the root dentry of a superblock whose s_umount the
	// caller holds for write (the superblock is "locked on return").
	Mount func(t *Task, fst *FileSystemType, flags uint32, dev, data string) (*Dentry, error)
	// KillSB takes a write-locked superblock, shuts it down, unlocks it
	// and drops the reference.
	KillSB func(t *Task, sb *SuperBlock)

	// Lock classes of this type's locks, made at registration: Linux
	// gives each filesystem type its own keys so that lockdep does not
	// mix, say, procfs's i_rwsem with tmpfs's.
	keys fsTypeKeys
	// supers counts live superblocks of this type.
	supers atomic.Int32
}

// FS_* flags of FileSystemType.FSFlags.
const (
	FS_REQUIRES_DEV = 1
	FS_USERNS_MOUNT = 8
)
