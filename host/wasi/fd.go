package wasi

import (
	"encoding/binary"
	"io"
	"math"

	"github.com/vfscope/vfscope/vfs"
)

// fstat stats e's descriptor into a.st.
func (a *ABI) fstat(e *fdEntry) (*vfs.Stat, error) {
	err := a.task.Fstat(e.vfd, &a.st)
	return &a.st, err
}

// filetype is the WASI filetype of a st_mode.
func filetype(mode uint32) uint8 {
	switch mode & vfs.S_IFMT {
	case vfs.S_IFDIR:
		return FiletypeDirectory
	case vfs.S_IFREG:
		return FiletypeRegularFile
	case vfs.S_IFLNK:
		return FiletypeSymbolicLink
	case vfs.S_IFCHR:
		return FiletypeCharacterDevice
	case vfs.S_IFBLK:
		return FiletypeBlockDevice
	case vfs.S_IFSOCK:
		return FiletypeSocketStream
	}
	return FiletypeUnknown
}

// writeFilestat writes a filestat (64 bytes) at ptr.
func (a *ABI) writeFilestat(m Memory, ptr uint32, st *vfs.Stat) Errno {
	b := &a.out
	le := binary.LittleEndian
	le.PutUint64(b[0:], st.Dev)
	le.PutUint64(b[8:], st.Ino)
	le.PutUint64(b[16:], uint64(filetype(st.Mode))) // and 7 bytes of padding
	le.PutUint64(b[24:], uint64(st.Nlink))
	le.PutUint64(b[32:], uint64(st.Size))
	le.PutUint64(b[40:], uint64(st.Atime))
	le.PutUint64(b[48:], uint64(st.Mtime))
	le.PutUint64(b[56:], uint64(st.Ctime))
	if !m.Write(ptr, b[:]) {
		return EFAULT
	}
	return ESUCCESS
}

// FdAdvise is fd_advise(fd, offset, len, advice): posix_fadvise, the
// VFS's fadvise64 (vfs.Task.Fadvise), which the page cache takes as
// Linux's does (generic_fadvise; Linux 6.18 on the host: ESPIPE for a
// pipe whatever the arguments, 0 for a negative offset, EINVAL for a
// negative length or an unknown advice). WASI numbers the advice its
// own way (sequential 1, random 2), POSIX the other (random 1). A
// descriptor opened O_PATH (path_open with no read or write rights) is
// EBADF before the arguments are looked at, as fadvise64's fdget
// refuses an O_PATH file first (mm/fadvise.c).
func (a *ABI) FdAdvise(fd int32, off, n uint64, advice uint8) Errno {
	e, errno := a.fd(fd, RightFdAdvise)
	if errno != ESUCCESS {
		return errno
	}
	if e.vfd >= 0 {
		_, fl, err := a.task.FdTypeFlags(e.vfd)
		if err != nil {
			return errnoOf(err)
		}
		if fl&vfs.O_PATH != 0 {
			return EBADF
		}
	}
	// A host stream is a pipe: ESPIPE before anything else is looked
	// at, as for the VFS's own FIFOs, whose errors (and the order of
	// the rest, generic_fadvise's) the VFS gives: an advice WASI does
	// not define goes on as one POSIX does not either.
	if e.vfd < 0 {
		return ESPIPE
	}
	posix := -1
	if int(advice) < len(posixAdvice) {
		posix = posixAdvice[advice]
	}
	return errnoOf(a.task.Fadvise(e.vfd, int64(off), int64(n), posix))
}

// posixAdvice maps WASI's advice to POSIX_FADV_*.
var posixAdvice = [...]int{
	AdviceNormal:     vfs.POSIX_FADV_NORMAL,
	AdviceSequential: vfs.POSIX_FADV_SEQUENTIAL,
	AdviceRandom:     vfs.POSIX_FADV_RANDOM,
	AdviceWillneed:   vfs.POSIX_FADV_WILLNEED,
	AdviceDontneed:   vfs.POSIX_FADV_DONTNEED,
	AdviceNoreuse:    vfs.POSIX_FADV_NOREUSE,
}

// FdAllocate is fd_allocate(fd, offset, len): posix_fallocate, which is
// fallocate(2) with mode 0: the VFS extends the file with zeros to
// offset+len under the inode's lock, and never shrinks it, so a write
// another task appends meanwhile is kept (a stat then ftruncate here
// would cut it off). The errors are vfs_fallocate's, in its order:
// EINVAL for a negative offset or an empty range, EBADF unless open for
// writing, EISDIR for a directory, ENODEV for anything not regular,
// EFBIG past the filesystem's largest size; a host stream is ESPIPE.
// An offset+len that overflows int64 is the VFS's EFBIG too, checked
// where vfs_fallocate checks it (after EBADF, EISDIR and ENODEV).
func (a *ABI) FdAllocate(fd int32, off, n uint64) Errno {
	e, errno := a.fd(fd, RightFdAllocate)
	if errno != ESUCCESS {
		return errno
	}
	if int64(off) < 0 || int64(n) <= 0 {
		return EINVAL
	}
	if e.vfd < 0 {
		return ESPIPE
	}
	return errnoOf(a.task.Fallocate(e.vfd, 0, int64(off), int64(n)))
}

// FdClose is fd_close(fd).
func (a *ABI) FdClose(fd int32) Errno {
	e, errno := a.fd(fd, 0)
	if errno != ESUCCESS {
		return errno
	}
	a.fds[fd] = nil
	vfd := e.vfd
	a.release(e)
	if vfd >= 0 {
		return errnoOf(a.task.Close(vfd))
	}
	return ESUCCESS
}

// FdDatasync is fd_datasync(fd): fdatasync(2).
func (a *ABI) FdDatasync(fd int32) Errno {
	e, errno := a.fd(fd, RightFdDatasync)
	if errno != ESUCCESS {
		return errno
	}
	if e.vfd < 0 {
		return ESUCCESS
	}
	return errnoOf(a.task.Fdatasync(e.vfd))
}

// FdSync is fd_sync(fd): fsync(2).
func (a *ABI) FdSync(fd int32) Errno {
	e, errno := a.fd(fd, RightFdSync)
	if errno != ESUCCESS {
		return errno
	}
	if e.vfd < 0 {
		return ESUCCESS
	}
	return errnoOf(a.task.Fsync(e.vfd))
}

// wasiFdflags maps F_GETFL's flags to WASI's fdflags.
func wasiFdflags(fl int) uint16 {
	var f uint16
	if fl&vfs.O_APPEND != 0 {
		f |= FdflagAppend
	}
	if fl&vfs.O_NONBLOCK != 0 {
		f |= FdflagNonblock
	}
	switch {
	case fl&vfs.O_SYNC == vfs.O_SYNC:
		f |= FdflagSync | FdflagRsync // Linux's O_RSYNC is O_SYNC
	case fl&vfs.O_DSYNC != 0:
		f |= FdflagDsync
	}
	return f
}

// FdFdstatGet is fd_fdstat_get(fd, buf): filetype, fdflags and rights.
func (a *ABI) FdFdstatGet(m Memory, fd int32, buf uint32) Errno {
	e, errno := a.fd(fd, 0)
	if errno != ESUCCESS {
		return errno
	}
	b := (*[sizeFdstat]byte)(a.out[:sizeFdstat])
	*b = [sizeFdstat]byte{}
	var fl uint16
	if e.vfd < 0 {
		b[0] = FiletypeCharacterDevice
		fl = e.streamFlag
	} else {
		// One VFS call for the type and the flags: Go's wasip1 port
		// calls this once on every descriptor it opens (SetNonblock).
		ifmt, flags, err := a.task.FdTypeFlags(e.vfd)
		if err != nil {
			return errnoOf(err)
		}
		b[0] = filetype(ifmt)
		fl = wasiFdflags(flags)
	}
	o := Bytes(b[:])
	o.WriteUint32Le(0, uint32(b[0])|uint32(fl)<<16)
	o.WriteUint64Le(8, uint64(e.base))
	o.WriteUint64Le(16, uint64(e.inh))
	if !m.Write(buf, b[:]) {
		return EFAULT
	}
	return ESUCCESS
}

// FdFdstatSetFlags is fd_fdstat_set_flags(fd, flags): fcntl(F_SETFL).
// As on Linux, APPEND and NONBLOCK change; the sync flags are fixed at
// open and ignored here, as SETFL_MASK leaves O_DSYNC and O_SYNC out.
// wazero and wasmtime refuse them (EINVAL); accepting them keeps
// wasi-libc's fcntl(F_SETFL, fcntl(F_GETFL) | O_NONBLOCK) working on a
// descriptor opened with O_SYNC, whose fd_fdstat_get reports SYNC|RSYNC.
func (a *ABI) FdFdstatSetFlags(fd int32, flags uint16) Errno {
	e, errno := a.fd(fd, RightFdFdstatSetFlags)
	if errno != ESUCCESS {
		return errno
	}
	if flags&^(FdflagAppend|FdflagDsync|FdflagNonblock|FdflagRsync|FdflagSync) != 0 {
		return EINVAL
	}
	if e.vfd < 0 {
		e.streamFlag = flags & FdflagNonblock
		return ESUCCESS
	}
	var fl int
	if flags&FdflagAppend != 0 {
		fl |= vfs.O_APPEND
	}
	if flags&FdflagNonblock != 0 {
		fl |= vfs.O_NONBLOCK
	}
	_, err := a.task.Fcntl(e.vfd, vfs.F_SETFL, fl)
	return errnoOf(err)
}

// FdFdstatSetRights is fd_fdstat_set_rights(fd, base, inheriting): rights
// only shrink (ENOTCAPABLE on an attempt to add one).
func (a *ABI) FdFdstatSetRights(fd int32, base, inh Rights) Errno {
	e, errno := a.fd(fd, 0)
	if errno != ESUCCESS {
		return errno
	}
	if base&^e.base != 0 || inh&^e.inh != 0 {
		return ENOTCAPABLE
	}
	e.base, e.inh = base, inh
	return ESUCCESS
}

// FdFilestatGet is fd_filestat_get(fd, buf).
func (a *ABI) FdFilestatGet(m Memory, fd int32, buf uint32) Errno {
	e, errno := a.fd(fd, RightFdFilestatGet)
	if errno != ESUCCESS {
		return errno
	}
	if e.vfd < 0 {
		a.st = vfs.Stat{Mode: vfs.S_IFCHR | 0o620, Nlink: 1}
		return a.writeFilestat(m, buf, &a.st)
	}
	st, err := a.fstat(e)
	if err != nil {
		return errnoOf(err)
	}
	return a.writeFilestat(m, buf, st)
}

// FdFilestatSetSize is fd_filestat_set_size(fd, size): ftruncate(2).
func (a *ABI) FdFilestatSetSize(fd int32, size uint64) Errno {
	e, errno := a.fd(fd, RightFdFilestatSetSize)
	if errno != ESUCCESS {
		return errno
	}
	if e.vfd < 0 {
		return EINVAL
	}
	return errnoOf(a.task.Ftruncate(e.vfd, int64(size)))
}

// utimes builds utimensat's times from WASI fstflags: EINVAL if both a
// time and "now" are asked for the same field. Times after math.MaxInt64
// nanoseconds are clamped to it.
func utimes(atim, mtim uint64, fst uint16) (*[2]vfs.Timespec, Errno) {
	if fst&(FstflagAtim|FstflagAtimNow) == FstflagAtim|FstflagAtimNow ||
		fst&(FstflagMtim|FstflagMtimNow) == FstflagMtim|FstflagMtimNow ||
		fst&^(FstflagAtim|FstflagAtimNow|FstflagMtim|FstflagMtimNow) != 0 {
		return nil, EINVAL
	}
	ts := func(v uint64, set, now uint16) vfs.Timespec {
		switch {
		case fst&set != 0:
			// A timestamp is u64 nanoseconds; the VFS keeps int64 ones
			// (to 2262-04-11). Later ones are clamped to the last it
			// can hold, as Linux clamps to the superblock's s_time_max
			// (fs/inode.c:timestamp_truncate) rather than failing.
			v = min(v, math.MaxInt64)
			return vfs.Timespec{Sec: int64(v / 1e9), Nsec: int64(v % 1e9)}
		case fst&now != 0:
			return vfs.Timespec{Nsec: vfs.UTIME_NOW}
		}
		return vfs.Timespec{Nsec: vfs.UTIME_OMIT}
	}
	return &[2]vfs.Timespec{ts(atim, FstflagAtim, FstflagAtimNow), ts(mtim, FstflagMtim, FstflagMtimNow)}, ESUCCESS
}

// FdFilestatSetTimes is fd_filestat_set_times(fd, atim, mtim, fst_flags):
// futimens(2). No fst_flags (both UTIME_OMIT) succeeds without looking at
// the descriptor, as utimensat(fd, NULL, ...) returns 0 for it before
// do_utimes_fd gets the file (no EBADF).
func (a *ABI) FdFilestatSetTimes(fd int32, atim, mtim uint64, fst uint16) Errno {
	if fst == 0 {
		return ESUCCESS
	}
	e, errno := a.fd(fd, RightFdFilestatSetTimes)
	if errno != ESUCCESS {
		return errno
	}
	times, errno := utimes(atim, mtim, fst)
	if errno != ESUCCESS {
		return errno
	}
	if e.vfd < 0 {
		return ESUCCESS
	}
	return errnoOf(a.task.Utimensat(e.vfd, "", times, vfs.AT_EMPTY_PATH))
}

// MaxIovecs is IOV_MAX (UIO_MAXIOV): fd_read, fd_pread, fd_write and
// fd_pwrite with more iovecs than this fail with EINVAL before the array
// is read, as readv(2) and writev(2) do (lib/iov_iter.c:__import_iovec).
const MaxIovecs = 1024

// MaxStagedIO is the most one fd_read, fd_pread, fd_write or fd_pwrite
// moves when the host holds a copy of the data: a memory that is not a
// ViewMemory (its buffers are copies, or scratch buffers of the host), or
// more than one iovec (the VFS gathers readv's and writev's buffers into
// one). The rest is a short count, as Linux's rw_verify_area caps every
// read and write at MAX_RW_COUNT (fs/read_write.c) and the iovecs are
// cut to it (lib/iov_iter.c:iovec_from_user): what the host allocates
// for one call is bounded whatever lengths the guest passes, and iovecs
// naming one buffer count once each. It is larger than the reads and
// writes guests make (64 KiB, 1 MiB), which stay whole. One view iovec
// costs the host nothing: its bound is MAX_RW_COUNT, Linux's.
const MaxStagedIO = 4 << 20

// iovecs reads an iovec array (in one read of the array, so that a
// copying memory copies it once): the guest buffers, as views when the
// memory allows it (then view is true), and their guest addresses. For
// one or two iovecs the slices are the ABI's own (iovBufs, iovPtrs),
// valid until the next call. More than MaxIovecs is EINVAL; the buffers
// are cut to MaxStagedIO bytes in all (MAX_RW_COUNT for one view), the
// iovecs past the cut left empty.
func (a *ABI) iovecs(m Memory, iovs, n uint32, forRead bool) (bufs [][]byte, ptrs []uint32, view bool, errno Errno) {
	c := a.caps(m)
	if n > MaxIovecs {
		return nil, nil, false, EINVAL
	}
	limit := uint32(MaxStagedIO)
	if c.view != nil && n == 1 {
		limit = vfs.MAX_RW_COUNT
	}
	// No iovecs is no access: readv and writev with iovcnt 0 return 0
	// whatever the pointer (import_iovec reads nothing for nr_segs 0).
	var arr []byte
	ok := true
	if n > 0 {
		arr, ok = m.Read(iovs, n*sizeIovec)
	}
	if !ok {
		return nil, nil, false, EFAULT
	}
	if n <= uint32(len(a.iovBufs)) {
		bufs, ptrs = a.iovBufs[:0], a.iovPtrs[:0]
	} else {
		bufs, ptrs = make([][]byte, 0, n), make([]uint32, 0, n)
	}
	for i := uint32(0); i < n; i++ {
		ptr := binary.LittleEndian.Uint32(arr[i*sizeIovec:])
		// The whole iovec must be in memory (access_ok on its length),
		// but only the part before the cut is used.
		full := binary.LittleEndian.Uint32(arr[i*sizeIovec+4:])
		l := min(full, limit)
		limit -= l
		var b []byte
		switch {
		case c.view != nil:
			if b, ok = c.view.View(ptr, full); ok {
				b = b[:l:l]
			}
		case forRead:
			// A buffer to read into, copied to the guest afterwards;
			// its bounds are checked now, without reading it.
			if ok = a.inRange(m, ptr, full); !ok {
				break
			}
			if c.scratch != nil {
				b = c.scratch.Scratch(ptr, l)
			} else {
				b = make([]byte, l)
			}
		default:
			if ok = l == full || a.inRange(m, ptr, full); ok {
				b, ok = m.Read(ptr, l)
			}
		}
		if !ok {
			return nil, nil, false, EFAULT
		}
		bufs = append(bufs, b)
		ptrs = append(ptrs, ptr)
	}
	return bufs, ptrs, c.view != nil, ESUCCESS
}

// copyOut writes back what a read put in non-view buffers.
func copyOut(m Memory, ptrs []uint32, bufs [][]byte, n int) Errno {
	for i, b := range bufs {
		if n <= 0 {
			break
		}
		k := min(n, len(b))
		if !m.Write(ptrs[i], b[:k]) {
			return EFAULT
		}
		n -= k
	}
	return ESUCCESS
}

// readv is the common part of fd_read and fd_pread; off < 0 means the
// file position.
func (a *ABI) readv(m Memory, e *fdEntry, iovs, niov uint32, off int64, result uint32) Errno {
	bufs, ptrs, view, errno := a.iovecs(m, iovs, niov, true)
	if errno != ESUCCESS {
		return errno
	}
	var n int
	var err error
	switch {
	case e.vfd < 0:
		if e.r == nil {
			return EBADF
		}
		if off >= 0 {
			return ESPIPE
		}
		for _, b := range bufs {
			if len(b) == 0 {
				continue
			}
			// One read from a stream, into the first non-empty buffer,
			// as a pipe read returns what is there.
			// Bytes read before an error are the result, and the
			// error is not reported, as read(2) returns a partial
			// count; the error alone is the host's, mapped by
			// streamErrno (EPIPE, EAGAIN, ...).
			start := a.nano()
			k, rerr := e.r.Read(b)
			a.blockedSince(start) // a read of a terminal or pipe waits
			n += k
			if rerr != nil && rerr != io.EOF && k == 0 {
				return streamErrno(rerr)
			}
			break
		}
	case off >= 0:
		if len(bufs) == 1 {
			n, err = a.task.Pread(e.vfd, bufs[0], off)
		} else {
			n, err = a.task.Preadv(e.vfd, bufs, off)
		}
	default:
		if len(bufs) == 1 {
			n, err = a.task.Read(e.vfd, bufs[0])
		} else {
			n, err = a.task.Readv(e.vfd, bufs)
		}
	}
	if err != nil {
		return errnoOf(err)
	}
	if !view {
		if errno := copyOut(m, ptrs, bufs, n); errno != ESUCCESS {
			return errno
		}
	}
	if !m.WriteUint32Le(result, uint32(n)) {
		return EFAULT
	}
	return ESUCCESS
}

// writev is the common part of fd_write and fd_pwrite.
func (a *ABI) writev(m Memory, e *fdEntry, iovs, niov uint32, off int64, result uint32) Errno {
	bufs, _, _, errno := a.iovecs(m, iovs, niov, false)
	if errno != ESUCCESS {
		return errno
	}
	var n int
	var err error
	switch {
	case e.vfd < 0:
		if e.w == nil {
			return EBADF
		}
		if off >= 0 {
			return ESPIPE
		}
		// Bytes written before an error are the result, as write(2)
		// returns a partial count; the error alone is the host's,
		// mapped by streamErrno (EPIPE for a reader gone, ...).
		start := a.nano()
		var werr error
		for _, b := range bufs {
			var k int
			k, werr = e.w.Write(b)
			n += k
			if werr != nil {
				break
			}
		}
		a.blockedSince(start) // a write to a full pipe waits
		if werr != nil && n == 0 {
			return streamErrno(werr)
		}
	case off >= 0:
		if len(bufs) == 1 {
			n, err = a.task.Pwrite(e.vfd, bufs[0], off)
		} else {
			n, err = a.task.Pwritev(e.vfd, bufs, off)
		}
	default:
		if len(bufs) == 1 {
			n, err = a.task.Write(e.vfd, bufs[0])
		} else {
			n, err = a.task.Writev(e.vfd, bufs)
		}
	}
	if err != nil && n == 0 {
		return errnoOf(err)
	}
	if !m.WriteUint32Le(result, uint32(n)) {
		return EFAULT
	}
	return ESUCCESS
}

// FdRead is fd_read(fd, iovs, iovs_len, nread_ptr): readv(2).
func (a *ABI) FdRead(m Memory, fd int32, iovs, niov, result uint32) Errno {
	e, errno := a.fd(fd, RightFdRead)
	if errno != ESUCCESS {
		return errno
	}
	return a.readv(m, e, iovs, niov, -1, result)
}

// FdPread is fd_pread(fd, iovs, iovs_len, offset, nread_ptr): preadv(2).
func (a *ABI) FdPread(m Memory, fd int32, iovs, niov uint32, off uint64, result uint32) Errno {
	e, errno := a.fd(fd, RightFdRead|RightFdSeek)
	if errno != ESUCCESS {
		return errno
	}
	if int64(off) < 0 {
		return EINVAL
	}
	return a.readv(m, e, iovs, niov, int64(off), result)
}

// FdWrite is fd_write(fd, iovs, iovs_len, nwritten_ptr): writev(2).
func (a *ABI) FdWrite(m Memory, fd int32, iovs, niov, result uint32) Errno {
	e, errno := a.fd(fd, RightFdWrite)
	if errno != ESUCCESS {
		return errno
	}
	return a.writev(m, e, iovs, niov, -1, result)
}

// FdPwrite is fd_pwrite(fd, iovs, iovs_len, offset, nwritten_ptr):
// pwritev(2) (with O_APPEND it appends, as Linux does).
func (a *ABI) FdPwrite(m Memory, fd int32, iovs, niov uint32, off uint64, result uint32) Errno {
	e, errno := a.fd(fd, RightFdWrite|RightFdSeek)
	if errno != ESUCCESS {
		return errno
	}
	if int64(off) < 0 {
		return EINVAL
	}
	return a.writev(m, e, iovs, niov, int64(off), result)
}

// FdPrestatGet is fd_prestat_get(fd, buf): a preopened directory's name
// length; EBADF for any other descriptor (the end of the preopens).
func (a *ABI) FdPrestatGet(m Memory, fd int32, buf uint32) Errno {
	e, errno := a.fd(fd, 0)
	if errno != ESUCCESS {
		return errno
	}
	if !e.isPreopen {
		return EBADF
	}
	// The 8-byte prestat, checked whole first: buf+4 must not wrap.
	if !a.inRange(m, buf, 8) || !m.WriteUint32Le(buf, 0) || !m.WriteUint32Le(buf+4, uint32(len(e.preopen))) {
		return EFAULT
	}
	return ESUCCESS
}

// FdPrestatDirName is fd_prestat_dir_name(fd, path, path_len).
func (a *ABI) FdPrestatDirName(m Memory, fd int32, path, n uint32) Errno {
	e, errno := a.fd(fd, 0)
	if errno != ESUCCESS {
		return errno
	}
	if !e.isPreopen {
		return EBADF
	}
	if n < uint32(len(e.preopen)) {
		return ENAMETOOLONG
	}
	if !m.Write(path, []byte(e.preopen)) {
		return EFAULT
	}
	return ESUCCESS
}

// FdRenumber is fd_renumber(fd, to): dup2(fd, to) then close(fd).
//
// A preopen is neither moved nor replaced: ENOTSUP if either end is one,
// as wazero's FSContext.Renumber (internal/sys/fs.go) answers, so that
// the guest's view of its preopened directories (fd_prestat_get from fd
// 3 up) stays whole.
//
// Errors, in the order checked: EBADF (fd not open), ENOTSUP (fd is a
// preopen), EBADF (to not open), ENOTSUP (to is a preopen).
func (a *ABI) FdRenumber(fd, to int32) Errno {
	e, errno := a.fd(fd, 0)
	if errno != ESUCCESS {
		return errno
	}
	if e.isPreopen {
		return ENOTSUP
	}
	old, errno := a.fd(to, 0)
	if errno != ESUCCESS {
		return errno
	}
	if old.isPreopen {
		return ENOTSUP
	}
	if fd == to {
		return ESUCCESS
	}
	if old.vfd >= 0 {
		a.task.Close(old.vfd)
	}
	a.release(old)
	a.fds[to] = e
	a.fds[fd] = nil
	return ESUCCESS
}

// FdSeek is fd_seek(fd, offset, whence, newoffset_ptr): lseek(2). Asking
// only for the position (whence CUR, offset 0) needs FD_TELL.
func (a *ABI) FdSeek(m Memory, fd int32, off int64, whence uint32, result uint32) Errno {
	need := RightFdSeek
	if whence == WhenceCur && off == 0 {
		need = RightFdTell
	}
	e, errno := a.fd(fd, 0)
	if errno != ESUCCESS {
		return errno
	}
	if e.base&need == 0 && e.base&RightFdSeek == 0 {
		return ENOTCAPABLE
	}
	if whence > WhenceEnd {
		return EINVAL
	}
	if e.vfd < 0 {
		return ESPIPE
	}
	pos, err := a.task.Seek(e.vfd, off, int(whence))
	if err != nil {
		return errnoOf(err)
	}
	if !m.WriteUint64Le(result, uint64(pos)) {
		return EFAULT
	}
	return ESUCCESS
}

// FdTell is fd_tell(fd, offset_ptr).
func (a *ABI) FdTell(m Memory, fd int32, result uint32) Errno {
	e, errno := a.fd(fd, 0)
	if errno != ESUCCESS {
		return errno
	}
	if e.base&(RightFdTell|RightFdSeek) == 0 {
		return ENOTCAPABLE
	}
	if e.vfd < 0 {
		return ESPIPE
	}
	pos, err := a.task.Seek(e.vfd, 0, vfs.SEEK_CUR)
	if err != nil {
		return errnoOf(err)
	}
	if !m.WriteUint64Le(result, uint64(pos)) {
		return EFAULT
	}
	return ESUCCESS
}

// FdReaddir is fd_readdir(fd, buf, buf_len, cookie, bufused_ptr). The
// cookie is the VFS's directory offset (getdents64's d_off): 0 is the
// start, and each entry's d_next is the offset after it, so a cookie
// stays valid while entries are added and removed. Entries are packed
// until the buffer is full; the entry that does not fit is truncated, and
// bufused == buf_len tells the guest to call again with a larger buffer
// or from the last whole entry's d_next.
//
// The buffer's range is checked before anything is read (EFAULT, as
// getdents64's access_ok), and entries go to the guest in chunks of at
// most readdirChunk bytes: what the call allocates follows the entries
// it lists, never buf_len.
func (a *ABI) FdReaddir(m Memory, fd int32, buf, bufLen uint32, cookie uint64, result uint32) Errno {
	e, errno := a.fd(fd, RightFdReaddir)
	if errno != ESUCCESS {
		return errno
	}
	if e.vfd < 0 {
		return ENOTDIR
	}
	// Only a directory is read, before the cookie is sought: a file
	// (wasi-libc grants fd_readdir to any file opened for reading)
	// keeps its offset, as getdents64 on one fails ENOTDIR before it
	// touches f_pos or the buffer.
	st, err := a.fstat(e)
	if err != nil {
		return errnoOf(err)
	}
	if st.Mode&vfs.S_IFMT != vfs.S_IFDIR {
		return ENOTDIR
	}
	if !a.inRange(m, buf, bufLen) || !a.inRange(m, result, 4) {
		return EFAULT
	}
	if int64(cookie) < 0 {
		return EINVAL
	}
	if _, err := a.task.Seek(e.vfd, int64(cookie), vfs.SEEK_SET); err != nil {
		return errnoOf(err)
	}
	// A Linux dirent is at most 4 bytes smaller than a WASI one; ask
	// for enough to fill the buffer and learn whether more follow, a
	// chunk at a time.
	limit := int64(bufLen)
	want := int(min(limit*2+512, readdirChunk))
	out := make([]byte, 0, min(limit+1, readdirChunk+sizeDirent+256))
	var done int64 // bytes already copied to buf
	flush := func() bool {
		n := min(int64(len(out)), limit-done)
		if n > 0 && !m.Write(buf+uint32(done), out[:n]) {
			return false
		}
		done += n
		out = out[:0]
		return true
	}
	for done+int64(len(out)) <= limit {
		ents, err := a.task.Getdents(e.vfd, want)
		if err != nil {
			// Entries this call produced are its result, and the
			// error is the next call's, as getdents(2) returns
			// what it filled before an error.
			if done+int64(len(out)) > 0 {
				break
			}
			return errnoOf(err)
		}
		if len(ents) == 0 {
			break
		}
		for _, d := range ents {
			ino := d.Ino
			if ino == 0 {
				ino = a.inoOf(e.vfd, d.Name)
			}
			var h [sizeDirent]byte
			o := Bytes(h[:])
			o.WriteUint64Le(0, uint64(d.Off))
			o.WriteUint64Le(8, ino)
			o.WriteUint32Le(16, uint32(len(d.Name)))
			h[20] = dtToFiletype(d.Type)
			out = append(out, h[:]...)
			out = append(out, d.Name...)
			if done+int64(len(out)) > limit {
				break
			}
			if len(out) >= readdirChunk && !flush() {
				return EFAULT
			}
		}
	}
	if !flush() || !m.WriteUint32Le(result, uint32(done)) {
		return EFAULT
	}
	return ESUCCESS
}

// readdirChunk bounds the bytes fd_readdir asks the VFS for and holds
// before copying them to the guest.
const readdirChunk = 16 << 10

// inRange reports whether the n bytes at off are inside m, reading none
// of them when m can say so (a RangeMemory); otherwise its last byte is
// read, as a Memory is one range from 0.
func (a *ABI) inRange(m Memory, off, n uint32) bool {
	if uint64(off)+uint64(n) > 1<<32 {
		return false
	}
	if c := a.caps(m); c.rng != nil {
		return c.rng.InRange(off, n)
	}
	if n == 0 {
		_, ok := m.Read(off, 0)
		return ok
	}
	_, ok := m.Read(off+n-1, 1)
	return ok
}

// inArray reports whether count elements of size bytes at off are
// inside m, computed in 64 bits: an array that runs past 2^32 is out of
// range, never wrapped around to address 0. As inRange, it reads at
// most the array's last byte.
func (a *ABI) inArray(m Memory, off, count, size uint32) bool {
	n := uint64(count) * uint64(size)
	if uint64(off)+n > 1<<32 {
		return false
	}
	if n == 0 {
		return a.inRange(m, off, 0)
	}
	// A Memory is one range from 0: its last byte in range, all is.
	return a.inRange(m, uint32(uint64(off)+n-1), 1)
}

// inoOf stats a directory entry whose filesystem reported no inode
// number, so that the guest never sees d_ino 0.
func (a *ABI) inoOf(dirfd int, name string) uint64 {
	if a.task.Fstatat(dirfd, name, &a.st, vfs.AT_SYMLINK_NOFOLLOW) == nil && a.st.Ino != 0 {
		return a.st.Ino
	}
	return 1
}

func dtToFiletype(dt uint8) uint8 {
	switch dt {
	case vfs.DT_DIR:
		return FiletypeDirectory
	case vfs.DT_REG:
		return FiletypeRegularFile
	case vfs.DT_LNK:
		return FiletypeSymbolicLink
	case vfs.DT_CHR:
		return FiletypeCharacterDevice
	case vfs.DT_BLK:
		return FiletypeBlockDevice
	case vfs.DT_SOCK:
		return FiletypeSocketStream
	}
	return FiletypeUnknown
}
