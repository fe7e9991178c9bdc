package vfs

import "sync"

// inodePipes is inode->i_pipe for every inode that has a pipe: a FIFO
// from its first open to its last release, an anonymous pipe's pipefs
// inode for its life. A table beside the inode rather than a field of
// it: i_pipe is in a union in Linux's inode, and here a field would grow
// every inode (and tmpfs's, fitted to 512 bytes) for the few that are
// FIFOs. Each entry is added and removed under its inode's i_lock, as
// Linux sets i_pipe; the sync.Map's own locking is a leaf outside the
// validator.
var inodePipes sync.Map // *Inode -> *pipeInodeInfo

// iPipe returns inode's pipe, nil if none. i_lock held.
func iPipe(in *Inode) *pipeInodeInfo {
	if p, ok := inodePipes.Load(in); ok {
		return p.(*pipeInodeInfo)
	}
	return nil
}

// putPipeInfo is put_pipe_info(): f's use of the pipe ends; the last
// one frees it and clears i_pipe, so that the next open of the FIFO
// starts with an empty pipe.
func putPipeInfo(t *Task, in *Inode, p *pipeInodeInfo) {
	in.lock.Lock(t.o)
	p.files--
	kill := p.files == 0
	if kill {
		inodePipes.Delete(in)
	}
	in.lock.Unlock(t.o)
	if kill {
		freePipeInfo(p)
	}
}

// fifoOpen is fifo_open(), the ->open of every FIFO and pipe: the
// inode's pipe (made by the first open), then, for a FIFO, the wait for
// the other side: O_RDONLY waits for a writer (not with O_NONBLOCK),
// O_WRONLY for a reader (ENXIO with O_NONBLOCK and no reader), O_RDWR
// never waits. The waits end with EINTR on a signal (wait_for_partner).
// An open of a pipefs inode (a pipe reopened through /proc/<pid>/fd)
// never waits, nor fails for want of a reader: O_WRONLY|O_NONBLOCK
// opens, and a write is EPIPE.
func fifoOpen(t *Task, in *Inode, f *File) error {
	isPipe := isPipeInode(in)
	in.lock.Lock(t.o)
	p := iPipe(in)
	if p != nil {
		p.files++
		in.lock.Unlock(t.o)
	} else {
		in.lock.Unlock(t.o)
		np := allocPipeInfo()
		np.files = 1
		in.lock.Lock(t.o)
		if p = iPipe(in); p != nil {
			p.files++ // another open made it meanwhile
		} else {
			p = np
			inodePipes.Store(in, p)
		}
		in.lock.Unlock(t.o)
	}
	f.Private = p
	p.mutex.Lock(t.o)
	streamOpen(f)
	var err error
	switch f.mode & (FMODE_READ | FMODE_WRITE) {
	case FMODE_READ:
		p.rCounter++
		if p.readers++; p.readers == 1 {
			p.rdWait.wake() // wake_up_partner
		}
		if !isPipe && p.writers == 0 && f.flags.Load()&O_NONBLOCK == 0 {
			if err = t.waitForPartner(p, &p.wCounter); err != nil {
				if p.readers--; p.readers == 0 {
					p.wrWait.wake()
				}
			}
		}
	case FMODE_WRITE:
		if !isPipe && f.flags.Load()&O_NONBLOCK != 0 && p.readers == 0 {
			err = ENXIO
			break
		}
		p.wCounter++
		if p.writers++; p.writers == 1 {
			p.rdWait.wake()
		}
		if !isPipe && p.readers == 0 {
			if err = t.waitForPartner(p, &p.rCounter); err != nil {
				if p.writers--; p.writers == 0 {
					p.rdWait.wake()
				}
			}
		}
	case FMODE_READ | FMODE_WRITE:
		p.readers++
		p.writers++
		p.rCounter++
		p.wCounter++
		if p.readers == 1 || p.writers == 1 {
			p.rdWait.wake()
		}
	default:
		err = EINVAL
	}
	p.mutex.Unlock(t.o)
	if err != nil {
		f.Private = nil
		putPipeInfo(t, in, p)
	}
	return err
}

// waitForPartner is wait_for_partner(): sleep until *cnt changes (an
// open of the other side), or a signal comes (EINTR). pipe->mutex held;
// dropped while asleep.
func (t *Task) waitForPartner(p *pipeInodeInfo, cnt *uint32) error {
	cur := *cnt
	for cur == *cnt {
		ch := p.rdWait.prepare()
		p.mutex.Unlock(t.o)
		err := t.pipeWait(p, ch)
		p.mutex.Lock(t.o)
		if err != nil {
			break
		}
	}
	if cur == *cnt {
		return EINTR
	}
	return nil
}
