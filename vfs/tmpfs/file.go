package tmpfs

import (
	"github.com/vfscope/vfscope/vfs"
)

var regFileOps = &vfs.FileOperations{
	Read:   read,
	Write:  write,
	Llseek: llseek,
	Fsync:  func(t *vfs.Task, f *vfs.File, start, end int64, datasync bool) error { return nil },
}

var dirFileOps = &vfs.FileOperations{
	Iterate: iterate,
	Llseek:  dirLlseek,
	Fsync:   func(t *vfs.Task, f *vfs.File, start, end int64, datasync bool) error { return nil },
}

// read copies from the pages, zeros for holes, up to i_size.
func read(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) {
	in := f.Inode()
	in.RwsemLockShared(t)
	defer in.RwsemUnlockShared(t)
	size := in.Size()
	off := *pos
	if off >= size || len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > size-off {
		p = p[:size-off]
	}
	n := node(in)
	done := 0
	for done < len(p) {
		idx := (off + int64(done)) / pageSize
		po := (off + int64(done)) % pageSize
		chunk := p[done:]
		if len(chunk) > int(pageSize-po) {
			chunk = chunk[:pageSize-po]
		}
		if pg := n.pages.get(idx); pg != nil {
			copy(chunk, pg[po:])
		} else {
			clear(chunk)
		}
		done += len(chunk)
	}
	*pos = off + int64(done)
	return done, nil
}

// write is generic_perform_write() over tmpfs pages, under i_rwsem
// exclusive: O_APPEND writes at i_size; set-user-ID drops for writers
// without CAP_FSETID; the size limit gives ENOSPC (after a short write
// when some fitted).
func write(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) {
	in := f.Inode()
	in.RwsemLock(t)
	defer in.RwsemUnlock(t)
	off := *pos
	if f.Flags()&vfs.O_APPEND != 0 {
		off = in.Size()
	}
	if len(p) == 0 {
		return 0, nil
	}
	if off+int64(len(p)) < off || off+int64(len(p)) > in.SB().MaxBytes {
		return 0, vfs.EFBIG
	}
	vfs.FileRemovePrivs(t, in)
	n := node(in)
	si := info(in.SB())
	done := 0
	var err error
	for done < len(p) {
		idx := (off + int64(done)) / pageSize
		po := (off + int64(done)) % pageSize
		pg := n.pages.get(idx)
		if pg == nil {
			if err = si.reserveBlocks(1); err != nil {
				break
			}
			if po == 0 && len(p)-done >= pageSize {
				// A whole new page: make+copy is one pass over the
				// memory (the compiler skips zeroing what copy fills).
				b := make([]byte, pageSize)
				copy(b, p[done:done+pageSize])
				n.pages.add(idx, (*[pageSize]byte)(b))
				done += pageSize
				continue
			}
			pg = new([pageSize]byte)
			n.pages.add(idx, pg)
		}
		done += copy(pg[po:], p[done:])
	}
	if done > 0 {
		end := off + int64(done)
		if end > in.Size() {
			in.SetSize(end)
		}
		in.SetBlocks(n.pages.n * (pageSize / 512))
		now := t.VFS().Now()
		in.SetMtime(now)
		in.SetCtime(now)
		*pos = end
		return done, nil
	}
	return 0, err
}

// llseek is shmem_file_llseek(): SEEK_DATA and SEEK_HOLE see the pages.
func llseek(t *vfs.Task, f *vfs.File, off int64, whence int) (int64, error) {
	if whence != vfs.SEEK_DATA && whence != vfs.SEEK_HOLE {
		return vfs.GenericFileLlseek(t, f, off, whence)
	}
	in := f.Inode()
	in.RwsemLockShared(t)
	defer in.RwsemUnlockShared(t)
	size := in.Size()
	if off < 0 || off >= size {
		return 0, vfs.ENXIO
	}
	last := (size + pageSize - 1) / pageSize
	idx := node(in).pages.next(off/pageSize, last, whence == vfs.SEEK_DATA)
	if idx == last {
		if whence == vfs.SEEK_DATA {
			return 0, vfs.ENXIO
		}
		f.SetPos(size)
		return size, nil
	}
	r := max(idx*pageSize, off)
	f.SetPos(r)
	return r, nil
}

// iterate is offset_readdir(): dots, then the offset map from pos.
func iterate(t *vfs.Task, f *vfs.File, ctx *vfs.DirContext) error {
	if !vfs.DirEmitDots(f, ctx) {
		return nil
	}
	node(f.Inode()).dir.iterate(ctx)
	return nil
}

// dirLlseek is offset_dir_llseek(): SEEK_SET and SEEK_CUR to any
// non-negative offset; the next readdir continues from there.
func dirLlseek(t *vfs.Task, f *vfs.File, off int64, whence int) (int64, error) {
	switch whence {
	case vfs.SEEK_CUR:
		off += f.Pos()
	case vfs.SEEK_SET:
	default:
		return 0, vfs.EINVAL
	}
	if off < 0 {
		return 0, vfs.EINVAL
	}
	f.SetPos(off)
	return off, nil
}
