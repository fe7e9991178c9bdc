package vfs

import "math"

// The sync family (fs/sync.c): sync(2), syncfs(2), fsync(2),
// fdatasync(2) and sync_file_range(2), over the writeback of
// writeback.go and writeback_pages.go.

// Sync is sync(2) (ksys_sync): wake the flusher to start writing
// everything, then for every superblock (s_umount held for read) write
// and wait for every dirty inode, then ->sync_fs without waiting on all,
// then ->sync_fs waiting on all. Errors are not reported, as sync(2)
// reports none. The flusher's work is over when Sync returns, as it is
// on Linux, where sync's own work queues behind it.
func (t *Task) Sync() {
	if t.checking() {
		defer t.opDone(t.sysEnter("sync"))
	}
	v := t.vfs
	if done := v.wakeupFlusherForSync(); done != nil {
		defer func() { <-done }()
	}
	eachSuper := func(fn func(sb *SuperBlock)) {
		for _, sb := range v.superBlocks(t) {
			sb.umount.RLock(t.o)
			if sb.flags.Load()&SB_BORN != 0 && !sb.dying.Load() && !sb.ReadOnly() {
				fn(sb)
			}
			sb.umount.RUnlock(t.o)
			sb.put(t)
		}
	}
	eachSuper(func(sb *SuperBlock) { syncInodesSB(t, sb) })
	for _, wait := range []bool{false, true} {
		eachSuper(func(sb *SuperBlock) {
			if sb.Ops != nil && sb.Ops.SyncFS != nil {
				t.sopSyncFS(sb, wait)
			}
		})
	}
}

// Syncfs is syncfs(2): sync_filesystem on the file's superblock, then
// the superblock's write errors since this description last looked
// (errseq of s_wb_err against f_sb_err).
//
// Errors: EBADF for a bad or O_PATH descriptor; the first error of
// sync_filesystem; else a write error of the filesystem not yet reported
// through this description.
func (t *Task) Syncfs(fd int) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("syncfs"))
	}
	f, err := t.fdget(fd)
	if err != nil {
		return err
	}
	defer fput(t, f)
	sb := f.inode.sb
	sb.umount.RLock(t.o)
	err = syncFilesystem(t, sb)
	sb.umount.RUnlock(t.o)
	if err2 := fileCheckAndAdvanceSBErr(f); err == nil {
		err = err2
	}
	return err
}

// fileCheckAndAdvanceSBErr reports s_wb_err since f_sb_err, once per
// description.
func fileCheckAndAdvanceSBErr(f *File) error {
	e := &f.inode.sb.wbErr
	for {
		old := ErrSeqT(f.sbErr.Load())
		if e.Check(old) == nil {
			return nil
		}
		since := old
		err := e.CheckAndAdvance(&since)
		if f.sbErr.CompareAndSwap(uint32(old), uint32(since)) {
			return err
		}
	}
}

// Fsync is fsync(2).
func (t *Task) Fsync(fd int) error { return t.doFsync(fd, false) }

// Fdatasync is fdatasync(2).
func (t *Task) Fdatasync(fd int) error { return t.doFsync(fd, true) }

// doFsync is do_fsync(): vfs_fsync over the whole file.
//
// Errors: EBADF for a bad or O_PATH descriptor; EINVAL for a file whose
// filesystem cannot sync it; else what ->fsync reports (a write error is
// reported once to each description open when it happened).
func (t *Task) doFsync(fd int, datasync bool) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("fsync"))
	}
	f, err := t.fdget(fd)
	if err != nil {
		return err
	}
	defer fput(t, f)
	return VFSFsyncRange(t, f, 0, math.MaxInt64, datasync)
}

// VFSFsyncRange is vfs_fsync_range(): ->fsync of the file for bytes
// [start, end], with lazily dirtied timestamps made I_DIRTY_SYNC first
// unless datasync. A file without ->fsync is EINVAL, whatever its type,
// before anything changes (procfs's files and directories, a pipe, a
// device): a filesystem that keeps its data in memory says so with a
// ->fsync that does nothing, as tmpfs's noop_fsync.
func VFSFsyncRange(t *Task, f *File, start, end int64, datasync bool) error {
	if f.fop == nil || f.fop.Fsync == nil {
		return EINVAL
	}
	// fsync writes lazy timestamps too; fdatasync does not.
	if !datasync && f.inode.state.Load()&I_DIRTY_TIME != 0 {
		markInodeDirty(t, f.inode, I_DIRTY_SYNC)
	}
	return t.fopFsync(f, start, end, datasync)
}

// GenericFileFsync is generic_file_fsync(), for filesystems' ->fsync:
// write and wait for the dirty pages of [start, end], then write the
// inode itself, waiting, unless datasync and only its timestamps are
// dirty; then report any write error through the description's sample.
//
// A writeback of the inode in progress (I_SYNC) is waited for before
// I_DIRTY is looked at: a WB_SYNC_NONE writer clears I_DIRTY before
// ->write_inode, which here writes the inode (Linux's marks a buffer
// that fsync then writes, sync_mapping_buffers), and puts the bits back
// if that fails. Without the wait fsync could return before the inode
// reached the filesystem, or miss that it did not.
func GenericFileFsync(t *Task, f *File, start, end int64, datasync bool) error {
	in := f.inode
	if err := FileWriteAndWaitRange(t, f, start, end); err != nil {
		return err
	}
	var ret error
	in.rwsem.Lock(t.o)
	in.lock.Lock(t.o)
	inodeWaitForWritebackLocked(t, in)
	st := in.state.Load()
	in.lock.Unlock(t.o)
	if st&I_DIRTY != 0 && (!datasync || st&I_DIRTY_DATASYNC != 0) {
		ret = SyncInodeMetadata(t, in, true)
	}
	in.rwsem.Unlock(t.o)
	if err := FileCheckAndAdvanceWbErr(t, f); ret == nil {
		ret = err
	}
	return ret
}

// NoopFsync is noop_fsync(), for filesystems with nothing to write
// (tmpfs, procfs).
func NoopFsync(t *Task, f *File, start, end int64, datasync bool) error { return nil }

// sync_file_range(2) flags.
const (
	SYNC_FILE_RANGE_WAIT_BEFORE    = 1
	SYNC_FILE_RANGE_WRITE          = 2
	SYNC_FILE_RANGE_WAIT_AFTER     = 4
	SYNC_FILE_RANGE_WRITE_AND_WAIT = SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WAIT_AFTER
)

// SyncFileRange is sync_file_range(2): for bytes [offset, offset+nbytes)
// (to the end of the file when nbytes is 0), wait for writeback in
// progress (WAIT_BEFORE), start writeback of dirty pages (WRITE; as
// WB_SYNC_ALL when all three flags are given), wait for the writeback
// (WAIT_AFTER). It never writes the inode itself and gives no
// durability guarantee, as on Linux.
//
// Errors, in the order checked: EBADF for a bad or O_PATH descriptor;
// EINVAL for an unknown flag, a negative offset, or a range that
// overflows; ESPIPE for a file that is not a regular file, a directory
// or a symlink; then the errors of the writes and waits.
func (t *Task) SyncFileRange(fd int, offset, nbytes int64, flags uint32) error {
	if t.checking() {
		defer t.opDone(t.sysEnter("sync_file_range"))
	}
	f, err := t.fdget(fd)
	if err != nil {
		return err
	}
	defer fput(t, f)
	if flags&^SYNC_FILE_RANGE_WRITE_AND_WAIT != 0 {
		return EINVAL
	}
	endbyte := offset + nbytes
	if offset < 0 || endbyte < 0 || endbyte < offset {
		return EINVAL
	}
	if nbytes == 0 {
		endbyte = math.MaxInt64
	} else {
		endbyte--
	}
	mode := f.inode.mode.Load()
	if !IsReg(mode) && !IsDir(mode) && mode&S_IFMT != S_IFLNK && mode&S_IFMT != S_IFBLK {
		return ESPIPE
	}
	m := f.inode.Mapping()
	if flags&SYNC_FILE_RANGE_WAIT_BEFORE != 0 {
		if err := fileFdatawaitRange(t, f, offset, endbyte); err != nil {
			return err
		}
	}
	if flags&SYNC_FILE_RANGE_WRITE != 0 {
		mode := WB_SYNC_NONE
		if flags&SYNC_FILE_RANGE_WRITE_AND_WAIT == SYNC_FILE_RANGE_WRITE_AND_WAIT {
			mode = WB_SYNC_ALL
		}
		if err := filemapFdatawriteRange(t, m, offset, endbyte, mode); err != nil {
			return err
		}
	}
	if flags&SYNC_FILE_RANGE_WAIT_AFTER != 0 {
		return fileFdatawaitRange(t, f, offset, endbyte)
	}
	return nil
}

// fileSampleWbErr is do_dentry_open's sampling of f_wb_err and
// f_sb_err: the description will be told of write errors that happen
// from now on, and of an earlier one nobody has been told of.
func fileSampleWbErr(f *File) {
	f.wbErr.Store(uint32(FilemapSampleWbErr(f.inode.Mapping())))
	f.sbErr.Store(uint32(f.inode.sb.wbErr.Sample()))
}

// filpReportWbErr is close(2)'s report of write errors: a description
// open for writing is told, once, of a write error of its file that it
// has not been told of (by fsync or an earlier report). Linux reports
// at close only where the filesystem's ->flush does (NFS, FUSE); vfscope
// does it for every file, so that a write error is never silently lost
// by a program that closes without fsync (see RATIONALE.md). The
// report advances this description's sample only: the error stays
// unseen (no ERRSEQ_SEEN, AS_EIO kept) for a description opened later,
// whose fsync reports it as on Linux, where close reported nothing.
func filpReportWbErr(t *Task, f *File) error {
	if f.mode&(FMODE_WRITE|FMODE_PATH) != FMODE_WRITE || f.inode == nil {
		return nil
	}
	wb := &f.inode.Mapping().wbErr
	for {
		old := f.wbErr.Load()
		since := ErrSeqT(old)
		err := wb.Advance(&since)
		if err == nil || f.wbErr.CompareAndSwap(old, uint32(since)) {
			return err
		}
	}
}
