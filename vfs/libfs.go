package vfs

// Helpers a filesystem type puts in its operation tables, as Linux's
// fs/libfs.c and fs/read_write.c offer simple_* and generic_* ones.

// NoSeekEndLlseek is no_seek_end_llseek(): SEEK_SET and SEEK_CUR to any
// non-negative offset, the position a directory's next ->iterate or a
// seq_file's next read starts from; SEEK_END and the rest are EINVAL. The
// caller holds f_pos_lock if the file is shared.
//
// Errors: EINVAL for another whence, then EINVAL for a negative result.
func NoSeekEndLlseek(t *Task, f *File, off int64, whence int) (int64, error) {
	switch whence {
	case SEEK_CUR:
		off += f.pos.Load()
	case SEEK_SET:
	default:
		return 0, EINVAL
	}
	if off < 0 {
		return 0, EINVAL
	}
	f.pos.Store(off)
	return off, nil
}
