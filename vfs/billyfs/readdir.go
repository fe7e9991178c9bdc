package billyfs

import "github.com/vfscope/vfscope/vfs"

var dirFileOps = &vfs.FileOperations{
	Iterate: iterate,
	Llseek:  vfs.NoSeekEndLlseek, // SEEK_SET and SEEK_CUR; ->iterate resumes there
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

// dirFsync writes the directory's record, then makes durable where the
// store can (durable.go) its log (its entries are on the store already:
// directory changes are written at once, not flushed), the store
// directories that hold new inodes' names, and a record the flusher
// wrote. Under i_rwsem, as generic_file_fsync's inode_lock.
func dirFsync(t *vfs.Task, f *vfs.File, start, end int64, datasync bool) error {
	in := f.Inode()
	if err := info(in.SB()).check(); err != nil {
		return err
	}
	in.RwsemLockShared(t)
	defer in.RwsemUnlockShared(t)
	if err := vfs.SyncInodeMetadata(t, in, true); err != nil {
		return err
	}
	return node(in).syncStore()
}
