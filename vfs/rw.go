package vfs

// MAX_RW_COUNT is the most one read or write moves (Linux: INT_MAX
// rounded down to a page).
const MAX_RW_COUNT = (1<<31 - 1) &^ 4095

// UIO_MAXIOV is the most buffers one readv, writev, preadv or pwritev
// takes (IOV_MAX; lib/iov_iter.c __import_iovec refuses more with EINVAL).
const UIO_MAXIOV = 1024

// SEEK_MAX is the largest whence lseek(2) passes on to ->llseek.
const SEEK_MAX = SEEK_HOLE

// fdgetPos is fdget_pos(): the file (fileLight: a reference only if the
// table is shared), with f_pos_lock held as file_needs_f_pos_lock says:
// only for a file with an atomic position (atomicPos), and then if the
// description is shared, by another descriptor or another task (its
// count, the table's references, above one), or is a directory (its
// operations have Iterate), whose ->iterate_shared always runs under
// f_pos_lock. A stream, a character device or a socket never takes it,
// so a read asleep in a FIFO does not stop a write through the same
// description. The flags say what fdputFlags gives back.
func (t *Task) fdgetPos(fd int) (*File, uint8, error) {
	f, fl := t.fileFast(fd), uint8(0)
	if f == nil {
		f, fl = t.fileSlow(fd)
	}
	if f == nil {
		return nil, 0, EBADF
	}
	if atomicPos(f) && (f.count.Load() > 1 || f.fop != nil && f.fop.Iterate != nil) {
		f.posLock.Lock(t.o)
		fl |= fdputPosUnlock
	}
	return f, fl, nil
}

// atomicPos is FMODE_ATOMIC_POS, which do_dentry_open gives to regular
// files and directories and stream_open takes away (FMODE_STREAM).
// Both the file type and f_mode are fixed once the file is open.
func atomicPos(f *File) bool {
	m := f.inode.mode.Load()
	return (IsReg(m) || IsDir(m)) && f.mode&FMODE_STREAM == 0
}

// rwVerifyArea is rw_verify_area(): a negative position, or one that a
// transfer of count bytes would carry past the largest loff_t, is
// EINVAL. It runs on the position the caller passed, before O_APPEND
// moves a write to the end of the file (generic_write_checks), and on
// the whole length asked for, before MAX_RW_COUNT shortens it. No file
// here has FMODE_UNSIGNED_OFFSET.
func rwVerifyArea(pos int64, count int) error {
	if pos < 0 || pos+int64(count) < 0 {
		return EINVAL
	}
	return nil
}

// fileAtFast and fileAtSlow are the common start of the calls at an
// offset (pread64, pwrite64, preadv, pwritev), in two parts so that the
// common one inlines into each caller, which calls fileAtSlow where
// fileAtFast gives up. Together they give EINVAL for a negative offset,
// EBADF for no descriptor or an O_PATH one (fdget), ESPIPE for a file
// without positions (want: FMODE_PREAD or FMODE_PWRITE), or the file and
// the flags fdputFlags gives back.
//
// fileAtFast is the common case: an unshared table's task (fileFast)
// and a file that allows the call. nil for anything else.
func (t *Task) fileAtFast(fd int, off int64, want uint32) *File {
	if f := t.fileFast(fd); f != nil && off >= 0 && f.mode&(want|FMODE_PATH) == want {
		return f
	}
	return nil
}

// fileAtSlow is fileAt where fileAtFast gave up: a shared table, and
// the errors.
func (t *Task) fileAtSlow(fd int, off int64, want uint32) (*File, uint8, error) {
	if off < 0 {
		return nil, 0, EINVAL
	}
	f, fl := t.fileLight(fd)
	if f == nil {
		return nil, 0, EBADF
	}
	if f.mode&(want|FMODE_PATH) == want {
		return f, fl, nil
	}
	err := ESPIPE
	if f.mode&FMODE_PATH != 0 {
		err = EBADF
	}
	t.fdputFlags(f, fl)
	return nil, 0, err
}

// Read is read(2).
func (t *Task) Read(fd int, p []byte) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("read"))
	}
	f, fl, err := t.fdgetPos(fd)
	if err != nil {
		return 0, err
	}
	// ksys_read: the position is copied in and, unless the read failed,
	// back out (f_pos is atomic: /proc/<pid>/fdinfo reads it without
	// f_pos_lock). The copy lives in the task, as Pread's offset does.
	saved := t.rwPos
	t.rwPos = f.pos.Load()
	n, err := t.vfsRead(f, p, &t.rwPos)
	if err == nil || n > 0 {
		f.pos.Store(t.rwPos)
	}
	t.rwPos = saved
	t.fdputFlags(f, fl) // no defer: a deferred call is two Go calls under WebAssembly
	return n, err
}

// Pread is pread64(2).
func (t *Task) Pread(fd int, p []byte, off int64) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("pread64"))
	}
	f, fl := t.fileAtFast(fd, off, FMODE_PREAD), uint8(0)
	if f == nil {
		var err error
		if f, fl, err = t.fileAtSlow(fd, off, FMODE_PREAD); err != nil {
			return 0, err
		}
	}
	// The position lives in the task (t.rwPos) rather than in a local
	// whose address, passed on to ->read, would escape to the heap;
	// saved and restored in case a filesystem's method reads through
	// the same task.
	saved := t.rwPos
	t.rwPos = off
	n, err := t.vfsRead(f, p, &t.rwPos)
	t.rwPos = saved
	t.fdputFlags(f, fl)
	return n, err
}

// vfsRead is vfs_read().
func (t *Task) vfsRead(f *File, p []byte, pos *int64) (int, error) {
	if f.mode&FMODE_READ == 0 {
		return 0, EBADF
	}
	noRead := f.fop == nil || f.fop.Read == nil
	if noRead && !f.inode.isDir() {
		return 0, EINVAL // no FMODE_CAN_READ
	}
	if err := rwVerifyArea(*pos, len(p)); err != nil {
		return 0, err
	}
	if noRead {
		return 0, EISDIR // generic_read_dir
	}
	if len(p) > MAX_RW_COUNT {
		p = p[:MAX_RW_COUNT]
	}
	// The atime is ->read's to touch (file_accessed in filemap_read
	// and shmem_file_read_iter), not vfs_read's: a character device's
	// or procfs's read leaves it alone, as on Linux.
	return t.fopRead(f, p, pos)
}

// Write is write(2).
func (t *Task) Write(fd int, p []byte) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("write"))
	}
	f, fl, err := t.fdgetPos(fd)
	if err != nil {
		return 0, err
	}
	saved := t.rwPos // ksys_write, as in Read
	t.rwPos = f.pos.Load()
	n, err := t.vfsWrite(f, p, &t.rwPos)
	if err == nil || n > 0 {
		f.pos.Store(t.rwPos)
	}
	t.rwPos = saved
	t.fdputFlags(f, fl) // no defer: a deferred call is two Go calls under WebAssembly
	return n, err
}

// Pwrite is pwrite64(2). As on Linux, with O_APPEND it appends anyway.
func (t *Task) Pwrite(fd int, p []byte, off int64) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("pwrite64"))
	}
	f, fl := t.fileAtFast(fd, off, FMODE_PWRITE), uint8(0)
	if f == nil {
		var err error
		if f, fl, err = t.fileAtSlow(fd, off, FMODE_PWRITE); err != nil {
			return 0, err
		}
	}
	saved := t.rwPos // as in Pread
	t.rwPos = off
	n, err := t.vfsWrite(f, p, &t.rwPos)
	t.rwPos = saved
	t.fdputFlags(f, fl)
	return n, err
}

// vfsWrite is vfs_write(): freeze protection around ->write
// (fileStartWrite).
func (t *Task) vfsWrite(f *File, p []byte, pos *int64) (int, error) {
	if f.mode&FMODE_WRITE == 0 {
		return 0, EBADF
	}
	if f.fop == nil || f.fop.Write == nil {
		return 0, EINVAL
	}
	if err := rwVerifyArea(*pos, len(p)); err != nil {
		return 0, err
	}
	if len(p) > MAX_RW_COUNT {
		p = p[:MAX_RW_COUNT]
	}
	fileStartWrite(t, f)
	n, err := t.fopWrite(f, p, pos)
	fileEndWrite(t, f)
	return n, err
}

// fileStartWrite is file_start_write(): freeze protection (sb_start_write)
// for a write to a regular file only. A FIFO's or a device's data never
// reaches its filesystem, so their writes do not wait for a thaw, nor
// does a writer asleep in a FIFO hold a freeze back.
func fileStartWrite(t *Task, f *File) {
	if IsReg(f.inode.mode.Load()) {
		sbStartWrite(t, f.inode.sb, SB_FREEZE_WRITE)
	}
}

// fileEndWrite is file_end_write(): the sb_end_write fileStartWrite's
// sb_start_write calls for.
func fileEndWrite(t *Task, f *File) {
	if IsReg(f.inode.mode.Load()) {
		sbEndWrite(t, f.inode.sb, SB_FREEZE_WRITE)
	}
}

// iovCount is import_iovec(): EINVAL for more than UIO_MAXIOV buffers;
// otherwise the bytes the call moves, the buffers' lengths summed up to
// MAX_RW_COUNT (the buffer that crosses it is shortened, the ones after
// it count for nothing).
func iovCount(iov [][]byte) (int, error) {
	if len(iov) > UIO_MAXIOV {
		return 0, EINVAL
	}
	total := 0
	for _, b := range iov {
		total += min(len(b), MAX_RW_COUNT-total)
	}
	return total, nil
}

// Readv is readv(2).
func (t *Task) Readv(fd int, iov [][]byte) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("readv"))
	}
	f, fl, err := t.fdgetPos(fd)
	if err != nil {
		return 0, err
	}
	defer t.fdputFlags(f, fl)
	saved := t.rwPos // as in Read
	t.rwPos = f.pos.Load()
	n, err := t.vfsReadv(f, iov, &t.rwPos)
	if err == nil || n > 0 {
		f.pos.Store(t.rwPos)
	}
	t.rwPos = saved
	return n, err
}

// Preadv is preadv(2).
func (t *Task) Preadv(fd int, iov [][]byte, off int64) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("preadv"))
	}
	f, fl := t.fileAtFast(fd, off, FMODE_PREAD), uint8(0)
	if f == nil {
		var err error
		if f, fl, err = t.fileAtSlow(fd, off, FMODE_PREAD); err != nil {
			return 0, err
		}
	}
	saved := t.rwPos // as in Pread
	t.rwPos = off
	n, err := t.vfsReadv(f, iov, &t.rwPos)
	t.rwPos = saved
	t.fdputFlags(f, fl)
	return n, err
}

// vfsReadv is vfs_readv() with do_loop_readv_writev(): the file's ->read
// straight into each buffer in turn, until one comes back short. Nothing
// is allocated, so a call is bounded by its buffers, not by their sum.
// A pipe or FIFO is read once over the whole vector (pipeReadv), as
// Linux's pipe_read gets the whole iov: a ->read per buffer would sleep
// in the second when the first took all the pipe held, with data
// already read.
func (t *Task) vfsReadv(f *File, iov [][]byte, pos *int64) (int, error) {
	if f.mode&FMODE_READ == 0 {
		return 0, EBADF
	}
	noRead := f.fop == nil || f.fop.Read == nil
	if noRead && !f.inode.isDir() {
		return 0, EINVAL
	}
	total, err := iovCount(iov)
	if err != nil {
		return 0, err
	}
	if total == 0 {
		return 0, nil
	}
	if err := rwVerifyArea(*pos, total); err != nil {
		return 0, err
	}
	if noRead {
		return 0, EISDIR
	}
	if f.fop.ReadIter != nil {
		return t.fopReadIter(f, iov, total, pos)
	}
	done := 0
	for _, b := range iov {
		b = b[:min(len(b), total-done)]
		if len(b) == 0 {
			continue
		}
		n, err := t.fopRead(f, b, pos)
		done += n
		if err != nil {
			if done == 0 {
				return 0, err
			}
			break
		}
		if n != len(b) {
			break
		}
	}
	return done, nil
}

// Writev is writev(2): the buffers are written as one write, so that
// the data of one call stays together (as Linux's i_rwsem makes it).
func (t *Task) Writev(fd int, iov [][]byte) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("writev"))
	}
	f, fl, err := t.fdgetPos(fd)
	if err != nil {
		return 0, err
	}
	defer t.fdputFlags(f, fl)
	saved := t.rwPos // as in Read
	t.rwPos = f.pos.Load()
	n, err := t.vfsWritev(f, iov, &t.rwPos)
	if err == nil || n > 0 {
		f.pos.Store(t.rwPos)
	}
	t.rwPos = saved
	return n, err
}

// Pwritev is pwritev(2).
func (t *Task) Pwritev(fd int, iov [][]byte, off int64) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("pwritev"))
	}
	f, fl := t.fileAtFast(fd, off, FMODE_PWRITE), uint8(0)
	if f == nil {
		var err error
		if f, fl, err = t.fileAtSlow(fd, off, FMODE_PWRITE); err != nil {
			return 0, err
		}
	}
	saved := t.rwPos // as in Pread
	t.rwPos = off
	n, err := t.vfsWritev(f, iov, &t.rwPos)
	t.rwPos = saved
	t.fdputFlags(f, fl)
	return n, err
}

// vfsWritev is vfs_writev(): one ->write of the buffers gathered, at
// most MAX_RW_COUNT bytes of them.
func (t *Task) vfsWritev(f *File, iov [][]byte, pos *int64) (int, error) {
	if f.mode&FMODE_WRITE == 0 {
		return 0, EBADF
	}
	if f.fop == nil || f.fop.Write == nil {
		return 0, EINVAL
	}
	total, err := iovCount(iov)
	if err != nil {
		return 0, err
	}
	if total == 0 {
		return 0, nil
	}
	return t.vfsWrite(f, gather(iov, total), pos)
}

// gather joins the first total bytes of the buffers.
func gather(iov [][]byte, total int) []byte {
	for _, b := range iov {
		if len(b) >= total {
			return b[:total] // one buffer holds them all
		}
		if len(b) != 0 {
			break
		}
	}
	buf := make([]byte, 0, total)
	for _, b := range iov {
		buf = append(buf, b[:min(len(b), total-len(buf))]...)
	}
	return buf
}

// Seek is lseek(2).
func (t *Task) Seek(fd int, off int64, whence int) (int64, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("lseek"))
	}
	f, fl, err := t.fdgetPos(fd)
	if err != nil {
		return 0, err
	}
	defer t.fdputFlags(f, fl)
	if f.mode&FMODE_PATH != 0 {
		return 0, EBADF
	}
	// ksys_lseek: a whence past SEEK_MAX (or negative: Linux's is
	// unsigned) never reaches ->llseek.
	if whence < 0 || whence > SEEK_MAX {
		return 0, EINVAL
	}
	if f.fop != nil && f.fop.Llseek != nil {
		return t.fopLlseek(f, off, whence)
	}
	return GenericFileLlseek(t, f, off, whence)
}

// GenericFileLlseek is generic_file_llseek(): a file without holes (a
// filesystem with sparse files supplies ->llseek for SEEK_DATA and
// SEEK_HOLE), whose positions go up to the superblock's s_maxbytes
// (generic_file_llseek_size with maxsize s_maxbytes and eof i_size).
// The caller holds f_pos_lock if the file is shared.
//
// Errors: ENXIO (SEEK_DATA or SEEK_HOLE at or past i_size, or
// negative), EINVAL (a negative result or one past s_maxbytes:
// vfs_setpos; the position is left as it was).
func GenericFileLlseek(t *Task, f *File, off int64, whence int) (int64, error) {
	size := f.inode.size.Load()
	var np int64
	switch whence {
	case SEEK_SET:
		np = off
	case SEEK_CUR:
		if off == 0 {
			return f.pos.Load(), nil
		}
		np = f.pos.Load() + off
	case SEEK_END:
		np = size + off
	case SEEK_DATA:
		if off < 0 || off >= size {
			return 0, ENXIO
		}
		np = off
	case SEEK_HOLE:
		if off < 0 || off >= size {
			return 0, ENXIO
		}
		np = size
	default:
		return 0, EINVAL
	}
	return vfsSetpos(f, np, f.inode.sb.MaxBytes)
}

// vfsSetpos is vfs_setpos(): the new position if it is neither negative
// (no file here has FMODE_UNSIGNED_OFFSET) nor past maxsize, else
// EINVAL with the position unchanged.
func vfsSetpos(f *File, off, maxsize int64) (int64, error) {
	if off < 0 || off > maxsize {
		return 0, EINVAL
	}
	f.pos.Store(off)
	return off, nil
}

// SetPos and Pos give filesystems' ->llseek the file position; the
// caller holds f_pos_lock when the description is shared.
func (f *File) SetPos(p int64) { f.pos.Store(p) }
func (f *File) Pos() int64     { return f.pos.Load() }

// FileAccessed is file_accessed() for filesystems' ->read and ->mmap.
func FileAccessed(t *Task, f *File) { t.fileAccessed(f) }

// fileAccessed is file_accessed(): touch_atime unless the file was
// opened (or F_SETFL'd) with O_NOATIME.
func (t *Task) fileAccessed(f *File) {
	if f.flags.Load()&O_NOATIME == 0 {
		t.touchAtime(f.path)
	}
}

// touchAtime is touch_atime(): update the access time unless the mount
// says not to (O_NOATIME is fileAccessed's); with relatime, only if the old atime is not
// newer than mtime or ctime, or more than a day old.
func (t *Task) touchAtime(p Path) {
	in := p.Dentry.inode.Load()
	mf := p.Mnt.flags.Load()
	if mf&MNT_NOATIME != 0 || in.sb.flags.Load()&SB_NOATIME != 0 || p.Mnt.ReadOnly() {
		return
	}
	if in.isDir() && (mf&MNT_NODIRATIME != 0 || in.sb.flags.Load()&SB_NODIRATIME != 0) {
		return
	}
	now := t.vfs.now()
	if mf&MNT_RELATIME != 0 && !relatimeNeedUpdate(in, now) {
		return
	}
	// A frozen filesystem, or a mount that refuses writers, keeps the
	// old atime: sb_start_write_trylock, then mnt_get_write_access.
	if !in.sb.writers[SB_FREEZE_WRITE-1].TryRLock(t.owner()) {
		return
	}
	defer sbEndWrite(t, in.sb, SB_FREEZE_WRITE)
	if mntGetWriteAccess(p.Mnt) != nil {
		return
	}
	defer mntPutWriteAccess(p.Mnt)
	if in.Ops != nil && in.Ops.UpdateTime != nil {
		t.iopUpdateTime(in, S_ATIME)
		return
	}
	in.atime.Store(now)
	markInodeDirtyTimes(t, in)
}

// S_ATIME, S_MTIME, S_CTIME are update_time flags.
const (
	S_ATIME = 1
	S_MTIME = 2
	S_CTIME = 4
)

// relatimeNeedUpdate is relatime_need_update(). The day is counted in
// whole seconds, as Linux compares tv_sec: now.tv_sec - atime.tv_sec >=
// 24*60*60.
func relatimeNeedUpdate(in *Inode, now int64) bool {
	at := in.atime.Load()
	if in.mtime.Load() >= at || in.ctime.Load() >= at {
		return true
	}
	return floorSec(now)-floorSec(at) >= 24*60*60
}

// floorSec is the tv_sec of a time in nanoseconds since the epoch.
func floorSec(ns int64) int64 {
	s := ns / 1e9
	if ns%1e9 < 0 {
		s--
	}
	return s
}
