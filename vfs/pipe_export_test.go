package vfs

// FifoPipe reports, for the FIFO at path, whether it has a pipe (from its
// first open to its last release) and how many tasks sleep in the pipe's
// waits.
func FifoPipe(t *Task, path string) (has bool, sleepers int32) {
	p, err := t.pathLookup(AT_FDCWD, path, LOOKUP_FOLLOW)
	if err != nil {
		panic(err)
	}
	defer p.Put(t)
	in := p.Dentry.inode.Load()
	in.lock.Lock(t.o)
	pipe := iPipe(in)
	in.lock.Unlock(t.o)
	if pipe == nil {
		return false, 0
	}
	return true, pipe.sleepers.Load()
}

// FdPipeSleepers returns how many tasks sleep in the waits of the pipe
// open at fd (0 if fd is no pipe).
func FdPipeSleepers(t *Task, fd int) int32 {
	f, fl := t.fileLight(fd)
	if f == nil {
		return 0
	}
	defer t.fdputFlags(f, fl)
	if p := pipeOf(f); p != nil {
		return p.sleepers.Load()
	}
	return 0
}
