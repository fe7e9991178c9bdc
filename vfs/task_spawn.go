package vfs

// Spawn makes a new task that starts clean: t's credentials, root,
// working directory, umask, resource limits and resolve scoping
// (SetResolve: the child walks confined as t does), but no descriptors
// and no mappings. It is what posix_spawn(3) gives a program started with
// every inherited descriptor closed: glibc's clone(CLONE_VM|CLONE_VFORK)
// never copies the parent's mappings, and execve(2) gives the child an
// mm of its own. Unlike Fork followed by a Close of each descriptor, it
// touches nothing of t's: no description t shares is flushed, has its
// write error reported (and so consumed, close(2) reporting write errors
// in vfscope), or loses its POSIX locks, and no private mapping of t's
// becomes copy-on-write.
func (t *Task) Spawn(comm string) *Task {
	n := t.vfs.newTask(comm, t.cred, t) // everything copied before listing
	t.vfs.listTask(n)
	return n
}
