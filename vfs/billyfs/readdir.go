package billyfs

import "github.com/vfscope/vfscope/vfs"

var dirFileOps = &vfs.FileOperations{
	Iterate: iterate,
	Llseek:  dirLlseek,
	Fsync:   dirFsync,
}

// iterate is ext2_readdir(): the dots, then the entries from ctx.Pos
// (the VFS holds the directory's i_rwsem shared).
func iterate(t *vfs.Task, f *vfs.File, ctx *vfs.DirContext) error {
	if !vfs.DirEmitDots(f, ctx) {
		return nil
	}
	node(f.Inode()).dir.iterate(ctx)
	return nil
}

// dirLlseek is SEEK_SET and SEEK_CUR to any non-negative offset.
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

// dirFsync writes the directory's record (its entries are on the store
// already: directory changes are written at once).
func dirFsync(t *vfs.Task, f *vfs.File, start, end int64, datasync bool) error {
	in := f.Inode()
	if err := info(in.SB()).check(); err != nil {
		return err
	}
	return vfs.SyncInodeMetadata(t, in, true)
}
