package vfs

// FDReserved reports whether fd is reserved in t's descriptor table by
// an open that has not installed its file yet (getUnusedFD).
func FDReserved(t *Task, fd int) bool {
	ft := t.files.Load()
	ft.lock.Lock(t.o)
	defer ft.lock.Unlock(t.o)
	return fd < len(ft.fds) && ft.fds[fd].reserved && ft.fds[fd].f == nil
}
