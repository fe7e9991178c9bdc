package hostfs

import (
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"sync"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

var regFileOps = &vfs.FileOperations{
	Open:    openFile,
	Release: releaseFile,
	Read:    read,
	Write:   write,
	Llseek:  llseek,
	Fsync:   fsync,
}

var dirFileOps = &vfs.FileOperations{
	Open:    func(t *vfs.Task, in *vfs.Inode, f *vfs.File) error { f.Private = &dirHandle{}; return nil },
	Release: func(t *vfs.Task, in *vfs.Inode, f *vfs.File) error { f.Private = nil; return nil },
	Iterate: iterate,
	Llseek:  vfs.NoSeekEndLlseek, // SEEK_SET and SEEK_CUR; ->iterate resumes there
	Fsync:   dirFsync,
}

// handle is an open regular file's File.Private.
type handle struct {
	// mu serialises the users of f's own offset (Seek then Write). A
	// leaf, inside i_rwsem.
	mu sync.Mutex
	f  billy.File // immutable
	// hostAppend: f was opened with O_APPEND, so the host appends every
	// write itself.
	hostAppend bool
}

// inodeInfo is a regular file's Inode.Private (set by setup): its open
// host handles, so that setattr can reach the file through one of them
// (fchmod, fchown, futimens) whatever became of its name, as a
// filesystem with file handles (NFS) reaches it.
type inodeInfo struct {
	// mu protects handles, and is held across a host call on one of
	// them (setattr) so that releaseFile does not close it meanwhile.
	// A leaf, inside i_rwsem.
	mu      sync.Mutex
	handles []*handle
}

// addHandle and removeHandle keep in's open handles (->open and
// ->release).
func addHandle(in *vfs.Inode, h *handle) {
	ii := in.Private.(*inodeInfo)
	ii.mu.Lock()
	ii.handles = append(ii.handles, h)
	ii.mu.Unlock()
}

func removeHandle(in *vfs.Inode, h *handle) {
	ii := in.Private.(*inodeInfo)
	ii.mu.Lock()
	if i := slices.Index(ii.handles, h); i >= 0 {
		ii.handles = slices.Delete(ii.handles, i, i+1)
	}
	ii.mu.Unlock()
}

// openFile is ->open of a regular file: the billy.File the same task's
// ->create left for it, or a new one opened with the access mode and O_APPEND of the open
// (O_CREAT, O_EXCL and O_TRUNC are the VFS's business by then; O_SYNC
// and O_DSYNC are write's, which syncs after each write).
func openFile(t *vfs.Task, in *vfs.Inode, f *vfs.File) error {
	si := info(in.SB())
	if pf := si.takePending(t, in); pf != nil {
		h := &handle{f: pf}
		f.Private = h
		addHandle(in, h)
		return nil
	}
	p, ok := hostPath(f.Dentry())
	if !ok {
		return vfs.ENOENT
	}
	fl := f.Flags()
	var flags int
	switch fl & vfs.O_ACCMODE {
	case vfs.O_RDONLY:
		flags = os.O_RDONLY
	case vfs.O_WRONLY:
		flags = os.O_WRONLY
	default:
		flags = os.O_RDWR
	}
	if fl&vfs.O_APPEND != 0 {
		flags |= os.O_APPEND
	}
	bf, err := si.fs.OpenFile(p, flags, 0)
	if err != nil {
		return errno(err)
	}
	h := &handle{f: bf, hostAppend: flags&os.O_APPEND != 0}
	f.Private = h
	addHandle(in, h)
	return nil
}

func releaseFile(t *vfs.Task, in *vfs.Inode, f *vfs.File) error {
	h := f.Private.(*handle)
	f.Private = nil
	removeHandle(in, h)
	return errno(h.f.Close())
}

// read is ->read: ReadAt on the host file, so that the host's offset is
// not involved, and the atime touched as generic_file_read_iter does.
func read(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) {
	if len(p) == 0 {
		vfs.FileAccessed(t, f)
		return 0, nil
	}
	h := f.Private.(*handle)
	n, err := h.f.ReadAt(p, *pos)
	*pos += int64(n)
	if n > 0 || err == io.EOF {
		vfs.FileAccessed(t, f)
		return n, nil
	}
	return 0, errno(err)
}

// write is ->write, under the inode's i_rwsem exclusive as
// generic_file_write_iter (writeLocked), then, for an O_SYNC or O_DSYNC
// file or any file of a -o sync mount, generic_write_sync: the written
// range through vfs_fsync_range, so the data is on the host's storage
// when the call returns (as fdatasync unless O_SYNC).
func write(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	in := f.Inode()
	in.RwsemLock(t)
	n, err := writeLocked(t, f, p, pos)
	in.RwsemUnlock(t)
	if fl := f.Flags(); n > 0 && (fl&(vfs.O_SYNC|vfs.O_DSYNC) != 0 || vfs.IsSync(in)) {
		if serr := vfs.VFSFsyncRange(t, f, *pos-int64(n), *pos-1, fl&vfs.O_SYNC != vfs.O_SYNC); serr != nil {
			return 0, serr
		}
	}
	return n, err
}

// writeLocked is the write itself: file_remove_privs first
// (removePrivs), then the data at *pos (WriteAt when the file has it,
// else Seek and Write), or at the host's end of file for O_APPEND. A
// short write reports what was written. i_rwsem held exclusive.
func writeLocked(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) {
	in := f.Inode()
	h := f.Private.(*handle)
	if err := removePrivs(t, f, h); err != nil {
		return 0, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	off := *pos
	var n int
	var err error
	switch {
	case h.hostAppend:
		n, err = h.f.Write(p)
		if end, serr := h.f.Seek(0, io.SeekCurrent); serr == nil {
			off = end - int64(n)
		}
	case f.Flags()&vfs.O_APPEND != 0: // set by fcntl after the open
		if off, err = h.f.Seek(0, io.SeekEnd); err == nil {
			n, err = h.f.Write(p)
		}
	default:
		if wa, ok := h.f.(io.WriterAt); ok {
			n, err = wa.WriteAt(p, off)
		} else if _, err = h.f.Seek(off, io.SeekStart); err == nil {
			n, err = h.f.Write(p)
		}
	}
	if n == 0 {
		return 0, errno(err)
	}
	end := off + int64(n)
	*pos = end
	if end > in.Size() {
		in.SetSize(end)
	}
	now := t.VFS().Now()
	in.SetMtime(now)
	in.SetCtime(now)
	return n, nil
}

// fchmoder is a store's open file with fchmod(2) (Dir's, an *os.File).
type fchmoder interface {
	Chmod(mode fs.FileMode) error
}

// fchowner is a store's open file with fchown(2) (Dir's, an *os.File).
type fchowner interface {
	Chown(uid, gid int) error
}

// removePrivs is file_remove_privs() for a write: vfs.FileRemovePrivs
// drops set-user-ID and set-group-ID from the inode, and the host file
// loses them too, through the open file when it has fchmod, else by
// name; otherwise the next revalidate or getattr would copy the host's
// bits back. When the host refuses, the inode gets its mode back and
// the write fails with the host's errno, as a failed notify_change
// fails it on Linux. A file whose name no longer reaches it (unlinked)
// and that has no fchmod changes in the inode only. i_rwsem held
// exclusive.
func removePrivs(t *vfs.Task, f *vfs.File, h *handle) error {
	in := f.Inode()
	old := in.Mode()
	vfs.FileRemovePrivs(t, in)
	mode := in.Mode()
	if mode == old {
		return nil
	}
	var err error
	if fc, ok := h.f.(fchmoder); ok {
		err = fc.Chmod(goMode(mode))
	} else if p, ok := hostPath(f.Dentry()); ok {
		err = vfs.EPERM
		if ch, ok := info(in.SB()).fs.(billy.Chmod); ok {
			err = ch.Chmod(p, goMode(mode))
		}
	}
	if err != nil {
		in.SetMode(old)
		return errno(err)
	}
	return nil
}

// llseek is generic_file_llseek over the host's current size.
func llseek(t *vfs.Task, f *vfs.File, off int64, whence int) (int64, error) {
	if whence != vfs.SEEK_SET && whence != vfs.SEEK_CUR {
		h := f.Private.(*handle)
		if st, ok := h.f.(interface{ Stat() (fs.FileInfo, error) }); ok {
			if fi, err := st.Stat(); err == nil {
				f.Inode().SetSize(fi.Size())
			}
		}
	}
	return vfs.GenericFileLlseek(t, f, off, whence)
}

// dirHandle is an open directory's File.Private: the listing's snapshot.
type dirHandle struct {
	mu   sync.Mutex // protects ents; a leaf
	ents []dirEnt
}

type dirEnt struct {
	name string
	ino  uint64
	typ  uint8
}

// iterate is ->iterate_shared: the dots, then the snapshot of the
// store's ReadDir taken when the listing starts at position 0 (or first
// reaches the entries), entry i at position 2+i.
func iterate(t *vfs.Task, f *vfs.File, ctx *vfs.DirContext) error {
	dh := f.Private.(*dirHandle)
	dh.mu.Lock()
	defer dh.mu.Unlock()
	fresh := ctx.Pos == 0 || dh.ents == nil
	if !vfs.DirEmitDots(f, ctx) {
		return nil
	}
	if fresh {
		ents, err := snapshot(f.Dentry())
		if err != nil {
			return err
		}
		dh.ents = ents
	}
	for i := ctx.Pos - 2; i >= 0 && i < int64(len(dh.ents)); i++ {
		e := dh.ents[i]
		if !ctx.Emit(e.name, e.ino, e.typ, i+3) {
			return nil
		}
		ctx.Pos = i + 3
	}
	return nil
}

// snapshot lists the directory d on the host, sorted by name. A
// directory no longer on the host (unhashed) lists empty.
func snapshot(d *vfs.Dentry) ([]dirEnt, error) {
	p, ok := hostPath(d)
	if !ok {
		return []dirEnt{}, nil
	}
	si := info(d.SB())
	fis, err := si.fs.ReadDir(p)
	if err != nil {
		return nil, errno(err)
	}
	sort.Slice(fis, func(i, j int) bool { return fis[i].Name() < fis[j].Name() })
	ents := make([]dirEnt, 0, len(fis))
	for _, fi := range fis {
		a := attrOf(fi)
		cp := fi.Name()
		if p != "." {
			cp = path.Join(p, cp)
		}
		ents = append(ents, dirEnt{name: fi.Name(), ino: si.inoOf(cp, &a), typ: vfs.DTType(a.mode)})
	}
	return ents, nil
}
