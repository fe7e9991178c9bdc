package vfs

import (
	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
)

// Pipes (fs/pipe.c): the ring of page buffers behind a FIFO (a named
// pipe, opened by fifo_open: pipe_fifo.go) and behind an anonymous pipe
// (pipe2 on the internal pipefs: pipefs.go). The data lives in the ring
// only: it never touches a page cache or a filesystem.

// PIPE_BUF is the most one write moves atomically (include/uapi/linux/
// limits.h): a write of at most PIPE_BUF bytes is never interleaved with
// another writer's.
const PIPE_BUF = 4096

// PIPE_DEF_BUFFERS is the slots of a new pipe: 16 pages, 65536 bytes.
const PIPE_DEF_BUFFERS = 16

// pipeMaxSize is /proc/sys/fs/pipe-max-size's default: the largest size
// F_SETPIPE_SZ grants an unprivileged task (1 MiB).
const pipeMaxSize = 1 << 20

// pipeBuffer is struct pipe_buffer: len bytes at off in page.
type pipeBuffer struct {
	page     []byte // PAGE_SIZE bytes
	off, len int
	// canMerge is PIPE_BUF_FLAG_CAN_MERGE: a small write may append to
	// this buffer's page.
	canMerge bool
}

// pipeWaitQueue is a wait_queue_head_t whose waiters all wake at once:
// a waiter takes ch (prepare, under pipe->mutex) before it drops the
// mutex and sleeps; wake closes it, under the mutex too, so that no
// wake-up is lost between a waiter's test and its sleep. Linux's pipe
// waits are exclusive (one reader or writer woken, who wakes the next);
// waking all makes every sleeper test its condition again, which gives
// the same results.
type pipeWaitQueue struct {
	ch chan struct{} // nil while nobody waits
}

// prepare is prepare_to_wait(): the channel wake will close.
func (q *pipeWaitQueue) prepare() <-chan struct{} {
	if q.ch == nil {
		q.ch = make(chan struct{})
	}
	return q.ch
}

// wake is wake_up_interruptible_all().
func (q *pipeWaitQueue) wake() {
	if q.ch != nil {
		close(q.ch)
		q.ch = nil
	}
}

// pipeInodeInfo is struct pipe_inode_info.
type pipeInodeInfo struct {
	// mutex is pipe->mutex: it protects every field below but files
	// and sleepers (the ring, its counters, the wait queues). A
	// lock.Mutex of class "&pipe->mutex"; nothing is taken inside it
	// (pipe_write's sb_start_write_trylock comes after it is dropped,
	// and vfs_write takes no freeze protection for a FIFO). Dropped
	// before any sleep (pipe_read, pipe_write and wait_for_partner wait
	// with it released).
	mutex lock.Mutex

	// head and tail index bufs (modulo ringSize): the buffers in use
	// are [tail, head).
	head, tail uint32
	// maxUsage is how many slots may be used; ringSize how many bufs
	// has, a power of two.
	maxUsage, ringSize uint32
	// readers and writers count the open descriptions that read and
	// write; rCounter and wCounter count every open for reading and
	// for writing, so that wait_for_partner sees a partner that came
	// and went.
	readers, writers   int
	rCounter, wCounter uint32
	bufs               []pipeBuffer
	// tmpPage is a freed page kept for the next write (tmp_page).
	tmpPage []byte
	// rdWait is rd_wait (readers, and opens waiting for a partner);
	// wrWait is wr_wait (writers waiting for room).
	rdWait, wrWait pipeWaitQueue

	// files is the descriptions using the pipe, under the inode's
	// i_lock (fifo_open, put_pipe_info).
	files int
	// sleepers counts the tasks asleep in one of the pipe's waits;
	// atomic, for the tests and for front ends watching for stalls.
	sleepers atomic.Int32
}

// allocPipeInfo is alloc_pipe_info(): an empty pipe of PIPE_DEF_BUFFERS
// slots.
func allocPipeInfo() *pipeInodeInfo {
	p := &pipeInodeInfo{maxUsage: PIPE_DEF_BUFFERS, ringSize: PIPE_DEF_BUFFERS}
	p.bufs = make([]pipeBuffer, PIPE_DEF_BUFFERS)
	p.mutex.Init(classPipeMutex, 0)
	return p
}

// freePipeInfo is free_pipe_info(): the pages go with the pipe.
func freePipeInfo(p *pipeInodeInfo) {
	for i := range p.bufs {
		p.bufs[i] = pipeBuffer{}
	}
	p.bufs, p.tmpPage = nil, nil
}

func (p *pipeInodeInfo) empty() bool { return p.head == p.tail }
func (p *pipeInodeInfo) full() bool  { return p.head-p.tail >= p.maxUsage }

// buf returns the slot of ring index i.
func (p *pipeInodeInfo) buf(i uint32) *pipeBuffer { return &p.bufs[i&(p.ringSize-1)] }

// newPage returns a page for a new buffer: the kept one, or a new one.
func (p *pipeInodeInfo) newPage() []byte {
	if pg := p.tmpPage; pg != nil {
		p.tmpPage = nil
		return pg
	}
	return make([]byte, PAGE_SIZE)
}

// releaseBuf is anon_pipe_buf_release(): the buffer at tail is empty;
// its page is kept for the next write if none is.
func (p *pipeInodeInfo) releaseBuf(b *pipeBuffer) {
	if p.tmpPage == nil {
		p.tmpPage = b.page
	}
	*b = pipeBuffer{}
}

// pipeWait sleeps until ch is closed (the caller took it from one of the
// pipe's wait queues, then dropped pipe->mutex) or a signal is pending:
// wait_event_interruptible. EINTR if a signal is (-ERESTARTSYS; vfscope
// has no restart, as a handler without SA_RESTART).
func (t *Task) pipeWait(p *pipeInodeInfo, ch <-chan struct{}) error {
	t.o.MightSleep("pipe_wait")
	intr, pending := t.signalWait()
	if pending {
		return EINTR
	}
	p.sleepers.Add(1)
	var err error
	select {
	case <-ch:
	case <-intr:
		err = EINTR
	}
	p.sleepers.Add(-1)
	return err
}

// pipeOf is get_pipe_info(): the pipe behind f, nil if f is not a pipe
// or FIFO.
func pipeOf(f *File) *pipeInodeInfo {
	if f.fop != &pipeFifoFops {
		return nil
	}
	p, _ := f.Private.(*pipeInodeInfo)
	return p
}

// pipeRead is pipe_read() with one buffer: pipeReadv.
func pipeRead(t *Task, f *File, b []byte, pos *int64) (int, error) {
	return pipeReadv(t, f, [][]byte{b}, len(b))
}

// pipeReadIter is pipe_read() as ->read_iter, for readv: pipeReadv.
func pipeReadIter(t *Task, f *File, iov [][]byte, count int, pos *int64) (int, error) {
	return pipeReadv(t, f, iov, count)
}

// pipeReadv is pipe_read() with the whole vector of a readv (->read_iter),
// filled in order up to total bytes: what the pipe holds, without
// waiting to fill the vector; with the pipe empty, 0 (end of file) if
// nobody writes, else EAGAIN (O_NONBLOCK) or a wait for data. As Linux's
// pipe_read gets the whole iov, a readv returns as soon as it has read
// anything, however many of its buffers are left. A FIFO's atime is
// touched; an anonymous pipe's is not (is_pipe_inode, since 6.15).
func pipeReadv(t *Task, f *File, iov [][]byte, total int) (int, error) {
	if total == 0 {
		return 0, nil
	}
	p := f.Private.(*pipeInodeInfo)
	p.mutex.Lock(t.o)
	ret := 0
	seg, segOff := 0, 0 // the next byte goes to iov[seg][segOff]
	var err error
	for {
		for !p.empty() && ret < total {
			dst := iov[seg][segOff:min(len(iov[seg]), segOff+total-ret)]
			if len(dst) == 0 {
				seg, segOff = seg+1, 0
				continue
			}
			buf := p.buf(p.tail)
			n := copy(dst, buf.page[buf.off:buf.off+buf.len])
			buf.off += n
			buf.len -= n
			ret += n
			segOff += n
			if buf.len == 0 {
				p.releaseBuf(buf)
				p.tail++
				p.wrWait.wake() // a slot is free
			}
		}
		if ret > 0 || p.writers == 0 {
			break
		}
		if f.flags.Load()&O_NONBLOCK != 0 {
			err = EAGAIN
			break
		}
		ch := p.rdWait.prepare()
		p.mutex.Unlock(t.o)
		if e := t.pipeWait(p, ch); e != nil {
			return 0, e
		}
		p.mutex.Lock(t.o)
	}
	p.mutex.Unlock(t.o)
	if ret > 0 && !isPipeInode(f.inode) {
		t.fileAccessed(f)
	}
	return ret, err
}

// isPipeInode is is_pipe_inode(): an anonymous pipe's pipefs inode, not
// a FIFO's. Since Linux 6.15 (pipeanon_fops) a read or write leaves an
// anonymous pipe's times as pipe2 set them.
func isPipeInode(in *Inode) bool { return in.sb.fsType == pipeFSType }

// pipeWrite is pipe_write(): EPIPE with no reader (where Linux also
// sends SIGPIPE); a write of at most PIPE_BUF bytes goes in whole or
// waits for room; a larger one moves what fits, then waits for the rest
// (with O_NONBLOCK it returns what it moved, or EAGAIN if nothing).
// A FIFO's mtime and ctime are updated (pipeUpdateTime), an anonymous
// pipe's are not (is_pipe_inode).
func pipeWrite(t *Task, f *File, b []byte, pos *int64) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	p := f.Private.(*pipeInodeInfo)
	p.mutex.Lock(t.o)
	if p.readers == 0 {
		p.mutex.Unlock(t.o)
		return 0, EPIPE
	}
	ret := 0
	var err error
	// A write that is not a whole number of pages first tops up the
	// last buffer with its first len%PAGE_SIZE bytes, if they fit.
	if chars := len(b) & (PAGE_SIZE - 1); chars != 0 && !p.empty() {
		buf := p.buf(p.head - 1)
		if off := buf.off + buf.len; buf.canMerge && off+chars <= PAGE_SIZE {
			copy(buf.page[off:], b[:chars])
			buf.len += chars
			ret = chars
			p.rdWait.wake()
		}
	}
	for ret < len(b) {
		if p.readers == 0 {
			if ret == 0 {
				err = EPIPE
			}
			break
		}
		if !p.full() {
			pg := p.newPage()
			n := copy(pg, b[ret:])
			*p.buf(p.head) = pipeBuffer{page: pg, len: n, canMerge: true}
			p.head++
			ret += n
			p.rdWait.wake()
			continue
		}
		if f.flags.Load()&O_NONBLOCK != 0 {
			if ret == 0 {
				err = EAGAIN
			}
			break
		}
		if t.vfs.intr.pending.Load() {
			if ret == 0 {
				err = EINTR
			}
			break
		}
		ch := p.wrWait.prepare()
		p.mutex.Unlock(t.o)
		t.pipeWait(p, ch) // a signal is seen at the loop's test
		p.mutex.Lock(t.o)
	}
	p.mutex.Unlock(t.o)
	if ret > 0 && !isPipeInode(f.inode) {
		pipeUpdateTime(t, f)
	}
	return ret, err
}

// pipeUpdateTime is pipe_write's file_update_time: vfs_write takes no
// freeze protection for a FIFO (fileStartWrite), so the update is made
// only if sb_start_write_trylock succeeds, and file_update_time skips it
// on a mount that refuses writers (mnt_get_write_access: a read-only
// mount or superblock). A frozen or read-only filesystem keeps the old
// times; the write itself succeeds. pipe->mutex is not held.
func pipeUpdateTime(t *Task, f *File) {
	sb := f.inode.sb
	if !sb.writers[SB_FREEZE_WRITE-1].TryRLock(t.owner()) {
		return
	}
	defer sbEndWrite(t, sb, SB_FREEZE_WRITE)
	if mntGetWriteAccess(f.path.Mnt) != nil {
		return
	}
	fileUpdateTime(t, f.inode)
	mntPutWriteAccess(f.path.Mnt)
}

// pipeRelease is pipe_release(): the description's side goes; the
// last reader or writer wakes the other side (EOF, or EPIPE).
func pipeRelease(t *Task, in *Inode, f *File) error {
	p := f.Private.(*pipeInodeInfo)
	p.mutex.Lock(t.o)
	if f.mode&FMODE_READ != 0 {
		p.readers--
	}
	if f.mode&FMODE_WRITE != 0 {
		p.writers--
	}
	if (p.readers == 0) != (p.writers == 0) {
		p.rdWait.wake()
		p.wrWait.wake()
	}
	p.mutex.Unlock(t.o)
	putPipeInfo(t, in, p)
	return nil
}

// pipeLlseek is no_llseek: a pipe has no positions.
func pipeLlseek(t *Task, f *File, off int64, whence int) (int64, error) {
	return 0, ESPIPE
}

// pipeFifoFops is pipefifo_fops: every FIFO's and pipe's operations.
var pipeFifoFops = FileOperations{
	Open:     fifoOpen,
	Release:  pipeRelease,
	Read:     pipeRead,
	ReadIter: pipeReadIter,
	Write:    pipeWrite,
	Llseek:   pipeLlseek,
}

// FMODE_STREAM marks a file stream_open made: it has no position at all,
// so read(2) and write(2) never take f_pos_lock (atomicPos). Linux's
// value (include/linux/fs.h).
const FMODE_STREAM = 1 << 21

// streamOpen is stream_open(): a file read and written as a stream,
// without positions: lseek, pread and pwrite fail with ESPIPE, and no
// FMODE_ATOMIC_POS. Called from ->open, before f is shared.
func streamOpen(f *File) {
	f.mode &^= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE
	f.mode |= FMODE_STREAM
}

// F_SETPIPE_SZ and F_GETPIPE_SZ are fcntl's pipe size commands
// (F_LINUX_SPECIFIC_BASE + 7 and + 8).
const (
	F_SETPIPE_SZ = 1031
	F_GETPIPE_SZ = 1032
)

// pipeFcntl is pipe_fcntl(): F_GETPIPE_SZ gives the capacity in bytes;
// F_SETPIPE_SZ sets it to arg rounded up to a power-of-two number of
// pages (at least one), and returns it. EBADF if f is not a pipe or
// FIFO; EINVAL for a size above 2^31; EPERM for a growth above
// pipe-max-size by an unprivileged task; EBUSY below what the pipe
// holds.
func (t *Task) pipeFcntl(f *File, cmd int, arg int) (int, error) {
	p := pipeOf(f)
	if p == nil {
		return -1, EBADF
	}
	p.mutex.Lock(t.o)
	defer p.mutex.Unlock(t.o)
	if cmd == F_GETPIPE_SZ {
		return int(p.maxUsage) * PAGE_SIZE, nil
	}
	size := roundPipeSize(uint32(arg))
	slots := uint32(size / PAGE_SIZE)
	if slots == 0 {
		return -1, EINVAL
	}
	if slots > p.maxUsage && size > pipeMaxSize && !t.cred.capable() {
		return -1, EPERM
	}
	if err := p.resizeRing(slots); err != nil {
		return -1, err
	}
	return int(p.maxUsage) * PAGE_SIZE, nil
}

// roundPipeSize is round_pipe_size(): 0 above 2^31, else at least a
// page, rounded up to a power of two.
func roundPipeSize(size uint32) uint64 {
	if size > 1<<31 {
		return 0
	}
	if size < PAGE_SIZE {
		return PAGE_SIZE
	}
	r := uint64(1)
	for r < uint64(size) {
		r <<= 1
	}
	return r
}

// resizeRing is pipe_resize_ring(): the buffers in use move to a ring of
// slots slots, in order from 0. EBUSY if they do not fit. pipe->mutex
// held.
func (p *pipeInodeInfo) resizeRing(slots uint32) error {
	n := p.head - p.tail
	if slots < n {
		return EBUSY
	}
	bufs := make([]pipeBuffer, slots)
	for i := uint32(0); i < n; i++ {
		bufs[i] = *p.buf(p.tail + i)
	}
	p.bufs, p.ringSize, p.maxUsage = bufs, slots, slots
	p.tail, p.head = 0, n
	p.wrWait.wake() // there may be room now
	return nil
}
