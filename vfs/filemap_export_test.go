package vfs

// Test-only access for the external page-cache tests.

// FdInode returns the inode open at fd (nil if none).
func FdInode(t *Task, fd int) *Inode {
	f, err := t.getFile(fd)
	if err != nil {
		return nil
	}
	defer fput(t, f)
	return f.inode
}

// FdFile returns the open file at fd, for its readahead window (the
// caller keeps fd open while it looks).
func FdFile(t *Task, fd int) *File {
	f, err := t.getFile(fd)
	if err != nil {
		return nil
	}
	fput(t, f)
	return f
}
