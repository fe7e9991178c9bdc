package vfs

// MAX_RW_COUNT is the most one read or write moves (Linux: INT_MAX
// rounded down to a page).
const MAX_RW_COUNT = (1<<31 - 1) &^ 4095

// fdgetPos is fdget_pos(): the file (fileLight: no reference), with
// f_pos_lock held if the description is shared, by another descriptor
// or another task (its count, the table's references, above one).
func (t *Task) fdgetPos(fd int) (*File, bool, error) {
	f := t.fileLight(fd)
	if f == nil {
		return nil, false, EBADF
	}
	if f.count.Load() > 1 {
		f.posLock.Lock(t.o)
		return f, true, nil
	}
	return f, false, nil
}

// fdputPos is fdput_pos(): f_pos_lock released if fdgetPos took it.
func (t *Task) fdputPos(f *File, locked bool) {
	if locked {
		f.posLock.Unlock(t.o)
	}
}

// Read is read(2).
func (t *Task) Read(fd int, p []byte) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("read"))
	}
	f, locked, err := t.fdgetPos(fd)
	if err != nil {
		return 0, err
	}
	defer t.fdputPos(f, locked)
	return t.vfsRead(f, p, &f.pos)
}

// Pread is pread64(2).
func (t *Task) Pread(fd int, p []byte, off int64) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("pread64"))
	}
	if off < 0 {
		return 0, EINVAL
	}
	// fdget: an O_PATH descriptor is EBADF, not ESPIPE.
	f := t.fileLight(fd)
	if f == nil || f.mode&FMODE_PATH != 0 {
		return 0, EBADF
	}
	if f.mode&FMODE_PREAD == 0 {
		return 0, ESPIPE
	}
	// The position lives in the task (t.rwPos) rather than in a local
	// whose address, passed on to ->read, would escape to the heap;
	// saved and restored in case a filesystem's method reads through
	// the same task.
	saved := t.rwPos
	t.rwPos = off
	n, err := t.vfsRead(f, p, &t.rwPos)
	t.rwPos = saved
	return n, err
}

// vfsRead is vfs_read().
func (t *Task) vfsRead(f *File, p []byte, pos *int64) (int, error) {
	if f.mode&FMODE_READ == 0 {
		return 0, EBADF
	}
	if f.fop == nil || f.fop.Read == nil {
		if f.inode.isDir() {
			return 0, EISDIR
		}
		return 0, EINVAL
	}
	if len(p) > MAX_RW_COUNT {
		p = p[:MAX_RW_COUNT]
	}
	n, err := t.fopRead(f, p, pos)
	if n > 0 || err == nil {
		t.fileAccessed(f)
	}
	return n, err
}

// Write is write(2).
func (t *Task) Write(fd int, p []byte) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("write"))
	}
	f, locked, err := t.fdgetPos(fd)
	if err != nil {
		return 0, err
	}
	defer t.fdputPos(f, locked)
	return t.vfsWrite(f, p, &f.pos)
}

// Pwrite is pwrite64(2). As on Linux, with O_APPEND it appends anyway.
func (t *Task) Pwrite(fd int, p []byte, off int64) (int, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("pwrite64"))
	}
	if off < 0 {
		return 0, EINVAL
	}
	f := t.fileLight(fd) // as in Pread
	if f == nil || f.mode&FMODE_PATH != 0 {
		return 0, EBADF
	}
	if f.mode&FMODE_PWRITE == 0 {
		return 0, ESPIPE
	}
	saved := t.rwPos // as in Pread
	t.rwPos = off
	n, err := t.vfsWrite(f, p, &t.rwPos)
	t.rwPos = saved
	return n, err
}

// vfsWrite is vfs_write(): freeze protection around ->write
// (file_start_write).
func (t *Task) vfsWrite(f *File, p []byte, pos *int64) (int, error) {
	if f.mode&FMODE_WRITE == 0 {
		return 0, EBADF
	}
	if f.fop == nil || f.fop.Write == nil {
		return 0, EINVAL
	}
	if len(p) > MAX_RW_COUNT {
		p = p[:MAX_RW_COUNT]
	}
	sb := f.inode.sb
	sbStartWrite(t, sb, SB_FREEZE_WRITE)
	n, err := t.fopWrite(f, p, pos)
	sbEndWrite(t, sb, SB_FREEZE_WRITE)
	return n, err
}

// Readv is readv(2): one read into the buffers in order.
func (t *Task) Readv(fd int, iov [][]byte) (int, error) {
	total := 0
	for _, b := range iov {
		total += len(b)
	}
	buf := make([]byte, total)
	n, err := t.Read(fd, buf)
	scatter(buf[:n], iov)
	return n, err
}

// Writev is writev(2): the buffers are written as one write, so that
// the data of one call stays together (as Linux's i_rwsem makes it).
func (t *Task) Writev(fd int, iov [][]byte) (int, error) {
	return t.Write(fd, gather(iov))
}

// Preadv and Pwritev are preadv(2) and pwritev(2).
func (t *Task) Preadv(fd int, iov [][]byte, off int64) (int, error) {
	total := 0
	for _, b := range iov {
		total += len(b)
	}
	buf := make([]byte, total)
	n, err := t.Pread(fd, buf, off)
	scatter(buf[:n], iov)
	return n, err
}

func (t *Task) Pwritev(fd int, iov [][]byte, off int64) (int, error) {
	return t.Pwrite(fd, gather(iov), off)
}

func gather(iov [][]byte) []byte {
	if len(iov) == 1 {
		return iov[0]
	}
	var buf []byte
	for _, b := range iov {
		buf = append(buf, b...)
	}
	return buf
}

func scatter(buf []byte, iov [][]byte) {
	for _, b := range iov {
		n := copy(b, buf)
		buf = buf[n:]
	}
}

// Seek is lseek(2).
func (t *Task) Seek(fd int, off int64, whence int) (int64, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("lseek"))
	}
	f, locked, err := t.fdgetPos(fd)
	if err != nil {
		return 0, err
	}
	defer t.fdputPos(f, locked)
	if f.mode&FMODE_PATH != 0 {
		return 0, EBADF
	}
	if f.fop != nil && f.fop.Llseek != nil {
		return t.fopLlseek(f, off, whence)
	}
	return GenericFileLlseek(t, f, off, whence)
}

// GenericFileLlseek is generic_file_llseek(): a file without holes (a
// filesystem with sparse files supplies ->llseek for SEEK_DATA and
// SEEK_HOLE). The caller holds f_pos_lock if the file is shared.
func GenericFileLlseek(t *Task, f *File, off int64, whence int) (int64, error) {
	size := f.inode.size.Load()
	var np int64
	switch whence {
	case SEEK_SET:
		np = off
	case SEEK_CUR:
		if off == 0 {
			return f.pos, nil
		}
		np = f.pos + off
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
	if np < 0 {
		return 0, EINVAL
	}
	f.pos = np
	return np, nil
}

// SetPos and Pos give filesystems' ->llseek the file position; the
// caller holds f_pos_lock when the description is shared.
func (f *File) SetPos(p int64) { f.pos = p }
func (f *File) Pos() int64     { return f.pos }

// FileAccessed is file_accessed() for filesystems' ->mmap.
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
